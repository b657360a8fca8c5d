import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  configUnreadable,
  helperCredentials,
  helperFor,
  parseDockerConfig,
  type Credentials,
  type HelperRun,
  type LoadedConfig,
} from '../core/credentials';

export type { Credentials } from '../core/credentials';

/**
 * The credentials the Docker engine's clients use for a registry, read the way the docker CLI reads
 * them: `$DOCKER_CONFIG/config.json` (default `~/.docker`), a credential helper named for the host in
 * `credHelpers` or for every host in `credsStore` (`docker-credential-<name> get`, the host on stdin),
 * else the `auths` entry (`auth` = base64 of user:password, or `identitytoken`). What the file and the
 * helper's answer mean, and the errors for a broken file or helper, are decided in core/credentials.ts.
 */

/** Docker Hub's credentials are stored under its v1 index address. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const isDockerHub = (host: string) => ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(host);

/** `https://ghcr.io/v1/` -> `ghcr.io`: how auths keys compare to a host. */
const hostOfKey = (key: string) => key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');

/** How long a helper may take to answer (a keychain prompt included). */
const HELPER_TIMEOUT_S = 30;

export class DockerCredentials {
  private config: Promise<LoadedConfig> | undefined;
  private readonly found = new Map<string, Promise<Credentials | null>>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The credentials for a registry host, or null when none are configured; looked up once per host. */
  for(host: string): Promise<Credentials | null> {
    let found = this.found.get(host);
    if (!found) {
      found = this.lookUp(host);
      this.found.set(host, found);
    }
    return found;
  }

  /** The config file; a missing one is no settings (as for docker), an unreadable one an error. */
  private async readConfig(): Promise<LoadedConfig> {
    const file = join(this.env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return { file, text: '', config: {} };
      throw configUnreadable(file, code);
    }
    return parseDockerConfig(file, text);
  }

  private async lookUp(host: string): Promise<Credentials | null> {
    this.config ??= this.readConfig();
    const loaded = await this.config;
    const { config } = loaded;
    const serverKey = isDockerHub(host) ? DOCKER_HUB_KEY : host;
    const source = helperFor(config, host, isDockerHub(host) ? DOCKER_HUB_KEY : undefined);
    if (source) {
      const stored = helperCredentials(
        await runHelper(source.helper, serverKey, this.env),
        source,
        loaded,
        host,
        serverKey,
      );
      // A helper named for the host has the last word; the store for every host falls back to auths.
      if (stored || source.key[0] === 'credHelpers') return stored;
    }
    const entry = Object.entries(config.auths ?? {}).find(([key]) =>
      isDockerHub(host) ? isDockerHub(hostOfKey(key)) : hostOfKey(key) === host,
    )?.[1];
    if (!entry) return null;
    if (entry.identitytoken) return { identityToken: entry.identitytoken };
    if (entry.auth) {
      const text = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      return { username: text.slice(0, colon), password: text.slice(colon + 1) };
    }
    if (entry.username) return { username: entry.username, password: entry.password ?? '' };
    return null;
  }
}

/** Runs `docker-credential-<helper> get` with the server on stdin; how it ended, never a rejection. */
function runHelper(helper: string, serverKey: string, env: NodeJS.ProcessEnv): Promise<HelperRun> {
  return new Promise((resolve) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { env, timeout: HELPER_TIMEOUT_S * 1000 },
      (error, stdout, stderr) => {
        // execFile's error: `code` is the exit code, or the errno of a program that could not start.
        const code = (error as { code?: number | string } | null)?.code;
        const run: HelperRun = { exitCode: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr };
        if (typeof code === 'string') run.spawnError = code;
        else if (error && (error as { killed?: boolean }).killed) run.timedOutS = HELPER_TIMEOUT_S;
        resolve(run);
      },
    );
    // A helper that exits without reading stdin (or never started) must not crash the run with EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(serverKey);
  });
}

/** A `WWW-Authenticate` challenge: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | null): Challenge | null {
  if (!header) return null;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1].toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: m[1].toLowerCase(), params };
}

export const basicHeader = (c: Credentials) =>
  `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
