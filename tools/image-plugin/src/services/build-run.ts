import { parallelBuilds } from '../core/build-options';
import { formatDryRun } from '../core/dry-run';
import { describeError } from '../core/errors';
import { buildImage, type TaskGate } from './build-image';
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

/** The tasks, each after the tasks of the run it depends on. */
function dependenciesFirst(tasks: readonly BuildTask[]): BuildTask[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const ordered = new Map<string, BuildTask>();
  const visit = (task: BuildTask, path: Set<string>) => {
    if (ordered.has(task.id) || path.has(task.id)) return;
    path.add(task.id);
    for (const d of task.dependsOn) {
      const dependency = byId.get(d);
      if (dependency) visit(dependency, path);
    }
    ordered.set(task.id, task);
  };
  for (const task of tasks) visit(task, new Set());
  return [...ordered.values()];
}

/**
 * Every image-build task of a run, in one process (Nx's batch executor; the single executor passes one
 * task): the first pass prepares every image side by side (hashes and lookups), and every task starts
 * at once. A child builds as soon as its parents' images exist (their digests are final) and is tagged
 * once their tasks succeeded, so its build overlaps their measuring and tagging; builds are limited to
 * IMAGE_BUILD_PARALLEL at once, reuses are not. The dependents of a failed image are skipped, untagged;
 * its siblings go on. Reports each task as it ends, a child never before its parents.
 */
export async function* runImageBuilds(run: RunContext, tasks: readonly BuildTask[]): AsyncGenerator<TaskReport> {
  const results = new RunResults(
    run.workspaceRoot,
    run.runId,
    tasks.map((t) => t.image),
  );
  const batch: Batch = {
    run,
    results,
    prepared: prepareImages(run, tasks, results),
    buildSlot: limiter(parallelBuilds(run.env)),
    imageOf: new Map(tasks.map((t) => [t.id, t.image])),
  };
  // Parents first: when several tasks have ended by the time the loop looks, it reports them in this order.
  const running = new Map<string, Promise<TaskReport>>();
  for (const task of dependenciesFirst(tasks)) {
    running.set(
      task.id,
      runTask(batch, task).then((r) => {
        results.end(task.image, r.status === 'success');
        return r;
      }),
    );
  }
  try {
    while (running.size > 0) {
      const finished = await Promise.race(running.values());
      running.delete(finished.id);
      yield finished;
    }
  } finally {
    run.close();
  }
}

/** What every task of one run shares: the run, its results, the prepared images and the build slots. */
interface Batch {
  run: RunContext;
  results: RunResults;
  prepared: ReturnType<typeof prepareImages>;
  buildSlot: ReturnType<typeof limiter>;
  /** The image of each task, by task id. */
  imageOf: ReadonlyMap<string, string>;
}

/** What one task printed and since when: the report it ends with. */
class TaskLog {
  readonly lines: string[] = [];
  startTime = Date.now();

  constructor(private readonly task: BuildTask) {}

  report(status: TaskReport['status'], result?: TaskReport['result']): TaskReport {
    return {
      id: this.task.id,
      status,
      lines: this.lines,
      startTime: this.startTime,
      endTime: Date.now(),
      ...(result ? { result } : {}),
    };
  }

  skipped(): TaskReport {
    this.lines.splice(0, this.lines.length, skippedLine(this.task.image));
    this.startTime = Date.now();
    return this.report('skipped');
  }
}

/** One task, to its report: a failure's dependents are skipped, a failure of its own is reported. */
async function runTask(batch: Batch, task: BuildTask): Promise<TaskReport> {
  const log = new TaskLog(task);
  const dependencies = task.dependsOn.flatMap((d) => batch.imageOf.get(d) ?? []);
  const gate: TaskGate = {
    dependenciesSucceeded: async () =>
      (await Promise.all(dependencies.map((d) => batch.results.ended(d)))).every(Boolean),
    started: () => (log.startTime = Date.now()),
  };
  try {
    return await buildTask(batch, task, dependencies, gate, log);
  } catch (e) {
    // A failed parent skips its children; their own preparation may have failed because of it.
    if (!(await gate.dependenciesSucceeded())) return log.skipped();
    log.lines.push(`\n${describeError(e, task.image)}`);
    return log.report('failure');
  }
}

/** Builds (or reuses, or dry-runs) the task's image once its dependencies that are no parent ended well. */
async function buildTask(
  batch: Batch,
  task: BuildTask,
  dependencies: string[],
  gate: TaskGate,
  log: TaskLog,
): Promise<TaskReport> {
  const image = await (batch.prepared.get(task.image) as Promise<PreparedImage>);
  // A dependency that is no parent image (an implicit one) still comes first.
  const parents = new Set(image.spec.parents.map((p) => p.image));
  for (const d of dependencies) if (!parents.has(d) && !(await batch.results.ended(d))) return log.skipped();
  const outcome = await buildImage(batch.run, image, batch.results, (l) => log.lines.push(l), batch.buildSlot, gate);
  if (outcome.kind === 'skipped') return log.skipped();
  if (outcome.kind === 'dry-run') {
    log.lines.push(formatDryRun(outcome.report));
    return log.report('success');
  }
  const r = outcome.result;
  log.lines.push(
    `${r.image}: ${r.result} ${r.digest} [${r.platforms.join(', ')}] in ${(r.durationMs / 1000).toFixed(1)}s`,
  );
  return log.report('success', r.result);
}
