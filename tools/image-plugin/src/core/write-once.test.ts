import { describe, expect, it } from 'vitest';
import { isImageError } from './errors';
import { wouldMove, writeOnceStep } from './write-once';

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const TAG = 'r/images:base-1a2b3c4';

describe('writeOnceStep', () => {
  it.each([
    { name: 'a tag that does not exist is written', current: null, wanted: D(1), step: 'write' },
    { name: 'a tag that names the digest already is left alone', current: D(1), wanted: D(1), step: 'in-place' },
  ])('$name', ({ current, wanted, step }) => {
    expect(writeOnceStep(TAG, current, wanted)).toBe(step);
  });

  it('a tag that names another digest stops the run, naming the tag, both digests and the fix', () => {
    let error: unknown;
    try {
      writeOnceStep(TAG, D(1), D(2));
    } catch (e) {
      error = e;
    }
    expect(isImageError(error)).toBe(true);
    expect((error as Error).message.split('\n')).toEqual([
      `${TAG}: ${TAG} already names ${D(1)}; this run would point it at ${D(2)}. Nothing was moved`,
      expect.stringMatching(/^ {2}fix: a tag that names a commit, a content hash or a version is never moved/),
    ]);
  });

  it('takes the caller’s fix', () => {
    expect(() => writeOnceStep(TAG, D(1), D(2), 'do this')).toThrow(/\n {2}fix: do this$/);
  });
});

describe('wouldMove: the write-once rule every check uses', () => {
  it.each([
    { name: 'not there', current: null, wanted: D(1), moves: false },
    { name: 'not read', current: undefined, wanted: D(1), moves: false },
    { name: 'names the wanted digest', current: D(1), wanted: D(1), moves: false },
    { name: 'names another digest', current: D(2), wanted: D(1), moves: true },
  ])('$name', ({ current, wanted, moves }) => {
    expect(wouldMove(current, wanted)).toBe(moves);
  });
});
