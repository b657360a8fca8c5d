import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonCache } from './json-cache';

const dir = mkdtempSync(join(tmpdir(), 'json-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JsonCache', () => {
  it('reads once, then answers from the file in the next command', () => {
    const file = join(dir, 'a', 'cache.json');
    let reads = 0;
    const read = () => ({ froms: [{ ref: 'debian:trixie-slim', line: ++reads }] });
    const key = JsonCache.key('dockerfile', 'build-1', 'images/a/Dockerfile', 'FROM debian:trixie-slim\n');

    const first = new JsonCache(file);
    expect(first.read(key, read)).toEqual({ froms: [{ ref: 'debian:trixie-slim', line: 1 }] });
    expect(first.read(key, read)).toEqual({ froms: [{ ref: 'debian:trixie-slim', line: 1 }] });
    first.save();

    const next = new JsonCache(file);
    expect(next.read(key, read)).toEqual({ froms: [{ ref: 'debian:trixie-slim', line: 1 }] });
    expect(reads).toBe(1);
  });

  it('keys by every part: another text, option or build reads again', () => {
    const base = JsonCache.key('dockerfile', 'build-1', 'images/a/Dockerfile', 'FROM a\n');
    expect(JsonCache.key('dockerfile', 'build-1', 'images/a/Dockerfile', 'FROM b\n')).not.toBe(base);
    expect(JsonCache.key('dockerfile', 'build-2', 'images/a/Dockerfile', 'FROM a\n')).not.toBe(base);
    expect(JsonCache.key('dockerfile', 'build-1', 'images/b/Dockerfile', 'FROM a\n')).not.toBe(base);
    // parts are length-prefixed: moving text between parts is another key
    expect(JsonCache.key('ab', 'c')).not.toBe(JsonCache.key('a', 'bc'));
  });

  it('keeps nothing that failed to read', () => {
    const file = join(dir, 'failing.json');
    const cache = new JsonCache(file);
    expect(() =>
      cache.read('k', () => {
        throw new Error('images/a/Dockerfile:1: bad');
      }),
    ).toThrow('bad');
    cache.save();
    let reads = 0;
    expect(new JsonCache(file).read('k', () => ++reads)).toBe(1);
  });

  it('writes back only the entries a command used', () => {
    const file = join(dir, 'used.json');
    const first = new JsonCache(file);
    first.read('old', () => 1);
    first.set('kept', 2);
    first.save();
    const next = new JsonCache(file);
    expect(next.get('kept')).toBe(2);
    expect(next.get('missing')).toBeUndefined();
    next.save();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ kept: 2 });
  });

  it('reads everything again when the file is not a cache', () => {
    const file = join(dir, 'corrupt.json');
    writeFileSync(file, '{ not json');
    expect(new JsonCache(file).read('k', () => 'read')).toBe('read');
    writeFileSync(file, '[1, 2]');
    expect(new JsonCache(file).read('0', () => 'read')).toBe('read');
  });
});
