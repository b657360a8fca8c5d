import { describe, expect, it } from 'vitest';
import type { ImageContents } from './contents-diff';
import { isUsageError } from './errors';
import { gzipUncompressedSize, imageSource, layerPacking, platformsToRead, sizeKindFor } from './image-source';

describe('imageSource', () => {
  it.each([
    { ref: 'ghcr.io/a/b:base-edge', want: { from: 'registry', ref: 'ghcr.io/a/b:base-edge' } },
    { ref: 'r@sha256:1', want: { from: 'registry', ref: 'r@sha256:1' } },
    { ref: 'docker-daemon:ghcr.io/a/b:base-1', want: { from: 'engine', ref: 'ghcr.io/a/b:base-1' } },
    { ref: 'docker-daemon://base:local', want: { from: 'engine', ref: 'base:local' } },
  ])('$ref', ({ ref, want }) => {
    expect(imageSource(ref)).toEqual(want);
  });

  it('refuses the prefix alone', () => {
    let error: unknown;
    try {
      imageSource('docker-daemon:');
    } catch (e) {
      error = e;
    }
    expect(isUsageError(error)).toBe(true);
    expect((error as Error).message).toContain('"docker-daemon:" names no image');
    expect((error as Error).message).toContain('docker image ls');
  });
});

describe('sizeKindFor and platformsToRead', () => {
  const local = (sizes: 'compressed' | 'uncompressed') =>
    ({ platforms: [{ platform: 'linux/arm64', sizes }] }) as ImageContents;
  it.each([
    { name: 'two registry images', engineSide: null, want: 'compressed' },
    {
      name: 'an engine that keeps compressed blobs (containerd store)',
      engineSide: local('compressed'),
      want: 'compressed',
    },
    {
      name: 'an engine that keeps unpacked layers (classic store)',
      engineSide: local('uncompressed'),
      want: 'uncompressed',
    },
  ])('$name: $want', ({ engineSide, want }) => {
    expect(sizeKindFor(engineSide)).toBe(want);
  });

  it("the registry side is read for the engine image's platform only", () => {
    expect(platformsToRead(local('compressed'))).toEqual(['linux/arm64']);
    expect(platformsToRead(null)).toBeUndefined();
  });
});

describe('gzipUncompressedSize', () => {
  const trailer = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(n, 4);
    return b;
  };
  it.each([
    { name: 'a small layer', isize: 1024 * 10, compressed: 300, want: 10240 },
    { name: 'incompressible bytes, a little larger packed', isize: 100_000, compressed: 100_050, want: 100_000 },
    { name: 'an empty tar', isize: 1024, compressed: 40, want: 1024 },
    { name: '5 GiB packed to 2 GiB (the remainder 1 GiB)', isize: 2 ** 30, compressed: 2 ** 31, want: 5 * 2 ** 30 },
    { name: '8 GiB packed to 4.5 GiB (the remainder 0)', isize: 0, compressed: 4.5 * 2 ** 30, want: 8 * 2 ** 30 },
  ])('$name', ({ isize, compressed, want }) => {
    expect(gzipUncompressedSize(trailer(isize), compressed)).toBe(want);
  });
});

describe('layerPacking', () => {
  it.each([
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', want: 'gzip' },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', want: 'gzip' },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', want: 'zstd' },
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.zstd', want: 'zstd' },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar', want: 'none' },
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', want: 'none' },
    { mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', want: 'gzip' },
    { mediaType: 'application/octet-stream', want: 'unknown' },
    { mediaType: undefined, want: 'unknown' },
  ])('$mediaType: $want', ({ mediaType, want }) => {
    expect(layerPacking(mediaType)).toBe(want);
  });
});
