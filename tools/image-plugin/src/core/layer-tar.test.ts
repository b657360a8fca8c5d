import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layerTar } from './layer-tar';
import { fileInTar } from './tar-entry';

/**
 * Real archives made by the tools a layer's bytes come from: GNU tar, gzip and the zstd CLI (the same
 * format BuildKit's zstd writes: frames with Huffman and FSE-coded blocks, not only raw ones).
 */
const dir = mkdtempSync(join(tmpdir(), 'layer-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = 'usr/share/workspace-images/contents.json';
// Big and repetitive enough that zstd writes compressed blocks and more than one of them.
const RECORD = JSON.stringify({ packages: Array.from({ length: 4000 }, (_, i) => ({ name: `pkg-${i % 97}`, i })) });

function tarOf(files: Record<string, string>): Buffer {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'root', path)), { recursive: true });
    writeFileSync(join(dir, 'root', path), text);
  }
  return execFileSync('tar', ['-C', join(dir, 'root'), '-cf', '-', ...Object.keys(files)], {
    maxBuffer: 64 << 20,
  });
}
const zstd = (data: Buffer, level = '-3') => execFileSync('zstd', ['-q', '-c', level], { input: data });
const gzip = (data: Buffer) => execFileSync('gzip', ['-c', '-n'], { input: data });

const tar = tarOf({ [FILE]: RECORD, 'etc/other': 'x\n' });

describe('layerTar', () => {
  it.each([
    { name: 'plain tar', blob: () => tar },
    { name: 'gzip', blob: () => gzip(tar) },
    { name: 'zstd (level 3, as buildx writes)', blob: () => zstd(tar) },
    { name: 'zstd at level 19', blob: () => zstd(tar, '-19') },
    // zstd's format allows several frames one after the other; every one is part of the layer.
    { name: 'zstd, two frames', blob: () => Buffer.concat([zstd(tar.subarray(0, 1024)), zstd(tar.subarray(1024))]) },
  ])('$name: the same tar, the record in it', ({ blob }) => {
    const out = layerTar(blob());
    expect(out.equals(tar)).toBe(true);
    expect(fileInTar(out, FILE)?.toString('utf8')).toBe(RECORD);
  });

  it.each([
    { name: 'a truncated zstd blob', blob: () => zstd(tar).subarray(0, 200) },
    { name: 'a truncated gzip blob', blob: () => gzip(tar).subarray(0, 200) },
  ])('$name throws instead of giving part of a tar', ({ blob }) => {
    expect(() => layerTar(blob())).toThrow();
  });
});
