import { describe, expect, it } from 'vitest';
import { buildTargetNameOf, checkPluginOptions, normalizePluginOptions, resultsDirOf } from './options';

const lineOf = (keys: string[]) => (keys.join('.') === 'build.platforms' ? 9 : keys[0] === 'layout' ? 7 : undefined);

describe('checkPluginOptions: nx.json as written, with the line of the option', () => {
  it.each([
    [
      { layout: 'flat' },
      /^nx\.json:7: plugins\[image-plugin\]\.options\.layout "flat" is not one of single, per-image\n {2}fix: use single or per-image$/,
    ],
    [
      { dockerfileGlobs: 'images/*/Dockerfile' },
      /^nx\.json: unknown image plugin option dockerfileGlobs\n {2}fix: did you mean dockerfileGlob\?/,
    ],
    [
      { repository: 'ghcr.io/' },
      /^nx\.json: plugins\[image-plugin\]\.options\.repository "ghcr\.io\/" has no owner and name\n {2}fix: ghcr\.io\/<owner>\/<repo>$/,
    ],
    [{ repository: 'ghcr.io/Acme/images' }, /must be lower case\n {2}fix: write ghcr\.io\/acme\/images$/],
    [{ buildTargetName: 3 }, /options\.buildTargetName 3 is not text/],
    [
      { build: { platforms: 'linux/amd64,bogus/arch' } },
      /^nx\.json:9: plugins\[image-plugin\]\.options\.build\.platforms "bogus\/arch" is not a platform/,
    ],
    [
      { build: { pushh: true } },
      /^nx\.json: unknown image-build option plugins\[image-plugin\]\.options\.build\.pushh\n {2}fix: did you mean push\?/,
    ],
  ])('%j', (options, message) => {
    expect(() => checkPluginOptions(options, lineOf)).toThrow(message);
  });

  it('takes what the workspace writes, and normalizePluginOptions checks before it normalizes', () => {
    const good = {
      dockerfileGlob: 'images/*/Dockerfile',
      repository: 'ghcr.io/acme/workspace-images',
      layout: 'per-image',
      build: { platforms: ['linux/amd64', 'linux/arm64'], cacheFrom: ['registry'] },
    };
    expect(() => checkPluginOptions(good)).not.toThrow();
    expect(normalizePluginOptions(undefined, () => 'ghcr.io/Acme/Images').repository).toBe('ghcr.io/acme/images');
    expect(() => normalizePluginOptions({ layout: 'flat' as never }, () => undefined)).toThrow(/layout "flat"/);
  });
});

describe('buildTargetNameOf, resultsDirOf: the one reading of two options (plugin, hooks, normalizePluginOptions)', () => {
  it.each([
    { options: undefined, target: 'image-build', resultsDir: 'dist/images' },
    { options: {}, target: 'image-build', resultsDir: 'dist/images' },
    { options: { buildTargetName: 'oci', build: { resultsDir: 'out/r' } }, target: 'oci', resultsDir: 'out/r' },
  ])('$options', ({ options, target, resultsDir }) => {
    expect(buildTargetNameOf(options)).toBe(target);
    expect(resultsDirOf(options)).toBe(resultsDir);
    const normalized = normalizePluginOptions(options, () => 'ghcr.io/acme/images');
    expect([normalized.buildTargetName, normalized.resultsDir]).toEqual([target, resultsDir]);
  });
});
