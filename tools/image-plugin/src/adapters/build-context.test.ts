import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFilter } from './build-context';
import { hashFolders } from './files';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

const workspace = (files: Record<string, string>) => {
  const root = mkdtempSync(join(tmpdir(), 'build-context-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
};

describe('the build context decides what is hashed', () => {
  it('follows the root .dockerignore: the README and the test spec are not in the context', async () => {
    const root = workspace({
      '.dockerignore': '*\n!images/\n!scripts/\n**/*.md\n**/image-test.yaml\n',
      'images/base/Dockerfile': 'FROM debian:trixie-slim\n',
      'images/base/README.md': 'docs',
      'images/base/image-test.yaml': 'checks: []',
      'images/base/files/motd': 'hi',
      'scripts/git/install.sh': 'echo',
    });
    const hashes = await hashFolders(
      root,
      ['images/base', 'scripts/git'],
      await contextFilter(root, 'images/base/Dockerfile'),
    );
    expect(Object.keys(hashes).sort()).toEqual([
      'images/base/Dockerfile',
      'images/base/files/motd',
      'scripts/git/install.sh',
    ]);
  });

  it('prefers <Dockerfile>.dockerignore next to the Dockerfile', async () => {
    const root = workspace({
      '.dockerignore': '**/*.md\n',
      'images/base/Dockerfile': 'FROM x\n',
      'images/base/Dockerfile.dockerignore': 'images/base/secret.txt\n',
      'images/base/README.md': 'docs',
      'images/base/secret.txt': 'no',
    });
    const include = await contextFilter(root, 'images/base/Dockerfile');
    expect(include('images/base/README.md')).toBe(true);
    expect(include('images/base/secret.txt')).toBe(false);
  });

  it('without a .dockerignore every file counts', async () => {
    const root = workspace({ 'images/base/Dockerfile': 'FROM x\n', 'images/base/README.md': 'docs' });
    expect(
      Object.keys(await hashFolders(root, ['images/base'], await contextFilter(root, 'images/base/Dockerfile'))).sort(),
    ).toEqual(['images/base/Dockerfile', 'images/base/README.md']);
  });
});
