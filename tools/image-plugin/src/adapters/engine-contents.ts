import type { ImageContents } from '../core/contents-diff';
import { namedLayers, recordLayers, type ContentsRecord, type NamedLayer } from '../core/contents-record';
import { EngineError } from '../core/errors';
import { ENGINE_PREFIX } from '../core/image-source';
import { savedLayers, savedManifest } from '../core/saved-image';
import { recordInLayer } from './contents-reader';
import { savedImage, type SavedEntry } from './saved-image';

/**
 * An image's contents as the local engine holds it (a pull request's build, never pushed), from the engine's
 * save of it, streamed and never written to disk: its platform, its layers named by install script with their
 * sizes (compressed where the engine keeps the blobs it would push, else unpacked: core/saved-image.ts), its
 * contents record and its parent's (the split by origin), each from its own small layer. See docs/contents.md.
 */
export async function readEngineContents(ref: string): Promise<ImageContents> {
  const given = `${ENGINE_PREFIX}${ref}`;
  const entries = await savedImage(ref).catch((e: unknown) => {
    throw engineFailure(given, e);
  });
  const text = (path: string) => entries.get(path)?.bytes?.toString('utf8') ?? null;
  const manifest = savedManifest(text('manifest.json'), given);
  const config = text(manifest.config);
  if (config === null) throw new EngineError(`${given}: the engine's save lacks its config`, 'run again', given);
  const saved = savedLayers(manifest, config, (path) => entries.get(path), given);
  const layers = namedLayers(saved.layers, saved.history);
  const where = `${given} (${saved.platform})`;
  const { own, parent } = recordLayers(layers);
  if (!own)
    throw new EngineError(
      `${where} has no contents record: it was built before images recorded their contents`,
      "rebuild it (npx nx run <image>:image-build) with scripts/contents-record/record.sh as its Dockerfile's last step (docs/contents.md)",
      where,
    );
  const recordOf = (layer: NamedLayer, what: string): ContentsRecord => {
    const entry: SavedEntry | undefined = entries.get(saved.files[layers.indexOf(layer)]);
    if (!entry?.bytes)
      throw new EngineError(`${what}: its contents-record layer is not in the save`, 'run again', what);
    return recordInLayer(entry.bytes, what, saved.files[layers.indexOf(layer)], EngineError);
  };
  const record = recordOf(own, where);
  const parentRecord = parent ? recordOf(parent, `${where}, its parent's layer`) : null;
  return {
    ref: given,
    image: record.image,
    lineage: record.lineage,
    platforms: [{ platform: saved.platform, sizes: saved.sizes, record, parentRecord, layers }],
  };
}

function engineFailure(given: string, e: unknown): EngineError {
  const status = (e as { statusCode?: number }).statusCode;
  if (status === 404)
    return new EngineError(
      `${given} is not in the local engine`,
      'check the name (docker image ls lists them); a pull request job builds its image with npx nx run <image>:image-build, its tag is the pinnedReference in dist/images/<image>.json',
      given,
    );
  return new EngineError(
    `the Docker engine cannot save ${given} (${(e as Error).message.split('\n')[0]})`,
    'start Docker (or set DOCKER_HOST), then run again',
    given,
  );
}
