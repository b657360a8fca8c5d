import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentRevision, parseStatus } from './git';

const SHA = 'a'.repeat(40);

describe('parseStatus: git status --porcelain=v2 --branch', () => {
  it.each([
    { name: 'clean', output: `# branch.oid ${SHA}\n# branch.head main\n`, expected: { sha: SHA, changes: [] } },
    {
      name: 'modified, renamed, untracked, conflicted',
      output: [
        `# branch.oid ${SHA}`,
        '# branch.head main',
        '1 .M N... 100644 100644 100644 1111111 2222222 images/base/Dockerfile',
        '2 R. N... 100644 100644 100644 1111111 2222222 R100 scripts/new name.sh\tscripts/old.sh',
        'u UU N... 100644 100644 100644 100644 1111111 2222222 3333333 docs/x.md',
        '? notes.txt',
        '',
      ].join('\n'),
      expected: { sha: SHA, changes: ['images/base/Dockerfile', 'scripts/new name.sh', 'docs/x.md', 'notes.txt'] },
    },
    { name: 'no commit yet', output: '# branch.oid (initial)\n# branch.head main\n? a\n', expected: null },
  ])('$name', ({ output, expected }) => {
    expect(parseStatus(output)).toEqual(expected);
  });
});

describe('currentRevision against a real repository', () => {
  it('reads HEAD and the changes with one git status', async () => {
    const root = mkdtempSync(join(tmpdir(), 'git-status-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { encoding: 'utf8' });
      git('init', '-q', '-b', 'main');
      await expect(currentRevision(root)).rejects.toThrow(/git cannot tell the commit/);
      writeFileSync(join(root, 'a.txt'), 'a\n');
      git('add', 'a.txt');
      git('commit', '-q', '-m', 'a');
      const sha = git('rev-parse', 'HEAD').trim();
      expect(await currentRevision(root)).toEqual({ sha, changes: [] });
      writeFileSync(join(root, 'a.txt'), 'b\n');
      writeFileSync(join(root, 'new.txt'), 'n\n');
      expect(await currentRevision(root)).toEqual({ sha, changes: ['a.txt', 'new.txt'] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
