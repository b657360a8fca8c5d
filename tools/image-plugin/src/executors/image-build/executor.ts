import type { ExecutorContext } from '@nx/devkit';
import type { ImageBuildOptions } from '../../core/build-options';
import { isImageConfigError } from '../../core/errors';
import type { ImageSpec } from '../../core/image-spec';
import { formatPlan } from '../../core/summary';
import { buildImage } from '../../services/build-image';

/** The image spec the plugin stored on the project when it read the Dockerfile. */
export function specOf(context: ExecutorContext, name = context.projectName as string): ImageSpec {
  const project = context.projectsConfigurations.projects[name];
  const image = project.metadata?.image as Omit<ImageSpec, 'name' | 'root'> | undefined;
  if (!image) throw new Error(`${name} is not an image project (no Dockerfile matched the image plugin's dockerfileGlob)`);
  return { name, root: project.root, ...image };
}

/** Builds one image and reports through `print`; true on success. Shared by the single and batch executors. */
export async function buildAndReport(
  image: string,
  options: ImageBuildOptions,
  context: ExecutorContext,
  print: (line: string, isError?: boolean) => void,
): Promise<boolean> {
  try {
    const outcome = await buildImage({
      workspaceRoot: context.root,
      spec: specOf(context, image),
      options,
      runId: process.env.IMAGE_RUN_ID ?? null,
      env: process.env,
      log: (line) => print(line),
    });
    if (outcome.kind === 'plan') {
      print(formatPlan(outcome.plan));
    } else {
      const r = outcome.result;
      print(`${r.image}: ${r.result} ${r.digest} [${r.platforms.join(', ')}] in ${(r.durationMs / 1000).toFixed(1)}s`);
    }
    return true;
  } catch (e) {
    print(isImageConfigError(e) ? `\n${e.message}` : `\n${image}: ${(e as Error).message}`, true);
    return false;
  }
}

export default async function imageBuildExecutor(options: ImageBuildOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const success = await buildAndReport(context.projectName as string, options, context, (line, isError) => (isError ? console.error(line) : console.log(line)));
  return { success };
}
