import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { checkMatrixSizes, checkPlanHasPlatforms, MAX_MATRIX_JOBS } from './matrix-rules';

const errorOf = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    expect(isImageConfigError(e)).toBe(true);
    return e as Error;
  }
  throw new Error('expected an error');
};
const images = (n: number) => Array.from({ length: n }, (_, i) => `image-${i}`);

describe('checkPlanHasPlatforms', () => {
  it('an empty list is refused, naming the file and the fix', () => {
    const message = errorOf(() => checkPlanHasPlatforms([], 'nx.json')).message;
    expect(message).toMatch(/^nx\.json: no platform to build/);
    expect(message).toContain('fix: list at least one platform');
  });
  it('one platform is enough', () => expect(() => checkPlanHasPlatforms(['linux/amd64'], 'nx.json')).not.toThrow());
});

describe("checkMatrixSizes: never over GitHub's 256 jobs per matrix", () => {
  it.each([
    { n: 128, platforms: 2, ok: true },
    { n: 256, platforms: 1, ok: true },
    { n: 129, platforms: 2, ok: false },
    { n: 86, platforms: 3, ok: false },
  ])('$n images x $platforms platforms', ({ n, platforms, ok }) => {
    const run = () =>
      checkMatrixSizes(
        [
          { level: 0, images: [] },
          { level: 1, images: images(n) },
        ],
        platforms,
        '.github/workflows/images.yml',
      );
    if (ok) expect(run).not.toThrow();
    else {
      const message = errorOf(run).message;
      expect(message).toContain(`level 1 has ${n} images x ${platforms} platforms = ${n * platforms} build jobs`);
      expect(message).toContain(`at most ${MAX_MATRIX_JOBS}`);
      expect(message).toContain('fix: split the level in .github/workflows/images.yml');
    }
  });
});

describe('ciPlan applies both rules', () => {
  const input = (platforms: string[], n = 1) => ({
    images: images(n).map((name) => ({ name, parents: [] })),
    levels: [images(n)],
    affected: 'all' as const,
    platforms,
    runners: { 'linux/amd64': 'ubuntu-24.04', 'linux/arm64': 'ubuntu-24.04-arm' },
    maxLevels: 4,
    workflowFile: '.github/workflows/images.yml',
  });
  it('an empty platform list', async () => {
    const { ciPlan } = await import('./ci-plan');
    expect(errorOf(() => ciPlan(input([]))).message).toContain('no platform to build');
  });
  it('a level over 256 jobs', async () => {
    const { ciPlan } = await import('./ci-plan');
    expect(errorOf(() => ciPlan(input(['linux/amd64', 'linux/arm64'], 129))).message).toContain('= 258 build jobs');
    expect(ciPlan(input(['linux/amd64', 'linux/arm64'], 128)).levels[0].matrix.include).toHaveLength(256);
  });
});
