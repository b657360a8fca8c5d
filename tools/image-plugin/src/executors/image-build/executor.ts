import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { assertFreshBuild } from '../../build-check';
import { checkBuildOptions, IMAGE_BUILD_OPTION_NAMES, type ImageBuildOptions } from '../../core/build-options';
import { imageSpecOf } from '../../core/image-metadata';
import type { ImageSpec } from '../../core/image-spec';
import { runImageBuilds, type BuildTask } from '../../services/build-run';
import { openRun } from '../../services/run-context';
import { IMAGE_BUILD_SCHEMA } from './options-schema';

/** The image spec the plugin stored on the project when it read the Dockerfile. */
export function specOf(context: ExecutorContext, name: string): ImageSpec {
  const spec = imageSpecOf(name, context.projectsConfigurations.projects[name] ?? { root: '' });
  if (!spec)
    throw new Error(`${name} is not an image project (no Dockerfile matched the image plugin's dockerfileGlob)`);
  return spec;
}

/**
 * Refuses options the schema does not allow (Nx itself accepts any value, see core/option-check.ts
 * nxSchemaOf), naming the option and its allowed values, before anything runs.
 */
export function checkTaskOptions(options: ImageBuildOptions): ImageBuildOptions {
  checkBuildOptions(options as Record<string, unknown>, IMAGE_BUILD_SCHEMA, IMAGE_BUILD_OPTION_NAMES);
  return options;
}

/** The run's image-build tasks, as the batch gets them from Nx, their options checked. */
export function buildTasksOf(
  context: ExecutorContext,
  taskGraph: TaskGraph,
  inputs: Record<string, ImageBuildOptions>,
): BuildTask[] {
  return Object.values(taskGraph.tasks).map((task) => ({
    id: task.id,
    image: task.target.project,
    spec: specOf(context, task.target.project),
    options: checkTaskOptions(inputs[task.id]),
    dependsOn: taskGraph.dependencies[task.id] ?? [],
  }));
}

/** One image-build task in its own process (without batch mode): the same run as the batch, with one task. */
export default async function imageBuildExecutor(
  options: ImageBuildOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  assertFreshBuild();
  const image = context.projectName as string;
  const run = openRun({
    workspaceRoot: context.root,
    runId: process.env.IMAGE_RUN_ID ?? null,
    env: process.env,
    log: (l) => console.log(l),
  });
  let success = false;
  try {
    const task: BuildTask = {
      id: image,
      image,
      spec: specOf(context, image),
      options: checkTaskOptions(options),
      dependsOn: [],
    };
    for await (const report of runImageBuilds(run, [task])) {
      const text = report.lines.join('\n');
      if (report.status === 'success') console.log(text);
      else console.error(text);
      success = report.status === 'success';
    }
  } catch (e) {
    console.error(`\n${image}: ${(e as Error).message}`);
  }
  return { success };
}
