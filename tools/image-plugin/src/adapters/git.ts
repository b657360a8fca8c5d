import { execFile, spawnSync } from 'node:child_process';
import { ImageConfigError } from '../core/errors';
import type { GitState } from '../core/workspace-init';

/** Runs git; never rejects: the exit code and output tell. */
function git(cwd: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

export interface Revision {
  /** Full commit SHA of HEAD. */
  sha: string;
  /** Paths with uncommitted changes (tracked or untracked). */
  changes: string[];
}

/** HEAD's SHA and the uncommitted changes, from one `git status` (one process per run). */
export async function currentRevision(cwd: string): Promise<Revision> {
  const status = await git(cwd, ['status', '--porcelain=v2', '--branch']);
  const revision = status.exitCode === 0 ? parseStatus(status.stdout) : null;
  if (!revision) {
    throw new ImageConfigError(
      `git cannot tell the commit in ${cwd}${status.stderr.trim() ? ` (${status.stderr.trim().split('\n')[0]})` : ''}`,
      'run inside a git repository with at least one commit',
      cwd,
    );
  }
  return revision;
}

/**
 * `git status --porcelain=v2 --branch` -> HEAD's SHA and the changed paths; null before the first
 * commit. Entries: `1 XY ... <path>`, `2 XY ... <path>\t<orig>`, `u XY ... <path>`, `? <path>`.
 */
export function parseStatus(output: string): Revision | null {
  let sha: string | undefined;
  const changes: string[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith('# branch.oid ')) sha = line.slice('# branch.oid '.length).trim();
    else if (line.startsWith('? ') || line.startsWith('! ')) changes.push(line.slice(2));
    else if (line.startsWith('1 ')) changes.push(line.split(' ').slice(8).join(' '));
    else if (line.startsWith('2 ')) changes.push(line.split(' ').slice(9).join(' ').split('\t')[0]);
    else if (line.startsWith('u ')) changes.push(line.split(' ').slice(10).join(' '));
  }
  return sha && /^[0-9a-f]{40,64}$/.test(sha) ? { sha, changes } : null;
}

/** Whether `cwd` is in a git repository with a commit (two `git rev-parse`, for the init generator). */
export function gitState(cwd: string): GitState {
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd, encoding: 'utf8' });
  if (inside.error && 'code' in inside.error && inside.error.code === 'ENOENT') return 'no-git';
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') return 'not-a-repository';
  const head = spawnSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd, encoding: 'utf8' });
  return head.status === 0 ? 'ready' : 'no-commit';
}

/** The commit a tag points at. */
export async function commitOf(cwd: string, ref: string): Promise<string> {
  const r = await git(cwd, ['rev-list', '-n', '1', ref]);
  if (r.exitCode !== 0) {
    throw new ImageConfigError(
      `git cannot find ${ref} (${r.stderr.trim().split('\n')[0]})`,
      'fetch the tags and the history (actions/checkout with fetch-depth: 0, or git fetch --tags)',
      cwd,
    );
  }
  return r.stdout.trim();
}

/** Every `v*` tag of the repository. */
export async function versionTags(cwd: string): Promise<string[]> {
  const r = await git(cwd, ['tag', '--list', 'v*']);
  if (r.exitCode !== 0) throw new Error(`git tag --list failed in ${cwd}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** The `v*` tags whose commits are in `commit`'s history (`git tag --merged`). */
export async function versionTagsIn(cwd: string, commit: string): Promise<string[]> {
  const r = await git(cwd, ['tag', '--list', 'v*', '--merged', commit]);
  if (r.exitCode !== 0) throw new Error(`git tag --merged ${commit} failed in ${cwd}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** The commits of `ref` following first parents (a branch's own history), newest first. */
export async function firstParentHistory(cwd: string, ref: string, max: number): Promise<string[]> {
  const r = await git(cwd, ['rev-list', '--first-parent', `--max-count=${max}`, ref]);
  if (r.exitCode !== 0) {
    throw new ImageConfigError(
      `git cannot list the history of ${ref} (${r.stderr.trim().split('\n')[0]})`,
      'fetch it (actions/checkout with fetch-depth: 0, or git fetch origin)',
      cwd,
    );
  }
  return r.stdout.split('\n').filter(Boolean);
}

/**
 * The committer time of `sha` in seconds: the build's SOURCE_DATE_EPOCH. A dirty tree builds with HEAD's
 * time too (its version label says `-dirty`; its bytes are no function of any commit anyway).
 */
export async function commitTime(cwd: string, sha: string): Promise<number> {
  const r = await git(cwd, ['show', '-s', '--format=%ct', sha]);
  const seconds = Number(r.stdout.trim());
  if (r.exitCode !== 0 || !Number.isInteger(seconds)) {
    throw new Error(`git cannot tell the time of ${sha} in ${cwd}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return seconds;
}
