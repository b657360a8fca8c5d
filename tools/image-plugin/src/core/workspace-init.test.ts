import { describe, expect, it } from 'vitest';
import { entryConflict, gitStateProblem, type GitState } from './workspace-init';

describe('the git repository init needs', () => {
  it.each([
    ['ready', undefined, undefined],
    ['no-commit', 'the git repository has no commit yet', 'git add -A && git commit -m "Initial commit"'],
    ['not-a-repository', 'this workspace is not a git repository', 'git init && git add -A'],
    ['no-git', 'git is not installed', 'install git'],
  ] as Array<[GitState, string | undefined, string | undefined]>)('%s', (state, problem, fix) => {
    const refusal = gitStateProblem(state);
    expect(refusal?.problem).toEqual(problem === undefined ? undefined : expect.stringContaining(problem));
    expect(refusal?.fix).toEqual(fix === undefined ? undefined : expect.stringContaining(fix));
  });
});

describe('an nx.json entry of the plugin already there', () => {
  const P = '@workspace-images/image-plugin';
  it.each([
    ['no options given: kept', { repository: 'ghcr.io/a/b' }, {}, undefined],
    ['the same repository: kept', { repository: 'ghcr.io/a/b' }, { repository: 'ghcr.io/a/b' }, undefined],
    [
      'another repository',
      { repository: 'ghcr.io/a/b' },
      { repository: 'ghcr.io/c/d' },
      `nx.json already has a ${P} entry with repository "ghcr.io/a/b", not --repository ghcr.io/c/d`,
    ],
    [
      'a bare name, a repository given',
      {},
      { repository: 'ghcr.io/c/d' },
      `nx.json already has a ${P} entry with no repository, not --repository ghcr.io/c/d`,
    ],
    [
      'another glob',
      { repository: 'ghcr.io/a/b', dockerfileGlob: 'images/*/Dockerfile' },
      { repository: 'ghcr.io/a/b', dockerfileGlob: 'containers/*/Dockerfile' },
      `entry with dockerfileGlob "images/*/Dockerfile", not --dockerfileGlob containers/*/Dockerfile`,
    ],
  ])('%s', (_case, entryOptions, given, problem) => {
    const refusal = entryConflict(P, entryOptions, given);
    expect(refusal?.problem).toEqual(problem === undefined ? undefined : expect.stringContaining(problem));
    if (refusal) expect(refusal.fix).toMatch(/^change its options in nx\.json by hand, or run init without --\w+/);
  });
});
