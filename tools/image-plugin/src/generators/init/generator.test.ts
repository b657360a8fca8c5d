import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger, readNxJson, updateJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkPluginOptions } from '../../options';
import initGenerator, { initWorkspace, readInitFacts, type InitFacts } from './generator';

const PLUGIN = '@workspace-images/image-plugin';
const pluginsOf = (tree: Tree) => readNxJson(tree)?.plugins;
/** An in-memory tree is no git repository: the facts init reads from git, as a real repository with a commit gives them. */
const READY: InitFacts = { git: 'ready' };
const IGNORED = '.gitignore: dist/, .nx/cache, .nx/workspace-data';

beforeEach(() => vi.stubEnv('GITHUB_REPOSITORY', ''));
afterEach(() => vi.unstubAllEnvs());

describe('one repository validator: init accepts and refuses what nx.json does (core/repository.ts)', () => {
  it.each([
    { repository: '[::1]:5000/acme/images', accepted: true },
    { repository: 'my_registry.io/acme/x', accepted: true },
    { repository: '127.0.0.1:5000/ci/images', accepted: true },
    { repository: 'ghcr.io/Acme/images', accepted: false },
    { repository: 'ghcr.io', accepted: false },
  ])('$repository', ({ repository, accepted }) => {
    const inNxJson = () => checkPluginOptions({ repository });
    const byInit = () => initWorkspace(createTreeWithEmptyWorkspace(), { repository }, READY);
    if (accepted) {
      expect(inNxJson).not.toThrow();
      expect(byInit).not.toThrow();
    } else {
      expect(inNxJson).toThrow();
      expect(byInit).toThrow();
    }
  });
});

describe('init on an in-memory workspace', () => {
  it('adds the plugin with --repository (normalized), the build-context .dockerignore and the .gitignore lines', () => {
    const tree = createTreeWithEmptyWorkspace();
    expect(initWorkspace(tree, { repository: ' ghcr.io/acme/images ' }, READY)).toEqual({
      added: [`nx.json: ${PLUGIN} (repository ghcr.io/acme/images)`, '.dockerignore', IGNORED],
      kept: [],
    });
    expect(pluginsOf(tree)).toEqual([{ plugin: PLUGIN, options: { repository: 'ghcr.io/acme/images' } }]);
    expect(tree.read('.dockerignore', 'utf8')).toMatch(
      /^# Keep the build context small: builds only read images\/ and scripts\/[^\n]*\n#[^\n]*\n\*\n!images\/\n!scripts\/\n/,
    );
    expect(tree.read('.gitignore', 'utf8')).toBe('dist/\n.nx/cache\n.nx/workspace-data\n');
  });

  it('keeps the other plugins and writes dockerfileGlob only when given; the ignore file follows it', () => {
    const tree = createTreeWithEmptyWorkspace();
    updateJson(tree, 'nx.json', (nx) => ({ ...nx, plugins: ['@nx/js'] }));
    initWorkspace(tree, { repository: 'ghcr.io/acme/images', dockerfileGlob: 'containers/*/Dockerfile' }, READY);
    expect(pluginsOf(tree)).toEqual([
      '@nx/js',
      { plugin: PLUGIN, options: { dockerfileGlob: 'containers/*/Dockerfile', repository: 'ghcr.io/acme/images' } },
    ]);
    expect(tree.read('.dockerignore', 'utf8')).toContain('\n!containers/\n!scripts/\n');
  });

  it('appends to a .gitignore only the lines it lacks, after a last line without a newline', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.gitignore', 'node_modules\n/.nx/cache');
    expect(initWorkspace(tree, { repository: 'ghcr.io/acme/images' }, READY).added).toContain(
      '.gitignore: dist/, .nx/workspace-data',
    );
    expect(tree.read('.gitignore', 'utf8')).toBe('node_modules\n/.nx/cache\ndist/\n.nx/workspace-data\n');
  });

  it('twice changes nothing (the same options or none); a workspace that loads the plugin by path keeps its entry; own ignore files are kept', () => {
    const tree = createTreeWithEmptyWorkspace();
    initWorkspace(tree, { repository: 'ghcr.io/acme/images' }, READY);
    const files = () => ['nx.json', '.dockerignore', '.gitignore'].map((f) => tree.read(f, 'utf8'));
    const after = files();
    for (const again of [{ repository: ' ghcr.io/acme/images' }, {}]) {
      expect(initWorkspace(tree, again, { git: 'ready', remoteRepository: 'ghcr.io/other/x' })).toEqual({
        added: [],
        kept: [`nx.json: ${PLUGIN}`, '.dockerignore', '.gitignore'],
      });
      expect(files()).toEqual(after);
    }

    const local = createTreeWithEmptyWorkspace();
    updateJson(local, 'nx.json', (nx) => ({
      ...nx,
      plugins: [{ plugin: './tools/image-plugin/src/plugin.ts', options: {} }],
    }));
    local.write('.dockerignore', 'node_modules\n');
    local.write('.gitignore', 'dist\n.nx\n');
    expect(initWorkspace(local, {}, READY).added).toEqual([]);
    expect(local.read('.dockerignore', 'utf8')).toBe('node_modules\n');
    expect(local.read('.gitignore', 'utf8')).toBe('dist\n.nx\n');
  });

  const acmeEntry = { plugin: PLUGIN, options: { repository: 'ghcr.io/acme/images' } };
  it.each([
    [
      'no repository and no GitHub remote',
      {},
      READY,
      [],
      'no repository to publish images to: the origin remote is not a GitHub repository (or there is none)\n  fix: pass --repository ghcr.io/<owner>/<repo>',
    ],
    [
      'a repository with a tag',
      { repository: 'ghcr.io/acme/images:base' },
      READY,
      [],
      '--repository: "ghcr.io/acme/images:base" is not a repository name\n  fix: write it as <registry>/<owner>/<name>',
    ],
    [
      'a repository with capitals',
      { repository: 'ghcr.io/Acme/Images/' },
      READY,
      [],
      '--repository: "ghcr.io/Acme/Images/" ends with a slash and must be lower case\n  fix: write ghcr.io/acme/images',
    ],
    [
      'a glob that says no folder',
      { repository: 'ghcr.io/acme/images', dockerfileGlob: '**/Dockerfile' },
      READY,
      [],
      `dockerfileGlob "**/Dockerfile" does not say which folder`,
    ],
    [
      'a folder that is not a git repository',
      { repository: 'ghcr.io/acme/images' },
      { git: 'not-a-repository' },
      [],
      "this workspace is not a git repository: the images' tags name the commit they are built from\n  fix: git init && git add -A && git commit",
    ],
    [
      'a git repository with no commit yet',
      { repository: 'ghcr.io/acme/images' },
      { git: 'no-commit' },
      [],
      'the git repository has no commit yet',
    ],
    [
      'the plugin in nx.json with another repository',
      { repository: 'ghcr.io/acme/other' },
      READY,
      [acmeEntry],
      `nx.json: nx.json already has a ${PLUGIN} entry with repository "ghcr.io/acme/images", not --repository ghcr.io/acme/other\n  fix: change its options in nx.json by hand, or run init without --repository to keep them`,
    ],
  ] as Array<[string, Record<string, string>, InitFacts, unknown[], string]>)(
    'refuses %s, writing nothing',
    (_case, schema, facts, plugins, expected) => {
      const tree = createTreeWithEmptyWorkspace();
      if (plugins.length) updateJson(tree, 'nx.json', (nx) => ({ ...nx, plugins }));
      const before = tree.listChanges().map((c) => [c.path, c.content?.toString()]);
      expect(() => initWorkspace(tree, schema, facts)).toThrow(expected);
      expect(tree.listChanges().map((c) => [c.path, c.content?.toString()])).toEqual(before);
    },
  );

  it('refuses a folder that is not an Nx workspace', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.delete('nx.json');
    expect(() => initWorkspace(tree, { repository: 'ghcr.io/a/b' }, READY)).toThrow(
      'nx.json: this is not an Nx workspace (no nx.json)',
    );
  });
});

describe('init in a real git repository: the repository from the origin remote', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const GIT_ENV = ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false'];
  const workspace = (remote?: string) => {
    const root = mkdtempSync(join(tmpdir(), 'init-'));
    roots.push(root);
    writeFileSync(join(root, 'nx.json'), '{\n  "$schema": "./node_modules/nx/schemas/nx-schema.json"\n}\n');
    if (remote === undefined) return root;
    execFileSync('git', ['init', '-q'], { cwd: root });
    if (remote) execFileSync('git', ['remote', 'add', 'origin', remote], { cwd: root });
    return root;
  };
  const commit = (root: string) => {
    execFileSync('git', ['add', '-A'], { cwd: root });
    execFileSync('git', [...GIT_ENV, 'commit', '-q', '-m', 'first'], { cwd: root });
  };

  it.each([
    ['git@github.com:Acme/Workspace-Images.git', 'ghcr.io/acme/workspace-images'],
    ['https://github.com/acme/images', 'ghcr.io/acme/images'],
  ])('%s -> %s, written to disk; a second run leaves every file byte for byte', async (remote, repository) => {
    const root = workspace(remote);
    commit(root);
    const run = async () => {
      const tree = new FsTree(root, false);
      const report = await initGenerator(tree, {});
      flushChanges(root, tree.listChanges());
      return report;
    };
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    (await run())();
    expect(info.mock.calls.map((c) => c[0])).toEqual([
      `Added nx.json: ${PLUGIN} (repository ${repository})`,
      'Added .dockerignore',
      `Added ${IGNORED}`,
      expect.stringMatching(/^Next: nx g @workspace-images\/image-plugin:image <name>/),
    ]);
    const files = () => ['nx.json', '.dockerignore', '.gitignore'].map((f) => readFileSync(join(root, f), 'utf8'));
    const written = files();
    expect(JSON.parse(written[0]).plugins).toEqual([{ plugin: PLUGIN, options: { repository } }]);
    info.mockClear();
    (await run())();
    expect(info.mock.calls.map((c) => c[0]).slice(0, 3)).toEqual([
      `Kept nx.json: ${PLUGIN} (already there)`,
      'Kept .dockerignore (already there)',
      'Kept .gitignore (already there)',
    ]);
    expect(files()).toEqual(written);
    info.mockRestore();
  });

  it.each([
    ['a folder that is not a git repository', undefined, 'this workspace is not a git repository'],
    ['a git repository with no commit yet', 'https://github.com/acme/images', 'the git repository has no commit yet'],
  ])('refuses %s, writing nothing', async (_case, remote, expected) => {
    const root = workspace(remote);
    expect(readInitFacts(root).git).toBe(remote === undefined ? 'not-a-repository' : 'no-commit');
    const tree = new FsTree(root, false);
    await expect(initGenerator(tree, { repository: 'ghcr.io/acme/images' })).rejects.toThrow(expected);
    expect(tree.listChanges()).toEqual([]);
  });
});
