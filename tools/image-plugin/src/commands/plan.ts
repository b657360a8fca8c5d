import { appendFile } from 'node:fs/promises';
import { affectedProjects } from '../adapters/nx-affected';
import { ciPlan, DEFAULT_RUNNERS, planOutputs, type CiPlan } from '../core/ci-plan';
import { workspaceImages } from '../services/workspace';

export interface PlanArgs {
  workspaceRoot: string;
  all: boolean;
  platforms?: string[];
  runners?: Record<string, string>;
  maxLevels: number;
  workflowFile: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** The CI matrix plan: affected images by level and platform (NX_BASE..NX_HEAD), the rest to retag. */
export async function plan(args: PlanArgs): Promise<CiPlan> {
  const { options, specs, levels } = await workspaceImages(args.workspaceRoot);
  const affected = args.all ? 'all' : await affectedProjects(args.workspaceRoot, options.buildTargetName, args.env.NX_BASE, args.env.NX_HEAD);
  const configured = options.build.platforms;
  const platforms = args.platforms?.length
    ? args.platforms
    : Array.isArray(configured)
      ? configured.map(String)
      : typeof configured === 'string'
        ? configured.split(',')
        : ['linux/amd64', 'linux/arm64'];
  const result = ciPlan({
    images: specs.map((s) => ({ name: s.name, parents: s.parents.map((p) => p.image) })),
    levels,
    affected,
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
