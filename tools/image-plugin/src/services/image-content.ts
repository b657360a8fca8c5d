import { contextFilter } from '../adapters/build-context';
import { hashFolders } from '../adapters/files';
import { basePin, type BasePin, type PinReplacements } from '../core/base-pins';
import type { BuildSettings } from '../core/build-options';
import { contentHash } from '../core/content-hash';
import type { ImageSpec } from '../core/image-spec';

export interface ImageContent {
  /** The content hash: the image's `<image>-content-<hash>` tag. */
  hash: string;
  /** The digest the (first) external base is pinned to. */
  baseDigest: string | null;
  /** Every external base's pin (core/base-pins.ts), a replaced one with what replaced it. */
  pins: BasePin[];
}

/**
 * What decides an image's bytes, hashed: the files of its folder and of the folders it bind-mounts
 * (as the build context sends them), its build args and platforms, its parents' content hashes and
 * the digests its external bases are pinned to (never what a registry answers today). The executor and
 * `images plan` both use it, so a plan and a build agree on every content tag.
 */
export async function imageContent(
  workspaceRoot: string,
  spec: ImageSpec,
  settings: Pick<BuildSettings, 'buildArgs' | 'indexPlatforms' | 'compression'>,
  parentHashes: Readonly<Record<string, string>>,
  replacements: PinReplacements | null,
): Promise<ImageContent> {
  const pins = spec.externalBases
    .map((base) => basePin(base, spec.dockerfile, replacements))
    .filter((pin): pin is BasePin => pin !== null);
  const files = await contextFilter(workspaceRoot, spec.dockerfile).then((include) =>
    hashFolders(workspaceRoot, [spec.root, ...spec.mountedInputs], include),
  );
  const hash = contentHash({
    files,
    buildArgs: settings.buildArgs,
    platforms: settings.indexPlatforms,
    parents: parentHashes,
    bases: Object.fromEntries(pins.map((pin) => [pin.ref, pin.digest])),
    compression: settings.compression,
  });
  return { hash, baseDigest: pins[0]?.digest ?? null, pins };
}
