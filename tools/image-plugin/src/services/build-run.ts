import { DEFAULT_PARALLEL_BUILDS } from '../core/defaults';
import { formatDryRun } from '../core/dry-run';
import { describeError } from '../core/errors';
import { buildImage } from './build-image';
import { prepareImages, type ImageTask, type PreparedImage } from './prepare-images';
import type { RunContext } from './run-context';
import { RunResults } from './run-results';
import { skippedLine } from '../core/summary';

/** One image-build task of the run, with the tasks of the run it depends on (its parents' builds). */
export interface BuildTask extends ImageTask {
  id: string;
  dependsOn: readonly string[];
}

export interface TaskReport {
  id: string;
  status: 'success' | 'failure' | 'skipped';
  /** What the task printed (Nx shows it when the task ends). */
  lines: string[];
  startTime: number;
  endTime: number;
  /** What the image's build did (none for a dry run or a failure). */
  result?: 'built' | 'reused';
}

/** At most `n` at once. */
function limiter(n: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * Every image-build task of a run, in one process (Nx's batch executor; the single executor passes one
 * task): the first pass prepares every image side by side (hashes and lookups), then each image starts
 * as soon as its parents succeeded; builds are limited to IMAGE_BUILD_PARALLEL at once, reuses are not.
 * The dependents of a failed image are skipped, its siblings go on. Reports each task as it ends.
 */
export async function* runImageBuilds(run: RunContext, tasks: readonly BuildTask[]): AsyncGenerator<TaskReport> {
  const results = new RunResults(run.workspaceRoot, run.runId);
  const prepared = prepareImages(run, tasks, results);
  const buildSlot = limiter(Math.max(1, Number(run.env.IMAGE_BUILD_PARALLEL ?? DEFAULT_PARALLEL_BUILDS)));
  const pending = new Map(tasks.map((t) => [t.id, t]));
  const done = new Map<string, TaskReport['status']>();
  const running = new Map<string, Promise<TaskReport>>();
  const ids = new Set(tasks.map((t) => t.id));

  const start = (task: BuildTask) => {
    const lines: string[] = [];
    const startTime = Date.now();
    const work = async (): Promise<TaskReport> => {
      try {
        const image = await (prepared.get(task.image) as Promise<PreparedImage>);
        const outcome = await buildImage(run, image, results, (l) => lines.push(l), buildSlot);
        if (outcome.kind === 'dry-run') {
          lines.push(formatDryRun(outcome.report));
          return { id: task.id, status: 'success', lines, startTime, endTime: Date.now() };
        }
        const r = outcome.result;
        lines.push(
          `${r.image}: ${r.result} ${r.digest} [${r.platforms.join(', ')}] in ${(r.durationMs / 1000).toFixed(1)}s`,
        );
        return { id: task.id, status: 'success', lines, startTime, endTime: Date.now(), result: r.result };
      } catch (e) {
        lines.push(`\n${describeError(e, task.image)}`);
        return { id: task.id, status: 'failure', lines, startTime, endTime: Date.now() };
      }
    };
    running.set(task.id, work());
  };

  while (pending.size > 0 || running.size > 0) {
    for (const task of [...pending.values()]) {
      const deps = task.dependsOn.filter((d) => ids.has(d));
      if (deps.some((d) => done.get(d) === 'failure' || done.get(d) === 'skipped')) {
        pending.delete(task.id);
        done.set(task.id, 'skipped');
        const now = Date.now();
        yield {
          id: task.id,
          status: 'skipped',
          lines: [skippedLine(task.image)],
          startTime: now,
          endTime: now,
        };
        continue;
      }
      if (deps.every((d) => done.get(d) === 'success')) {
        pending.delete(task.id);
        start(task);
      }
    }
    if (running.size === 0) continue;
    const finished = await Promise.race(running.values());
    running.delete(finished.id);
    done.set(finished.id, finished.status);
    yield finished;
  }
}
