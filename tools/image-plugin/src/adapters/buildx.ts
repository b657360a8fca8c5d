import { registryError, firstLine, isTransientRegistryError } from '../core/registry-errors';
import { REGISTRY_ATTEMPTS, REGISTRY_BACKOFF_MS } from '../core/defaults';

export interface CommandResult {
  exitCode: number;
  output: string;
}

/** Runs `docker buildx build` with live progress on stderr, keeping the output for error messages. */
export async function runBuildx(args: readonly string[], cwd: string): Promise<CommandResult> {
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
 * Creates the index `tags` name from several sources (`repo@digest`, each an image or an index):
 * `docker buildx imagetools create`, which merges the platform images with their attestation manifests.
 * Only the merge of per-platform builds uses it; lookups and tag moves go through adapters/registry.ts.
 */
export async function createIndex(tags: readonly string[], sources: readonly string[]): Promise<void> {
  const args = ['buildx', 'imagetools', 'create', ...tags.flatMap((t) => ['-t', t]), ...sources];
  const { execa } = await import('execa');
  for (let attempt = 1; ; attempt++) {
    const r = await execa('docker', args, { reject: false });
    if (r.exitCode === 0) return;
    if (attempt < REGISTRY_ATTEMPTS && isTransientRegistryError(r.stderr)) {
      await new Promise((resolve) => setTimeout(resolve, REGISTRY_BACKOFF_MS * attempt));
      continue;
    }
    throw (
      registryError(tags[0], r.stderr) ??
      new Error(`docker buildx imagetools create ${tags.join(' ')} failed: ${firstLine(r.stderr)}`)
    );
  }
}
