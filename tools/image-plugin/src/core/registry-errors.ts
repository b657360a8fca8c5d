import { ImageConfigError } from './errors';

const registryHost = (ref: string) => ref.split('/')[0];

/** True when the registry answered that the manifest is not there (the lookup's miss, not an error). */
export function isNotFound(output: string): boolean {
  return /not found|manifest unknown|MANIFEST_UNKNOWN|NAME_UNKNOWN|name unknown/i.test(output) && !isUnauthorized(output);
}

function isUnauthorized(output: string): boolean {
  return /401 Unauthorized|unauthorized|authentication required|no basic auth credentials|denied: /i.test(output);
}

/** Turns what a registry call printed into one clear error with the fix, or undefined when unknown. */
export function registryError(ref: string, output: string): ImageConfigError | undefined {
  const host = registryHost(ref);
  if (isUnauthorized(output)) {
    return new ImageConfigError(
      `the registry ${host} refused the credentials for ${ref}`,
      `log in with \`docker login ${host}\` (in GitHub Actions: docker/login-action with a token that has packages: write)`,
    );
  }
  if (isTransientRegistryError(output)) {
    return new ImageConfigError(
      `the registry ${host} failed while handling ${ref} (${firstLine(output)}), also when tried again`,
      `run again (everything already pushed is reused); if it persists, check the health of ${host}`,
    );
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp|connection reset|server misbehaving|EOF$/im.test(output)) {
    return new ImageConfigError(
      `the registry ${host} cannot be reached (${firstLine(output)})`,
      `check that ${host} is up and that "repository" in nx.json names the right registry`,
    );
  }
  return undefined;
}

export function firstLine(output: string): string {
  const line = output.split('\n').map((l) => l.trim()).find((l) => /error|failed/i.test(l)) ?? output.trim().split('\n')[0] ?? '';
  return line.replace(/^ERROR:\s*/, '').slice(0, 300);
}

/** A registry answer worth trying again: a server error or rate limiting, not a refusal. */
export function isTransientRegistryError(output: string): boolean {
  return /\b(500 Internal Server Error|502 Bad Gateway|503 Service Unavailable|504 Gateway Timeout|429 Too Many Requests)\b/i.test(output);
}
