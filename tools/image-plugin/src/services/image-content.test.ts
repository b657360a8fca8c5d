import { describe, expect, it } from 'vitest';
import { chainHashes } from './image-content';

/** A family: base <- node <- web, base <- cpp. */
const PARENTS: Record<string, string[]> = { base: [], node: ['base'], web: ['node'], cpp: ['base'] };

describe('chainHashes: one chaining for the build and the plan (unit)', () => {
  it('every image starts at once; a child waits for its parents only and hashes over their hashes', async () => {
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const hashed = chainHashes(Object.keys(PARENTS), async (name, parentHash) => {
      started.push(name);
      const parents = await Promise.all(PARENTS[name].map(async (p) => parentHash(p)));
      await new Promise<void>((r) => release.set(name, r));
      return { hash: `${name}(${parents.join(',')})` };
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['base', 'node', 'web', 'cpp']);
    expect([...release.keys()]).toEqual(['base']); // only base has its parents' hashes
    release.get('base')!();
    await hashed.get('base');
    await new Promise((r) => setTimeout(r, 0));
    expect([...release.keys()].sort()).toEqual(['base', 'cpp', 'node']);
    for (const name of ['node', 'cpp']) release.get(name)!();
    await hashed.get('node');
    await new Promise((r) => setTimeout(r, 0));
    release.get('web')!();
    expect(await hashed.get('web')).toEqual({ hash: 'web(node(base()))' });
    expect(await hashed.get('cpp')).toEqual({ hash: 'cpp(base())' });
  });

  it('a parent outside the names is null; a failed parent fails its children only', async () => {
    const hashed = chainHashes(['node', 'cpp', 'web'], async (name, parentHash) => {
      if (name === 'node') throw new Error('node: unreadable Dockerfile');
      const parents = await Promise.all(PARENTS[name].map(async (p) => parentHash(p)));
      return { hash: `${name}(${parents.join(',')})` };
    });
    await expect(hashed.get('node')).rejects.toThrow('unreadable');
    await expect(hashed.get('web')).rejects.toThrow('unreadable');
    expect(await hashed.get('cpp')).toEqual({ hash: 'cpp()' }); // base is not among the names: null
  });
});
