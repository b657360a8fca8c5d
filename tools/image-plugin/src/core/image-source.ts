import type { ImageContents, SizeKind } from './contents-diff';
import { UsageError } from './errors';

/**
 * Where `images diff` reads an image: the registry (`<repo>:<tag>`, `<repo>@sha256:...`), or the local engine
 * (`docker-daemon:<ref>`, as skopeo names it: a pull request's build, never pushed), and what that means for
 * the comparison: one kind of size on both sides, and the engine's one platform. Pure.
 */
export const ENGINE_PREFIX = 'docker-daemon:';

export interface ImageSource {
  from: 'registry' | 'engine';
  /** The reference without the prefix. */
  ref: string;
}

export function imageSource(ref: string): ImageSource {
  if (!ref.startsWith(ENGINE_PREFIX)) return { from: 'registry', ref };
  const local = ref.slice(ENGINE_PREFIX.length).replace(/^\/\//, '');
  if (!local)
    throw new UsageError(
      `"${ref}" names no image`,
      `write ${ENGINE_PREFIX}<image>:<tag> (an image in the local engine, as docker image ls lists it) (images diff --help)`,
      'images diff',
      ref,
    );
  return { from: 'engine', ref: local };
}

/**
 * The one kind of size a diff compares: the registry's compressed blobs, unless the engine's image is counted
 * unpacked (the classic image store keeps no compressed layers): the registry side is then read unpacked too.
 */
export function sizeKindFor(engineSide: ImageContents | null): SizeKind {
  return engineSide?.platforms[0]?.sizes ?? 'compressed';
}

/**
 * The platforms to read of the other side when one side is the engine's: the engine's image is the one
 * platform it was built for, so the registry image's other platforms would only read as removed.
 */
export function platformsToRead(engineSide: ImageContents | null): string[] | undefined {
  return engineSide ? engineSide.platforms.map((p) => p.platform) : undefined;
}

const GIB4 = 2 ** 32;

/**
 * A gzip layer's unpacked size from its last 4 bytes (ISIZE: the size modulo 2^32, RFC 1952), so a registry
 * layer is counted as the engine counts it without downloading it. Unpacked is never much smaller than
 * packed, so a layer of 4 GiB or more is read as the smallest size of that remainder at least its packed size
 * (exact unless it unpacks to over 4 GiB more than its packed size).
 */
export function gzipUncompressedSize(trailer: Buffer, compressed: number): number {
  if (trailer.length < 4) throw new Error(`a gzip trailer is 4 bytes, ${trailer.length} given`);
  let size = trailer.readUInt32LE(trailer.length - 4);
  // Deflate grows incompressible data by a few bytes per 16 KiB and an 18-byte frame: the 1% and 1 KiB cover it.
  while (size + 1024 < compressed * 0.99) size += GIB4;
  return size;
}

/** How a registry layer is packed, from its manifest's media type (Docker's and OCI's names). */
export function layerPacking(mediaType: string | undefined): 'gzip' | 'none' | 'zstd' | 'unknown' {
  if (!mediaType) return 'unknown';
  if (/(?:\+|\.tar\.)gzip$/.test(mediaType)) return 'gzip';
  if (/(?:\+|\.tar\.)zstd$/.test(mediaType)) return 'zstd';
  return /\.(?:diff\.)?tar$/.test(mediaType) ? 'none' : 'unknown';
}
