import { execa } from 'execa';

export interface Revision {
  /** Full commit SHA of HEAD. */
  sha: string;
  /** Files with uncommitted changes (tracked or untracked), as `git status --porcelain` lists them. */
  changes: string[];
}

export async function currentRevision(cwd: string, paths: readonly string[] = []): Promise<Revision> {
  const head = await execa('git', ['rev-parse', 'HEAD'], { cwd, reject: false });
  if (head.exitCode !== 0) {
    throw new Error(`git rev-parse HEAD failed in ${cwd}: ${head.stderr.trim()}\n  fix: run inside a git repository with at least one commit`);
  }
  const status = await execa('git', ['status', '--porcelain', '--', ...paths], { cwd });
  return { sha: head.stdout.trim(), changes: status.stdout.split('\n').filter(Boolean) };
}

/** The commit a tag points at. */
export async function commitOf(cwd: string, ref: string): Promise<string> {
  const r = await execa('git', ['rev-list', '-n', '1', ref], { cwd, reject: false });
  if (r.exitCode !== 0) throw new Error(`git cannot find ${ref}: ${r.stderr.trim()}\n  fix: fetch tags (actions/checkout with fetch-depth: 0)`);
  return r.stdout.trim();
}

/** Every `v*` tag of the repository. */
export async function versionTags(cwd: string): Promise<string[]> {
  const r = await execa('git', ['tag', '--list', 'v*'], { cwd });
  return r.stdout.split('\n').filter(Boolean);
}

/** The commits of `ref` following first parents (a branch's own history), newest first. */
export async function firstParentHistory(cwd: string, ref: string, max: number): Promise<string[]> {
  const r = await execa('git', ['rev-list', '--first-parent', `--max-count=${max}`, ref], { cwd, reject: false });
  if (r.exitCode !== 0) throw new Error(`git cannot list the history of ${ref}: ${r.stderr.trim()}\n  fix: fetch it (actions/checkout with fetch-depth: 0)`);
  return r.stdout.split('\n').filter(Boolean);
}
