import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import {
  checkUniqueVersion,
  checkWriteOnce,
  makeLatest,
  parseReleaseTag,
  readReleaseTag,
  readReleaseTags,
  releaseMoves,
  releaseTags,
  releaseTagSuffixes,
} from './release-tags';

const errorOf = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    expect(isImageConfigError(e)).toBe(true);
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('parseReleaseTag: v + semver, nothing else', () => {
  it.each([
    ['v1.2.3', { version: '1.2.3', exact: '1.2.3', build: [], prerelease: false }],
    ['refs/tags/v1.2.3', { version: '1.2.3', exact: '1.2.3', build: [], prerelease: false }],
    ['v1.3.0-rc.1', { version: '1.3.0-rc.1', exact: '1.3.0-rc.1', build: [], prerelease: true }],
    ['v1.2.3+build.5', { version: '1.2.3', exact: '1.2.3_build.5', build: ['build', '5'], prerelease: false }],
    [
      'v2.0.0-beta.2+exp.sha.5114f85',
      {
        version: '2.0.0-beta.2',
        exact: '2.0.0-beta.2_exp.sha.5114f85',
        build: ['exp', 'sha', '5114f85'],
        prerelease: true,
      },
    ],
    ['v10.20.30', { version: '10.20.30', exact: '10.20.30', build: [], prerelease: false }],
  ])('%s', (tag, want) => {
    expect(parseReleaseTag(tag)).toEqual({ tag: tag.replace('refs/tags/', ''), ...want });
  });

  it.each([
    ['vv1.2.3', 'tag the commit v1.2.3 instead'],
    ['1.2.3', 'tag the commit v1.2.3 instead'],
    ['V1.2.3', 'tag the commit v1.2.3 instead'],
    ['v1.2', 'release tags look like v1.2.3'],
    ['v1', 'release tags look like v1.2.3'],
    ['latest', 'release tags look like v1.2.3'],
    ['v1.2.3.4', 'release tags look like v1.2.3'],
    ['v01.2.3', 'release tags look like v1.2.3'],
    ['v=1.2.3', 'release tags look like v1.2.3'],
    ['v 1.2.3', 'release tags look like v1.2.3'],
    ['release-1.2.3', 'release tags look like v1.2.3'],
    ['vx.y.z', 'release tags look like v1.2.3'],
    ['', 'release tags look like v1.2.3'],
  ])('"%s" is refused, naming the tag and the fix', (tag, fix) => {
    const message = errorOf(() => parseReleaseTag(tag)).message;
    expect(message).toContain(`the tag "${tag}" is not a release tag`);
    expect(message).toContain(`fix: ${fix}`);
  });

  it('the docker tag of a version with build metadata has no "+" (docker tags cannot hold one)', () => {
    const exact = parseReleaseTag('v1.2.3+build.5').exact;
    expect(exact).toMatch(/^[\w][\w.-]{0,127}$/);
  });
});

describe('readReleaseTags: existing tags read by the same grammar', () => {
  it('stray tags are left out and named; they never count as releases', () => {
    const { releases, ignored } = readReleaseTags([
      'v1.0.0',
      'vv9.9.9',
      'v1.2',
      'V3.0.0',
      'v1.1.0-rc.1',
      'nightly',
      'v1.0.1+b.2',
    ]);
    expect(releases.map((r) => r.tag)).toEqual(['v1.0.0', 'v1.1.0-rc.1', 'v1.0.1+b.2']);
    expect(ignored).toEqual(['vv9.9.9', 'v1.2', 'V3.0.0']);
    expect(readReleaseTag('vv9.9.9')).toBeNull();
  });

  it('a stray vv9.9.9 does not stop v1.2.0 from taking the bare tag', () => {
    const { releases } = readReleaseTags(['v1.0.0', 'vv9.9.9', 'v1.2.0']);
    expect(
      releaseTagSuffixes(
        '1.2.0',
        releases.map((r) => r.version),
      ),
    ).toEqual(['1.2.0', '1.2', '1', null]);
  });

  it('two tags of one version that differ in build metadata are refused, naming both', () => {
    const { releases } = readReleaseTags(['v1.2.3+build.5', 'v1.2.3+build.6', 'v1.2.4']);
    const message = errorOf(() => checkUniqueVersion(releases[1], releases)).message;
    expect(message).toContain('v1.2.3+build.6 and v1.2.3+build.5 are the same version 1.2.3');
    expect(message).toContain('git push --delete origin v1.2.3+build.6');
    expect(() => checkUniqueVersion(releases[2], releases)).not.toThrow();
  });
});

describe('makeLatest: the same highest-wins rule as the bare tag', () => {
  const released = ['1.0.0', '1.1.0', '1.2.0', '1.0.1', '2.0.0-rc.1'];
  it.each([
    ['v1.2.0', 'true'],
    ['v1.1.5', 'false'], // a hotfix of an older line is never the latest
    ['v1.0.1', 'false'],
    ['v2.0.0-rc.1', 'false'], // a pre-release never
    ['v1.3.0', 'true'],
    ['v1.2.0+build.7', 'true'],
  ])('%s -> %s', (tag, want) => {
    const release = parseReleaseTag(tag);
    expect(makeLatest(release, [...released, release.version])).toBe(want);
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
    state: {
      '1.0.0': '1.0.0',
      '1.0.1': '1.0.1',
      '1.0': '1.0.1',
      '1.1.0': '1.1.0',
      '1.1': '1.1.0',
      '1': '1.1.0',
      '': '1.1.0',
    },
  },
  {
    tag: 'v1.2.0-rc.1',
    adds: ['1.2.0-rc.1'],
    state: {
      '1.0.0': '1.0.0',
      '1.0.1': '1.0.1',
      '1.0': '1.0.1',
      '1.1.0': '1.1.0',
      '1.1': '1.1.0',
      '1': '1.1.0',
      '': '1.1.0',
      '1.2.0-rc.1': '1.2.0-rc.1',
    },
  },
  {
    tag: 'v1.2.0',
    adds: ['1.2.0', '1.2', '1', ''],
    state: {
      '1.0.0': '1.0.0',
      '1.0.1': '1.0.1',
      '1.0': '1.0.1',
      '1.1.0': '1.1.0',
      '1.1': '1.1.0',
      '1.2.0-rc.1': '1.2.0-rc.1',
      '1.2.0': '1.2.0',
      '1.2': '1.2.0',
      '1': '1.2.0',
      '': '1.2.0',
    },
  },
  {
    tag: 'v1.1.5',
    adds: ['1.1.5', '1.1'],
    state: {
      '1.0.0': '1.0.0',
      '1.0.1': '1.0.1',
      '1.0': '1.0.1',
      '1.1.0': '1.1.0',
      '1.1.5': '1.1.5',
      '1.1': '1.1.5',
      '1.2.0-rc.1': '1.2.0-rc.1',
      '1.2.0': '1.2.0',
      '1.2': '1.2.0',
      '1': '1.2.0',
      '': '1.2.0',
    },
  },
  {
    tag: 'v2.0.0-rc.1',
    adds: ['2.0.0-rc.1'],
    state: {
      '1.0.0': '1.0.0',
      '1.0.1': '1.0.1',
      '1.0': '1.0.1',
      '1.1.0': '1.1.0',
      '1.1.5': '1.1.5',
      '1.1': '1.1.5',
      '1.2.0-rc.1': '1.2.0-rc.1',
      '1.2.0': '1.2.0',
      '1.2': '1.2.0',
      '1': '1.2.0',
      '': '1.2.0',
      '2.0.0-rc.1': '2.0.0-rc.1',
    },
  },
];

describe('release tag rules: the sequence v1.0.0, v1.1.0, v1.0.1, v1.2.0-rc.1, v1.2.0, hotfix v1.1.5, v2.0.0-rc.1', () => {
  const state: Record<string, string> = {};
  const gitTags: string[] = [];
  for (const step of SEQUENCE) {
    it(`${step.tag} adds ${step.adds.map((s) => s || '<image>').join(', ')}`, () => {
      gitTags.push(step.tag);
      const version = parseReleaseTag(step.tag).version;
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
    expect(
      releaseTagSuffixes(
        '1.2.0',
        all.filter((v) => v !== '1.2.0'),
      ),
    ).toEqual(['1.2.0', '1.2', '1', null]);
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
    {
      layout: 'single' as const,
      version: '1.0.1',
      released: ['1.0.0', '1.1.0'],
      tags: ['r/images:base-1.0.1', 'r/images:base-1.0'],
    },
    { layout: 'single' as const, version: '1.3.0-rc.1', released: ['1.2.0'], tags: ['r/images:base-1.3.0-rc.1'] },
    {
      layout: 'single' as const,
      version: '1.2.1+build.5',
      released: ['1.2.0'],
      tags: ['r/images:base-1.2.1_build.5', 'r/images:base-1.2', 'r/images:base-1', 'r/images:base'],
    },
    {
      layout: 'per-image' as const,
      version: '1.2.1+build.5',
      released: ['1.3.0'],
      tags: ['r/images/base:1.2.1_build.5', 'r/images/base:1.2'],
    },
  ])('$layout $version', ({ layout, version, released, tags }) => {
    expect(
      releaseTags({ repository: 'r/images', layout, image: 'base', release: parseReleaseTag(`v${version}`), released }),
    ).toEqual(tags);
  });
});

describe('releaseMoves: exact version tags of every image first, the floating ones last', () => {
  const image = (name: string, tags: string[]) => ({ image: name, digest: `sha256:${name}`, tags });
  it.each([
    {
      name: 'a stable release that takes every floating tag',
      layout: 'single' as const,
      images: [
        image('base', ['r/images:base-1.2.0', 'r/images:base-1.2', 'r/images:base-1', 'r/images:base']),
        image('node', ['r/images:node-1.2.0', 'r/images:node-1.2', 'r/images:node-1', 'r/images:node']),
      ],
      order: [
        'r/images:base-1.2.0',
        'r/images:node-1.2.0',
        'r/images:base-1.2',
        'r/images:node-1.2',
        'r/images:base-1',
        'r/images:node-1',
        'r/images:base',
        'r/images:node',
      ],
      repositories: ['r/images'],
    },
    {
      name: 'a pre-release: the exact tags only',
      layout: 'per-image' as const,
      images: [image('base', ['r/images/base:1.3.0-rc.1']), image('node', ['r/images/node:1.3.0-rc.1'])],
      order: ['r/images/base:1.3.0-rc.1', 'r/images/node:1.3.0-rc.1'],
      repositories: ['r/images/base', 'r/images/node'],
    },
    { name: 'no images', layout: 'single' as const, images: [], order: [], repositories: [] },
  ])('$name', ({ layout, images, order, repositories }) => {
    const moves = releaseMoves(images, 'r/images', layout);
    expect(moves.map((m) => m.tag)).toEqual(order);
    expect([...new Set(moves.map((m) => m.repository))]).toEqual(repositories);
    for (const m of moves) expect(m.digest).toBe(`sha256:${m.image}`);
  });
});

describe('checkWriteOnce: an exact version tag never names a second digest', () => {
  const exact = [
    { image: 'base', tag: 'r/images:base-1.2.3', repository: 'r/images', digest: 'sha256:b2' },
    { image: 'node', tag: 'r/images:node-1.2.3', repository: 'r/images', digest: 'sha256:n2' },
  ];
  it.each<{ name: string; current: Record<string, string>; refused: string[] }>([
    { name: 'new tags', current: {}, refused: [] },
    { name: 'already at this digest (a re-run)', current: { base: 'sha256:b2', node: 'sha256:n2' }, refused: [] },
    { name: 'base at another digest', current: { base: 'sha256:b1', node: 'sha256:n2' }, refused: ['base'] },
    { name: 'both at other digests', current: { base: 'sha256:b1', node: 'sha256:n1' }, refused: ['base', 'node'] },
  ])('$name', ({ current, refused }) => {
    const now = new Map(exact.map((m) => [m.tag, current[m.image] ?? null] as const));
    const check = () => checkWriteOnce(parseReleaseTag('v1.2.3'), exact, now);
    if (!refused.length) return expect(check).not.toThrow();
    const message = errorOf(check).message;
    expect(message).toMatch(/^release: v1\.2\.3 was released before with other images: /);
    for (const name of refused) {
      const m = exact.find((e) => e.image === name)!;
      expect(message).toContain(`${m.tag} names ${now.get(m.tag)}, but ${name} at this commit is ${m.digest}`);
    }
    for (const m of exact.filter((e) => !refused.includes(e.image))) expect(message).not.toContain(`${m.tag} names`);
    expect(message).toContain('exact version tags are write-once');
    expect(message).toContain('no tag was moved');
    expect(message).toMatch(/fix: .*git tag -f v1\.2\.3 .*release the next version.*delete r\/images:base-1\.2\.3/);
  });
});
