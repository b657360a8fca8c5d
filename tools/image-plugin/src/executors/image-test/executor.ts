import type { ExecutorContext } from '@nx/devkit';
import { assertFreshBuild } from '../../build-check';
import { RESULTS_DIR } from '../../core/defaults';
import { describeError } from '../../core/errors';
import { lineageOf } from '../../core/graph';
import { imageSpecOf } from '../../core/image-metadata';
import { runImageTests } from '../../services/run-image-tests';

export interface ImageTestOptions {
  resultsDir?: string;
  /** Test the one-platform build of this platform (`<image>@<os>-<arch>.json`). */
  platform?: string;
  filter?: string;
}

/** The image and its ancestors (parents through FROM), root first, from the metadata the plugin stored. */
function lineage(context: ExecutorContext, name: string): Array<{ name: string; root: string }> {
  const projects = context.projectsConfigurations.projects;
  const specOf = (n: string) => (projects[n] ? imageSpecOf(n, projects[n]) : null);
  return lineageOf(name, (n) => specOf(n)?.parents.map((p) => p.image) ?? []).map((n) => ({
    name: n,
    root: projects[n].root,
  }));
}

export default async function imageTestExecutor(
  options: ImageTestOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  assertFreshBuild();
  const image = context.projectName as string;
  try {
    const report = await runImageTests({
      workspaceRoot: context.root,
      image,
      lineage: lineage(context, image),
      resultsDir: options.resultsDir ?? RESULTS_DIR,
      filter: options.filter,
      platform: options.platform,
      log: (line) => console.log(line),
    });
    const total = report.passed.length + report.failed.length;
    if (report.failed.length) {
      const failed = report.failed.map((f) => `  ${f.check}: ${f.why}`).join('\n');
      console.error(
        `\nimage-test ${image} (${report.reference}): ${report.failed.length} of ${total} checks failed:\n${failed}`,
      );
      return { success: false };
    }
    console.log(`image-test ${image}: ${total} checks passed`);
    return { success: true };
  } catch (e) {
    console.error(`\n${describeError(e, image)}`);
    return { success: false };
  }
}
