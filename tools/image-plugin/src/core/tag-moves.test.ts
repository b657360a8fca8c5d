import { describe, expect, it } from 'vitest';
import { failedAfterMovesError, failedMoveError, pendingMoves, undoPlan, type TagMove } from './tag-moves';

const REPO = 'ghcr.io/acme/images';
const move = (image: string, suffix: string, digest: string): TagMove => ({
  image,
  tag: `${REPO}:${image}${suffix}`,
  repository: REPO,
  digest,
});

describe('pendingMoves', () => {
  const moves = [
    move('base', '-1.2.0', 'sha256:b2'),
    move('node', '-1.2.0', 'sha256:n2'),
    move('base', '', 'sha256:b2'),
  ];

  it('keeps the order and records what each tag pointed at', () => {
    const current = new Map([
      [`${REPO}:base-1.2.0`, null],
      [`${REPO}:node-1.2.0`, null],
      [`${REPO}:base`, 'sha256:b1'],
    ]);
    expect(pendingMoves(moves, current).map((m) => [m.tag, m.previous])).toEqual([
      [`${REPO}:base-1.2.0`, null],
      [`${REPO}:node-1.2.0`, null],
      [`${REPO}:base`, 'sha256:b1'],
    ]);
  });

  it('leaves out tags already at their digest, so a second run moves nothing', () => {
    const current = new Map(moves.map((m) => [m.tag, m.digest] as const));
    expect(pendingMoves(moves, current)).toEqual([]);
  });
});

describe('undoPlan', () => {
  it('puts existing tags back newest first and lets new tags stay', () => {
    const applied = [
      { ...move('base', '-1.2.0', 'sha256:b2'), previous: null },
      { ...move('base', '-1', 'sha256:b2'), previous: 'sha256:b1' },
      { ...move('node', '-1', 'sha256:n2'), previous: 'sha256:n1' },
    ];
    const plan = undoPlan(applied);
    expect(plan.restore).toEqual([move('node', '-1', 'sha256:n1'), move('base', '-1', 'sha256:b1')]);
    expect(plan.stay).toEqual([`${REPO}:base-1.2.0`]);
  });

  it('has nothing to do when nothing moved', () => {
    expect(undoPlan([])).toEqual({ restore: [], stay: [] });
  });
});

describe('failedMoveError', () => {
  const failed = move('node', '', 'sha256:n2');

  it('says what failed, what went back and what stayed, and how to finish', () => {
    const e = failedMoveError({
      failed,
      cause: 'denied',
      restored: [move('base', '', 'sha256:b1')],
      stayed: [`${REPO}:base-1.2.0`],
      notRestored: [],
      command: 'release',
    });
    expect(e.message).toContain(`moving ${REPO}:node failed: denied`);
    expect(e.message).toContain(`put back ${REPO}:base where they were`);
    expect(e.message).toContain(`new tag(s) ${REPO}:base-1.2.0 stay`);
    expect(e.message).toContain('fix: fix the registry error, then run release again');
    expect(e.stack).toBe(e.message);
  });

  it('says no tag moved when the first move failed', () => {
    const e = failedMoveError({
      failed,
      cause: 'denied',
      restored: [],
      stayed: [],
      notRestored: [],
      command: 'publish',
    });
    expect(e.message).toContain('no tag was moved');
  });

  it('names every tag it could not put back, with the digest to restore by hand', () => {
    const e = failedMoveError({
      failed,
      cause: 'registry down',
      restored: [],
      stayed: [],
      notRestored: [move('base', '', 'sha256:b1')],
      command: 'publish',
    });
    expect(e.message).toContain(`could NOT put back ${REPO}:base (was sha256:b1)`);
    expect(e.message).toContain('docker buildx imagetools create -t <tag> <repository>@<digest>');
  });
});

describe('failedAfterMovesError: a step after the moves failed, and the moves were undone', () => {
  const problem = 'creating the release v1.2.0 of acme/images failed: GitHub answered 403: Resource not accessible';
  const fix = 'give the release job `permissions: contents: write`, then release again';
  it.each([
    {
      name: 'existing tags went back, new ones stayed',
      restored: [move('base', '', 'sha256:b1')],
      stayed: [`${REPO}:base-1.2.0`],
      notRestored: [],
      says: [`so the tags it had moved went back: ${REPO}:base`, `new tag(s) ${REPO}:base-1.2.0 stay`],
      fix: `fix: ${fix}`,
    },
    {
      name: 'nothing had moved (a re-run)',
      restored: [],
      stayed: [],
      notRestored: [],
      says: ['no tag had moved'],
      fix: `fix: ${fix}`,
    },
    {
      name: 'a tag that could not go back',
      restored: [],
      stayed: [],
      notRestored: [move('base', '', 'sha256:b1')],
      says: [`could NOT put back ${REPO}:base (was sha256:b1)`],
      fix: `fix: point those back by hand (docker buildx imagetools create -t <tag> <repository>@<digest>), then: ${fix}`,
    },
  ])('$name', ({ restored, stayed, notRestored, says, fix: wantFix }) => {
    const e = failedAfterMovesError({ problem, fix, restored, stayed, notRestored, command: 'release' });
    expect(e.message.startsWith(`release: ${problem}; `)).toBe(true);
    for (const s of says) expect(e.message).toContain(s);
    expect(e.message).toContain(`\n  ${wantFix}`);
    expect(e.stack).toBe(e.message);
  });
});
