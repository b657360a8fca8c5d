import type { SizeKind } from './contents-diff';
import { EngineError } from './errors';
import { gzipUncompressedSize } from './image-source';
import type { HistoryEntry, LayerBlob } from './size-budget';

/**
 * What `images diff` reads of an image the local engine saved (`docker image save`; adapters/saved-image.ts
 * streams it): its manifest.json names the config and the layer files, in order. The layers are counted as
 * the registry counts them where the engine keeps them packed (the containerd image store: the compressed
 * blobs it would push), else unpacked, as the tar bytes a gzip layer's trailer gives for a registry's layer.
 * Pure: the saved files' facts in, the platform, the layers and their history out.
 */

/** What the stream kept of one saved file. */
export interface SavedFile {
  size: number;
  /** Its first bytes (the compression's magic). */
  head: Buffer;
  /** Its last bytes (a gzip trailer). */
  tail: Buffer;
}

export interface SavedLayers {
  platform: string;
  sizes: SizeKind;
  /** In order; `digest` is `sha256:<hex>` when the file is named so, else the file's path. */
  layers: LayerBlob[];
  /** The saved file of each layer, in the same order. */
  files: string[];
  history: HistoryEntry[];
}

interface ManifestEntry {
  Config?: string;
  Layers?: string[];
}
interface ConfigJson {
  architecture?: string;
  os?: string;
  variant?: string;
  history?: HistoryEntry[];
}

const packingOf = (head: Buffer) =>
  head[0] === 0x1f && head[1] === 0x8b
    ? 'gzip'
    : head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528
      ? 'zstd'
      : 'none';

const digestOf = (path: string) => {
  const hex = /(?:^|\/)sha256\/([0-9a-f]{64})$/.exec(path)?.[1];
  return hex ? `sha256:${hex}` : path;
};

/** The first image of a saved manifest.json: its config's and its layers' files. */
export function savedManifest(text: string | null, where: string): { config: string; layers: string[] } {
  let entries: ManifestEntry[] | undefined;
  try {
    entries = text ? (JSON.parse(text) as ManifestEntry[]) : undefined;
  } catch {
    entries = undefined;
  }
  const first = Array.isArray(entries) ? entries[0] : undefined;
  if (!first?.Config || !Array.isArray(first.Layers))
    throw new EngineError(
      `${where}: the engine saved it without a readable manifest.json`,
      'check that the engine is Docker 25 or newer (docker version), then run again',
      where,
    );
  return { config: first.Config, layers: first.Layers };
}

/** The platform, the layers with their sizes of one kind, and the history, from the saved files. */
export function savedLayers(
  manifest: { config: string; layers: string[] },
  configText: string,
  file: (path: string) => SavedFile | undefined,
  where: string,
): SavedLayers {
  const config = JSON.parse(configText) as ConfigJson;
  const platform = [config.os, config.architecture, config.variant].filter(Boolean).join('/');
  const files = manifest.layers.map((path) => {
    const saved = file(path);
    if (!saved) throw new EngineError(`${where}: the engine's save lacks its layer ${path}`, 'run again', where);
    return { path, saved, packing: packingOf(saved.head) };
  });
  const sizes: SizeKind = files.every((f) => f.packing !== 'none') ? 'compressed' : 'uncompressed';
  const layers = files.map(({ path, saved, packing }) => {
    if (sizes === 'compressed' || packing === 'none') return { digest: digestOf(path), size: saved.size };
    if (packing === 'gzip') return { digest: digestOf(path), size: gzipUncompressedSize(saved.tail, saved.size) };
    throw new EngineError(
      `${where}: its layer ${path} is zstd-compressed among unpacked ones, so its unpacked size is unknown`,
      "rebuild the image with one compression (gzip, buildx's default) and run again",
      where,
    );
  });
  return { platform, sizes, layers, files: manifest.layers, history: config.history ?? [] };
}
