import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AffectedFailure, affectedProjects } from '../adapters/nx-affected';
import { defaultRepository } from '../adapters/git-remote';
import { affectedBase, affectedRevisionError } from '../core/affected-base';
import { ciPlan, type CiPlan } from '../core/ci-plan';
import { DEFAULT_CI_PLATFORMS, DEFAULT_RUNNERS } from '../core/defaults';
import { platformList } from '../core/platforms';
import { parseReleaseTag } from '../core/release-tags';
import { imagesMissingContent, type MissingContent } from './registry-content';
import { workspaceImages } from './workspace';

export interface CiPlanRequest {
  workspaceRoot: string;
  all: boolean;
  platforms?: string[];
  runners?: Record<string, string>;
  maxLevels: number;
  workflowFile: string;
  /** Also plan every image whose content tag is not in the registry (needs read access to it). */
  checkRegistry: boolean;
  /** With checkRegistry: content without a cosign signature counts as missing (registry-content.ts). */
  requireSignature?: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The CI plan: affected images by level and platform (NX_BASE..NX_HEAD) and, with checkRegistry,
 * every image whose content is not in the registry; the rest only get their SHA tag.
 */
export async function planCi(req: CiPlanRequest): Promise<{ plan: CiPlan; missing: MissingContent[] }> {
  // A run for a tag releases it: a tag that is no release tag stops here, before any build job starts.
  if (req.env.GITHUB_REF?.startsWith('refs/tags/')) parseReleaseTag(req.env.GITHUB_REF);
  const { options, specs, levels, buildOptions } = await workspaceImages(req.workspaceRoot);
  const affected = req.all ? 'all' : await affectedImages(req, options.buildTargetName);
  const configured = platformList(options.build.platforms as string[] | string | undefined);
  const platforms = req.platforms?.length ? req.platforms : configured.length ? configured : [...DEFAULT_CI_PLATFORMS];
  const missing =
    req.checkRegistry && affected !== 'all'
      ? await imagesMissingContent({
          workspaceRoot: req.workspaceRoot,
          specs,
          levels,
          options: (image) => buildOptions[image] ?? {},
          platforms,
          defaultRepository: defaultRepository(req.workspaceRoot, req.env),
          env: req.env,
          requireSignature: req.requireSignature ?? false,
        })
      : [];
  const plan = ciPlan({
    images: specs.map((s) => ({ name: s.name, parents: s.parents.map((p) => p.image) })),
    levels,
    affected,
    notInRegistry: missing.map((m) => m.image),
    platforms,
    runners: { ...DEFAULT_RUNNERS, ...(req.runners ?? {}) },
    maxLevels: req.maxLevels,
    workflowFile: req.workflowFile,
  });
  return { plan, missing };
}

/** The affected projects; a base or head that git does not know is explained (which one, from where, the fix). */
async function affectedImages(req: CiPlanRequest, target: string): Promise<string[]> {
  try {
    return await affectedProjects(req.workspaceRoot, target, req.env.NX_BASE, req.env.NX_HEAD);
  } catch (e) {
    if (!(e instanceof AffectedFailure)) throw e;
    const used = affectedBase(req.env, readFileSync(join(req.workspaceRoot, 'nx.json'), 'utf8'));
    throw affectedRevisionError(e.output, used) ?? e;
  }
}
