import { ImageConfigError } from './errors';
import { gitHubAnswer } from './github-release';

/**
 * `images pin-bases --pull-request`: the one pull request that brings every refresh of the pins (external
 * bases, Node.js, npm) to the default branch. Pure: its branch, its fields, and the errors it can end in.
 */

/** The branch the bump is committed to, force-updated on every run: one pull request for every refresh. */
export const PIN_BRANCH = 'pin-bases';

/** Where the job that opens the pull request is, and what it needs. */
const JOB = 'the job that runs `npx images pin-bases --pull-request` (.github/workflows/images.yml: base-pins)';
const PERMISSIONS = `${JOB} needs \`permissions: { contents: write, pull-requests: write }\` and \`env: GITHUB_TOKEN: \${{ github.token }}\``;

export interface PullRequestFields {
  title: string;
  body: string;
}

/** The title and the body (what moved, old -> new per pin, and what happens after the merge). */
export function pullRequestFields(moved: readonly string[]): PullRequestFields {
  return {
    title: `Refresh pinned bases and versions (${moved.length} pin${moved.length === 1 ? '' : 's'} moved)`,
    body: [
      '`npx images pin-bases` moved these pins to what their upstream publishes now:',
      '',
      '```',
      ...moved,
      '```',
      '',
      'Merged, this is an ordinary commit: the images it affects are built and tested, then published and released as usual. Every scheduled run force-updates this branch and this pull request with the newest pins.',
    ].join('\n'),
  };
}

/** No token or no repository to open the pull request in: refused before anything is written or pushed. */
export function missingGitHubSetting(name: 'GITHUB_TOKEN' | 'GITHUB_REPOSITORY'): ImageConfigError {
  return new ImageConfigError(
    `${name} is not set: the pull request is opened through GitHub's API`,
    name === 'GITHUB_TOKEN'
      ? `${PERMISSIONS}; elsewhere export a token that may push and write pull requests`
      : 'set GITHUB_REPOSITORY to owner/name (GitHub Actions sets it)',
    'images pin-bases --pull-request',
  );
}

/** One GitHub API failure of the pull-request flow: the step, GitHub's status and message, and the fix. */
export function pullRequestError(args: {
  step: string;
  repository: string;
  status: number | undefined;
  message: string;
  apiUrl: string;
}): ImageConfigError {
  const said = gitHubAnswer(args.status, args.message);
  return new ImageConfigError(
    `${args.step} of ${args.repository} failed: ${said}`,
    fixFor(args),
    'images pin-bases --pull-request',
  );
}

function fixFor(args: { repository: string; status: number | undefined; apiUrl: string }): string {
  switch (args.status) {
    case 401:
      return 'GITHUB_TOKEN is not a valid token (expired or revoked): in GitHub Actions pass ${{ github.token }}';
    case 403:
      return `the token may not write pull requests of ${args.repository}: ${PERMISSIONS}, and the repository's Settings > Actions > General must allow GitHub Actions to create pull requests; then run it again`;
    case 404:
      return `${args.repository} does not exist or the token cannot see it: check GITHUB_REPOSITORY (owner/name)`;
    case undefined:
      return `check that ${args.apiUrl} is reachable (GITHUB_API_URL, HTTPS_PROXY), then run it again`;
    default:
      return 'GitHub failed or limited the request: run it again in a few minutes (the branch and the pull request are updated, not duplicated)';
  }
}

/** A push of the bump's branch that git refused. */
export function pushRefused(remote: string, stderr: string): ImageConfigError {
  return new ImageConfigError(
    `pushing the branch ${PIN_BRANCH} to ${remote} failed: ${stderr.trim().split('\n').slice(-2).join(' ')}`,
    `${PERMISSIONS} (contents: write is what lets it push); locally, a remote ${remote} you may push to`,
    'images pin-bases --pull-request',
  );
}
