import type { ExecutorContext } from '@nx/devkit';
import { isImageConfigError } from '../../core/errors';
import { runImageTests } from '../../services/run-image-tests';

export interface ImageTestOptions {
  resultsDir?: string;
  /** Test the one-platform build of this platform (`<image>@<os>-<arch>.json`). */
  platform?: string;
  filter?: string;
}

/** The image and its ancestors (parents through FROM), root first. */
function lineageOf(context: ExecutorContext, name: string): Array<{ name: string; root: string }> {
  const projects = context.projectsConfigurations.projects;
  const seen: string[] = [];
  const visit = (n: string) => {
    const parents = (projects[n]?.metadata?.image as { parents?: Array<{ image: string }> } | undefined)?.parents ?? [];
    for (const p of parents) visit(p.image);
    if (!seen.includes(n)) seen.push(n);
  };
  visit(name);
  return seen.map((n) => ({ name: n, root: projects[n].root }));
}

export default async function imageTestExecutor(options: ImageTestOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const image = context.projectName as string;
  try {
    const report = await runImageTests({
      workspaceRoot: context.root,
      image,
      lineage: lineageOf(context, image),
      resultsDir: options.resultsDir ?? 'dist/images',
      filter: options.filter,
      platform: options.platform,
      log: (line) => console.log(line),
    });
    const total = report.passed.length + report.failed.length;
    if (report.failed.length) {
      console.error(`\nimage-test ${image} (${report.reference}): ${report.failed.length} of ${total} checks failed:\n${report.failed.map((f) => `  ${f.check}: ${f.why}`).join('\n')}`);
      return { success: false };
    }
    console.log(`image-test ${image}: ${total} checks passed`);
    return { success: true };
  } catch (e) {
    console.error(isImageConfigError(e) ? `\n${e.message}` : `\n${image}: ${(e as Error).message}`);
    return { success: false };
  }
}
