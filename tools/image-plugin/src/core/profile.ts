/**
 * Where a run's time went, for `--profile`: each phase is the wall time during which at least one of
 * its steps ran (images are worked on side by side, so the sum of step times would overstate it).
 */
export const PHASES = ['engine', 'git', 'hashing', 'lookups', 'builds', 'tags', 'results'] as const;
export type Phase = (typeof PHASES)[number];

export type Interval = readonly [start: number, end: number];

/** The length of the union of intervals. */
export function coveredMs(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of sorted) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

export interface ProfileSummary {
  /** From the start of the `nx` process to the end of the run, when known. */
  totalMs: number | null;
  /** From the start of the `nx` process until this executor's process started (Nx start-up, graph, scheduling). */
  beforeExecutorMs: number | null;
  /** Loading the executor (Node and the modules) until its first line ran. */
  executorStartMs: number;
  phases: Record<Phase, number>;
  images: { built: number; reused: number; failed: number };
  registryRequests: number;
}

export function summarizeProfile(args: {
  intervals: Readonly<Record<Phase, readonly Interval[]>>;
  nxStartedAt: number | null;
  executorStartedAt: number;
  firstLineAt: number;
  endedAt: number;
  images: ProfileSummary['images'];
  registryRequests: number;
}): ProfileSummary {
  const phases = Object.fromEntries(PHASES.map((p) => [p, Math.round(coveredMs(args.intervals[p] ?? []))])) as Record<
    Phase,
    number
  >;
  return {
    totalMs: args.nxStartedAt === null ? null : Math.round(args.endedAt - args.nxStartedAt),
    beforeExecutorMs: args.nxStartedAt === null ? null : Math.round(args.executorStartedAt - args.nxStartedAt),
    executorStartMs: Math.round(args.firstLineAt - args.executorStartedAt),
    phases,
    images: args.images,
    registryRequests: args.registryRequests,
  };
}

/** One line: `profile: 3120 ms; nx before the executor 2400 ms, executor start-up 180 ms, engine 20 ms, ...`. */
export function formatProfile(s: ProfileSummary): string {
  const ms = (n: number | null) => (n === null ? 'n/a' : `${n} ms`);
  const parts = [
    `nx start-up, graph and scheduling ${ms(s.beforeExecutorMs)}`,
    `executor start-up ${ms(s.executorStartMs)}`,
    `engine ${ms(s.phases.engine)}`,
    `git ${ms(s.phases.git)}`,
    `hashing ${ms(s.phases.hashing)}`,
    `lookups ${ms(s.phases.lookups)}`,
    `builds ${ms(s.phases.builds)} (${s.images.built} built, ${s.images.reused} reused${s.images.failed ? `, ${s.images.failed} failed` : ''})`,
    `tags ${ms(s.phases.tags)}`,
    `results ${ms(s.phases.results)}`,
    `${s.registryRequests} registry requests`,
  ];
  return `profile: ${s.totalMs === null ? 'total n/a' : `${s.totalMs} ms in all`}; ${parts.join(', ')}`;
}
