import { request } from 'node:http';
import type Modem from 'docker-modem';
import type Docker from 'dockerode';
import type { EngineFacts } from '../core/engine-requirements';
import { EngineError, RegistryError } from '../core/errors';
import { firstLine, registryError } from '../core/registry-errors';
import { bodyOf } from './http-send';

/*
 * Every run asks the engine what it is and what an outside base resolves to; only runs that build, load or
 * test need more. Those first calls are plain GETs: over the engine's unix socket with node:http when
 * DOCKER_HOST names one (or is unset), else through docker-modem (dockerode's own transport: tcp, TLS,
 * ssh), loaded then: it loads ssh2 as it loads, 60 to 80 ms of every executor's start. dockerode, which
 * loads gRPC and protobuf for BuildKit sessions (about 230 modules, 0.1 to 0.3 s), is loaded only when a
 * run builds, loads or tests.
 */
let modem: Modem | undefined;
let client: Docker | undefined;

/** The engine's full client (dockerode), loaded on first use. */
export function engine(): Docker {
  if (!client) {
    const Dockerode = require('dockerode') as typeof import('dockerode');
    client = new Dockerode();
  }
  return client;
}

/** The engine's unix socket (DOCKER_HOST=unix://<path>, or the default one when unset); null for any other host. */
export function engineSocket(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  const host = env.DOCKER_HOST;
  if (!host) return platform === 'win32' ? null : '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : null;
}

/** What a status code the caller did not expect becomes; docker-modem's wording, so both transports read alike. */
function engineAnswerError(status: number, statusCodes: Record<number, string | true>, body: string): Error {
  let cause = body.trim();
  try {
    const json = JSON.parse(body) as { message?: string };
    if (json.message) cause = json.message;
  } catch {
    // not JSON: the text as it is
  }
  const reason = statusCodes[status];
  return Object.assign(
    new Error(`(HTTP code ${status}) ${typeof reason === 'string' ? reason : 'unexpected'} - ${cause} `),
    { statusCode: status },
  );
}

/** One GET of the Engine API over a unix socket: the JSON it answers (or its text), or the error docker-modem would give. */
function getOverSocket<T>(
  socketPath: string,
  path: string,
  statusCodes: Record<number, string | true>,
  authconfig?: EngineAuth,
): Promise<T> {
  const headers = authconfig ? { 'X-Registry-Auth': registryAuthHeader(authconfig) } : {};
  return new Promise<T>((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', headers }, (res) => {
      bodyOf(res).then((bytes) => {
        const body = bytes.toString('utf8');
        const status = res.statusCode ?? 0;
        if (statusCodes[status] !== true) return reject(engineAnswerError(status, statusCodes, body));
        try {
          resolve(JSON.parse(body) as T);
        } catch {
          resolve(body as T);
        }
      }, reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One GET of the Engine API: over the unix socket directly, else through docker-modem, as dockerode makes it. */
function get<T>(path: string, statusCodes: Record<number, string | true>, authconfig?: EngineAuth): Promise<T> {
  const socketPath = engineSocket();
  if (socketPath) return getOverSocket<T>(socketPath, path, statusCodes, authconfig);
  if (!modem) {
    const DockerModem = require('docker-modem') as typeof Modem;
    modem = new DockerModem();
  }
  const engineModem = modem;
  return new Promise<T>((resolve, reject) =>
    engineModem.dial({ method: 'GET', path, statusCodes, ...(authconfig ? { authconfig } : {}) }, (error, data) =>
      error ? reject(error) : resolve(data as T),
    ),
  );
}

export interface EngineInfo extends EngineFacts {
  apiVersion: string;
}

/** Asks the engine what it is (two API calls, no process); each failure is one line with the fix. */
export async function preflight(): Promise<EngineInfo> {
  let version: Docker.DockerVersion;
  let info: { DriverStatus?: [string, string][]; Driver?: string };
  try {
    [version, info] = await Promise.all([
      get<Docker.DockerVersion>('/version', { 200: true, 500: 'server error' }),
      get<typeof info>('/info', { 200: true, 500: 'server error' }),
    ]);
  } catch (e) {
    throw new EngineError(
      `the Docker engine cannot be reached (${(e as Error).message.split('\n')[0]})`,
      'start Docker (or set DOCKER_HOST); on these machines: bash tools/test-env/setup.sh',
      'docker engine',
    );
  }
  const arch = version.Arch === 'x86_64' ? 'amd64' : version.Arch;
  return {
    version: version.Version,
    apiVersion: version.ApiVersion,
    platform: `${version.Os}/${arch}`,
    containerdStore: JSON.stringify(info.DriverStatus ?? []).includes('io.containerd.snapshotter'),
  };
}

/** The credentials the engine passes to a registry (the Engine API's X-Registry-Auth). */
export interface EngineAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

/** X-Registry-Auth: the credentials as base64url JSON, as the docker CLI sends them. */
const registryAuthHeader = (auth: EngineAuth) => Buffer.from(JSON.stringify(auth)).toString('base64url');

/** What the engine's registry answers for a manifest: its media type and the image's platforms. */
export interface DistributionAnswer {
  digest: string;
  mediaType: string;
  /** `os/arch[/variant]` of each image (attestations' unknown/unknown left out). */
  platforms: string[];
}

/**
 * One HEAD of a reference's manifest through the engine (its registry mirrors apply, as for the build's own
 * FROM), with the image's platforms; null when the registry has no such manifest.
 */
export async function distributionOf(ref: string, auth?: EngineAuth): Promise<DistributionAnswer | null> {
  type Answer = {
    Descriptor?: { digest: string; mediaType: string };
    Platforms?: Array<{ os: string; architecture: string; variant?: string }>;
  };
  let data: Answer;
  try {
    data = await get<Answer>(`/distribution/${ref}/json`, { 200: true, 404: true, 500: 'server error' }, auth);
  } catch (e) {
    const message = (e as Error).message;
    throw (
      registryError(ref, message) ??
      new RegistryError(`cannot read ${ref} (${firstLine(message)})`, `check that its registry is reachable`, ref)
    );
  }
  if (!data.Descriptor) return null;
  const platforms = (data.Platforms ?? [])
    .filter((p) => p.os !== 'unknown' && p.architecture !== 'unknown')
    .map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/'));
  return { digest: data.Descriptor.digest, mediaType: data.Descriptor.mediaType, platforms };
}

/** The digest a reference resolves to, asked through the engine (so its registry mirrors apply). */
export async function resolveRemoteDigest(ref: string): Promise<string> {
  try {
    const data = await get<{ Descriptor: { digest: string } }>(`/distribution/${ref}/json`, {
      200: true,
      401: 'no such image',
      500: 'server error',
    });
    return data.Descriptor.digest;
  } catch (e) {
    const message = (e as Error).message;
    throw (
      registryError(ref, message) ??
      new RegistryError(
        `cannot resolve the digest of ${ref} (${firstLine(message)})`,
        `check that ${ref} exists and its registry is reachable`,
        ref,
      )
    );
  }
}

/** The local image's ID (its digest with the containerd store), or null when the engine has none. */
export async function localImageId(ref: string): Promise<string | null> {
  try {
    const data = await engine().getImage(ref).inspect();
    return data.Id;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return null;
    throw e;
  }
}

export async function tagLocal(source: string, target: string): Promise<void> {
  const at = target.lastIndexOf(':');
  await engine()
    .getImage(source)
    .tag({ repo: target.slice(0, at), tag: target.slice(at + 1) });
}

/** Whether the engine answers a ping now (after a failed build: did the engine stop under it?). */
export async function engineAnswers(): Promise<boolean> {
  try {
    await get('/_ping', { 200: true, 500: 'server error' });
    return true;
  } catch {
    return false;
  }
}
