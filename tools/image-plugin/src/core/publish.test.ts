import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { incompleteError, publishCandidates, publishTarget, type CommitImages } from './publish';
import { edgeTag } from './tags';

const R = 'reg/acme/images';

describe('edgeTag: the newest build of main, never the bare tag releases own', () => {
  it.each([
    ['single' as const, `${R}:base-edge`],
    ['per-image' as const, `${R}/base:edge`],
  ])('%s', (layout, want) => {
    expect(edgeTag(R, layout, 'base')).toBe(want);
  });
});

describe("publishCandidates: the branch from its tip down to this run's commit", () => {
  const history = ['c5', 'c4', 'c3', 'c2', 'c1'];
  it.each([
    { own: 'c3', want: ['c5', 'c4', 'c3'] },
    { own: 'c5', want: ['c5'] },
    { own: 'c1', want: history },
    { own: 'gone', want: [] }, // history rewritten: this run publishes nothing, never an older commit
  ])('own $own', ({ own, want }) => {
    expect(publishCandidates(history, own)).toEqual(want);
  });
});

/**
 * publishTarget over every order publish jobs can run in: c1..c4 pushed quickly, each commit's publish
 * running when its images are complete (`done` lists which are by then). The edge tags end on the
 * newest complete commit, and no run moves them back.
 */
const complete = (sha: string): CommitImages => ({
  sha,
  digests: { base: `sha256:${sha}-base`, node: `sha256:${sha}-node` },
});
const partial = (sha: string): CommitImages => ({ sha, digests: { base: `sha256:${sha}-base`, node: null } });

describe('publishTarget: the newest complete commit', () => {
  it.each([
    { name: 'the tip is complete', candidates: [complete('c4'), complete('c3')], want: 'c4' },
    {
      name: 'the tip is still building: the next one',
      candidates: [partial('c4'), complete('c3'), complete('c2')],
      want: 'c3',
    },
    {
      name: "an older commit's publish after a newer one finished: the newer one, nothing goes back",
      candidates: [partial('c5'), complete('c4'), partial('c3'), complete('c2')],
      want: 'c4',
    },
    { name: 'nothing complete', candidates: [partial('c2'), partial('c1')], want: null },
  ])('$name', async ({ candidates, want }) => {
    const asked: string[] = [];
    const bySha = new Map(candidates.map((c) => [c.sha, c]));
    const { target, read } = await publishTarget(
      candidates.map((c) => c.sha),
      async (sha) => (asked.push(sha), bySha.get(sha)!),
    );
    expect(target?.sha ?? null).toBe(want);
    // Newest first, one commit at a time, and none after the answer.
    const upTo = want ? candidates.findIndex((c) => c.sha === want) + 1 : candidates.length;
    expect(asked).toEqual(candidates.slice(0, upTo).map((c) => c.sha));
    expect(read.map((c) => c.sha)).toEqual(asked);
  });

  /** Every order of four publish runs (each for its own commit, all complete): the last run leaves c4. */
  const orders = (items: string[]): string[][] =>
    items.length <= 1
      ? [items]
      : items.flatMap((x, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
  it('every order of the runs of c1..c4 ends on c4 and never moves back', async () => {
    const history = ['c4', 'c3', 'c2', 'c1'];
    const runs = orders(['c1', 'c2', 'c3', 'c4']);
    expect(runs).toHaveLength(24);
    for (const order of runs) {
      const built = new Set<string>();
      let edge = -1; // index into history (smaller is newer)
      for (const own of order) {
        built.add(own);
        const found = await publishTarget(publishCandidates(history, own), async (sha) =>
          built.has(sha) ? complete(sha) : partial(sha),
        );
        const target = history.indexOf(found.target?.sha as string);
        expect(edge === -1 || target <= edge, `order ${order.join(',')}: ${own} moved the edge back`).toBe(true);
        edge = target;
      }
      expect(history[edge], `order ${order.join(',')}`).toBe('c4');
    }
  });
});

describe('incompleteError', () => {
  it('names every missing SHA tag and says nothing moved', () => {
    const e = incompleteError(
      { sha: 'abc1234def', digests: { base: 'sha256:x', cpp: null, node: null } },
      (i) => `${R}:${i}-abc1234`,
    );
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toContain(`cpp (${R}:cpp-abc1234 is missing), node (${R}:node-abc1234 is missing)`);
    expect(e.message).not.toContain('base (');
    expect(e.message).toContain('no edge tag was moved');
    expect(e.message).toContain('fix: build the missing images');
  });

  it('a commit without any image names the revision, not missing builds', () => {
    const e = incompleteError({ sha: 'abc1234def', digests: { base: null, node: null } }, (i) => `${R}:${i}-abc1234`);
    expect(e.message).toMatch(
      /^publish: no image was built for abc1234def \(\S+:base-abc1234 and the other 1 not in the registry\)/,
    );
    expect(e.message).toContain('fix: check --revision');
    expect(e.message).not.toContain('build the missing images');
  });
});
