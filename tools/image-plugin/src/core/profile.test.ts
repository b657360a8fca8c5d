import { describe, expect, it } from 'vitest';
import { coveredMs, formatProfile, PHASES, summarizeProfile, type Interval } from './profile';

describe('coveredMs: wall time of overlapping steps', () => {
  it.each([
    { name: 'none', intervals: [], ms: 0 },
    { name: 'one', intervals: [[10, 30]], ms: 20 },
    {
      name: 'side by side',
      intervals: [
        [0, 10],
        [5, 15],
        [6, 8],
      ],
      ms: 15,
    },
    {
      name: 'apart',
      intervals: [
        [0, 10],
        [20, 25],
      ],
      ms: 15,
    },
    {
      name: 'unsorted, nested',
      intervals: [
        [20, 40],
        [0, 5],
        [25, 30],
      ],
      ms: 25,
    },
  ])('$name', ({ intervals, ms }) => expect(coveredMs(intervals as unknown as Interval[])).toBe(ms));
});

describe('the profile line', () => {
  const intervals = Object.fromEntries(PHASES.map((p) => [p, [] as Interval[]])) as Record<
    (typeof PHASES)[number],
    Interval[]
  >;
  intervals.lookups.push([1000, 1040], [1010, 1050]);
  intervals.tags.push([1060, 1070]);
  it('says where the time went, from the nx process start to the end', () => {
    const summary = summarizeProfile({
      intervals,
      nxStartedAt: 0,
      executorStartedAt: 800,
      firstLineAt: 950,
      endedAt: 1100,
      images: { built: 0, reused: 4, failed: 0 },
      registryRequests: 9,
    });
    expect(summary).toMatchObject({ totalMs: 1100, beforeExecutorMs: 800, executorStartMs: 150 });
    expect(summary.phases).toMatchObject({ lookups: 50, tags: 10, builds: 0 });
    expect(formatProfile(summary)).toBe(
      'profile: 1100 ms in all; nx start-up, graph and scheduling 800 ms, executor start-up 150 ms, engine 0 ms, git 0 ms, hashing 0 ms, lookups 50 ms, builds 0 ms (0 built, 4 reused), tags 10 ms, results 0 ms, 9 registry requests',
    );
  });

  it('without the nx process start (not Linux): n/a', () => {
    const s = summarizeProfile({
      intervals,
      nxStartedAt: null,
      executorStartedAt: 0,
      firstLineAt: 5,
      endedAt: 9,
      images: { built: 1, reused: 0, failed: 1 },
      registryRequests: 0,
    });
    expect(formatProfile(s)).toMatch(
      /^profile: total n\/a; nx start-up, graph and scheduling n\/a, executor start-up 5 ms,.*\(1 built, 0 reused, 1 failed\)/,
    );
  });
});
