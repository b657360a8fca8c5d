import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { platformString, platformsOf, type ManifestJson } from '../core/platforms';
import { registryError, isNotFound, firstLine, isTransientRegistryError } from '../core/registry-errors';
import { pinnedReference } from '../core/tags';

export interface CommandResult {
  exitCode: number;
  output: string;
}

/** Runs `docker buildx build` with live progress on stderr, keeping the output for error messages. */
export async function runBuildx(args: readonly string[], cwd: string): Promise<CommandResult> {
  const child = execa('docker', ['buildx', 'build', ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    stdout: ['pipe', 'inherit'],
    stderr: ['pipe', 'inherit'],
    all: true,
  });
  const done = await child;
  return { exitCode: done.exitCode ?? 1, output: String(done.all ?? '') };
}

export interface RemoteImage {
  digest: string;
  mediaType: string;
  /** The raw manifest or index. */
  manifest: ManifestJson;
  /** The image platforms it holds (`linux/amd64`, ...). */
  platforms: string[];
}

/**
 * Looks a reference up in its registry with one request: the image, or null when the registry says it
 * is not there. The digest is the sha256 of the raw manifest bytes, as the registry computes it.
 */
export async function inspectRemote(ref: string): Promise<RemoteImage | null> {
  const r = await withRegistryRetries(() => execa('docker', ['buildx', 'imagetools', 'inspect', ref, '--raw'], { reject: false, encoding: 'buffer' }));
  if (r.exitCode !== 0) {
    const output = `${Buffer.from(r.stderr).toString()}\n${Buffer.from(r.stdout).toString()}`;
    if (isNotFound(output)) return null;
    throw registryError(ref, output) ?? new Error(`docker buildx imagetools inspect ${ref} failed: ${firstLine(output)}`);
  }
  const bytes = Buffer.from(r.stdout);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const manifest = JSON.parse(bytes.toString('utf8')) as ManifestJson;
  const mediaType = manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  if (manifest.manifests) return { digest, mediaType, manifest, platforms: platformsOf(manifest) };
  // A single-platform image without attestations is a plain manifest: its platform is in the config.
  const pinned = `${repositoryOf(ref)}@${digest}`;
  const config = JSON.parse(await imagetools(['inspect', pinned, '--format', '{{json .Image}}'], ref)) as { os: string; architecture: string; variant?: string };
  return { digest, mediaType, manifest, platforms: [platformString(config)] };
}

/** `127.0.0.1:5000/acme/images:base-1a2b3c4` -> `127.0.0.1:5000/acme/images`. */
export const repositoryOf = (ref: string): string => ref.split('@')[0].replace(/:[^/:]*$/, '');

async function imagetools(args: string[], ref: string): Promise<string> {
  const r = await withRegistryRetries(() => execa('docker', ['buildx', 'imagetools', ...args], { reject: false }));
  if (r.exitCode !== 0) throw registryError(ref, r.stderr) ?? new Error(`docker buildx imagetools ${args.join(' ')} failed: ${firstLine(r.stderr)}`);
  return r.stdout;
}

/** Points `tags` at existing manifests in the registry without moving any layer. */
export async function createIndex(tags: readonly string[], sources: readonly string[]): Promise<void> {
  const r = await withRegistryRetries(() => execa('docker', ['buildx', 'imagetools', 'create', ...tags.flatMap((t) => ['-t', t]), ...sources], { reject: false }));
  if (r.exitCode !== 0) {
    throw registryError(tags[0], r.stderr) ?? new Error(`docker buildx imagetools create ${tags.join(' ')} failed: ${firstLine(r.stderr)}`);
  }
}

/**
 * Points `tags` at the image `repository@digest` and returns the digest they now have: imagetools
 * re-tags an index as it is, but wraps a plain manifest in a new one-entry index of its own digest.
 */
export async function tagImage(tags: readonly string[], repository: string, digest: string, isIndex: boolean): Promise<string> {
  await createIndex(tags, [pinnedReference(repository, digest)]);
  return isIndex ? digest : ((await inspectRemote(tags[0]))?.digest ?? digest);
}

/**
 * Registries (GHCR too) answer 5xx or 429 now and then; every imagetools call here is idempotent, so
 * it is tried again, up to three times, with a short back-off.
 */
async function withRegistryRetries<T extends { exitCode?: number; stderr: unknown }>(call: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const r = await call();
    if (r.exitCode === 0 || attempt >= attempts || !isTransientRegistryError(String(r.stderr))) return r;
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}
