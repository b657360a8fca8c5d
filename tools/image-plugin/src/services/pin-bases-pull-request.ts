import { checkedOutBranch, pushFilesToBranch } from '../adapters/git-branch';
import { GitHubPullRequests } from '../adapters/github';
import { missingGitHubSetting, PIN_BRANCH, pullRequestFields } from '../core/pin-pull-request';
import { shortSha } from '../core/tags';
import { pinBump, writeFiles } from './pin-bases';

export interface PinPullRequestRequest {
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/**
 * `images pin-bases --pull-request`: the bump as one pull request. The token is checked first (present,
 * and allowed to write pull requests), so a job without the permission pushes nothing. Nothing moved: no
 * branch, no pull request. Otherwise the bump is committed on top of the checked-out branch, force-pushed
 * to `pin-bases`, and the open pull request from it is updated, or one is opened.
 */
export async function pinBasesPullRequest(req: PinPullRequestRequest): Promise<void> {
  const github = gitHubOf(req.env);
  const base = await checkedOutBranch(req.workspaceRoot, req.env);
  await github.probeWrite(base);
  const bump = await pinBump(req);
  if (!bump.moved.length) {
    req.log('nothing moved: no pull request');
    return;
  }
  await writeFiles(req.workspaceRoot, bump.files);
  const fields = pullRequestFields(bump.moved);
  const files = [...bump.files.keys()];
  const commit = await pushFilesToBranch(req.workspaceRoot, {
    files,
    message: `${fields.title}\n\n${bump.moved.join('\n')}\n`,
    branch: PIN_BRANCH,
    remote: 'origin',
    env: req.env,
  });
  req.log(`pushed ${shortSha(commit)} to ${PIN_BRANCH} (${files.join(', ')})`);
  const open = await github.openFrom(PIN_BRANCH);
  if (open) {
    await github.update(open, fields);
    req.log(`updated pull request #${open.number}: ${open.html_url}`);
  } else {
    const opened = await github.create(fields, PIN_BRANCH, base);
    req.log(`opened pull request #${opened.number}: ${opened.html_url}`);
  }
}

function gitHubOf(env: NodeJS.ProcessEnv): GitHubPullRequests {
  if (!env.GITHUB_TOKEN) throw missingGitHubSetting('GITHUB_TOKEN');
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw missingGitHubSetting('GITHUB_REPOSITORY');
  return new GitHubPullRequests(owner, repo, env.GITHUB_TOKEN, env.GITHUB_API_URL);
}
