import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNxJson, updateJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import initGenerator, { initWorkspace } from './generator';

const PLUGIN = '@workspace-images/image-plugin';
const pluginsOf = (tree: Tree) => readNxJson(tree)?.plugins;

beforeEach(() => vi.stubEnv('GITHUB_REPOSITORY', ''));
afterEach(() => vi.unstubAllEnvs());

describe('init on an in-memory workspace', () => {
  it('adds the plugin with --repository (normalized) and the build-context .dockerignore', () => {
    const tree = createTreeWithEmptyWorkspace();
    expect(initWorkspace(tree, { repository: 'GHCR.io/Acme/Images/' })).toEqual({
      added: [`nx.json: ${PLUGIN} (repository ghcr.io/acme/images)`, '.dockerignore'],
      kept: [],
    });
    expect(pluginsOf(tree)).toEqual([{ plugin: PLUGIN, options: { repository: 'ghcr.io/acme/images' } }]);
    expect(tree.read('.dockerignore', 'utf8')).toMatch(
      /^# Keep the build context small: builds only read images\/ and scripts\/[^\n]*\n#[^\n]*\n\*\n!images\/\n!scripts\/\n/,
    );
  });

  it('keeps the other plugins and writes dockerfileGlob only when given; the ignore file follows it', () => {
    const tree = createTreeWithEmptyWorkspace();
    updateJson(tree, 'nx.json', (nx) => ({ ...nx, plugins: ['@nx/js'] }));
    initWorkspace(tree, { repository: 'ghcr.io/acme/images', dockerfileGlob: 'containers/*/Dockerfile' });
    expect(pluginsOf(tree)).toEqual([
      '@nx/js',
      { plugin: PLUGIN, options: { dockerfileGlob: 'containers/*/Dockerfile', repository: 'ghcr.io/acme/images' } },
    ]);
    expect(tree.read('.dockerignore', 'utf8')).toContain('\n!containers/\n!scripts/\n');
  });

  it('twice changes nothing; a workspace that loads the plugin by path keeps its entry; an own .dockerignore is kept', () => {
    const tree = createTreeWithEmptyWorkspace();
    initWorkspace(tree, { repository: 'ghcr.io/acme/images' });
    const after = { nx: tree.read('nx.json', 'utf8'), ignore: tree.read('.dockerignore', 'utf8') };
    expect(initWorkspace(tree, { repository: 'ghcr.io/other/x' })).toEqual({
      added: [],
      kept: [`nx.json: ${PLUGIN}`, '.dockerignore'],
    });
    expect({ nx: tree.read('nx.json', 'utf8'), ignore: tree.read('.dockerignore', 'utf8') }).toEqual(after);

    const local = createTreeWithEmptyWorkspace();
    updateJson(local, 'nx.json', (nx) => ({
      ...nx,
      plugins: [{ plugin: './tools/image-plugin/src/plugin.ts', options: {} }],
    }));
    local.write('.dockerignore', 'node_modules\n');
    expect(initWorkspace(local, {}).added).toEqual([]);
    expect(local.read('.dockerignore', 'utf8')).toBe('node_modules\n');
  });

  it.each([
    [
      'no repository and no GitHub remote',
      {},
      'no repository to publish images to: the origin remote is not a GitHub repository (or there is none)\n  fix: pass --repository ghcr.io/<owner>/<repo>',
    ],
    [
      'a repository with a tag',
      { repository: 'ghcr.io/acme/images:base' },
      '"ghcr.io/acme/images:base" is not a repository to publish images to',
    ],
    [
      'a glob that says no folder',
      { repository: 'ghcr.io/acme/images', dockerfileGlob: '**/Dockerfile' },
      `dockerfileGlob "**/Dockerfile" does not say which folder`,
    ],
  ])('refuses %s, writing nothing', async (_case, schema, expected) => {
    const tree = createTreeWithEmptyWorkspace();
    const before = tree.listChanges().length;
    await expect(initGenerator(tree, schema)).rejects.toThrow(expected);
    expect(tree.listChanges().length).toBe(before);
  });

  it('refuses a folder that is not an Nx workspace', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.delete('nx.json');
    await expect(initGenerator(tree, { repository: 'ghcr.io/a/b' })).rejects.toThrow(
      'nx.json: this is not an Nx workspace (no nx.json)',
    );
  });
});

describe('init in a real git repository: the repository from the origin remote', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it.each([
    ['git@github.com:Acme/Workspace-Images.git', 'ghcr.io/acme/workspace-images'],
    ['https://github.com/acme/images', 'ghcr.io/acme/images'],
  ])('%s -> %s, written to disk; a second run leaves nx.json byte for byte', (remote, repository) => {
    const root = mkdtempSync(join(tmpdir(), 'init-'));
    roots.push(root);
    writeFileSync(join(root, 'nx.json'), '{\n  "$schema": "./node_modules/nx/schemas/nx-schema.json"\n}\n');
    execFileSync('git', ['init', '-q'], { cwd: root });
    execFileSync('git', ['remote', 'add', 'origin', remote], { cwd: root });
    const run = () => {
      const tree = new FsTree(root, false);
      const result = initWorkspace(tree, {});
      flushChanges(root, tree.listChanges());
      return result;
    };
    expect(run().added).toEqual([`nx.json: ${PLUGIN} (repository ${repository})`, '.dockerignore']);
    const nx = readFileSync(join(root, 'nx.json'), 'utf8');
    expect(JSON.parse(nx).plugins).toEqual([{ plugin: PLUGIN, options: { repository } }]);
    expect(run().added).toEqual([]);
    expect(readFileSync(join(root, 'nx.json'), 'utf8')).toBe(nx);
  });
});
