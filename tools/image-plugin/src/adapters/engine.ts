import Modem from 'docker-modem';
import type Docker from 'dockerode';
import type { EngineFacts } from '../core/engine-requirements';
import { EngineError, RegistryError } from '../core/errors';
import { firstLine, registryError } from '../core/registry-errors';

/*
 * Every run asks the engine what it is and what an outside base resolves to; only runs that build, load or
 * test need more. Those first calls go through docker-modem (dockerode's own transport: DOCKER_HOST, TLS,
 * ssh) directly, and dockerode, which loads gRPC and protobuf for BuildKit sessions (about 230 modules, 0.1
 * to 0.3 s of every executor's start), is loaded only when a run needs it.
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

/** One GET of the Engine API through docker-modem, as dockerode makes it. */
function get<T>(path: string, statusCodes: Record<number, string | true>): Promise<T> {
  modem ??= new Modem();
  const engineModem = modem;
  return new Promise<T>((resolve, reject) =>
    engineModem.dial({ method: 'GET', path, statusCodes }, (error, data) =>
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
