import { DEFAULT_RUNNERS } from './defaults';
import { ImageConfigError } from './errors';
import { lineageOf, withDescendants } from './graph';
import { checkMatrixSizes, checkPlanHasPlatforms } from './matrix-rules';
import { platformSlug } from './platforms';

export { DEFAULT_RUNNERS };

export interface MatrixEntry {
  image: string;
  platform: string;
  /** `linux-arm64`: for artifact names and cache scopes. */
  slug: string;
  runner: string;
}

export interface PlanLevel {
  level: number;
  images: string[];
  /** A GitHub Actions matrix: one job per image and platform. */
  matrix: { include: MatrixEntry[] };
}

export interface CiPlan {
  /** Exactly `maxLevels` entries; levels with nothing to build have no images. */
  levels: PlanLevel[];
  /** Images the change does not affect: they only get this commit's SHA tag. */
  unaffected: string[];
  affected: string[];
  /** Images planned because their content is not in the registry though no file of theirs changed. */
  notInRegistry: string[];
  platforms: string[];
  /**
   * Each planned image's planned ancestors: when one of them does not merge, the level jobs after it
   * leave the image out (build-level.yml's gate), and the other images go on.
   */
  ancestors: Record<string, string[]>;
}

export interface CiPlanInput {
  /** Every image with its parents, as the Nx graph holds them. */
  images: ReadonlyArray<{ name: string; parents: readonly string[] }>;
  /** Image levels, parents first (from the graph). */
  levels: readonly (readonly string[])[];
  /** What `nx show projects --affected` printed, or 'all'. */
  affected: readonly string[] | 'all';
  /**
   * Images whose content tag (with every platform) is not in the registry: they are built whatever
   * the change (an external base moved, the platforms changed, a tag was deleted).
   */
  notInRegistry?: readonly string[];
  platforms: readonly string[];
  /** Where the platforms came from, for errors (default nx.json). */
  platformsSource?: string;
  /** Platform -> runner label. */
  runners: Readonly<Record<string, string>>;
  /** How many level jobs the workflow has. */
  maxLevels: number;
  workflowFile: string;
}

/**
 * The CI plan: affected images grouped by graph level (a level builds only after the one before it
 * is merged), each expanded per platform with its runner. Pure.
 */
export function ciPlan(input: CiPlanInput): CiPlan {
  const names = new Set(input.images.map((i) => i.name));
  const notInRegistry = (input.notInRegistry ?? []).filter((a) => names.has(a));
  const affected =
    input.affected === 'all' ? [...names] : [...input.affected.filter((a) => names.has(a)), ...notInRegistry];
  // A child of an affected image is affected too (Nx says so already; this keeps the plan safe alone).
  const parents = new Map(input.images.map((i) => [i.name, i.parents]));
  const closure = new Set(withDescendants(affected, [...names], (name) => parents.get(name) ?? []));
  checkPlanHasPlatforms(input.platforms, input.platformsSource ?? 'nx.json');
  checkRunners(input.platforms, input.runners);
  const levels = input.levels.map((level) => level.filter((n) => closure.has(n)));
  checkLevelJobs(levels, input.maxLevels, input.workflowFile);
  checkMatrixSizes(
    levels.map((images, level) => ({ level, images })),
    input.platforms.length,
    input.workflowFile,
  );
  return {
    levels: Array.from({ length: input.maxLevels }, (_, level) => planLevel(level, levels[level] ?? [], input)),
    unaffected: [...names].filter((n) => !closure.has(n)).sort(),
    affected: [...closure].sort(),
    notInRegistry: [...new Set(notInRegistry)].sort(),
    platforms: [...input.platforms],
    ancestors: plannedAncestors([...closure].sort(), (name) => parents.get(name) ?? []),
  };
}

/** For each planned image, its ancestors that are planned too (root first); images without any left out. */
function plannedAncestors(planned: readonly string[], parentsOf: (name: string) => readonly string[]) {
  const inPlan = new Set(planned);
  const entries = planned.map((name) => [name, lineageOf(name, parentsOf).filter((a) => a !== name && inPlan.has(a))]);
  return Object.fromEntries(entries.filter(([, list]) => list.length > 0)) as Record<string, string[]>;
}

/** Every planned platform has a runner label. */
function checkRunners(platforms: readonly string[], runners: Readonly<Record<string, string>>): void {
  for (const platform of platforms) {
    if (!runners[platform]) {
      throw new ImageConfigError(
        `no runner label for ${platform}`,
        `pass --runner ${platform}=<runner label> (defaults: ${Object.entries(DEFAULT_RUNNERS)
          .map(([p, r]) => `${p}=${r}`)
          .join(', ')})`,
        'plan',
      );
    }
  }
}

/** The workflow has a job for every level that has images to build. */
function checkLevelJobs(levels: string[][], maxLevels: number, workflowFile: string): void {
  const used = levels.reduce((last, imgs, i) => (imgs.length ? i + 1 : last), 0);
  if (used <= maxLevels) return;
  throw new ImageConfigError(
    `the image graph has ${used} levels to build but the workflow has ${maxLevels} level jobs`,
    `in ${workflowFile} add ${missingLevels(maxLevels, used)
      .map(
        (n) =>
          `a level-${n} job (a copy of level-${n - 1} that needs it) with plan outputs matrix-${n}, images-${n}, has-${n}`,
      )
      .join('; ')}; add ${missingLevels(maxLevels, used)
      .map((n) => `level-${n}`)
      .join(', ')} to publish's needs; pass --max-levels ${used} to images plan`,
    workflowFile,
  );
}

/** One level's images and its matrix: one entry per image and platform, with the platform's runner. */
function planLevel(level: number, images: string[], input: CiPlanInput): PlanLevel {
  return {
    level,
    images,
    matrix: {
      include: images.flatMap((image) =>
        input.platforms.map((platform) => ({
          image,
          platform,
          slug: platformSlug(platform),
          runner: input.runners[platform],
        })),
      ),
    },
  };
}

const missingLevels = (have: number, need: number) => Array.from({ length: need - have }, (_, i) => have + i);

/** `$GITHUB_OUTPUT` lines: the whole plan, and per level its matrix and whether it has work. */
export function planOutputs(plan: CiPlan): Record<string, string> {
  const outputs: Record<string, string> = {
    plan: JSON.stringify(plan),
    platforms: plan.platforms.join(','),
    unaffected: plan.unaffected.join(','),
    'has-unaffected': String(plan.unaffected.length > 0),
    affected: plan.affected.join(','),
    ancestors: JSON.stringify(plan.ancestors),
  };
  for (const level of plan.levels) {
    outputs[`matrix-${level.level}`] = JSON.stringify(level.matrix);
    outputs[`images-${level.level}`] = level.images.join(',');
    outputs[`has-${level.level}`] = String(level.images.length > 0);
  }
  return outputs;
}
