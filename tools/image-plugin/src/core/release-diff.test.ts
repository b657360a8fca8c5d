import { describe, expect, it } from 'vitest';
import type { ContentsDiff } from './contents-diff';
import { isUsageError, RegistryError } from './errors';
import {
  checkReleasesExist,
  imagesToLook,
  parseReleaseRange,
  presenceOf,
  releaseDiffMarkdown,
  releaseDiffText,
  releaseImageRefs,
  type ReleaseDiff,
} from './release-diff';

describe('parseReleaseRange', () => {
  it.each([
    { text: 'v1.2.0..v1.3.0', from: 'v1.2.0', to: 'v1.3.0' },
    { text: 'v1.3.0..v1.2.0', from: 'v1.3.0', to: 'v1.2.0' },
    { text: 'v1.2.0..v1.3.0-rc.1', from: 'v1.2.0', to: 'v1.3.0-rc.1' },
    { text: 'v1.2.3+build.5..v1.2.4', from: 'v1.2.3+build.5', to: 'v1.2.4' },
  ])('$text: $from to $to', ({ text, from, to }) => {
    const range = parseReleaseRange(text);
    expect([range.from.tag, range.to.tag]).toEqual([from, to]);
  });

  it.each([
    { text: 'v1.2.0', says: '--release "v1.2.0" is not two releases joined by ..', fix: 'v1.2.0..v1.3.0' },
    { text: 'v1.2.0..', says: '"" is not a release name', fix: 'release names as their git tags' },
    { text: '1.2.0..v1.3.0', says: '"1.2.0" is not a release name', fix: 'write v1.2.0' },
    { text: 'v1.2.0..V1.3.0', says: '"V1.3.0" is not a release name', fix: 'write v1.3.0' },
    { text: 'v1.2.0...v1.3.0', says: '".v1.3.0" is not a release name', fix: 'write v1.3.0' },
    { text: 'v1.2..v1.3', says: '"v1.2" is not a release name', fix: 'release names as their git tags' },
    { text: 'v1.2.0..v1.2.0', says: 'names one release twice', fix: 'name two releases' },
    { text: 'v1.2.0+a..v1.2.0+b', says: 'names one release twice', fix: 'name two releases' },
  ])('refuses $text', ({ text, says, fix }) => {
    let error: unknown;
    try {
      parseReleaseRange(text);
    } catch (e) {
      error = e;
    }
    expect(isUsageError(error)).toBe(true);
    expect((error as Error).message).toContain(says);
    expect((error as Error).message).toContain(fix);
  });
});

const range = parseReleaseRange('v1.2.0..v1.3.0+b.1');

describe('releaseImageRefs', () => {
  it.each([
    { layout: 'single' as const, want: { image: 'base', from: 'r:base-1.2.0', to: 'r:base-1.3.0_b.1' } },
    { layout: 'per-image' as const, want: { image: 'base', from: 'r/base:1.2.0', to: 'r/base:1.3.0_b.1' } },
  ])('$layout: the exact release tags', ({ layout, want }) => {
    expect(releaseImageRefs(range, ['node', 'base'], 'r', layout)[0]).toEqual(want);
  });
});

describe('presenceOf and checkReleasesExist', () => {
  const refs = releaseImageRefs(range, ['base', 'cpp', 'gone', 'node'], 'r', 'single');
  it.each([
    {
      name: 'in both, only the newer, only the older, neither',
      tags: ['r:base-1.2.0', 'r:base-1.3.0_b.1', 'r:cpp-1.3.0_b.1', 'r:gone-1.2.0'],
      want: ['base both', 'cpp added', 'gone removed'],
    },
    { name: 'nothing in common', tags: ['r:base-1.2.0', 'r:node-1.3.0_b.1'], want: ['base removed', 'node added'] },
  ])('$name', ({ tags, want }) => {
    const has = (t: string) => tags.includes(t);
    expect(() => checkReleasesExist(range, refs, has)).not.toThrow();
    expect(presenceOf(refs, has).map((p) => `${p.refs.image} ${p.presence}`)).toEqual(want);
  });

  it.each([
    { tags: ['r:base-1.3.0_b.1'], missing: 'v1.2.0', looked: 'r:base-1.2.0, r:cpp-1.2.0' },
    { tags: ['r:base-1.2.0'], missing: 'v1.3.0+b.1', looked: 'r:base-1.3.0_b.1, r:cpp-1.3.0_b.1' },
    { tags: [], missing: 'v1.2.0', looked: 'r:base-1.2.0, r:cpp-1.2.0, r:gone-1.2.0, r:node-1.2.0)' },
  ])('a release no image has: $missing', ({ tags, missing, looked }) => {
    const check = () => checkReleasesExist(range, refs, (t) => tags.includes(t));
    expect(check).toThrow(RegistryError);
    expect(check).toThrow(`${missing} is not in the registry: no image has its release tag (looked for ${looked}`);
    expect(check).toThrow(`git tag -l 'v*'`);
  });
});

describe('releaseDiffText and releaseDiffMarkdown', () => {
  const diff: ContentsDiff = {
    from: { ref: 'r:base-1.2.0', image: 'base' },
    to: { ref: 'r:base-1.3.0', image: 'base' },
    relation: 'same image',
    platforms: [
      {
        platform: 'linux/amd64',
        presence: 'both',
        debian: [],
        npm: [],
        tools: [{ name: 'hello', from: '1.0', to: '1.1' }],
        size: { from: 100, to: 100, unit: 'compressed' },
        topLayers: [],
      },
    ],
  };
  const d: ReleaseDiff = {
    from: 'v1.2.0',
    to: 'v1.3.0',
    images: [
      { image: 'base', presence: 'both', diff },
      { image: 'cpp', presence: 'added', ref: 'r:cpp-1.3.0' },
      { image: 'gone', presence: 'removed', ref: 'r:gone-1.2.0' },
      { image: 'old', presence: 'both', problem: 'r:old-1.2.0 (linux/amd64) has no contents record' },
    ],
  };

  it('text: the counts, each image diffed or where it is only', () => {
    const text = releaseDiffText(d);
    expect(text).toMatch(/^v1\.2\.0 -> v1\.3\.0: 2 compared, 1 added, 1 removed\n/);
    expect(text).toContain('== old: no comparison (r:old-1.2.0 (linux/amd64) has no contents record)\n');
    expect(text).toContain('== base\nr:base-1.2.0 -> r:base-1.3.0: two versions of base\n');
    expect(text).toContain('    ~ hello  1.0 -> 1.1\n');
    expect(text).toContain('== cpp: only in v1.3.0 (r:cpp-1.3.0)\n');
    expect(text).toContain('== gone: only in v1.2.0 (r:gone-1.2.0)\n');
  });

  it('markdown: a diff folded under its image, an image of one release as a line', () => {
    const md = releaseDiffMarkdown(d);
    expect(md).toMatch(/^## v1\.2\.0 → v1\.3\.0\n\n2 compared, 1 added, 1 removed\n/);
    expect(md).toContain('- old: no comparison (r:old-1.2.0 (linux/amd64) has no contents record)\n');
    expect(md).toContain('<details><summary>base</summary>\n\n### `r:base-1.2.0` → `r:base-1.3.0`');
    expect(md).toContain('| changed | `hello` | 1.0 | 1.1 |');
    expect(md).toContain('- cpp: only in v1.3.0 (`r:cpp-1.3.0`)');
    expect(md).toContain('- gone: only in v1.2.0 (`r:gone-1.2.0`)');
  });
});

describe('imagesToLook', () => {
  const r = parseReleaseRange('v1.2.0..v1.3.0-rc.1');
  it.each([
    {
      name: 'single: the workspace and every image either release tagged (one deleted since, one with a dash)',
      layout: 'single' as const,
      tags: ['base-1.2.0', 'gone-1.2.0', 'node-extra-1.3.0-rc.1', 'cpp-1.1.0', 'base-edge', 'x-1.2.0.1'],
      want: ['base', 'gone', 'node', 'node-extra'],
    },
    {
      name: 'per image: the workspace only',
      layout: 'per-image' as const,
      tags: ['gone-1.2.0'],
      want: ['base', 'node'],
    },
  ])('$name', ({ layout, tags, want }) => {
    expect(imagesToLook(r, ['node', 'base'], tags, layout)).toEqual(want);
  });
});
