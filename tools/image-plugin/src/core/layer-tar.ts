import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

/**
 * The tar archive in a layer blob, whatever a push compressed it with: gzip (buildx's default), zstd (the
 * image-build option `compression: zstd`) or none, told by the blob's magic bytes rather than the manifest's
 * media type (Docker and OCI name the same bytes differently). zstd through fzstd (pure JavaScript: node:zlib
 * has zstd only from Node.js 22.15, the plugin runs on 20.19), every frame of a multi-frame blob.
 * Pure: bytes in, bytes out; a damaged blob throws the decompressor's error.
 */
export function layerTar(blob: Buffer): Buffer {
  if (blob.length >= 2 && blob[0] === 0x1f && blob[1] === 0x8b) return gunzipSync(blob);
  if (blob.length >= 4 && blob.readUInt32LE(0) === ZSTD_MAGIC) {
    const tar = zstdDecompress(blob);
    return Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  }
  return blob;
}

/** A zstd frame's first four bytes (28 b5 2f fd), read little-endian. */
const ZSTD_MAGIC = 0xfd2fb528;
