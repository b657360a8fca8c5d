import { describe, expect, it } from 'vitest';
import { defaultRepository, repositoryFromRemote } from './git-remote';

describe('repositoryFromRemote', () => {
  it.each([
    ['git@github.com:Acme/Images.git', 'ghcr.io/acme/images'],
    ['git@github.com:acme/workspace-images', 'ghcr.io/acme/workspace-images'],
    ['https://github.com/acme/images', 'ghcr.io/acme/images'],
    ['https://github.com/acme/images.git', 'ghcr.io/acme/images'],
    ['https://github.com/acme/images/', 'ghcr.io/acme/images'],
    ['https://user:token@github.com/Acme/Workspace-Images.git', 'ghcr.io/acme/workspace-images'],
    ['ssh://git@github.com/acme/images.git', 'ghcr.io/acme/images'],
    ['https://github.com/acme/my.repo.git', 'ghcr.io/acme/my.repo'],
    ['https://gitlab.com/acme/images.git', undefined],
    ['/srv/git/images.git', undefined],
    ['', undefined],
  ])('%s -> %s', (url, expected) => {
    expect(repositoryFromRemote(url)).toBe(expected);
  });
});

describe('defaultRepository', () => {
  it('prefers GITHUB_REPOSITORY, lowercased', () => {
    expect(defaultRepository('/nonexistent', { GITHUB_REPOSITORY: 'Acme/Images' })).toBe('ghcr.io/acme/images');
  });
});
