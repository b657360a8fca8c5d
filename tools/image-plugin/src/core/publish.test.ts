import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { floatingMoves } from './publish';

const R = 'reg/acme/images';
const WANTED = ['base', 'cpp', 'developer', 'node'].map((image) => ({ image, from: `${R}:${image}-abc1234`, to: `${R}:${image}` }));
const digest = (image: string) => `sha256:${image}`;

describe('floatingMoves: all or nothing', () => {
  it('every image has its SHA tag: every floating tag moves to that digest', () => {
    const found = new Map(WANTED.map((w) => [w.from, digest(w.image)]));
    expect(floatingMoves(WANTED, found)).toEqual(WANTED.map((w) => ({ ...w, digest: digest(w.image) })));
  });

  it.each([
    { name: 'one missing', missing: ['developer'] },
    { name: 'two missing', missing: ['cpp', 'node'] },
    { name: 'all missing', missing: ['base', 'cpp', 'developer', 'node'] },
  ])('$name: nothing moves, every missing one is named', ({ missing }) => {
    const found = new Map<string, string | null>(WANTED.filter((w) => w.image !== missing[0]).map((w) => [w.from, missing.includes(w.image) ? null : digest(w.image)]));
    let moves: unknown;
    let error: unknown;
    try {
      moves = floatingMoves(WANTED, found);
    } catch (e) {
      error = e;
    }
    expect(moves).toBeUndefined();
    expect(isImageConfigError(error)).toBe(true);
    const message = (error as Error).message;
    for (const m of missing) expect(message).toContain(`${m} (${R}:${m}-abc1234 is missing)`);
    for (const w of WANTED.filter((w) => !missing.includes(w.image))) expect(message).not.toContain(`${w.image} (`);
    expect(message).toContain('no floating tag was moved');
  });

  it('no images: no moves', () => {
    expect(floatingMoves([], new Map())).toEqual([]);
  });
});
