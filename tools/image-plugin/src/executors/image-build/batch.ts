import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { assertFreshBuild } from '../../build-check';
import type { ImageBuildOptions } from '../../core/build-options';
import { profileOn } from '../../core/build-options';
import { formatProfile, summarizeProfile } from '../../core/profile';
import { runImageBuilds } from '../../services/build-run';
import { parentStartedAt, processStartedAt } from '../../services/profile';
import { openRun } from '../../services/run-context';
import { buildTasksOf } from './executor';

interface BatchTaskResult {
  task: string;
  result: {
    success: boolean;
    terminalOutput: string;
    startTime: number;
    endTime: number;
    status: 'success' | 'failure' | 'skipped';
  };
}

/**
 * Nx batch implementation (preferBatch): every image-build task of a run in one process, so a run pays
 * for Node and the imports once, prepares every image in one pass (hashes, lookups) and starts each
 * image as soon as its parents' images exist (services/build-run.ts).
 */
export default async function* imageBuildBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ImageBuildOptions>,
  _overrides: ImageBuildOptions,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const firstLineAt = Date.now();
  assertFreshBuild();
  const run = openRun({
    workspaceRoot: context.root,
    runId: process.env.IMAGE_RUN_ID ?? null,
    env: process.env,
    log: (l) => console.log(l),
  });
  const tasks = buildTasksOf(context, taskGraph, inputs);
  const counts = { built: 0, reused: 0, failed: 0 };
  const profiling = tasks.some((t) => profileOn(t.options.profile, process.env));
  let reported = 0;
  for await (const report of runImageBuilds(run, tasks)) {
    if (report.result) counts[report.result]++;
    if (report.status === 'failure') counts.failed++;
    const lines = [...report.lines];
    // The profile goes with the last task's output: Nx prints that, and may stop this process right after.
    if (++reported === tasks.length && profiling) {
      const summary = summarizeProfile({
        intervals: run.profile.intervals,
        nxStartedAt: parentStartedAt(),
        executorStartedAt: processStartedAt(),
        firstLineAt,
        endedAt: Date.now(),
        images: counts,
        registryRequests: run.registry.requests,
      });
      lines.push(formatProfile(summary));
    }
    yield {
      task: report.id,
      result: {
        success: report.status === 'success',
        terminalOutput: `${lines.join('\n')}\n`,
        startTime: report.startTime,
        endTime: report.endTime,
        // Nx 22 leaves a skipped task out of the run's results and then exits 130 (interrupted), not 1:
        // a child of a failed parent is reported failed (its output says skipped, and so does the summary).
        status: report.status === 'skipped' ? 'failure' : report.status,
      },
    };
  }
}
