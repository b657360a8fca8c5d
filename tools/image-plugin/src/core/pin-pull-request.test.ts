import { describe, expect, it } from 'vitest';
import { missingGitHubSetting, pullRequestError, pullRequestFields, pushRefused } from './pin-pull-request';

describe('pullRequestFields', () => {
  it('lists every move, old -> new, and says what happens after the merge', () => {
    const moved = [
      'images/base/Dockerfile:13: NODE_VERSION 26.10.0 -> 26.12.1',
      'images/base/Dockerfile:16: NPM_VERSION 12.2.1 -> 12.3.0',
    ];
    const { title, body } = pullRequestFields(moved);
    expect(title).toBe('Refresh pinned bases and versions (2 pins moved)');
    expect(body).toContain(['```', ...moved, '```'].join('\n'));
    expect(body).toContain('built and tested, then published and released as usual');
    expect(pullRequestFields(moved.slice(1)).title).toBe('Refresh pinned bases and versions (1 pin moved)');
  });
});

describe('the errors of --pull-request: one message with the fix', () => {
  const at = {
    step: 'opening the pull request from pin-bases',
    repository: 'acme/images',
    apiUrl: 'http://127.0.0.1:9',
  };
  it.each([
    { error: missingGitHubSetting('GITHUB_TOKEN'), says: 'GITHUB_TOKEN is not set', fix: 'pull-requests: write' },
    { error: missingGitHubSetting('GITHUB_REPOSITORY'), says: 'GITHUB_REPOSITORY is not set', fix: 'owner/name' },
    {
      error: pullRequestError({ ...at, status: 403, message: 'Resource not accessible by integration' }),
      says: 'GitHub answered 403: Resource not accessible by integration',
      fix: 'allow GitHub Actions to create pull requests',
    },
    {
      error: pullRequestError({ ...at, status: 401, message: 'Bad credentials' }),
      says: '401',
      fix: 'not a valid token',
    },
    {
      error: pullRequestError({ ...at, status: undefined, message: 'ECONNREFUSED' }),
      says: 'cannot be reached',
      fix: 'GITHUB_API_URL',
    },
    {
      error: pushRefused('origin', 'remote: Permission denied\nfatal: unable to access'),
      says: 'pushing the branch pin-bases to origin failed: remote: Permission denied fatal: unable to access',
      fix: 'contents: write is what lets it push',
    },
  ])('$says', ({ error, says, fix }) => {
    expect(error.file).toBe('images pin-bases --pull-request');
    expect(error.problem).toContain(says);
    expect(error.fix).toContain(fix);
  });
});
