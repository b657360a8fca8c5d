import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { ImageConfigError } from './core/errors';

/**
 * The plugin runs as JavaScript built ahead of time (`npm run build`: src/ -> dist/). The build
 * records a fingerprint of every source file it compiled (dist/build-info.json); the built entry
 * points compare it with src/ when they load and refuse to run code older than its sources.
 */
const BUILD_INFO_FILE = 'build-info.json';

interface BuildInfo {
  /** Source path (relative to src/) -> sha256 of its content. */
  files: Record<string, string>;
}

/** What decides dist/: every file under src/ except tests. */
const isSource = (path: string) => !path.endsWith('.test.ts') && !path.includes('__snapshots__/');

/** Every source file of `srcDir` with the sha256 of its content. */
export function sourceFingerprint(srcDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && isSource(path)) {
        files[relative(srcDir, path).split('\\').join('/')] = createHash('sha256')
          .update(readFileSync(path))
          .digest('hex');
      }
    }
  };
  walk(srcDir);
  return files;
}

export function writeBuildInfo(packageRoot: string): void {
  const info: BuildInfo = { files: sourceFingerprint(join(packageRoot, 'src')) };
  writeFileSync(join(packageRoot, 'dist', BUILD_INFO_FILE), `${JSON.stringify(info, null, 1)}\n`);
}

/** The source files that differ from what dist/ was built from (changed, added or removed); [] when none. */
export function changedSince(built: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): string[] {
  const paths = new Set([...Object.keys(built), ...Object.keys(now)]);
  return [...paths].filter((p) => built[p] !== now[p]).sort();
}

/** Whether dist/ was built from the sources next to it; null when it was, else what changed. */
export function staleBuild(packageRoot: string): string[] | null {
  let srcNow: Record<string, string>;
  try {
    srcNow = sourceFingerprint(join(packageRoot, 'src'));
  } catch {
    return null; // an installed package ships dist/ only: nothing to compare
  }
  let info: BuildInfo;
  try {
    info = JSON.parse(readFileSync(join(packageRoot, 'dist', BUILD_INFO_FILE), 'utf8')) as BuildInfo;
  } catch {
    return [`dist/${BUILD_INFO_FILE} is missing`];
  }
  const changed = changedSince(info.files, srcNow);
  return changed.length ? changed.map((p) => `src/${p}`) : null;
}

let checked = false;

/**
 * Called by every built entry point (plugin, executors, CLI) when it loads: throws when the sources
 * changed since the build. Does nothing when running from src/ (tests run the TypeScript directly).
 */
export function assertFreshBuild(moduleDir: string = __dirname): void {
  if (checked || basename(moduleDir) !== 'dist') return;
  const packageRoot = join(moduleDir, '..');
  const changed = staleBuild(packageRoot);
  if (changed) {
    const shown = changed.slice(0, 3).join(', ') + (changed.length > 3 ? `, and ${changed.length - 3} more` : '');
    throw new ImageConfigError(
      `the image plugin's build is older than its sources (${shown} changed since the last build)`,
      'run `npm run build` in the workspace root, then run again',
      relative(process.cwd(), join(packageRoot, 'dist')) || 'dist',
    );
  }
  checked = true;
}
