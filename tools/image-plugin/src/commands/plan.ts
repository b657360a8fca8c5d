import { appendFile } from 'node:fs/promises';
import { affectedProjects } from '../adapters/nx-affected';
import { ciPlan, DEFAULT_RUNNERS, planOutputs, type CiPlan } from '../core/ci-plan';
import { defaultRepository } from '../adapters/git-remote';
import { imagesMissingContent } from '../services/registry-content';
import { workspaceImages } from '../services/workspace';

export interface PlanArgs {
  workspaceRoot: string;
  all: boolean;
  platforms?: string[];
  runners?: Record<string, string>;
  maxLevels: number;
  workflowFile: string;
  /** Also plan every image whose content tag is not in the registry (needs read access to it). */
  checkRegistry: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Progress lines (stderr: stdout is the plan's JSON). */
  log: (line: string) => void;
}

/**
 * The CI matrix plan: affected images by level and platform (NX_BASE..NX_HEAD) and, with
 * checkRegistry, every image whose content is not in the registry; the rest only get their SHA tag.
 */
export async function plan(args: PlanArgs): Promise<CiPlan> {
  const { options, specs, levels, buildOptions } = await workspaceImages(args.workspaceRoot);
  const affected = args.all ? 'all' : await affectedProjects(args.workspaceRoot, options.buildTargetName, args.env.NX_BASE, args.env.NX_HEAD);
  const configured = options.build.platforms;
  const platforms = args.platforms?.length
    ? args.platforms
    : Array.isArray(configured)
      ? configured.map(String)
      : typeof configured === 'string'
        ? configured.split(',')
        : ['linux/amd64', 'linux/arm64'];
  const missing = args.checkRegistry && affected !== 'all'
    ? await imagesMissingContent({
        workspaceRoot: args.workspaceRoot,
        specs,
        levels,
        options: (image) => buildOptions[image] ?? {},
        platforms,
        defaultRepository: defaultRepository(args.workspaceRoot, args.env as NodeJS.ProcessEnv),
        env: args.env,
      })
    : [];
  for (const m of missing) {
    args.log(`plan: ${m.image} is planned: ${m.contentTag} ${m.missingPlatforms.length === platforms.length ? 'is not in the registry' : `lacks ${m.missingPlatforms.join(', ')}`}`);
  }
  const result = ciPlan({
    images: specs.map((s) => ({ name: s.name, parents: s.parents.map((p) => p.image) })),
    levels,
    affected,
    notInRegistry: missing.map((m) => m.image),
    platforms,
    runners: { ...DEFAULT_RUNNERS, ...(args.runners ?? {}) },
    maxLevels: args.maxLevels,
    workflowFile: args.workflowFile,
  });
  if (args.env.GITHUB_OUTPUT) {
    const lines = Object.entries(planOutputs(result)).map(([k, v]) => `${k}=${v}`);
    await appendFile(args.env.GITHUB_OUTPUT, `${lines.join('\n')}\n`);
  }
  return result;
}
