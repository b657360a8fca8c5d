import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import type { ImageBuildOptions } from '../../core/build-options';
import { buildAndReport } from './executor';

interface BatchTaskResult {
  task: string;
  result: { success: boolean; terminalOutput: string; startTime: number; endTime: number; status: 'success' | 'failure' | 'skipped' };
}

/** How many images build at once in one batch (each build is a buildx process). */
const PARALLEL = Math.max(1, Number(process.env.IMAGE_BUILD_PARALLEL ?? 3));

/**
 * Nx batch implementation (preferBatch): every image-build task of a run in one process, so a run pays
 * for Node, swc and the imports once instead of once per image. Parents first; independent images in
 * parallel; the dependents of a failed image are skipped, its siblings still build.
 */
export default async function* imageBuildBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ImageBuildOptions>,
  _overrides: ImageBuildOptions,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const pending = new Set(Object.keys(taskGraph.tasks));
  const done = new Map<string, 'success' | 'failure' | 'skipped'>();
  const running = new Map<string, Promise<BatchTaskResult>>();
  const depsOf = (id: string) => (taskGraph.dependencies[id] ?? []).filter((d) => d in taskGraph.tasks);

  const start = (id: string) => {
    const task = taskGraph.tasks[id];
    const output: string[] = [];
    const startTime = Date.now();
    // Nx prints each task's terminalOutput when it completes; buildx's progress streams live meanwhile.
    const print = (line: string) => {
      output.push(line);
    };
    running.set(
      id,
      buildAndReport(task.target.project, inputs[id], context, print).then((success) => ({
        task: id,
        result: { success, terminalOutput: `${output.join('\n')}\n`, startTime, endTime: Date.now(), status: success ? 'success' : 'failure' },
      })),
    );
  };

  while (pending.size > 0 || running.size > 0) {
    for (const id of [...pending]) {
      const deps = depsOf(id);
      if (deps.some((d) => done.get(d) === 'failure' || done.get(d) === 'skipped')) {
        pending.delete(id);
        done.set(id, 'skipped');
        const now = Date.now();
        yield { task: id, result: { success: false, terminalOutput: `${taskGraph.tasks[id].target.project}: skipped, a parent image failed`, startTime: now, endTime: now, status: 'skipped' } };
        continue;
      }
      if (running.size < PARALLEL && deps.every((d) => done.get(d) === 'success')) {
        pending.delete(id);
        start(id);
      }
    }
    if (running.size === 0) continue;
    const finished = await Promise.race(running.values());
    running.delete(finished.task);
    done.set(finished.task, finished.result.status);
    yield finished;
  }
}
