import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PHASES, type Interval, type Phase } from '../core/profile';

/** Records when each phase of a run was busy (see core/profile.ts for the summary). */
export class Profile {
  readonly intervals: Record<Phase, Interval[]> = Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<
    Phase,
    Interval[]
  >;

  /** Runs `step`, recording its wall time under `phase`. */
  async time<T>(phase: Phase, step: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
      return await step();
    } finally {
      this.intervals[phase].push([start, Date.now()]);
    }
  }
}

/** When this process started (epoch ms). */
export const processStartedAt = () => performance.timeOrigin;

/**
 * When the parent process (the `nx` command that forked this executor) started, from /proc on Linux;
 * null elsewhere. Only used for the profile's "before the executor" share.
 */
export function parentStartedAt(pid = process.ppid): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 of the whole line: starttime, in clock ticks since boot
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]); // seconds since boot
    if (!Number.isFinite(ticks) || !Number.isFinite(uptime)) return null;
    return Date.now() - (uptime - ticks / 100) * 1000; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}
