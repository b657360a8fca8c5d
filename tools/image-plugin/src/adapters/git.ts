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
