import { REGISTRY_ATTEMPTS, REGISTRY_BACKOFF_MS, REGISTRY_TIMEOUT_S } from './defaults';
import { ImageConfigError, RegistryError } from './errors';

/**
 * The registry's answers as errors with their fix, one wording whichever way the registry was asked:
 * in process over the distribution API (adapters/registry.ts), or by buildx while it pushes (its output).
 */
const registryHost = (ref: string) => ref.split('/')[0];

const LOGIN_FIX = (host: string) =>
  `log in with \`docker login ${host}\` (in GitHub Actions: docker/login-action with a token that has packages: write)`;

/** The registry refused the credentials (401 after authenticating, 403, a token request refused). */
export function refusedCredentials(ref: string): RegistryError {
  const host = registryHost(ref);
  return new RegistryError(`the registry ${host} refused the credentials for ${ref}`, LOGIN_FIX(host), host);
}

/** The registry kept failing (5xx or 429) while handling `ref`, also when tried again. */
export function registryFailed(ref: string, detail: string): RegistryError {
  const host = registryHost(ref);
  return new RegistryError(
    `the registry ${host} failed while handling ${ref} (${detail}), also when tried again`,
    `run again (everything already pushed is reused); if it persists, check the health of ${host}`,
    host,
  );
}

/** Nothing answers at the registry's address. */
export function registryUnreachable(ref: string, detail: string): RegistryError {
  const host = registryHost(ref);
  return new RegistryError(
    `the registry ${host} cannot be reached (${detail})`,
    `check that ${host} is up and that "repository" in nx.json names the right registry`,
    host,
  );
}

/** The registry took the request and never answered (a hung registry or proxy). */
export function registryTimedOut(ref: string, seconds: number): RegistryError {
  const host = registryHost(ref);
  return new RegistryError(
    `the registry did not answer in ${seconds} s (${ref})`,
    `check that ${host} is up and answers (e.g. curl -sI ${host}/v2/), and that no proxy in between holds the connection; a registry that is only slow: raise IMAGE_REGISTRY_TIMEOUT (seconds, default ${REGISTRY_TIMEOUT_S})`,
    host,
  );
}

/**
 * How long one registry request may take, in seconds: IMAGE_REGISTRY_TIMEOUT when set (a number
 * above 0), else REGISTRY_TIMEOUT_S.
 */
export function registryTimeout(env: Readonly<Record<string, string | undefined>>): number {
  const given = env.IMAGE_REGISTRY_TIMEOUT;
  if (given === undefined || given.trim() === '') return REGISTRY_TIMEOUT_S;
  const seconds = Number(given);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ImageConfigError(
      `"${given}" is not a number of seconds above 0`,
      `set it to the seconds one registry request may take, e.g. IMAGE_REGISTRY_TIMEOUT=${REGISTRY_TIMEOUT_S}, or unset it`,
      'IMAGE_REGISTRY_TIMEOUT',
    );
  }
  return seconds;
}

/** An answer worth trying again: a server error or rate limiting, not a refusal. */
export const isTransientStatus = (status: number) => [429, 500, 502, 503, 504].includes(status);

/** The longest a registry's Retry-After is waited for before the next try; a longer one fails sooner. */
const RETRY_AFTER_MAX_MS = 30_000;

/**
 * How long to wait before try `attempt + 1` of a request the registry answered with a transient status:
 * what its Retry-After says (seconds, or an HTTP date), at most RETRY_AFTER_MAX_MS; without one (or an
 * unreadable one), the back-off `backoffMs * attempt`.
 */
export function retryDelayMs(retryAfter: string | null, attempt: number, backoffMs: number, now = Date.now()): number {
  const fallback = backoffMs * attempt;
  const value = retryAfter?.trim();
  if (!value) return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (Number.isNaN(ms)) return fallback;
  return Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS);
}

/**
 * The one retry rule for whatever talks to a registry (adapters/registry.ts's requests, buildx's builds
 * that push, `imagetools create`): after try `attempt` failed, the wait before the next try, or null to
 * give up. Only a transient failure (a 5xx or 429) is tried again, REGISTRY_ATTEMPTS tries in all, after
 * the registry's Retry-After when it sent one, else the back-off (retryDelayMs).
 */
export function retryAfterFailure(
  attempt: number,
  transient: boolean,
  retryAfter: string | null = null,
  now = Date.now(),
): number | null {
  if (!transient || attempt >= REGISTRY_ATTEMPTS) return null;
  return retryDelayMs(retryAfter, attempt, REGISTRY_BACKOFF_MS, now);
}

function isUnauthorized(output: string): boolean {
  return /401 Unauthorized|unauthorized|authentication required|no basic auth credentials|denied: /i.test(output);
}

/** Turns what buildx printed about a registry into one clear error with the fix, or undefined when unknown. */
export function registryError(ref: string, output: string): RegistryError | undefined {
  if (isUnauthorized(output)) return refusedCredentials(ref);
  if (isTransientRegistryError(output)) return registryFailed(ref, firstLine(output));
  if (/connection refused|no such host|i\/o timeout|dial tcp|connection reset|server misbehaving|EOF$/im.test(output)) {
    return registryUnreachable(ref, firstLine(output));
  }
  return undefined;
}

export function firstLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim());
  const line = lines.find((l) => /error|failed/i.test(l)) ?? output.trim().split('\n')[0] ?? '';
  return line.replace(/^ERROR:\s*/, '').slice(0, 300);
}

/** What buildx printed is a registry answer worth trying again: a server error or rate limiting. */
export function isTransientRegistryError(output: string): boolean {
  return /\b(500 Internal Server Error|502 Bad Gateway|503 Service Unavailable|504 Gateway Timeout|429 Too Many Requests)\b/i.test(
    output,
  );
}
