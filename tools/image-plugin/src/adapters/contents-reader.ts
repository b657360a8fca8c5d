import type { ImageContents, PlatformContents, SizeKind } from '../core/contents-diff';
import {
  CONTENTS_RECORD_PATH,
  namedLayers,
  parseContentsRecord,
  recordLayers,
  type ContentsRecord,
} from '../core/contents-record';
import { ContentsRecordError, RegistryError, type EngineError } from '../core/errors';
import { gzipUncompressedSize, layerPacking } from '../core/image-source';
import { layerTar } from '../core/layer-tar';
import { fileInTar } from '../core/tar-entry';
import type { LayerBlob } from '../core/size-budget';
import type { RegistryClient } from './registry';

/**
 * An image's contents as the registry holds them, without pulling it: per platform its manifest, its config
 * (the history names each layer by its install script) and the record layers' blobs only (the image's own,
 * the last, and its parent's, the one before). See docs/contents.md.
 */
export interface ReadOptions {
  /** How to count layer sizes: as stored (default), or unpacked, to compare with the local engine's. */
  sizes?: SizeKind;
  /** Only these platforms (the local engine's image has one). */
  platforms?: readonly string[];
}

export async function readImageContents(
  registry: RegistryClient,
  ref: string,
  options: ReadOptions = {},
): Promise<ImageContents> {
  const image = await registry.inspect(ref);
  if (!image)
    throw new RegistryError(
      `${ref} is not in the registry`,
      'check the reference (a release tag that was never published? images diff takes <repo>:<tag> or <repo>@sha256:...)',
      ref,
    );
  const all = await registry.platformLayers(image.repository, image.digest, image);
  const platforms = options.platforms ? all.filter((p) => options.platforms?.includes(p.platform)) : all;
  if (!platforms.length)
    throw new RegistryError(
      `${ref} has no image for ${options.platforms?.join(', ')} (it has ${all.map((p) => p.platform).join(', ')})`,
      'compare images of one platform: build the local image for a platform the registry image has',
      ref,
    );
  const sizes = options.sizes ?? 'compressed';
  const read = await allInOrder(platforms.map((p) => readPlatform(registry, image.repository, ref, p, sizes)));
  const [first] = read;
  const other = read.find((p) => p.record.image !== first.record.image);
  if (other)
    throw new ContentsRecordError(
      `${ref}: its platforms' records name different images (${first.platform}: ${first.record.image}, ${other.platform}: ${other.record.image})`,
      'build every platform of the image from one Dockerfile',
      ref,
    );
  return { ref, image: first.record.image, lineage: first.record.lineage, platforms: read };
}

async function readPlatform(
  registry: RegistryClient,
  repository: string,
  ref: string,
  p: Awaited<ReturnType<RegistryClient['platformLayers']>>[number],
  sizes: SizeKind,
): Promise<PlatformContents> {
  const [history, blobs] = await Promise.all([
    p.history ?? registry.historyOf(repository, p.config),
    sizes === 'uncompressed' ? unpackedSizes(registry, repository, `${ref} (${p.platform})`, p.layers) : p.layers,
  ]);
  const layers = namedLayers(blobs, history);
  const { own, parent } = recordLayers(layers);
  if (!own)
    throw new ContentsRecordError(
      `${ref} (${p.platform}) has no contents record: it was built before images recorded their contents`,
      "rebuild and push it (npx nx run-many -t image-build --push) with scripts/contents-record/record.sh as its Dockerfile's last step (docs/contents.md)",
      ref,
    );
  const where = `${ref} (${p.platform})`;
  const [record, parentRecord] = await allInOrder<ContentsRecord | null>([
    recordIn(registry, repository, own.digest, where),
    parent ? recordIn(registry, repository, parent.digest, `${where}, its parent's layer`) : Promise.resolve(null),
  ]);
  return { platform: p.platform, sizes, record: record as ContentsRecord, parentRecord, layers };
}

/** Each layer with its unpacked size: a gzip layer's from its trailer (one small ranged GET), a plain tar's as stored. */
function unpackedSizes(
  registry: RegistryClient,
  repository: string,
  where: string,
  layers: readonly LayerBlob[],
): Promise<LayerBlob[]> {
  return allInOrder(
    layers.map(async (l) => {
      const packing = layerPacking(l.mediaType);
      if (packing === 'none') return l;
      if (packing === 'gzip')
        return { ...l, size: gzipUncompressedSize(await registry.blobTail(repository, l.digest, l.size, 4), l.size) };
      throw new RegistryError(
        `${where}: layer ${l.digest} is ${packing === 'zstd' ? 'zstd-compressed' : `of media type ${l.mediaType ?? '(none)'}`}, whose unpacked size the registry does not tell, so its size cannot be compared with the local engine's unpacked one`,
        'compare it with another registry image instead of the local engine (both sizes compressed), or push it with gzip layers',
        where,
      );
    }),
  );
}

/** The record in one layer blob (gzip, zstd or uncompressed tar: core/layer-tar.ts). */
async function recordIn(
  registry: RegistryClient,
  repository: string,
  digest: string,
  where: string,
): Promise<ContentsRecord> {
  return recordInLayer(await registry.blob(repository, digest), where, digest);
}

/** The record in one layer's bytes (gzip, zstd or a plain tar: core/layer-tar.ts); `Kind` is the error type of where the layer came from. */
export function recordInLayer(
  blob: Buffer,
  where: string,
  digest: string,
  Kind: typeof RegistryError | typeof EngineError = ContentsRecordError,
): ContentsRecord {
  const tar = tarIn(blob, digest, where, Kind);
  const file = fileInTar(tar, CONTENTS_RECORD_PATH);
  if (!file)
    throw new Kind(
      `${where}: its contents-record layer has no /${CONTENTS_RECORD_PATH}`,
      'rebuild the image (scripts/contents-record/record.sh writes it)',
      where,
    );
  return parseContentsRecord(file.toString('utf8'), where);
}

function tarIn(blob: Buffer, digest: string, where: string, Kind: typeof RegistryError | typeof EngineError): Buffer {
  try {
    return layerTar(blob);
  } catch (e) {
    throw new Kind(
      `${where}: its contents-record layer ${digest} cannot be decompressed (${e instanceof Error ? e.message : String(e)})`,
      'push the image again (the registry holds a damaged or cut-off blob)',
      where,
    );
  }
}

/**
 * Every promise's value, all awaited; when some fail, the first failure in the given order (not the first to
 * happen), so the same images always give the same message (a release body must not change between runs).
 */
export async function allInOrder<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
