import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { mergedResult, mergeStep } from './merge';
import type { ImageResult } from './result';

const REPO = 'reg/acme/images';
const result = (platform: string, over: Partial<ImageResult> = {}): ImageResult => ({
  image: 'base',
  result: 'built',
  digest: `sha256:${platform.replace('/', '-')}`,
  tags: [],
  indexTags: [`${REPO}:base-abc1234`, `${REPO}:base-content-0123456789abcdef`],
  platforms: [platform],
  contentHash: '0123456789abcdef',
  parentDigest: null,
  baseDigest: 'sha256:debian',
  durationMs: 1000,
  revision: 'abc1234'.padEnd(40, '0'),
  pushed: true,
  runId: null,
  repository: REPO,
  pinnedReference: `${REPO}@sha256:${platform.replace('/', '-')}`,
  ...over,
});
const results = (entries: Array<[string, ImageResult | null]>) => new Map(entries);

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('mergeStep: a planned platform missing', () => {
  it.each([
    {
      name: 'arm64 missing',
      planned: ['linux/amd64', 'linux/arm64'],
      found: [['linux/amd64', result('linux/amd64')]] as Array<[string, ImageResult | null]>,
      missing: ['linux/arm64'],
    },
    {
      name: 'two of three missing, one of them read as null',
      planned: ['linux/amd64', 'linux/arm64', 'linux/riscv64'],
      found: [
        ['linux/amd64', result('linux/amd64')],
        ['linux/riscv64', null],
      ] as Array<[string, ImageResult | null]>,
      missing: ['linux/arm64', 'linux/riscv64'],
    },
    {
      name: 'everything missing',
      planned: ['linux/amd64', 'linux/arm64'],
      found: [],
      missing: ['linux/amd64', 'linux/arm64'],
    },
  ])('$name: names every missing one', ({ planned, found, missing }) => {
    const e = thrown(() => mergeStep('base', planned, results(found)));
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toContain('base');
    expect(e.message).toContain(`has no build for ${missing.join(', ')}`);
    for (const p of planned.filter((p) => !missing.includes(p)))
      expect(e.message.split('(planned')[0]).not.toContain(p);
  });
});

describe('mergeStep: deciding how to finish', () => {
  it('platform builds of different content are refused', () => {
    const e = thrown(() =>
      mergeStep(
        'base',
        ['linux/amd64', 'linux/arm64'],
        results([
          ['linux/amd64', result('linux/amd64')],
          ['linux/arm64', result('linux/arm64', { contentHash: 'ffffffffffffffff' })],
        ]),
      ),
    );
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toContain('disagree');
    expect(e.message).toContain('ffffffffffffffff');
  });

  it('all reused: nothing to merge', () => {
    const reused = (p: string) =>
      result(p, { result: 'reused', digest: 'sha256:index', indexTags: undefined, tags: [`${REPO}:base-abc1234`] });
    expect(
      mergeStep(
        'base',
        ['linux/amd64', 'linux/arm64'],
        results([
          ['linux/amd64', reused('linux/amd64')],
          ['linux/arm64', reused('linux/arm64')],
        ]),
      ),
    ).toEqual({
      kind: 'reused',
      digest: 'sha256:index',
      contentHash: '0123456789abcdef',
    });
  });

  it('built: the index of every platform digest, in planned order, with the SHA and content tags', () => {
    const step = mergeStep(
      'base',
      ['linux/arm64', 'linux/amd64'],
      results([
        ['linux/amd64', result('linux/amd64')],
        ['linux/arm64', result('linux/arm64')],
      ]),
    );
    expect(step).toEqual({
      kind: 'merge',
      sources: [`${REPO}@sha256:linux-arm64`, `${REPO}@sha256:linux-amd64`],
      tags: [`${REPO}:base-abc1234`, `${REPO}:base-content-0123456789abcdef`],
      contentHash: '0123456789abcdef',
    });
  });
});

describe("mergedResult: a merged image's result has the shape of every result", () => {
  const INDEX = { digest: 'sha256:index', platforms: ['linux/amd64', 'linux/arm64'] };
  const TAGS = [`${REPO}:base-abc1234`, `${REPO}:base-content-0123456789abcdef`];
  it.each([
    {
      name: 'merged from platform builds',
      platforms: [result('linux/amd64', { durationMs: 1000 }), result('linux/arm64', { durationMs: 3000 })],
      outcome: 'built',
    },
    {
      name: 'every platform job reused the published index',
      platforms: [
        result('linux/amd64', { result: 'reused', tags: TAGS, indexTags: undefined }),
        result('linux/arm64', { result: 'reused', tags: TAGS, indexTags: undefined }),
      ],
      outcome: 'reused',
    },
  ])('$name', ({ platforms, outcome }) => {
    const step = mergeStep('base', ['linux/amd64', 'linux/arm64'], results(platforms.map((r) => [r.platforms[0], r])));
    const merged = mergedResult({
      image: 'base',
      step,
      tags: TAGS,
      index: INDEX,
      platformResults: platforms,
      mergeMs: 20,
      runId: 'run-1',
    });
    expect(merged).toEqual({
      image: 'base',
      result: outcome,
      digest: 'sha256:index',
      tags: TAGS,
      platforms: INDEX.platforms,
      contentHash: '0123456789abcdef',
      parentDigest: null,
      baseDigest: 'sha256:debian',
      durationMs: Math.max(...platforms.map((p) => p.durationMs)) + 20,
      revision: 'abc1234'.padEnd(40, '0'),
      pushed: true,
      runId: 'run-1',
      repository: REPO,
      pinnedReference: `${REPO}@sha256:index`,
    });
    // The JSON a child reads keeps its field order.
    expect(Object.keys(merged)).toEqual(
      Object.keys(result('linux/amd64', { indexTags: undefined })).filter((k) => k !== 'indexTags'),
    );
  });
});
