import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImageConfigError } from '../core/errors';
import { hashFolders, readDockerfileSource } from './files';

let root: string;
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const link = (path: string, target: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  symlinkSync(target, join(root, path));
};
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'files-adapter-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('hashFolders and symlinks (a real file system)', () => {
  it('a link to a file elsewhere changes its hash when the target is edited or the link retargeted', async () => {
    write('lib/real.sh', 'echo 1\n');
    write('lib/other.sh', 'echo 1\n');
    link('scripts/t/install.sh', '../../lib/real.sh');
    const first = await hashFolders(root, ['scripts/t']);
    expect(Object.keys(first)).toEqual(['scripts/t/install.sh']);
    write('lib/real.sh', 'echo 2\n');
    const edited = await hashFolders(root, ['scripts/t']);
    expect(edited['scripts/t/install.sh']).not.toBe(first['scripts/t/install.sh']);
    rmSync(join(root, 'scripts/t/install.sh'));
    link('scripts/t/install.sh', '../../lib/other.sh');
    const retargeted = await hashFolders(root, ['scripts/t']);
    expect(new Set([first, edited, retargeted].map((h) => h['scripts/t/install.sh'])).size).toBe(3);
  });

  it('a linked folder is walked under the link path; a loop ends', async () => {
    write('shared/a.txt', 'a');
    write('shared/deep/b.txt', 'b');
    link('images/x/shared', '../../shared');
    link('images/x/loop', '.');
    write('images/x/Dockerfile', 'FROM debian\n');
    const hashes = await hashFolders(root, ['images/x']);
    expect(Object.keys(hashes).sort()).toEqual([
      'images/x/Dockerfile',
      'images/x/loop',
      'images/x/shared',
      'images/x/shared/a.txt',
      'images/x/shared/deep/b.txt',
    ]);
  });

  it('an absolute link resolves inside the workspace; a dangling one is hashed by its text', async () => {
    write('etc/marker', 'in the workspace');
    link('images/x/abs', '/etc/marker');
    link('images/x/dangling', '/no/such/file');
    const before = await hashFolders(root, ['images/x']);
    write('etc/marker', 'edited');
    const after = await hashFolders(root, ['images/x']);
    expect(after['images/x/abs']).not.toBe(before['images/x/abs']);
    expect(after['images/x/dangling']).toBe(before['images/x/dangling']);
  });

  it('the build context filter applies to links by their own path', async () => {
    write('lib/real.sh', 'x');
    link('images/x/ignored.sh', '../../lib/real.sh');
    expect(await hashFolders(root, ['images/x'], (p) => !p.endsWith('ignored.sh'))).toEqual({});
  });
});

describe('readDockerfileSource', () => {
  it('a regular Dockerfile, and a link inside its folder (read through the link)', () => {
    write('images/x/Dockerfile.base', 'FROM debian:trixie-slim\n');
    link('images/x/Dockerfile', 'Dockerfile.base');
    write('images/y/Dockerfile', 'FROM debian\n');
    expect(readDockerfileSource(root, 'images/x/Dockerfile')).toEqual({
      dockerfile: 'images/x/Dockerfile',
      content: 'FROM debian:trixie-slim\n',
    });
    expect(readDockerfileSource(root, 'images/y/Dockerfile').content).toBe('FROM debian\n');
  });

  it.each(['../../shared/Dockerfile', '../x/sub/D'])(
    'a link out of its folder (%s) is refused, naming the file and the fix',
    (target) => {
      write('shared/Dockerfile', 'FROM debian\n');
      write('images/x/sub/D', 'FROM debian\n');
      link('images/x/Dockerfile', target);
      let error: unknown;
      try {
        readDockerfileSource(root, 'images/x/Dockerfile');
      } catch (e) {
        error = e;
      }
      expect(isImageConfigError(error)).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`^images/x/Dockerfile: the Dockerfile is a symlink to ${target.replace(/\./g, '\\.')}`),
      );
      expect((error as Error).message).toContain('fix: make images/x/Dockerfile a regular file');
    },
  );
});
