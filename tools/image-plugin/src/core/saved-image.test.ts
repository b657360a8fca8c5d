import { describe, expect, it } from 'vitest';
import { isImageError } from './errors';
import { savedLayers, savedManifest, type SavedFile } from './saved-image';

const gzip = (size: number, unpacked: number): SavedFile => {
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(unpacked);
  return { size, head: Buffer.from([0x1f, 0x8b, 8, 0]), tail };
};
const plain = (size: number): SavedFile => ({ size, head: Buffer.from('usr/'), tail: Buffer.alloc(4) });
const zstd = (size: number): SavedFile => ({
  size,
  head: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
  tail: Buffer.alloc(4),
});
const HEX = (c: string) => c.repeat(64);
const config = JSON.stringify({
  os: 'linux',
  architecture: 'arm64',
  variant: 'v8',
  history: [{ created_by: 'FROM' }, { created_by: 'ENV A=1', empty_layer: true }, { created_by: 'RUN x' }],
});

describe('savedManifest', () => {
  it('the first image: its config and layers', () => {
    expect(savedManifest('[{"Config":"blobs/sha256/c","Layers":["a/layer.tar"]}]', 'w')).toEqual({
      config: 'blobs/sha256/c',
      layers: ['a/layer.tar'],
    });
  });
  it.each([null, 'not json', '[]', '[{"Config":"c"}]'])('refuses %s with the fix', (text) => {
    let error: unknown;
    try {
      savedManifest(text, 'docker-daemon:r:a');
    } catch (e) {
      error = e;
    }
    expect(isImageError(error) && error.kind).toBe('engine');
    expect((error as Error).message).toContain(
      'docker-daemon:r:a: the engine saved it without a readable manifest.json',
    );
  });
});

describe('savedLayers', () => {
  it.each([
    {
      name: 'the containerd store: the compressed blobs, counted as the registry counts them',
      files: { [`blobs/sha256/${HEX('a')}`]: gzip(100, 300), [`blobs/sha256/${HEX('b')}`]: zstd(50) },
      sizes: 'compressed',
      want: [
        { digest: `sha256:${HEX('a')}`, size: 100 },
        { digest: `sha256:${HEX('b')}`, size: 50 },
      ],
    },
    {
      name: 'the classic store: unpacked tars, counted as tar bytes',
      files: { 'a/layer.tar': plain(300), 'b/layer.tar': plain(2048) },
      sizes: 'uncompressed',
      want: [
        { digest: 'a/layer.tar', size: 300 },
        { digest: 'b/layer.tar', size: 2048 },
      ],
    },
    {
      name: 'packed and unpacked mixed: all unpacked, a gzip layer by its trailer',
      files: { 'a/layer.tar': plain(300), [`blobs/sha256/${HEX('c')}`]: gzip(100, 4096) },
      sizes: 'uncompressed',
      want: [
        { digest: 'a/layer.tar', size: 300 },
        { digest: `sha256:${HEX('c')}`, size: 4096 },
      ],
    },
  ] as Array<{ name: string; files: Record<string, SavedFile>; sizes: string; want: unknown }>)(
    '$name',
    ({ files, sizes, want }) => {
      const saved = savedLayers({ config: 'c', layers: Object.keys(files) }, config, (p) => files[p], 'w');
      expect(saved).toMatchObject({ platform: 'linux/arm64/v8', sizes, layers: want, files: Object.keys(files) });
      expect(saved.history).toHaveLength(3);
    },
  );

  it.each([
    {
      name: 'a missing layer file',
      files: {},
      says: "the engine's save lacks its layer x",
    },
    {
      name: 'a zstd layer among unpacked ones',
      files: { x: zstd(10), y: plain(10) },
      says: 'its layer x is zstd-compressed among unpacked ones',
    },
  ] as Array<{ name: string; files: Record<string, SavedFile>; says: string }>)('refuses $name', ({ files, says }) => {
    const layers = ['x', ...Object.keys(files).filter((f) => f !== 'x')];
    expect(() => savedLayers({ config: 'c', layers }, config, (p) => files[p], 'w')).toThrow(says);
  });
});
