import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTarStream } from './saved-image';

/** A tar archive of these files (ustar headers, as `docker image save` writes them), plus a directory. */
function tarOf(files: Record<string, Buffer>): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, size: number, type: string) => {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write(size.toString(8).padStart(11, '0'), 124, 12, 'ascii');
    h.write(type, 156, 1, 'ascii');
    h.write('ustar\0', 257, 6, 'ascii');
    return h;
  };
  blocks.push(header('blobs/', 0, '5'));
  for (const [name, data] of Object.entries(files)) {
    blocks.push(header(name, data.length, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function* inChunks(bytes: Buffer, size: number) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('readTarStream', () => {
  const big = Buffer.alloc(5 * 1024 * 1024, 7);
  big.write('BIGEND', big.length - 6);
  const layer = gzipSync(Buffer.from('a layer'));
  const files = { 'manifest.json': Buffer.from('[{"Config":"c"}]'), 'blobs/sha256/aa': layer, 'big.tar': big };

  it.each([5, 511, 512, 513, 65536])('every file, whatever the chunks (%i bytes)', async (size) => {
    const entries = await readTarStream(inChunks(tarOf(files), size));
    expect([...entries.keys()].sort()).toEqual(['big.tar', 'blobs/sha256/aa', 'manifest.json']);
    expect(entries.get('manifest.json')?.bytes?.toString()).toBe('[{"Config":"c"}]');
    expect(entries.get('blobs/sha256/aa')).toMatchObject({ size: layer.length, head: layer.subarray(0, 4) });
    expect(entries.get('blobs/sha256/aa')?.tail).toEqual(layer.subarray(-4));
    // A large file is not kept, only its size and its edges.
    expect(entries.get('big.tar')).toMatchObject({ size: big.length, bytes: null });
    expect(entries.get('big.tar')?.tail.toString()).toBe('GEND');
  });
});
