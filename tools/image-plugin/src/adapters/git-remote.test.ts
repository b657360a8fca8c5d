import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRepository, originUrl, repositoryFromRemote } from './git-remote';

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

describe('originUrl: the origin remote in a git config file', () => {
  it.each([
    {
      text: '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:Acme/Images.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
      url: 'git@github.com:Acme/Images.git',
    },
    {
      text: '[remote "upstream"]\n\turl = https://github.com/other/x\n[remote "origin"]\n\turl = https://github.com/acme/images\n',
      url: 'https://github.com/acme/images',
    },
    { text: '[remote "upstream"]\n\turl = https://github.com/other/x\n', url: undefined },
    {
      text: '[remote "origin"]\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch "main"]\n\turl = nope\n',
      url: undefined,
    },
    { text: '', url: undefined },
  ])('$url', ({ text, url }) => {
    expect(originUrl(text)).toBe(url);
  });
});

describe('defaultRepository from the repository on disk, without a git process', () => {
  it('reads the origin of a repository, and of a linked worktree through its common dir', () => {
    const root = mkdtempSync(join(tmpdir(), 'git-remote-'));
    try {
      execFileSync('git', ['init', '-q', '-b', 'main', root]);
      execFileSync('git', ['-C', root, 'remote', 'add', 'origin', 'git@github.com:Acme/Workspace-Images.git']);
      execFileSync('git', [
        '-C',
        root,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@e',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'x',
      ]);
      expect(defaultRepository(root, {})).toBe('ghcr.io/acme/workspace-images');
      mkdirSync(join(root, 'sub'));
      expect(defaultRepository(join(root, 'sub'), {}), 'from a folder inside').toBe('ghcr.io/acme/workspace-images');
      const worktree = join(root, 'wt');
      execFileSync('git', ['-C', root, 'worktree', 'add', '-q', worktree]);
      expect(defaultRepository(worktree, {})).toBe('ghcr.io/acme/workspace-images');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
