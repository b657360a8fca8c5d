import { describe, expect, it } from 'vitest';
import type { ImageResult } from './result';
import { formatMarkdown, formatTable, summaryRows, summaryTitle, unfinishedStatus } from './summary';

const MiB = 1024 * 1024;
const result = (
  image: string,
  kind: ImageResult['result'],
  ms: number,
  extra: Partial<ImageResult> = {},
): ImageResult => ({
  image,
  result: kind,
  digest: `sha256:${'ab'.repeat(32)}`,
  tags: [`r/images:${image}-1a2b3c4`, `r/images:${image}-content-00ff`],
  platforms: ['linux/amd64', 'linux/arm64'],
  contentHash: '00ff',
  parentDigest: null,
  baseDigest: null,
  durationMs: ms,
  revision: 'x',
  pushed: true,
  runId: 'r',
  repository: 'r/images',
  pinnedReference: 'r/images@sha256:ab',
  ...extra,
});

const EMPTY = { tags: '', digest: '', platforms: '', size: '', aboveParent: '', budget: '', time: '' };

describe('the end-of-run summary', () => {
  const results = [
    result('base', 'built', 61234, {
      sizes: [
        { platform: 'linux/amd64', bytes: 655.5 * MiB, aboveParent: null },
        { platform: 'linux/arm64', bytes: 649.9 * MiB, aboveParent: null },
      ],
      sizeBudget: 690 * MiB,
    }),
    result('node', 'reused', 180, {
      platforms: ['linux/amd64'],
      sizes: [{ platform: 'linux/amd64', bytes: 672.8 * MiB, aboveParent: 17.3 * MiB }],
    }),
  ];
  const unfinished = [
    { image: 'cpp', status: 'failed' as const },
    { image: 'leaf', status: 'skipped' as const },
  ];

  it('one row per image: results first, then what failed or never ran', () => {
    expect(summaryRows(results, unfinished)).toEqual([
      {
        image: 'base',
        status: 'built',
        tags: 'base-1a2b3c4 base-content-00ff',
        digest: 'sha256:abababababab',
        platforms: 'linux/amd64 linux/arm64',
        size: 'amd64 655.5 MiB, arm64 649.9 MiB',
        aboveParent: '',
        budget: '690 MiB',
        time: '61.2s',
      },
      {
        image: 'node',
        status: 'reused',
        tags: 'node-1a2b3c4 node-content-00ff',
        digest: 'sha256:abababababab',
        platforms: 'linux/amd64',
        size: '672.8 MiB',
        aboveParent: '+17.3 MiB',
        budget: '',
        time: '0.2s',
      },
      { image: 'cpp', status: 'failed', ...EMPTY },
      { image: 'leaf', status: 'skipped', ...EMPTY },
    ]);
    expect(summaryTitle(results, unfinished)).toBe('Images (1 built, 1 reused, 2 not done)');
  });

  it('a plain table with aligned columns', () => {
    const lines = formatTable(summaryRows(results, unfinished)).split('\n');
    expect(lines[0]).toMatch(
      /^image {2}result {3}tags +digest +platforms +compressed size +above parent +budget +time$/,
    );
    expect(lines[1]).toMatch(/^-{5} {2}-{7} {2}-+ {2}-+ {2}-+ {2}-+ {2}-+ {2}-+ {2}-+$/);
    expect(lines[2].indexOf('built')).toBe(lines[0].indexOf('result'));
    expect(lines[4].trimEnd()).toBe(lines[4]);
    expect(lines).toHaveLength(6);
  });

  it('markdown for $GITHUB_STEP_SUMMARY: tags and digests as code, pipes escaped, empty cells blank', () => {
    const md = formatMarkdown([...summaryRows(results, unfinished), { image: 'a|b', status: 'failed', ...EMPTY }]);
    expect(md.split('\n').slice(0, 4)).toEqual([
      '### Images',
      '',
      '| image | result | tags | digest | platforms | compressed size | above parent | budget | time |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ]);
    expect(md).toContain(
      '| base | built | `base-1a2b3c4 base-content-00ff` | `sha256:abababababab` | linux/amd64 linux/arm64 | amd64 655.5 MiB, arm64 649.9 MiB |   | 690 MiB | 61.2s |',
    );
    expect(md).toContain(
      '| node | reused | `node-1a2b3c4 node-content-00ff` | `sha256:abababababab` | linux/amd64 | 672.8 MiB | +17.3 MiB |   | 0.2s |',
    );
    expect(md).toContain('| cpp | failed |   |   |   |   |   |   |   |');
    expect(md).toContain('| a\\|b |');
  });

  it('a local build is not measured, and says so', () => {
    const [row] = summaryRows([result('base', 'built', 1000, { pushed: false, sizeBudget: 690 * MiB })], []);
    expect(row).toMatchObject({ size: 'not pushed, not measured', aboveParent: '', budget: '690 MiB' });
  });
});

describe('a reused platform build (pushByDigest), whose one result is written under two names', () => {
  const reused = result('node', 'reused', 120, { platforms: ['linux/arm64'] });
  it('is one row and counted once', () => {
    expect(summaryRows([reused, { ...reused }], []).map((r) => r.image)).toEqual(['node']);
    expect(summaryTitle([reused, { ...reused }], [])).toBe('Images (0 built, 1 reused, 0 not done)');
  });
  it('two platforms of one image built by digest in one run stay two rows', () => {
    const arm = { ...reused, result: 'built' as const, digest: `sha256:${'cd'.repeat(32)}` };
    expect(summaryRows([reused, arm], [])).toHaveLength(2);
  });
});

describe('unfinishedStatus', () => {
  it.each([
    ['skipped', '', 'skipped'],
    ['failure', 'node: skipped, a parent image failed\n', 'skipped'],
    ['failure', 'images/node/Dockerfile:2: building node failed', 'failed'],
  ])('%s with %j is %s', (status, output, expected) => {
    expect(unfinishedStatus('node', status, output)).toBe(expected);
  });
});
