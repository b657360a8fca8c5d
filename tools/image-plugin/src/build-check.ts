import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
  /** Source path -> `<size>:<mtime ms>` when it was hashed: a file that still has them is not read again. */
  stats?: Record<string, string>;
}

const statOf = (path: string) => {
  const s = statSync(path);
  return `${s.size}:${s.mtimeMs}`;
};

/** What decides dist/: every file under src/ except tests and their doubles (`*.double.ts`). */
const isSource = (path: string) =>
  !path.endsWith('.test.ts') && !path.endsWith('.double.ts') && !path.includes('__snapshots__/');

/**
 * Every source file of `srcDir` with the sha256 of its content (and its size and mtime). A file whose
 * size and mtime match `known` keeps its known hash unread, as git's index does: the check then costs
 * one stat per file when nothing changed.
 */
export function sourceFingerprint(srcDir: string, known?: BuildInfo): Required<BuildInfo> {
  const files: Record<string, string> = {};
  const stats: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && isSource(path)) {
        const name = relative(srcDir, path).split('\\').join('/');
        const stat = statOf(path);
        const hash = known?.stats?.[name] === stat ? known.files[name] : undefined;
        files[name] = hash ?? createHash('sha256').update(readFileSync(path)).digest('hex');
        stats[name] = stat;
      }
    }
  };
  walk(srcDir);
  return { files, stats };
}

export function writeBuildInfo(packageRoot: string): void {
  const info: BuildInfo = sourceFingerprint(join(packageRoot, 'src'));
  writeFileSync(join(packageRoot, 'dist', BUILD_INFO_FILE), `${JSON.stringify(info, null, 1)}\n`);
}

/** The source files that differ from what dist/ was built from (changed, added or removed); [] when none. */
export function changedSince(built: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): string[] {
  const paths = new Set([...Object.keys(built), ...Object.keys(now)]);
  return [...paths].filter((p) => built[p] !== now[p]).sort();
}

/** Whether dist/ was built from the sources next to it; null when it was, else what changed. */
export function staleBuild(packageRoot: string): string[] | null {
  let info: BuildInfo | null = null;
  try {
    info = JSON.parse(readFileSync(join(packageRoot, 'dist', BUILD_INFO_FILE), 'utf8')) as BuildInfo;
  } catch {
    // told below, when there are sources to compare
  }
  let srcNow: Required<BuildInfo>;
  try {
    srcNow = sourceFingerprint(join(packageRoot, 'src'), info ?? undefined);
  } catch {
    return null; // an installed package ships dist/ only: nothing to compare
  }
  if (!info) return [`dist/${BUILD_INFO_FILE} is missing`];
  const changed = changedSince(info.files, srcNow.files);
  return changed.length ? changed.map((p) => `src/${p}`) : null;
}

/**
 * What identifies the plugin's code as it runs: a hash of its build record (dist/build-info.json, which
 * changes with every source file), or of its package.json where there is none. Cached inferences are
 * keyed by it, so a rebuilt or upgraded plugin infers again.
 */
export function buildFingerprint(moduleDir: string = __dirname): string {
  const packageRoot = join(moduleDir, '..');
  for (const file of [join(packageRoot, 'dist', BUILD_INFO_FILE), join(packageRoot, 'package.json')]) {
    try {
      return createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {
      // try the next
    }
  }
  return 'unknown';
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
