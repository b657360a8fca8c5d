import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageConfigError } from '../core/errors';
import { pushRefused } from '../core/pin-pull-request';

/** The identity of a commit made in GitHub Actions, where git has none configured. */
const ACTIONS_BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve) =>
    execFile('git', args, { cwd, env }, (error, stdout, stderr) =>
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    ),
  );
}

/** The branch checked out (in GitHub Actions' detached checkouts: GITHUB_REF_NAME). */
export async function checkedOutBranch(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const head = await git(cwd, ['symbolic-ref', '--short', '-q', 'HEAD'], env);
  const branch = head.stdout.trim() || env.GITHUB_REF_NAME;
  if (!branch) {
    throw new ImageConfigError(
      'HEAD is not on a branch, so the pull request has no branch to merge into',
      'check out the default branch (git switch main) or set GITHUB_REF_NAME',
      'images pin-bases --pull-request',
    );
  }
  return branch;
}

/**
 * Commits `files` (as they are in the work tree) on top of HEAD without touching HEAD, the index or the
 * checked-out branch (a throw-away index), and force-pushes that commit to `branch` of `remote`.
 * Returns the commit.
 */
export async function pushFilesToBranch(
  cwd: string,
  args: { files: string[]; message: string; branch: string; remote: string; env: NodeJS.ProcessEnv },
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pin-bases-index-'));
  const env = { ...args.env, GIT_INDEX_FILE: join(dir, 'index'), ...(await identity(cwd, args.env)) };
  try {
    const step = async (gitArgs: string[]) => {
      const r = await git(cwd, gitArgs, env);
      if (r.exitCode !== 0) throw new Error(`git ${gitArgs[0]}: ${r.stderr.trim()}`);
      return r.stdout.trim();
    };
    await step(['read-tree', 'HEAD']);
    await step(['update-index', '--add', '--', ...args.files]);
    const tree = await step(['write-tree']);
    const commit = await step(['commit-tree', tree, '-p', 'HEAD', '-m', args.message]);
    const push = await git(cwd, ['push', '--force', args.remote, `${commit}:refs/heads/${args.branch}`], env);
    if (push.exitCode !== 0) throw pushRefused(args.remote, push.stderr);
    return commit;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** GitHub Actions' bot as author and committer when git has no identity configured (an Actions runner). */
async function identity(cwd: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const configured = await git(cwd, ['config', 'user.email'], env);
  if (configured.stdout.trim() || env.GIT_COMMITTER_EMAIL) return {};
  const { name, email } = ACTIONS_BOT;
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}
