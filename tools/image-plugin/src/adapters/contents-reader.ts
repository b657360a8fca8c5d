import type { ImageContents, PlatformContents } from '../core/contents-diff';
import {
  CONTENTS_RECORD_PATH,
  namedLayers,
  parseContentsRecord,
  recordLayers,
  type ContentsRecord,
} from '../core/contents-record';
import { RegistryError } from '../core/errors';
import { layerTar } from '../core/layer-tar';
import { fileInTar } from '../core/tar-entry';
import type { RegistryClient } from './registry';

/**
 * An image's contents as the registry holds them, without pulling it: per platform its manifest, its config
 * (the history names each layer by its install script) and the record layers' blobs only (the image's own,
 * the last, and its parent's, the one before). See docs/contents.md.
 */
export async function readImageContents(registry: RegistryClient, ref: string): Promise<ImageContents> {
  const image = await registry.inspect(ref);
  if (!image)
    throw new RegistryError(
      `${ref} is not in the registry`,
      'check the reference (a release tag that was never published? images diff takes <repo>:<tag> or <repo>@sha256:...)',
      ref,
    );
  const platforms = await registry.platformLayers(image.repository, image.digest, image);
  const read = await allInOrder(platforms.map((p) => readPlatform(registry, image.repository, ref, p)));
  const [first] = read;
  const other = read.find((p) => p.record.image !== first.record.image);
  if (other)
    throw new RegistryError(
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
): Promise<PlatformContents> {
  const history = p.history ?? (await registry.historyOf(repository, p.config));
  const layers = namedLayers(p.layers, history);
  const { own, parent } = recordLayers(layers);
  if (!own)
    throw new RegistryError(
      `${ref} (${p.platform}) has no contents record: it was built before images recorded their contents`,
      "rebuild and push it (npx nx run-many -t image-build --push) with scripts/contents-record/record.sh as its Dockerfile's last step (docs/contents.md)",
      ref,
    );
  const where = `${ref} (${p.platform})`;
  const [record, parentRecord] = await allInOrder<ContentsRecord | null>([
    recordIn(registry, repository, own.digest, where),
    parent ? recordIn(registry, repository, parent.digest, `${where}, its parent's layer`) : Promise.resolve(null),
  ]);
  return { platform: p.platform, record: record as ContentsRecord, parentRecord, layers };
}

/** The record in one layer blob (gzip, zstd or uncompressed tar: core/layer-tar.ts). */
async function recordIn(
  registry: RegistryClient,
  repository: string,
  digest: string,
  where: string,
): Promise<ContentsRecord> {
  const blob = await registry.blob(repository, digest);
  const tar = tarIn(blob, digest, where);
  const file = fileInTar(tar, CONTENTS_RECORD_PATH);
  if (!file)
    throw new RegistryError(
      `${where}: its contents-record layer has no /${CONTENTS_RECORD_PATH}`,
      'rebuild the image (scripts/contents-record/record.sh writes it)',
      where,
    );
  return parseContentsRecord(file.toString('utf8'), where);
}

function tarIn(blob: Buffer, digest: string, where: string): Buffer {
  try {
    return layerTar(blob);
  } catch (e) {
    throw new RegistryError(
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
