import type { ExecutorContext } from '@nx/devkit';
import type { ImageBuildOptions } from '../../core/build-options';
import { isImageConfigError } from '../../core/errors';
import type { ImageSpec } from '../../core/image-spec';
import { formatPlan } from '../../core/summary';
import { buildImage } from '../../services/build-image';

/** The image spec the plugin stored on the project when it read the Dockerfile. */
export function specOf(context: ExecutorContext): ImageSpec {
  const name = context.projectName as string;
  const project = context.projectsConfigurations.projects[name];
  const image = project.metadata?.image as Omit<ImageSpec, 'name' | 'root'> | undefined;
  if (!image) throw new Error(`${name} is not an image project (no Dockerfile matched the image plugin's dockerfileGlob)`);
  return { name, root: project.root, ...image };
}

export default async function imageBuildExecutor(options: ImageBuildOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const outcome = await buildImage({
      workspaceRoot: context.root,
      spec: specOf(context),
      options,
      runId: process.env.IMAGE_RUN_ID ?? null,
      env: process.env,
      log: (line) => console.log(line),
    });
    if (outcome.kind === 'plan') {
      console.log(formatPlan(outcome.plan));
    } else {
      const r = outcome.result;
      console.log(`${r.image}: ${r.result} ${r.digest} [${r.platforms.join(', ')}] in ${(r.durationMs / 1000).toFixed(1)}s`);
    }
    return { success: true };
  } catch (e) {
    console.error(isImageConfigError(e) ? `\n${e.message}` : `\n${context.projectName}: ${(e as Error).message}`);
    return { success: false };
  }
}
