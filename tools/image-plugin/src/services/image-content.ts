import { contextFilter } from '../adapters/build-context';
import type { RemoteImage } from '../adapters/registry';
import { hashFolders } from '../adapters/files';
import { basePin, type BasePin, type PinReplacements } from '../core/base-pins';
import type { BuildSettings } from '../core/build-options';
import { contentHash } from '../core/content-hash';
import type { ImageSpec } from '../core/image-spec';
import type { ImageReader } from './ports';

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

/**
 * Every image's content hash, chained parent -> child in memory and all side by side: `hashOne` starts
 * for every image at once and waits only for its parents' hashes (`parentHash`: null for a parent that
 * is not among `names`), never for their lookups. The one chaining the build's first pass
 * (services/prepare-images.ts) and `images plan --check-registry` (services/registry-content.ts) use, so a
 * tree five levels deep hashes and looks up in one round either way. Each promise fails alone.
 */
export function chainHashes<T extends { hash: string }>(
  names: readonly string[],
  hashOne: (name: string, parentHash: (parent: string) => Promise<string> | null) => Promise<T>,
): Map<string, Promise<T>> {
  const hashed = new Map<string, Promise<T>>();
  const parentHash = (parent: string) => hashed.get(parent)?.then((h) => h.hash) ?? null;
  for (const name of names) {
    // Started on the next tick, once every image is in `hashed`.
    const promise = Promise.resolve().then(() => hashOne(name, parentHash));
    promise.catch(() => undefined); // a child waiting for it fails with it
    hashed.set(name, promise);
  }
  return hashed;
}

/** The two lookups of a pushed image, side by side: its content tag and the commit's SHA tag. */
export function lookUpTags(
  registry: ImageReader,
  tags: { content: string; sha: string },
): Promise<[content: RemoteImage | null, committed: RemoteImage | null]> {
  return Promise.all([registry.inspect(tags.content), registry.inspect(tags.sha)]);
}
