import { describe, expect, it } from 'vitest';
import type { TagMove } from '../core/tag-moves';
import { MemoryRegistry } from './memory-registry.double';
import { moveTagsAllOrNothing } from './move-tags';

const R = 'reg/acme/images';
const move = (tag: string, digest: string): TagMove => ({ image: tag, tag: `${R}:${tag}`, repository: R, digest });
const MOVES = [move('base-edge', 'sha256:b2'), move('node-edge', 'sha256:n2'), move('cpp-edge', 'sha256:c2')];

describe('moveTagsAllOrNothing: the sequence of a tag move (unit, in-memory registry)', () => {
  it('reads every tag first, then moves only what is not in place, in the order given', async () => {
    const registry = new MemoryRegistry({ [`${R}:base-edge`]: 'sha256:b1', [`${R}:node-edge`]: 'sha256:n2' });
    const { moved, unchanged } = await moveTagsAllOrNothing(registry, MOVES, 'publish');
    expect(registry.reads).toEqual(MOVES.map((m) => `digestOf ${m.tag}`));
    expect(registry.writes).toEqual([`tag ${R}:base-edge -> sha256:b2`, `tag ${R}:cpp-edge -> sha256:c2`]);
    expect(moved.map((m) => [m.tag, m.previous])).toEqual([
      [`${R}:base-edge`, 'sha256:b1'],
      [`${R}:cpp-edge`, null],
    ]);
    expect(unchanged).toBe(1);
  });

  it('a failed lookup moves nothing', async () => {
    const registry = new MemoryRegistry();
    registry.failRead = (ref) => ref.endsWith(':cpp-edge');
    await expect(moveTagsAllOrNothing(registry, MOVES, 'publish')).rejects.toThrow(/cpp-edge: 503/);
    expect(registry.writes).toEqual([]);
  });

  it('a failed move puts back what moved, newest first; a new tag stays; the message says so', async () => {
    const before = {
      [`${R}:base-edge`]: 'sha256:b1',
      [`${R}:cpp-edge`]: 'sha256:c1',
    };
    const registry = new MemoryRegistry(before);
    let cppWrites = 0;
    registry.failWrite = (ref) => ref.endsWith(':cpp-edge') && ++cppWrites === 1;
    const error = await moveTagsAllOrNothing(registry, MOVES, 'publish').catch((e: Error) => e);
    expect(registry.writes).toEqual([
      `tag ${R}:base-edge -> sha256:b2`,
      `tag ${R}:node-edge -> sha256:n2`,
      // undo, newest first: node-edge was new (stays), base-edge goes back
      `tag ${R}:base-edge -> sha256:b1`,
    ]);
    expect(Object.fromEntries(registry.tags)).toEqual({ ...before, [`${R}:node-edge`]: 'sha256:n2' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `moving ${R}:cpp-edge failed: .*; put back ${R}:base-edge where they were; new tag\\(s\\) ${R}:node-edge stay`,
      ),
    );
  });

  it('a move that cannot be put back is named with the digest to restore by hand', async () => {
    const registry = new MemoryRegistry({ [`${R}:base-edge`]: 'sha256:b1' });
    registry.failWrite = (ref) => ref.endsWith(':node-edge') || registry.writes.length > 0;
    const error = await moveTagsAllOrNothing(registry, MOVES, 'release').catch((e: Error) => e);
    expect(registry.writes).toEqual([`tag ${R}:base-edge -> sha256:b2`]);
    expect((error as Error).message).toContain(`could NOT put back ${R}:base-edge (was sha256:b1)`);
    expect((error as Error).message).toContain('then run release again');
  });
});
