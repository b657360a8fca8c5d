import type Docker from 'dockerode';
import { UnsupportedError, type Value } from './hcl-eval';

/**
 * What kreuzwerker/docker's `docker_container` does with the template's evaluated arguments, as one
 * Docker API call plus the files it uploads before the start (internal/provider/
 * resource_docker_container_funcs.go: volumes become binds, `host` extra hosts, `upload` a tar copied
 * to / before the container starts; destroy stops it with destroy_grace_seconds, then removes it).
 */
export interface ContainerPlan {
  create: Docker.ContainerCreateOptions;
  /** Copied into the container before it starts (the provider's `upload` blocks). */
  uploads: Array<{ file: string; content: string; mode: number }>;
  /** Named volumes the container mounts (created by docker_volume resources, or by the engine). */
  volumes: string[];
  /** How long the provider's destroy lets the container stop before it is killed. */
  destroyGraceSeconds: number;
}

type Args = Record<string, Value>;
type Block = Record<string, Value>;

const str = (v: Value | undefined): string | undefined => (v === null || v === undefined ? undefined : String(v));
const blocks = (v: Value | undefined): Block[] => (Array.isArray(v) ? (v as Block[]) : []);

/** Arguments the plan applies; anything else in the template must be taught here first. */
const KNOWN = new Set([
  'image',
  'name',
  'hostname',
  'privileged',
  'runtime',
  'cgroupns_mode',
  'tmpfs',
  'stop_signal',
  'stop_timeout',
  'destroy_grace_seconds',
  'env',
  'upload',
  'host',
  'volumes',
  'labels',
]);

/** What the provider computes (the instance carries it for coder_metadata), not an argument. */
const COMPUTED = new Set(['id']);

export function containerPlan(args: Args): ContainerPlan {
  const unknown = Object.keys(args).filter((k) => !KNOWN.has(k) && !COMPUTED.has(k));
  if (unknown.length) {
    throw new UnsupportedError(
      `docker_container sets ${unknown.join(', ')}, which the start test does not apply: ` +
        'teach tools/coder-template/container-config.ts',
    );
  }
  const binds: string[] = [];
  const volumes: string[] = [];
  for (const v of blocks(args.volumes)) {
    const target = str(v.container_path);
    if (!target) throw new UnsupportedError('a volumes block without container_path');
    const mode = v.read_only === true ? 'ro' : 'rw';
    if (v.host_path) binds.push(`${String(v.host_path)}:${target}:${mode}`);
    else if (v.volume_name) {
      binds.push(`${String(v.volume_name)}:${target}:${mode}`);
      volumes.push(String(v.volume_name));
    } else throw new UnsupportedError(`the volumes block for ${target} has neither host_path nor volume_name`);
  }
  const uploads = blocks(args.upload).map((u) => {
    if (u.content_base64 || u.source) throw new UnsupportedError('upload blocks with content_base64 or source');
    const mode = u.permissions ? parseInt(String(u.permissions), 8) : u.executable === true ? 0o744 : 0o644;
    return { file: String(u.file), content: String(u.content ?? ''), mode };
  });
  const hostConfig: Docker.HostConfig = {
    Privileged: args.privileged === true,
    Binds: binds,
    ExtraHosts: blocks(args.host).map((h) => `${String(h.host)}:${String(h.ip)}`),
    Tmpfs: (args.tmpfs ?? {}) as Record<string, string>,
  };
  const runtime = str(args.runtime);
  if (runtime) hostConfig.Runtime = runtime;
  const cgroupns = str(args.cgroupns_mode);
  if (cgroupns) (hostConfig as Docker.HostConfig & { CgroupnsMode?: string }).CgroupnsMode = cgroupns;
  const create: Docker.ContainerCreateOptions = {
    name: str(args.name),
    Image: str(args.image),
    Hostname: str(args.hostname),
    Env: (args.env ?? []) as string[],
    Labels: Object.fromEntries(blocks(args.labels).map((l) => [String(l.label), String(l.value)])),
    HostConfig: hostConfig,
  };
  if (args.stop_signal) create.StopSignal = String(args.stop_signal);
  if (typeof args.stop_timeout === 'number')
    (create as Docker.ContainerCreateOptions & { StopTimeout?: number }).StopTimeout = args.stop_timeout;
  return {
    create,
    uploads,
    volumes,
    destroyGraceSeconds: typeof args.destroy_grace_seconds === 'number' ? args.destroy_grace_seconds : 0,
  };
}
