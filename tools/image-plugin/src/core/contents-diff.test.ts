import { describe, expect, it } from 'vitest';
import {
  changesOf,
  checkRelated,
  contentsDiff,
  relationOf,
  topLayers,
  type ImageContents,
  type PlatformContents,
} from './contents-diff';
import type { ContentsRecord, NamedLayer } from './contents-record';
import { diffMarkdown, diffText, MARKDOWN_ROWS } from './contents-report';

const record = (
  image: string,
  lineage: string[],
  debian: Record<string, string>,
  tools: Record<string, string | null> = {},
): ContentsRecord => ({
  image,
  lineage,
  debian,
  npm: {},
  tools,
});
const layer = (name: string, size: number): NamedLayer => ({
  digest: `sha256:${name}-${size}`,
  size,
  name,
  isRecord: name === 'contents record',
});
const platform = (
  p: string,
  r: ContentsRecord,
  parentRecord: ContentsRecord | null,
  layers: NamedLayer[],
): PlatformContents => ({
  platform: p,
  sizes: 'compressed',
  record: r,
  parentRecord,
  layers,
});
const image = (ref: string, platforms: PlatformContents[]): ImageContents => ({
  ref,
  image: platforms[0].record.image,
  lineage: platforms[0].record.lineage,
  platforms,
});

const BASE = record('base', [], { libc6: '2.41-11', bash: '5.2' }, { 'common-tools': null });
const NODE = record(
  'node',
  ['base'],
  { libc6: '2.41-11', bash: '5.2', gcc: '14.2', make: '4.4' },
  { 'common-tools': null, 'build-essential': '12.12' },
);
const baseLayers = [
  layer('(no instruction: an imported base layer)', 30),
  layer('common-tools', 20),
  layer('contents record', 1),
];
const nodeLayers = [...baseLayers, layer('build-essential', 100), layer('contents record', 1)];

describe('relationOf', () => {
  it.each([
    { a: ['base', []], b: ['base', []], relation: 'same image' },
    { a: ['base', []], b: ['node', ['base']], relation: 'parent and child' },
    { a: ['base', []], b: ['tool', ['base', 'node']], relation: 'parent and child' },
    { a: ['node', ['base']], b: ['base', []], relation: 'child and parent' },
    { a: ['node', ['base']], b: ['cpp', ['base']], relation: 'unrelated' },
  ] as const)('$a / $b: $relation', ({ a, b, relation }) => {
    expect(relationOf({ image: a[0], lineage: [...a[1]] }, { image: b[0], lineage: [...b[1]] })).toBe(relation);
  });

  it('refuses unrelated images unless allowed', () => {
    const node = image('r:node-1', [platform('linux/amd64', NODE, BASE, nodeLayers)]);
    const cpp = image('r:cpp-1', [platform('linux/amd64', record('cpp', ['base'], {}), BASE, nodeLayers)]);
    expect(() => checkRelated(node, cpp, false)).toThrow(
      'r:node-1 (node) and r:cpp-1 (cpp) are unrelated images: neither builds FROM the other',
    );
    expect(() => checkRelated(node, cpp, false)).toThrow('--allow-unrelated compares them anyway');
    expect(checkRelated(node, cpp, true)).toBe('unrelated');
  });
});

describe('changesOf', () => {
  it.each([
    { a: {}, b: {}, want: [] },
    { a: { x: '1' }, b: { x: '1' }, want: [] },
    { a: {}, b: { x: '1' }, want: [{ name: 'x', from: null, to: '1' }] },
    { a: { x: '1' }, b: {}, want: [{ name: 'x', from: '1', to: null }] },
    { a: { x: '1', y: '1' }, b: { x: '2', y: '1' }, want: [{ name: 'x', from: '1', to: '2' }] },
    { a: { t: null }, b: { t: '1' }, want: [{ name: 't', from: 'no version', to: '1' }] },
    {
      a: { b: '1', a: '1' },
      b: {},
      want: [
        { name: 'a', from: '1', to: null },
        { name: 'b', from: '1', to: null },
      ],
    },
  ] as Array<{ a: Record<string, string | null>; b: Record<string, string | null>; want: unknown }>)(
    '$a -> $b',
    ({ a, b, want }) => {
      expect(changesOf(a, b)).toEqual(want);
    },
  );
});

describe('contentsDiff', () => {
  it('base -> node: what the child adds, all its own, nothing removed; the layer named by its script', () => {
    const d = contentsDiff(
      image('r:base-1', [platform('linux/amd64', BASE, null, baseLayers)]),
      image('r:node-1', [platform('linux/amd64', NODE, BASE, nodeLayers)]),
      'parent and child',
    );
    const [p] = d.platforms;
    expect(p.debian).toEqual([
      { name: 'gcc', from: null, to: '14.2', origin: 'own' },
      { name: 'make', from: null, to: '4.4', origin: 'own' },
    ]);
    expect(p.tools).toEqual([{ name: 'build-essential', from: null, to: '12.12', origin: 'own' }]);
    expect(p.size).toEqual({ from: 51, to: 152, unit: 'compressed' });
    expect(p.topLayers).toEqual([
      { name: 'build-essential', from: 0, to: 100 },
      { name: 'contents record', from: 1, to: 2 },
    ]);
  });

  it('two versions of a child: a change its parent brought is "from parent", its own script\'s change "own"', () => {
    const base2 = record('base', [], { libc6: '2.41-12', bash: '5.2' }, { 'common-tools': null });
    const node2 = record(
      'node',
      ['base'],
      { ...NODE.debian, libc6: '2.41-12', gcc: '14.3' },
      { ...NODE.tools, 'build-essential': '12.13' },
    );
    const d = contentsDiff(
      image('r:node-1', [platform('linux/amd64', NODE, BASE, nodeLayers)]),
      image('r:node-2', [platform('linux/amd64', node2, base2, nodeLayers)]),
      'same image',
    );
    const [p] = d.platforms;
    expect(p.debian).toEqual([
      { name: 'gcc', from: '14.2', to: '14.3', origin: 'own' },
      { name: 'libc6', from: '2.41-11', to: '2.41-12', origin: 'parent' },
    ]);
    expect(p.tools).toEqual([{ name: 'build-essential', from: '12.12', to: '12.13', origin: 'own' }]);
    expect(p.topLayers).toEqual([]);
  });

  it('a platform in one ref only is listed as added or removed, not an error', () => {
    const d = contentsDiff(
      image('r:base-1', [platform('linux/amd64', BASE, null, baseLayers)]),
      image('r:base-2', [
        platform('linux/amd64', BASE, null, baseLayers),
        platform('linux/arm64', BASE, null, baseLayers),
      ]),
      'same image',
    );
    expect(d.platforms.map((p) => [p.platform, p.presence, p.debian.length])).toEqual([
      ['linux/amd64', 'both', 0],
      ['linux/arm64', 'added', 2],
    ]);
    expect(diffText(d)).toContain('linux/arm64  only in r:base-2, size 0 B -> 51 B (+51 B)');
  });
});

describe('topLayers', () => {
  it('largest growth first, shrinks last, unchanged left out, capped', () => {
    const a = [layer('x', 10), layer('y', 50), layer('z', 5)];
    const b = [layer('x', 40), layer('y', 20), layer('z', 5), layer('w', 30), layer('w', 5)];
    expect(topLayers(a, b)).toEqual([
      { name: 'w', from: 0, to: 35 },
      { name: 'x', from: 10, to: 40 },
      { name: 'y', from: 50, to: 20 },
    ]);
    expect(topLayers(a, b, 1)).toHaveLength(1);
  });
});

describe('reports', () => {
  const d = contentsDiff(
    image('r:base-1', [platform('linux/amd64', BASE, null, baseLayers)]),
    image('r:node-1', [platform('linux/amd64', NODE, BASE, nodeLayers)]),
    'parent and child',
  );

  it('the text table says the relation, the counts, each change with its origin and the layers that grew', () => {
    expect(diffText(d)).toBe(
      [
        'r:base-1 -> r:node-1: node builds FROM base',
        '',
        'linux/amd64  size 51 B -> 152 B (+101 B)',
        '  Debian packages: 2 added',
        '    + gcc   14.2  (own layers)',
        '    + make  4.4  (own layers)',
        '  npm packages: no change',
        '  install scripts: 1 added',
        '    + build-essential  12.12  (own layers)',
        '  layers that grew most:',
        '    build-essential  +100 B (0 B -> 100 B)',
        '    contents record  +1 B (1 B -> 2 B)',
        '',
      ].join('\n'),
    );
  });

  it('the markdown has a table per section that changed and the layers by growth', () => {
    const md = diffMarkdown(d);
    expect(md).toContain('#### linux/amd64: 51 B → 152 B (+101 B)');
    expect(md).toContain('Debian packages: 2 added · npm packages: no change · install scripts: 1 added');
    expect(md).toContain('| added | `gcc` |  | 14.2 | own layers |');
    expect(md).toContain('| `build-essential` | 0 B | 100 B | +100 B |');
    expect(md).not.toContain('| npm packages |');
  });

  it('a long list is capped in markdown, with the count of the rest', () => {
    const many = Object.fromEntries(
      Array.from({ length: MARKDOWN_ROWS + 7 }, (_, i) => [`pkg${String(i).padStart(3, '0')}`, '1']),
    );
    const big = contentsDiff(
      image('r:base-1', [platform('linux/amd64', BASE, null, baseLayers)]),
      image('r:base-2', [platform('linux/amd64', record('base', [], many), null, baseLayers)]),
      'same image',
    );
    expect(diffMarkdown(big)).toContain('… and 9 more (`npx images diff --json` lists all)');
  });
});

describe('sizes of one kind', () => {
  const unpacked = (p: PlatformContents): PlatformContents => ({ ...p, sizes: 'uncompressed' });
  const registry = image('r:base-1', [platform('linux/amd64', BASE, null, baseLayers)]);
  const local = image('docker-daemon:r:node-1', [unpacked(platform('linux/amd64', NODE, null, nodeLayers))]);

  it('a compressed side against an uncompressed one is refused, never mixed', () => {
    expect(() => contentsDiff(registry, local, 'parent and child')).toThrow(
      'linux/amd64: compressed and uncompressed layer sizes in one diff',
    );
  });

  it('uncompressed on both sides: the size and the layers say so in text and markdown', () => {
    const both = image('r:base-1', [unpacked(platform('linux/amd64', BASE, null, baseLayers))]);
    const d = contentsDiff(both, local, 'parent and child');
    expect(d.platforms[0].size).toEqual({ from: 51, to: 152, unit: 'uncompressed' });
    expect(d.platforms[0].debian.every((c) => c.origin === undefined)).toBe(true);
    expect(diffText(d)).toContain('linux/amd64  size 51 B -> 152 B (+101 B) (uncompressed)\n');
    expect(diffText(d)).toContain('  layers that grew most (uncompressed):\n');
    expect(diffMarkdown(d)).toContain('#### linux/amd64: 51 B → 152 B (+101 B) (uncompressed)');
    expect(diffMarkdown(d)).toContain('| layer (install script) | before (uncompressed) | after | growth |');
  });
});
