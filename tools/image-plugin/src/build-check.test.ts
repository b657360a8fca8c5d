import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertFreshBuild, changedSince, sourceFingerprint, staleBuild, writeBuildInfo } from './build-check';

describe('changedSince', () => {
  it.each<{ name: string; built: Record<string, string>; now: Record<string, string>; changed: string[] }>([
    { name: 'the same', built: { 'a.ts': '1' }, now: { 'a.ts': '1' }, changed: [] },
    { name: 'changed', built: { 'a.ts': '1', 'b.ts': '2' }, now: { 'a.ts': '1', 'b.ts': '3' }, changed: ['b.ts'] },
    {
      name: 'added and removed',
      built: { 'a.ts': '1', 'old.ts': '2' },
      now: { 'a.ts': '1', 'new.ts': '3' },
      changed: ['new.ts', 'old.ts'],
    },
  ])('$name', ({ built, now, changed }) => expect(changedSince(built, now)).toEqual(changed));
});

describe('a build older than its sources is refused', () => {
  it('fresh after the build; stale after a source changes, naming it; tests and a missing src/ do not count', () => {
    const root = mkdtempSync(join(tmpdir(), 'build-check-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('src/plugin.ts', 'a');
      write('src/core/tags.ts', 'b');
      write('src/core/tags.test.ts', 't');
      write('src/executors/x/schema.json', '{}');
      mkdirSync(join(root, 'dist'));
      expect(staleBuild(root)).toEqual(['dist/build-info.json is missing']);
      writeBuildInfo(root);
      expect(Object.keys(sourceFingerprint(join(root, 'src')).files).sort()).toEqual([
        'core/tags.ts',
        'executors/x/schema.json',
        'plugin.ts',
      ]);
      expect(staleBuild(root)).toBeNull();
      write('src/core/tags.test.ts', 'changed test');
      expect(staleBuild(root), 'a test is not part of the build').toBeNull();
      write('src/core/tags.ts', 'changed');
      write('src/core/new.ts', 'new');
      expect(staleBuild(root)).toEqual(['src/core/new.ts', 'src/core/tags.ts']);
      // The guard as the built code runs it (its own folder is dist/).
      expect(() => assertFreshBuild(join(root, 'dist'))).toThrow(
        /build is older than its sources \(src\/core\/new\.ts, src\/core\/tags\.ts changed since the last build\)\n {2}fix: run `npm run build`/,
      );
      expect(() => assertFreshBuild(join(root, 'src')), 'running from src/ (tests) needs no build').not.toThrow();
      const installed = mkdtempSync(join(tmpdir(), 'build-check-installed-'));
      cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true });
      expect(staleBuild(installed), 'an installed package ships dist/ without src/').toBeNull();
      rmSync(installed, { recursive: true, force: true });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads a file again only when its size or mtime changed since the build, as git reads its index', () => {
    const root = mkdtempSync(join(tmpdir(), 'build-check-stat-'));
    try {
      const file = (path: string) => join(root, 'src', path);
      mkdirSync(join(root, 'src'));
      mkdirSync(join(root, 'dist'));
      writeFileSync(file('a.ts'), 'aaa');
      writeFileSync(file('b.ts'), 'bbb');
      utimesSync(file('b.ts'), 1_700_000_000, 1_700_000_000);
      writeBuildInfo(root);
      expect(staleBuild(root)).toBeNull();
      // Same size, new content and a new mtime: read again, and stale.
      writeFileSync(file('a.ts'), 'AAA');
      utimesSync(file('a.ts'), new Date(), new Date(Date.now() + 5000));
      expect(staleBuild(root)).toEqual(['src/a.ts']);
      // Same size and the mtime it was built with: its recorded hash stands, the file is not read.
      writeFileSync(file('b.ts'), 'BBB');
      expect(statSync(file('b.ts')).mtimeMs).not.toBe(1_700_000_000_000);
      utimesSync(file('b.ts'), 1_700_000_000, 1_700_000_000);
      expect(staleBuild(root)).toEqual(['src/a.ts']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
