import { execFile } from 'node:child_process';
import { ImageConfigError, RegistryError } from '../core/errors';
import type { PublishedVersions } from '../core/npm-pins';
import { sendFor } from './http-proxy';

/** The public npm registry: where fetch.sh downloads from when NPM_REGISTRY is not set. */
const PUBLIC_NPM_REGISTRY = 'https://registry.npmjs.org';

/**
 * The npm registry to read versions from: NPM_REGISTRY (the build arg fetch.sh downloads with), else npm's
 * own setting (npm_config_registry, then `npm config get registry`), else the public registry.
 */
export async function npmRegistryOf(env: NodeJS.ProcessEnv): Promise<string> {
  const set = env.NPM_REGISTRY || env.npm_config_registry;
  if (set) return set.replace(/\/+$/, '');
  const configured = await new Promise<string>((resolve) =>
    execFile('npm', ['config', 'get', 'registry'], { env }, (error, stdout) => resolve(error ? '' : stdout.trim())),
  );
  return (/^https?:\/\//.test(configured) ? configured : PUBLIC_NPM_REGISTRY).replace(/\/+$/, '');
}

/**
 * Every version of one package with its `dist.integrity`, from the registry's abbreviated metadata (the
 * document `npm install` reads). One request per package.
 */
export async function publishedVersions(
  registry: string,
  pkg: string,
  env: NodeJS.ProcessEnv,
): Promise<PublishedVersions> {
  const url = `${registry}/${pkg}`;
  let answer;
  try {
    answer = await sendFor(env)(url, {
      method: 'GET',
      headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    throw new RegistryError(
      `the npm registry cannot be reached for ${pkg} (${(e as Error).message})`,
      'check the network and NPM_REGISTRY (or npm config get registry); behind a proxy set HTTPS_PROXY',
      registry,
    );
  }
  if (answer.status === 404) {
    throw new ImageConfigError(
      `the npm registry has no package ${pkg}`,
      `point NPM_REGISTRY at a registry (or mirror) that serves ${pkg}`,
      registry,
    );
  }
  if (!answer.ok) {
    throw new RegistryError(
      `the npm registry answered ${answer.status} ${answer.statusText} for ${pkg}`,
      'run images pin-bases again later; check NPM_REGISTRY and its credentials',
      registry,
    );
  }
  const { versions = {} } = (await answer.json()) as { versions?: Record<string, { dist?: { integrity?: string } }> };
  return new Map(
    Object.entries(versions).flatMap(([v, m]) => (m.dist?.integrity ? [[v, m.dist.integrity] as const] : [])),
  );
}
