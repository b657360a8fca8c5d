import { describe, expect, it } from 'vitest';
import { ciPlan, DEFAULT_RUNNERS, planOutputs, type CiPlanInput } from './ci-plan';
import { isImageConfigError } from './errors';

/** The family: base FROM debian; node, cpp, developer FROM base. */
const FAMILY: CiPlanInput['images'] = [
  { name: 'base', parents: [] },
  { name: 'cpp', parents: ['base'] },
  { name: 'developer', parents: ['base'] },
  { name: 'node', parents: ['base'] },
];
const FAMILY_LEVELS = [['base'], ['cpp', 'developer', 'node']];
const BOTH = ['linux/amd64', 'linux/arm64'];

const input = (over: Partial<CiPlanInput>): CiPlanInput => ({
  images: FAMILY,
  levels: FAMILY_LEVELS,
  affected: [],
  platforms: BOTH,
  runners: DEFAULT_RUNNERS,
  maxLevels: 4,
  workflowFile: '.github/workflows/images.yml',
  ...over,
});

const entries = (
  images: readonly string[],
  platforms: readonly string[],
  runners: Record<string, string> = DEFAULT_RUNNERS,
) =>
  images.flatMap((image) =>
    platforms.map((platform) => ({ image, platform, slug: platform.replace('/', '-'), runner: runners[platform] })),
  );

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('ciPlan: levels and matrix per platform', () => {
  const cases: Array<{
    name: string;
    over: Partial<CiPlanInput>;
    levels: string[][];
    unaffected: string[];
    affected: string[];
    runners?: Record<string, string>;
  }> = [
    {
      name: 'nothing affected',
      over: { affected: [] },
      levels: [[], [], [], []],
      unaffected: ['base', 'cpp', 'developer', 'node'],
      affected: [],
    },
    {
      name: 'one leaf',
      over: { affected: ['node'] },
      levels: [[], ['node'], [], []],
      unaffected: ['base', 'cpp', 'developer'],
      affected: ['node'],
    },
    {
      name: 'base: every child follows, even when the affected list forgot them',
      over: { affected: ['base'] },
      levels: [['base'], ['cpp', 'developer', 'node'], [], []],
      unaffected: [],
      affected: ['base', 'cpp', 'developer', 'node'],
    },
    {
      name: "'all'",
      over: { affected: 'all' },
      levels: [['base'], ['cpp', 'developer', 'node'], [], []],
      unaffected: [],
      affected: ['base', 'cpp', 'developer', 'node'],
    },
    {
      name: 'non-image projects in the affected list are ignored',
      over: { affected: ['cpp', 'some-lib', 'image-plugin'] },
      levels: [[], ['cpp'], [], []],
      unaffected: ['base', 'developer', 'node'],
      affected: ['cpp'],
    },
    {
      name: 'exactly maxLevels levels in the plan',
      over: { affected: ['cpp'], maxLevels: 2 },
      levels: [[], ['cpp']],
      unaffected: ['base', 'developer', 'node'],
      affected: ['cpp'],
    },
    {
      name: 'custom runner labels',
      over: { affected: ['node', 'cpp'], runners: { ...DEFAULT_RUNNERS, 'linux/arm64': 'self-hosted-arm' } },
      levels: [[], ['cpp', 'node'], [], []],
      unaffected: ['base', 'developer'],
      affected: ['cpp', 'node'],
      runners: { 'linux/amd64': 'ubuntu-24.04', 'linux/arm64': 'self-hosted-arm' },
    },
    {
      name: 'one platform',
      over: {
        affected: ['base'],
        platforms: ['linux/arm64'],
        images: [{ name: 'base', parents: [] }],
        levels: [['base']],
      },
      levels: [['base'], [], [], []],
      unaffected: [],
      affected: ['base'],
    },
  ];
  it.each(cases)('$name', ({ over, levels, unaffected, affected, runners }) => {
    const plan = ciPlan(input(over));
    const platforms = over.platforms ?? BOTH;
    expect(plan.levels.map((l) => l.level)).toEqual(levels.map((_, i) => i));
    expect(plan.levels.map((l) => l.images)).toEqual(levels);
    for (const [i, level] of plan.levels.entries()) {
      expect(level.matrix.include, `level ${i}`).toEqual(entries(levels[i], platforms, runners ?? DEFAULT_RUNNERS));
    }
    expect(plan.unaffected).toEqual(unaffected);
    expect(plan.affected).toEqual(affected);
    expect(plan.platforms).toEqual(platforms);
  });

  it('an image whose content is not in the registry is planned with what builds FROM it, though no file changed', () => {
    const plan = ciPlan(input({ affected: [], notInRegistry: ['base'] }));
    expect(plan.levels.map((l) => l.images)).toEqual([['base'], ['cpp', 'developer', 'node'], [], []]);
    expect(plan.unaffected).toEqual([]);
    expect(plan.notInRegistry).toEqual(['base']);
  });

  it('content missing for one leaf adds that leaf to the changed ones; names outside the graph are ignored', () => {
    const plan = ciPlan(input({ affected: ['node'], notInRegistry: ['cpp', 'gone'] }));
    expect(plan.levels.map((l) => l.images)).toEqual([[], ['cpp', 'node'], [], []]);
    expect(plan.unaffected).toEqual(['base', 'developer']);
    expect(plan.affected).toEqual(['cpp', 'node']);
    expect(plan.notInRegistry).toEqual(['cpp']);
  });

  it('the default runners are the GitHub-hosted native ones', () => {
    expect(DEFAULT_RUNNERS).toEqual({ 'linux/amd64': 'ubuntu-24.04', 'linux/arm64': 'ubuntu-24.04-arm' });
  });
});

describe('ciPlan: errors', () => {
  it.each([
    { platforms: ['linux/riscv64'], missing: 'linux/riscv64' },
    { platforms: ['linux/amd64', 'linux/s390x'], missing: 'linux/s390x' },
  ])('no runner label for $missing', ({ platforms, missing }) => {
    const e = thrown(() => ciPlan(input({ affected: 'all', platforms })));
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toContain(`no runner label for ${missing}`);
    expect(e.message).toContain(`--runner ${missing}=`);
  });

  it('a custom runner makes an unusual platform plannable', () => {
    const plan = ciPlan(
      input({ affected: ['node'], platforms: ['linux/riscv64'], runners: { 'linux/riscv64': 'riscv-box' } }),
    );
    expect(plan.levels[1].matrix.include).toEqual([
      { image: 'node', platform: 'linux/riscv64', slug: 'linux-riscv64', runner: 'riscv-box' },
    ]);
  });

  const chain: CiPlanInput['images'] = [
    { name: 'a', parents: [] },
    { name: 'b', parents: ['a'] },
    { name: 'c', parents: ['b'] },
  ];
  it('too many levels: names the workflow file and how to extend it', () => {
    const e = thrown(() =>
      ciPlan(
        input({
          images: chain,
          levels: [['a'], ['b'], ['c']],
          affected: ['a'],
          maxLevels: 2,
          workflowFile: '.github/workflows/images.yml',
        }),
      ),
    );
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toContain('.github/workflows/images.yml');
    expect(e.message).toMatch(/3 levels/);
    expect(e.message).toContain('--max-levels 3');
    // The workflow's level jobs are `level-<n>` (calling build-level.yml) fed by the plan job's
    // matrix-<n>/images-<n>/has-<n> outputs: the fix must name what to copy.
    expect(e.message).toContain('level-2');
    expect(e.message).toMatch(/matrix-2/);
  });

  it('levels above maxLevels with nothing affected are fine', () => {
    const plan = ciPlan(input({ images: chain, levels: [['a'], ['b'], ['c']], affected: [], maxLevels: 2 }));
    expect(plan.levels.map((l) => l.images)).toEqual([[], []]);
    expect(plan.unaffected).toEqual(['a', 'b', 'c']);
  });
});

describe('ancestors: what a failed image takes with it', () => {
  it.each([
    { affected: ['base'], want: { cpp: ['base'], developer: ['base'], node: ['base'] } },
    // base is not planned (its digest is in the registry already): nothing of this run can block node.
    { affected: ['node'], want: {} },
  ])('planned $affected: $want', ({ affected, want }) => {
    expect(ciPlan(input({ affected })).ancestors).toEqual(want);
  });

  it('transitive, through images of every level', () => {
    const images = [...FAMILY, { name: 'node-extra', parents: ['node'] }];
    const plan = ciPlan(input({ images, levels: [...FAMILY_LEVELS, ['node-extra']], affected: ['base'] }));
    expect(plan.ancestors['node-extra']).toEqual(['base', 'node']);
    expect(planOutputs(plan).ancestors).toBe(JSON.stringify(plan.ancestors));
  });
});

describe('planOutputs', () => {
  it('one line per output; matrix-N is one-line JSON, has-N a boolean string', () => {
    const out = planOutputs(ciPlan(input({ affected: ['node'], maxLevels: 2 })));
    expect(Object.keys(out).sort()).toEqual(
      [
        'affected',
        'ancestors',
        'has-0',
        'has-1',
        'has-unaffected',
        'images-0',
        'images-1',
        'matrix-0',
        'matrix-1',
        'plan',
        'platforms',
        'unaffected',
      ].sort(),
    );
    for (const v of Object.values(out)) expect(v).not.toContain('\n');
    expect(out['has-0']).toBe('false');
    expect(out['has-1']).toBe('true');
    expect(JSON.parse(out['matrix-0'])).toEqual({ include: [] });
    expect(JSON.parse(out['matrix-1'])).toEqual({ include: entries(['node'], BOTH) });
    expect(out['images-1']).toBe('node');
    expect(out.platforms).toBe('linux/amd64,linux/arm64');
    expect(out.unaffected).toBe('base,cpp,developer');
    expect(out['has-unaffected']).toBe('true');
    expect(JSON.parse(out.plan).levels).toHaveLength(2);
  });
});
