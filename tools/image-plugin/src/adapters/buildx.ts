import { createHash } from 'node:crypto';
import { annotationFlags } from '../core/index-annotations';
import { registryError, firstLine, isTransientRegistryError, retryAfterFailure } from '../core/registry-errors';
import { REGISTRY_ATTEMPTS } from '../core/defaults';
import type { ManifestBlob } from '../core/image-index';
import { builderDriver } from '../core/reproducible';

export interface CommandResult {
  exitCode: number;
  output: string;
}

/** Runs `docker buildx build` with live progress on stderr, keeping the output for error messages. */
async function runBuildx(args: readonly string[], cwd: string): Promise<CommandResult> {
  const { execa } = await import('execa');
  const child = execa('docker', ['buildx', 'build', ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    stdout: ['pipe', 'inherit'],
    stderr: ['pipe', 'inherit'],
    all: true,
  });
  const done = await child;
  // No docker CLI at all: core/build-failure.ts tells it like a missing buildx plugin.
  if (done.code === 'ENOENT') return { exitCode: 127, output: 'docker: command not found' };
  return { exitCode: done.exitCode ?? 1, output: String(done.all ?? '') };
}

/**
 * `runBuildx`, tried again (with the registry's back-off) while the build fails on a registry's 5xx or 429
 * while pushing: BuildKit's cache makes another try cheap. `onRetry` hears of each new try.
 */
export async function runBuildxWithRetries(
  args: readonly string[],
  cwd: string,
  onRetry: (cause: string, attempt: number, attempts: number) => void,
): Promise<CommandResult> {
  for (let attempt = 1; ; attempt++) {
    const build = await runBuildx(args, cwd);
    const delay = build.exitCode === 0 ? null : retryAfterFailure(attempt, isTransientRegistryError(build.output));
    if (delay === null) return build;
    onRetry(firstLine(build.output), attempt + 1, REGISTRY_ATTEMPTS);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Creates the index `tags` name from several sources (`repo@digest`, each an image or an index):
 * `docker buildx imagetools create`, which merges the platform images with their attestation manifests.
 * Only the merge of per-platform builds uses it; lookups and tag moves go through adapters/registry.ts.
 */
export async function createIndex(
  tags: readonly string[],
  sources: readonly string[],
  annotations: Readonly<Record<string, string>> = {},
): Promise<void> {
  await imagetoolsCreate(tags, sources, false, annotations);
}

/**
 * The index `createIndex` would make from `sources` (its bytes, media type and digest), without pushing
 * anything: the bytes `imagetools create --dry-run` prints are the bytes it pushes.
 */
export async function indexOf(
  sources: readonly string[],
  annotations: Readonly<Record<string, string>> = {},
): Promise<ManifestBlob> {
  const bytes = await imagetoolsCreate([], sources, true, annotations);
  const { mediaType } = JSON.parse(bytes.toString('utf8')) as { mediaType?: string };
  return {
    bytes,
    mediaType: mediaType ?? 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
}

async function imagetoolsCreate(
  tags: readonly string[],
  sources: readonly string[],
  dryRun: boolean,
  annotations: Readonly<Record<string, string>>,
): Promise<Buffer> {
  const args = [
    'buildx',
    'imagetools',
    'create',
    ...(dryRun ? ['--dry-run'] : []),
    ...annotationFlags(annotations),
    ...tags.flatMap((t) => ['-t', t]),
    ...sources,
  ];
  const { execa } = await import('execa');
  for (let attempt = 1; ; attempt++) {
    const r = await execa('docker', args, { reject: false, encoding: 'buffer' });
    if (r.exitCode === 0) return Buffer.from(r.stdout);
    const stderr = Buffer.from(r.stderr).toString();
    const delay = retryAfterFailure(attempt, isTransientRegistryError(stderr));
    if (delay !== null) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      continue;
    }
    throw (
      registryError(tags[0] ?? sources[0], stderr) ??
      new Error(`docker buildx imagetools create ${[...tags, ...sources].join(' ')} failed: ${firstLine(stderr)}`)
    );
  }
}

/** The driver of a builder (`docker buildx inspect [builder]`), null when buildx cannot tell it. */
export async function builderDriverOf(builder: string | undefined): Promise<string | null> {
  const { execa } = await import('execa');
  const r = await execa('docker', ['buildx', 'inspect', ...(builder ? [builder] : [])], { reject: false, all: true });
  return r.exitCode === 0 ? builderDriver(String(r.all ?? '')) : null;
}
