import { ImageConfigError } from './errors';
import { lineAndColumn, lineOfKeys, scanJsonValue } from './json-lines';

/**
 * The docker CLI's credentials, decided the way the docker CLI decides them: its config file
 * (`$DOCKER_CONFIG/config.json`) and the answers of its credential helpers, read with the tolerance of
 * docker's own readers (`cli/config/configfile` and docker-credential-helpers' `client.Get`), no more
 * and no less, so what the plugin accepts buildx accepts too. Reading files and running helpers is
 * adapters/registry-auth.ts's job; here only what their bytes mean.
 */

/** The credentials for one registry host. */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user): exchanged at the token service. */
  identityToken?: string;
}

export interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The config file as read: its path, its text (for the lines messages point at) and what it says. */
export interface LoadedConfig {
  file: string;
  text: string;
  config: DockerConfig;
}

/** How a docker credential helper's `get` ended. */
export interface HelperRun {
  /** Its exit code; null when it did not run or was killed. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not be started (`ENOENT`: no such program on PATH, `EACCES`: not executable). */
  spawnError?: string;
  /** It was killed after this many seconds without an answer. */
  timedOutS?: number;
}

/** A helper, and the config entry that names it: `["credHelpers", "<host>"]` or `["credsStore"]`. */
export interface HelperSource {
  helper: string;
  key: string[];
}

/** The helper docker asks for a host: `credHelpers[host]` (Docker Hub's under its index key too), else `credsStore`. */
export function helperFor(config: DockerConfig, host: string, hubKey?: string): HelperSource | undefined {
  for (const key of hubKey ? [host, hubKey] : [host]) {
    const helper = config.credHelpers?.[key];
    if (helper) return { helper, key: ['credHelpers', key] };
  }
  return config.credsStore ? { helper: config.credsStore, key: ['credsStore'] } : undefined;
}

/** The messages helpers print for "nothing stored" and for a bad request, as docker-credential-helpers has them. */
const NOT_FOUND = 'credentials not found in native keychain';
const BAD_REQUEST = ['no credentials server URL', 'no credentials username'];

/** What a helper's answer means. */
export type HelperAnswer =
  | { kind: 'credentials'; credentials: Credentials }
  /** Nothing stored for the host (docker then sends no credentials). */
  | { kind: 'none' }
  /** It could not be run, failed, or answered with what docker cannot decode: why, in words. */
  | { kind: 'unusable'; why: string; notJson?: boolean };

/**
 * A helper's `get`, read as docker-credential-helpers' `client.Get` reads it. Only stdout is the answer
 * (stderr is the helper's own channel for warnings). A failing helper whose trimmed stdout is exactly
 * "credentials not found in native keychain" has nothing stored; any other failure is an error. A
 * successful one's stdout is decoded as Go's `json.Decoder` does: whitespace before the JSON value is
 * skipped and whatever follows it is not read, field names match in any case (`username`), a `null`
 * answer is no credentials, and anything before the value (a warning line) is an error, as in docker
 * and buildx. `<token>` as the user makes the secret an identity token, as in the docker CLI.
 */
export function readHelperAnswer(run: HelperRun): HelperAnswer {
  if (run.spawnError) return { kind: 'unusable', why: run.spawnError };
  if (run.timedOutS !== undefined) return { kind: 'unusable', why: `it did not answer in ${run.timedOutS} s` };
  const out = run.stdout.trim();
  if (run.exitCode !== 0) {
    if (out === NOT_FOUND) return { kind: 'none' };
    const said = [out, run.stderr.trim()].filter(Boolean).join('\n') || 'no output';
    const ended = run.exitCode === null ? 'it was killed' : `it exited with code ${run.exitCode}`;
    return {
      kind: 'unusable',
      why: `${ended}: ${firstLines(said)}${BAD_REQUEST.includes(out) ? ' (a bad request)' : ''}`,
    };
  }
  return decodeAnswer(run.stdout);
}

function decodeAnswer(stdout: string): HelperAnswer {
  const scan = scanJsonValue(stdout);
  if ('error' in scan) {
    const why =
      stdout.trim() === ''
        ? 'it printed nothing'
        : scan.at === stdout.length - stdout.trimStart().length
          ? `it starts with ${JSON.stringify(firstLines(stdout.trim(), 1))}`
          : `${scan.error} at ${where(stdout, scan.at)}`;
    return { kind: 'unusable', why: `its answer is not JSON: ${why}`, notJson: true };
  }
  let answer: unknown;
  try {
    answer = JSON.parse(stdout.slice(scan.start, scan.end));
  } catch (e) {
    return { kind: 'unusable', why: `its answer is not JSON: ${(e as Error).message}`, notJson: true };
  }
  if (answer === null) return { kind: 'none' };
  if (typeof answer !== 'object' || Array.isArray(answer))
    return {
      kind: 'unusable',
      why: `its answer is ${Array.isArray(answer) ? 'a list' : `a ${typeof answer}`}, not {"Username": ..., "Secret": ...}`,
    };
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(answer)) fields[name.toLowerCase()] = value;
  for (const name of ['username', 'secret', 'serverurl'])
    if (fields[name] !== undefined && fields[name] !== null && typeof fields[name] !== 'string')
      return { kind: 'unusable', why: `its answer's ${name} is not text` };
  const username = (fields.username as string | null | undefined) ?? '';
  const secret = (fields.secret as string | null | undefined) ?? '';
  if (!secret) return { kind: 'none' };
  return {
    kind: 'credentials',
    credentials: username === '<token>' ? { identityToken: secret } : { username, password: secret },
  };
}

/**
 * The credentials a helper's answer gives, null for none; an ImageConfigError pointing at the entry that
 * names it. `serverKey`: what the helper was asked for (Docker Hub's index address for docker.io).
 */
export function helperCredentials(
  run: HelperRun,
  source: HelperSource,
  loaded: LoadedConfig,
  host: string,
  serverKey = host,
): Credentials | null {
  const answer = readHelperAnswer(run);
  if (answer.kind === 'credentials') return answer.credentials;
  if (answer.kind === 'none') return null;
  const program = `docker-credential-${source.helper}`;
  const entry = entryName(source.key);
  const line = lineOfKeys(loaded.text, source.key);
  const remove = `or remove ${entry} from ${loaded.file} and log in with \`docker login ${host}\``;
  const names = `${entry} names the credential helper ${program}`;
  if (run.spawnError === 'ENOENT')
    return configError(
      `${names}, which is not installed (no ${program} on PATH)`,
      `install ${program} (on PATH), ${remove}`,
    );
  if (run.spawnError)
    return configError(`${names}, which cannot be run (${run.spawnError})`, `make ${program} executable, ${remove}`);
  if (answer.notJson)
    return configError(
      `${names}; asked for ${serverKey}, ${answer.why} (docker and buildx refuse it too)`,
      `make ${program} print only its JSON answer on stdout, warnings on stderr (update or reconfigure it), ${remove}`,
    );
  return configError(
    `${names}; asked for ${serverKey}, ${answer.why}`,
    `run \`echo ${serverKey} | ${program} get\` to see why (a locked keychain: unlock it), ${remove}`,
  );

  function configError(problem: string, fix: string): never {
    throw new ImageConfigError(problem, fix, loaded.file, line);
  }
}

/**
 * The docker config file's text, read as the docker CLI reads it: empty is no settings, the first JSON
 * value is read and what follows it is not. Not JSON, or not an object, is an ImageConfigError naming
 * the file and the line (and column) of the fault, where docker would warn and carry on without any
 * credentials: here every registry would then refuse, for a reason no message would name.
 */
export function parseDockerConfig(file: string, text: string): LoadedConfig {
  if (text.trim() === '') return { file, text, config: {} };
  const scan = scanJsonValue(text);
  const fix =
    'correct it at that place, or move it away and log in again with `docker login <registry>` (docker itself only warns and then sends no credentials)';
  if ('error' in scan) {
    const { line } = lineAndColumn(text, scan.at);
    throw new ImageConfigError(
      `the docker config file is not JSON: ${scan.error} at ${where(text, scan.at)}`,
      fix,
      file,
      line,
    );
  }
  let config: unknown;
  try {
    config = JSON.parse(text.slice(scan.start, scan.end));
  } catch (e) {
    throw new ImageConfigError(`the docker config file is not JSON: ${(e as Error).message}`, fix, file);
  }
  const problem = shapeProblem(config);
  if (problem)
    throw new ImageConfigError(`the docker config file ${problem.says}`, fix, file, lineOfKeys(text, problem.key));
  return { file, text, config: config as DockerConfig };
}

/** What docker could not decode into its config (a wrong type), and the key it is under. */
function shapeProblem(config: unknown): { says: string; key: string[] } | undefined {
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(config)) return { says: 'holds no JSON object', key: [] };
  const { auths, credHelpers, credsStore } = config as Record<string, unknown>;
  if (credsStore !== undefined && credsStore !== null && typeof credsStore !== 'string')
    return { says: 'has a credsStore that is not a helper name', key: ['credsStore'] };
  if (credHelpers !== undefined && credHelpers !== null) {
    if (!isObject(credHelpers)) return { says: 'has credHelpers that is not an object', key: ['credHelpers'] };
    for (const [host, helper] of Object.entries(credHelpers))
      if (typeof helper !== 'string')
        return {
          says: `has ${entryName(['credHelpers', host])} that is not a helper name`,
          key: ['credHelpers', host],
        };
  }
  if (auths !== undefined && auths !== null) {
    if (!isObject(auths)) return { says: 'has auths that is not an object', key: ['auths'] };
    for (const [host, entry] of Object.entries(auths))
      if (entry !== null && !isObject(entry))
        return { says: `has auths["${host}"] that is not an object`, key: ['auths', host] };
  }
  return undefined;
}

/** The docker config file cannot be read (other than missing: a missing file is no settings). */
export function configUnreadable(file: string, code: string): ImageConfigError {
  const why = code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : code;
  return new ImageConfigError(
    `the docker config file cannot be read (${why})`,
    `make it a file this user can read, or point DOCKER_CONFIG at a folder whose config.json is (\`docker login <registry>\` writes one)`,
    file,
  );
}

/** `credsStore`, `credHelpers["ghcr.io"]`: how a message names a config entry. */
const entryName = (key: string[]) =>
  key[0] +
  key
    .slice(1)
    .map((k) => `["${k}"]`)
    .join('');

const where = (text: string, offset: number) => {
  const { line, column } = lineAndColumn(text, offset);
  return `line ${line}, column ${column}`;
};

/** The first lines of a helper's output, on one line. */
function firstLines(text: string, count = 3): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const shown = lines.slice(0, count).join(' / ');
  return shown.length > 200 ? `${shown.slice(0, 200)}...` : shown;
}
