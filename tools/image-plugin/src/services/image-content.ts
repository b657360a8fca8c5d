import { contextFilter } from '../adapters/build-context';
import { resolveRemoteDigest } from '../adapters/engine';
import { hashFolders } from '../adapters/files';
import type { BuildSettings } from '../core/build-options';
import { contentHash } from '../core/content-hash';
import type { ImageSpec } from '../core/image-spec';

export interface ImageContent {
  /** The content hash: the image's `<image>-content-<hash>` tag. */
  hash: string;
  /** The digest the (first) external base resolves to now. */
  baseDigest: string | null;
}

/**
 * What decides an image's bytes, hashed: the files of its folder and of the folders it bind-mounts
 * (as the build context sends them), its build args and platforms, its parents' content hashes and
 * the digests its external bases resolve to now. The executor and `images plan` both use it, so a
 * plan and a build agree on every content tag.
 */
export async function imageContent(
  workspaceRoot: string,
  spec: ImageSpec,
  settings: Pick<BuildSettings, 'buildArgs' | 'indexPlatforms'>,
  parentHashes: Readonly<Record<string, string>>,
  resolveBase: (ref: string) => Promise<string> = resolveRemoteDigest,
): Promise<ImageContent> {
  const [digests, files] = await Promise.all([
    Promise.all(spec.externalBases.map((base) => resolveBase(base.ref))),
    contextFilter(workspaceRoot, spec.dockerfile).then((include) =>
      hashFolders(workspaceRoot, [spec.root, ...spec.mountedInputs], include),
    ),
  ]);
  const bases = Object.fromEntries(spec.externalBases.map((base, i) => [base.ref, digests[i]]));
  const hash = contentHash({
    files,
    buildArgs: settings.buildArgs,
    platforms: settings.indexPlatforms,
    parents: parentHashes,
    bases,
  });
  return { hash, baseDigest: digests[0] ?? null };
}
