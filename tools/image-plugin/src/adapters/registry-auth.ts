import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The credentials the Docker engine's clients use for a registry, read the way the docker CLI reads
 * them: `$DOCKER_CONFIG/config.json` (default `~/.docker`), a credential helper named for the host in
 * `credHelpers` or for every host in `credsStore` (`docker-credential-<name> get`, the host on stdin),
 * else the `auths` entry (`auth` = base64 of user:password, or `identitytoken`).
 */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user): exchanged at the token service. */
  identityToken?: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Docker Hub's credentials are stored under its v1 index address. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const isDockerHub = (host: string) => ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(host);

/** `https://ghcr.io/v1/` -> `ghcr.io`: how auths keys compare to a host. */
const hostOfKey = (key: string) => key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');

export class DockerCredentials {
  private config: Promise<DockerConfig> | undefined;
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

  private async readConfig(): Promise<DockerConfig> {
    const dir = this.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
    try {
      return JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as DockerConfig;
    } catch {
      return {};
    }
  }

  private async lookUp(host: string): Promise<Credentials | null> {
    this.config ??= this.readConfig();
    const config = await this.config;
    const serverKey = isDockerHub(host) ? DOCKER_HUB_KEY : host;
    const helper = config.credHelpers?.[host] ?? (isDockerHub(host) ? config.credHelpers?.[DOCKER_HUB_KEY] : undefined);
    if (helper) return fromHelper(helper, serverKey, this.env);
    if (config.credsStore) {
      const stored = await fromHelper(config.credsStore, serverKey, this.env);
      if (stored) return stored;
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

/** Asks `docker-credential-<helper> get` for the host's credentials; null when it has none. */
function fromHelper(helper: string, serverKey: string, env: NodeJS.ProcessEnv): Promise<Credentials | null> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { env, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) {
          if (/credentials not found/i.test(`${stdout}${stderr}`)) return resolve(null);
          const e = new Error(
            `the credential helper docker-credential-${helper} failed for ${serverKey}: ${(stderr || stdout || error.message).trim()}`,
          );
          return reject(e);
        }
        const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!answer.Secret) return resolve(null);
        resolve(
          answer.Username === '<token>'
            ? { identityToken: answer.Secret }
            : { username: answer.Username ?? '', password: answer.Secret },
        );
      },
    );
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
