import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { fileWriteError } from './file-errors';

const FILE = 'dist/coder/pinned-digests.json';

describe('fileWriteError: the file, the reason, the place at fault and the fix', () => {
  it.each([
    { code: 'ENOSPC', at: FILE, where: '', fix: 'free space on the disk that holds dist/coder (df -h dist/coder)' },
    { code: 'EDQUOT', at: FILE, where: '', fix: 'free space on the disk that holds dist/coder' },
    { code: 'EACCES', at: FILE, where: '', fix: 'let this user write dist/coder' },
    { code: 'EPERM', at: 'dist/coder', where: ' (at dist/coder)', fix: 'let this user write dist/coder' },
    { code: 'EROFS', at: FILE, where: '', fix: 'dist/coder is on a read-only file system' },
    { code: 'EEXIST', at: 'dist/coder', where: ' (at dist/coder)', fix: 'dist/coder is a file where a folder must be' },
    {
      code: 'ENOTDIR',
      at: 'dist',
      where: ' (at dist)',
      fix: 'dist is a file where a folder must be: move it away (rm dist)',
    },
    { code: 'EISDIR', at: FILE, where: '', fix: `${FILE} is a folder where the file must be` },
    { code: undefined, at: '', where: '', fix: 'check that dist/coder can be written' },
  ])('$code at $at', ({ code, at, where, fix }) => {
    const e = fileWriteError({
      file: FILE,
      at,
      code,
      reason: `${code}: what the system said`,
      untouched: 'no tag was moved',
    });
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toBe(
      `${FILE}: cannot be written: ${code}: what the system said${where}; no tag was moved\n  fix: ${e.fix}`,
    );
    expect(e.fix).toContain(fix);
    expect(e.fix).toMatch(/then run the command again$/);
  });

  it('leaves "what was left as it was" to the caller when it is empty', () => {
    const e = fileWriteError({
      file: FILE,
      at: FILE,
      code: 'ENOSPC',
      reason: 'ENOSPC: no space left on device',
      untouched: '',
    });
    expect(e.problem).toBe('cannot be written: ENOSPC: no space left on device');
  });
});
