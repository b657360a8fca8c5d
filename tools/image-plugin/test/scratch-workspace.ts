import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The real workspace this test suite lives in. */
export const WORKSPACE = resolve(__dirname, '../../..');

/** How every test workspace runs Nx and git: no daemon, no cloud, no colours or prompts, a fixed author. */
export const TEST_WORKSPACE_ENV: NodeJS.ProcessEnv = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_INTERACTIVE: 'false',
  CI: 'true',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/**
 * A scratch copy of the workspace (nx.json, .env, package.json, tsconfig.base.json, the plugin under
 * tools/) in a temp dir, with node_modules symlinked to the real one. Nx state (cache, workspace
 * data, daemon) stays inside it, so runs neither see nor disturb the real workspace.
 */
export class ScratchWorkspace {
  readonly root: string;

  constructor(prefix = 'image-plugin-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    for (const file of ['nx.json', 'package.json', 'tsconfig.base.json', '.env'])
      cpSync(join(WORKSPACE, file), join(this.root, file));
    cpSync(join(WORKSPACE, 'tools'), join(this.root, 'tools'), {
      recursive: true,
      // Tests, the test environment and benchmarks are not part of the plugin.
      filter: (src) =>
        !/\.test\.ts$/.test(src) &&
        !/\/tools\/image-plugin\/test(\/|$)/.test(src) &&
        !/\/tools\/(test-env|benchmarks)(\/|$)/.test(src),
    });
    symlinkSync(join(WORKSPACE, 'node_modules'), join(this.root, 'node_modules'), 'dir');
    writeFileSync(join(this.root, '.gitignore'), 'node_modules\n.nx\ndist\n');
  }

  /** Copies a folder of the real workspace (`images`, `scripts`) into the scratch one. */
  copyFromWorkspace(dir: string): void {
    cpSync(join(WORKSPACE, dir), join(this.root, dir), { recursive: true });
  }

  write(files: Record<string, string>): void {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.root, path)), { recursive: true });
      writeFileSync(join(this.root, path), content);
    }
  }

  remove(path: string): void {
    rmSync(join(this.root, path), { recursive: true, force: true });
  }

  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...TEST_WORKSPACE_ENV,
      NX_SKIP_NX_CACHE: 'true',
      NX_CACHE_DIRECTORY: join(this.root, '.nx/cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(this.root, '.nx/workspace-data'),
    };
    // The scratch workspace is its own git repository, whatever the caller's environment says.
    for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GITHUB_REPOSITORY', 'NX_BASE', 'NX_HEAD'])
      delete env[key];
    return env;
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.root,
      env: this.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** `git init` and a first commit of everything. */
  initGit(): void {
    this.git('init', '-q', '-b', 'main');
    this.commitAll('initial');
  }

  commitAll(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  /** `npx nx ...` in the scratch workspace (resolves to the symlinked node_modules); never throws. */
  nx(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    return this.nxWith({}, ...args);
  }

  /** `nx` with variables added to (or, as '', emptied in) the workspace's environment. */
  nxWith(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync('npx', ['--no-install', 'nx', ...args], {
      cwd: this.root,
      env: { ...this.env, ...env },
      encoding: 'utf8',
      timeout: 180_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** `nx show projects ...` as a sorted list; throws with Nx's output when it fails. */
  showProjects(...args: string[]): string[] {
    const result = this.nx('show', 'projects', '--json', ...args);
    if (result.status !== 0)
      throw new Error(`nx show projects ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
    return (JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as string[]).sort();
  }

  dispose(): void {
    if (existsSync(this.root) && !process.env.KEEP_SCRATCH) rmSync(this.root, { recursive: true, force: true });
  }
}

const install = (tool: string) => `#!/usr/bin/env bash\nset -euo pipefail\necho "installing ${tool}"\n`;

/** A self-contained family shaped like the real one: base FROM debian, node/cpp/developer FROM base. */
export const SAMPLE_FAMILY: Record<string, string> = {
  'images/base/Dockerfile': [
    'FROM debian:trixie-slim',
    'RUN --mount=type=bind,source=scripts/git,target=/scripts/git bash /scripts/git/install.sh',
    '',
  ].join('\n'),
  'images/node/Dockerfile': [
    'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base',
    'FROM ${BASE_IMAGE}',
    'RUN echo node',
    '',
  ].join('\n'),
  'images/cpp/Dockerfile': [
    'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base',
    'FROM ${BASE_IMAGE}',
    'RUN --mount=type=bind,source=scripts/cmake,target=/scripts/cmake bash /scripts/cmake/install.sh',
    '',
  ].join('\n'),
  'images/developer/Dockerfile': [
    'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base',
    'FROM ${BASE_IMAGE}',
    'RUN --mount=type=bind,source=scripts/docker-engine,target=/scripts/docker-engine bash /scripts/docker-engine/install.sh',
    '',
  ].join('\n'),
  'scripts/git/install.sh': install('git'),
  'scripts/cmake/install.sh': install('cmake'),
  'scripts/docker-engine/install.sh': install('docker-engine'),
  'docs/README.md': '# docs\n',
};

/** Whether the real workspace has the four images of the family. */
export const hasRealFamily = (): boolean =>
  ['base', 'node', 'cpp', 'developer'].every((n) => existsSync(join(WORKSPACE, 'images', n, 'Dockerfile'))) &&
  existsSync(join(WORKSPACE, 'scripts'));
