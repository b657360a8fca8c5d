import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { releaseTags, releaseTagSuffixes, releaseVersion } from './release-tags';

describe('releaseVersion', () => {
  it.each([
    ['v1.2.3', '1.2.3'],
    ['1.2.3', '1.2.3'],
    ['refs/tags/v1.2.3', '1.2.3'],
    ['v1.3.0-rc.1', '1.3.0-rc.1'],
    ['v2.0.0-beta.2+build.5', '2.0.0-beta.2'],
  ])('%s -> %s', (tag, version) => {
    expect(releaseVersion(tag)).toBe(version);
  });

  it.each(['v1.2', 'v1', 'latest', 'v1.2.3.4', 'release-1.2.3', 'vx.y.z', ''])('"%s" is refused, naming the tag', (tag) => {
    let error: unknown;
    try {
      releaseVersion(tag);
    } catch (e) {
      error = e;
    }
    expect(isImageConfigError(error)).toBe(true);
    expect((error as Error).message).toContain(`"${tag}"`);
    expect((error as Error).message).toContain('v1.2.3');
  });
});

/**
 * The release sequence as a registry sees it: each step releases one version with every git tag
 * that exists by then; `state` maps each tag suffix ('' = the bare `<image>` tag) to the version
 * whose digest it points at.
 */
const SEQUENCE: Array<{ tag: string; adds: string[]; state: Record<string, string> }> = [
  {
    tag: 'v1.0.0',
    adds: ['1.0.0', '1.0', '1', ''],
    state: { '1.0.0': '1.0.0', '1.0': '1.0.0', '1': '1.0.0', '': '1.0.0' },
  },
  {
    tag: 'v1.1.0',
    adds: ['1.1.0', '1.1', '1', ''],
    state: { '1.0.0': '1.0.0', '1.0': '1.0.0', '1.1.0': '1.1.0', '1.1': '1.1.0', '1': '1.1.0', '': '1.1.0' },
  },
  {
    tag: 'v1.0.1',
    adds: ['1.0.1', '1.0'],
    state: { '1.0.0': '1.0.0', '1.0.1': '1.0.1', '1.0': '1.0.1', '1.1.0': '1.1.0', '1.1': '1.1.0', '1': '1.1.0', '': '1.1.0' },
  },
  {
    tag: 'v1.2.0-rc.1',
    adds: ['1.2.0-rc.1'],
    state: { '1.0.0': '1.0.0', '1.0.1': '1.0.1', '1.0': '1.0.1', '1.1.0': '1.1.0', '1.1': '1.1.0', '1': '1.1.0', '': '1.1.0', '1.2.0-rc.1': '1.2.0-rc.1' },
  },
  {
    tag: 'v1.2.0',
    adds: ['1.2.0', '1.2', '1', ''],
    state: {
      '1.0.0': '1.0.0', '1.0.1': '1.0.1', '1.0': '1.0.1', '1.1.0': '1.1.0', '1.1': '1.1.0',
      '1.2.0-rc.1': '1.2.0-rc.1', '1.2.0': '1.2.0', '1.2': '1.2.0', '1': '1.2.0', '': '1.2.0',
    },
  },
  {
    tag: 'v1.1.5',
    adds: ['1.1.5', '1.1'],
    state: {
      '1.0.0': '1.0.0', '1.0.1': '1.0.1', '1.0': '1.0.1', '1.1.0': '1.1.0', '1.1.5': '1.1.5', '1.1': '1.1.5',
      '1.2.0-rc.1': '1.2.0-rc.1', '1.2.0': '1.2.0', '1.2': '1.2.0', '1': '1.2.0', '': '1.2.0',
    },
  },
  {
    tag: 'v2.0.0-rc.1',
    adds: ['2.0.0-rc.1'],
    state: {
      '1.0.0': '1.0.0', '1.0.1': '1.0.1', '1.0': '1.0.1', '1.1.0': '1.1.0', '1.1.5': '1.1.5', '1.1': '1.1.5',
      '1.2.0-rc.1': '1.2.0-rc.1', '1.2.0': '1.2.0', '1.2': '1.2.0', '1': '1.2.0', '': '1.2.0', '2.0.0-rc.1': '2.0.0-rc.1',
    },
  },
];

describe('release tag rules: the sequence v1.0.0, v1.1.0, v1.0.1, v1.2.0-rc.1, v1.2.0, hotfix v1.1.5, v2.0.0-rc.1', () => {
  const state: Record<string, string> = {};
  const gitTags: string[] = [];
  for (const step of SEQUENCE) {
    it(`${step.tag} adds ${step.adds.map((s) => s || '<image>').join(', ')}`, () => {
      gitTags.push(step.tag);
      const version = releaseVersion(step.tag);
      const released = gitTags.map((t) => t.slice(1));
      const suffixes = releaseTagSuffixes(version, released);
      expect(suffixes.map((s) => s ?? '')).toEqual(step.adds);
      for (const s of suffixes) state[s ?? ''] = version;
      expect(state).toEqual(step.state);
    });
  }

  it('the order of the released list and whether it holds this version do not matter', () => {
    const all = ['1.2.0', '1.0.0', '1.1.0', '1.0.1', '1.2.0-rc.1'];
    expect(releaseTagSuffixes('1.1.5', all)).toEqual(['1.1.5', '1.1']);
    expect(releaseTagSuffixes('1.1.5', [...all, '1.1.5'].reverse())).toEqual(['1.1.5', '1.1']);
    expect(releaseTagSuffixes('1.2.0', all.filter((v) => v !== '1.2.0'))).toEqual(['1.2.0', '1.2', '1', null]);
  });

  it('a pre-release of a newer major never moves anything but its exact tag', () => {
    expect(releaseTagSuffixes('3.0.0-alpha.1', ['1.0.0'])).toEqual(['3.0.0-alpha.1']);
  });

  it('a new major: 2.0.0 takes 2.0, 2 and the bare tag; a later 1.x takes only its own line', () => {
    expect(releaseTagSuffixes('2.0.0', ['1.5.0', '2.0.0'])).toEqual(['2.0.0', '2.0', '2', null]);
    expect(releaseTagSuffixes('1.6.0', ['1.5.0', '2.0.0', '1.6.0'])).toEqual(['1.6.0', '1.6', '1']);
  });
});

describe('releaseTags: full references per layout', () => {
  it.each([
    {
      layout: 'single' as const,
      version: '1.2.0',
      released: ['1.0.0', '1.2.0'],
      tags: ['r/images:base-1.2.0', 'r/images:base-1.2', 'r/images:base-1', 'r/images:base'],
    },
    {
      layout: 'per-image' as const,
      version: '1.2.0',
      released: ['1.0.0', '1.2.0'],
      tags: ['r/images/base:1.2.0', 'r/images/base:1.2', 'r/images/base:1', 'r/images/base:latest'],
    },
    { layout: 'single' as const, version: '1.0.1', released: ['1.0.0', '1.1.0'], tags: ['r/images:base-1.0.1', 'r/images:base-1.0'] },
    { layout: 'single' as const, version: '1.3.0-rc.1', released: ['1.2.0'], tags: ['r/images:base-1.3.0-rc.1'] },
  ])('$layout $version', ({ layout, version, released, tags }) => {
    expect(releaseTags({ repository: 'r/images', layout, image: 'base', version, released })).toEqual(tags);
  });
});
