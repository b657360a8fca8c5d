import { describe, expect, it } from 'vitest';
import { levelsOf, lineageOf, parentsFrom, withDescendants } from './graph';
import type { ImageSpec } from './image-spec';

/** `{ cpp: ['base'] }` -> specs; an image with no entry in parents has none. */
const family = (parents: Record<string, string[]>): ImageSpec[] =>
  Object.entries(parents).map(([name, ps]) => ({
    name,
    root: `images/${name}`,
    dockerfile: `images/${name}/Dockerfile`,
    parents: ps.map((image, i) => ({ image, line: i + 1 })),
    externalBases: [],
    mountedInputs: [],
  }));

describe('graph: levels and build order', () => {
  const cases: Array<{ name: string; parents: Record<string, string[]>; levels: string[][] }> = [
    { name: 'no images', parents: {}, levels: [] },
    { name: 'one image', parents: { base: [] }, levels: [['base']] },
    {
      name: 'the family: base, then node/cpp/developer by name',
      parents: { developer: ['base'], node: ['base'], cpp: ['base'], base: [] },
      levels: [['base'], ['cpp', 'developer', 'node']],
    },
    {
      name: 'a chain',
      parents: { c: ['b'], b: ['a'], a: [] },
      levels: [['a'], ['b'], ['c']],
    },
    {
      name: 'two parents: the level is one past the deepest parent',
      parents: { base: [], node: ['base'], fullstack: ['base', 'node'], tools: [] },
      levels: [['base', 'tools'], ['node'], ['fullstack']],
    },
    {
      name: 'a tree with two roots',
      parents: { z: [], a: [], y: ['z'], b: ['a'], c: ['b', 'y'] },
      levels: [['a', 'z'], ['b', 'y'], ['c']],
    },
  ];
  it.each(cases)('$name', ({ parents, levels }) => {
    const specs = family(parents);
    expect(levelsOf(specs)).toEqual(levels);
    expect(levelsOf(specs).flat()).toEqual(levels.flat());
  });

  it('every parent comes before its children in the build order', () => {
    const specs = family({ e: ['d'], d: ['b', 'c'], c: ['a'], b: ['a'], a: [] });
    const order = levelsOf(specs).flat();
    for (const spec of specs)
      for (const p of spec.parents) expect(order.indexOf(p.image)).toBeLessThan(order.indexOf(spec.name));
  });

  it('a cycle throws, naming every member with its line', () => {
    expect(() => levelsOf(family({ a: ['b'], b: ['a'], c: [] }))).toThrow(
      /images\/a\/Dockerfile:1 \(a FROM b\).*images\/b\/Dockerfile:1 \(b FROM a\)/,
    );
  });
});

describe('graph: descendants', () => {
  const specs = family({ base: [], node: ['base'], cpp: ['base'], cuda: ['cpp'], developer: ['base'], other: [] });
  it.each([
    { name: 'base', descendants: ['cpp', 'cuda', 'developer', 'node'] },
    { name: 'cpp', descendants: ['cuda'] },
    { name: 'cuda', descendants: [] },
    { name: 'other', descendants: [] },
  ])('$name', ({ name, descendants }) => {
    const names = specs.map((s) => s.name);
    expect(withDescendants([name], names, parentsFrom(specs)).filter((n) => n !== name)).toEqual(descendants);
  });
});

describe('graph: lineage (the image and its ancestors, root first)', () => {
  const specs = family({ base: [], node: ['base'], cpp: ['base'], cuda: ['cpp'], full: ['node', 'cuda'], other: [] });
  it.each([
    { name: 'base', lineage: ['base'] },
    { name: 'cuda', lineage: ['base', 'cpp', 'cuda'] },
    { name: 'full', lineage: ['base', 'node', 'cpp', 'cuda', 'full'] },
    { name: 'other', lineage: ['other'] },
  ])('$name', ({ name, lineage }) => {
    expect(lineageOf(name, parentsFrom(specs))).toEqual(lineage);
  });
});
