import { describe, expect, it } from 'vitest';
import { SHA_LENGTH } from '../core/defaults';
import type { ImageSpec } from '../core/image-spec';
import { revisionTag } from '../core/tags';
import type { NormalizedPluginOptions } from '../options';
import { MemoryRegistry } from './memory-registry.double';
import { publishEdgeTags, type PublishPorts } from './publish';

const R = 'reg/acme/images';
const sha = (n: number) => `c${n}`.padEnd(40, '0');
const OPTIONS = { repository: R, layout: 'single', build: {} } as unknown as NormalizedPluginOptions;
const SPECS = [{ name: 'base' }, { name: 'node' }] as ImageSpec[];
/** Commit n's SHA tag suffix at the default length (SHA_LENGTH), or at `length`. */
const tagSha = (n: number, length: number = SHA_LENGTH.default) => revisionTag(sha(n), length);
/** Each commit's SHA tags, as CI left them: `built[n]` lists the images commit n has. */
function registryWith(built: Record<number, string[]>, edges: Record<string, string> = {}, length?: number) {
  const tags: Record<string, string> = { ...edges };
  for (const [n, images] of Object.entries(built))
    for (const image of images) tags[`${R}:${image}-${tagSha(Number(n), length)}`] = `sha256:${image}${n}`;
  return new MemoryRegistry(tags);
}
const portsOf = (registry: MemoryRegistry, history = [3, 2, 1], options = OPTIONS): PublishPorts => ({
  registry,
  workspace: async () => ({ options, specs: SPECS }),
  head: async () => sha(2),
  history: async () => history.map(sha),
});
const shaLookups = (registry: MemoryRegistry) =>
  registry.reads.filter((r) => !r.includes('-edge')).map((r) => r.slice(r.lastIndexOf('-') + 1));

describe('publishEdgeTags: the sequence of a publish (unit, in-memory registry)', () => {
  it('the newest complete commit: reads commits newest first, none after it, then moves every edge tag', async () => {
    const registry = registryWith({ 3: ['base'], 2: ['base', 'node'], 1: ['base', 'node'] });
    const outcome = await publishEdgeTags({ workspaceRoot: '/nowhere', revision: sha(1) }, portsOf(registry));
    expect(outcome).toMatchObject({ kind: 'published', sha: sha(2) });
    // c3 (incomplete) then c2 (complete); c1 is never read.
    expect(shaLookups(registry)).toEqual([tagSha(3), tagSha(3), tagSha(2), tagSha(2)]);
    expect(tagSha(3)).toBe('c30000000000'); // 12 hex digits by default
    expect(registry.writes).toEqual([`tag ${R}:base-edge -> sha256:base2`, `tag ${R}:node-edge -> sha256:node2`]);
  });

  it('all or nothing: a failed edge move puts the earlier one back', async () => {
    const registry = registryWith({ 2: ['base', 'node'] }, { [`${R}:base-edge`]: 'sha256:base1' });
    registry.failWrite = (ref) => ref.endsWith(':node-edge');
    await expect(publishEdgeTags({ workspaceRoot: '/nowhere' }, portsOf(registry, [2, 1]))).rejects.toThrow(
      /moving \S+:node-edge failed/,
    );
    expect(registry.writes).toEqual([`tag ${R}:base-edge -> sha256:base2`, `tag ${R}:base-edge -> sha256:base1`]);
    expect(registry.tags.get(`${R}:base-edge`)).toBe('sha256:base1');
  });

  it("no complete commit: refused naming what this run's commit lacks, nothing written", async () => {
    const registry = registryWith({ 2: ['base'] });
    await expect(publishEdgeTags({ workspaceRoot: '/nowhere' }, portsOf(registry, [2, 1]))).rejects.toThrow(
      /not every image of c200000 has its SHA tag: node \(\S+:node-c20000000000 is missing\)/,
    );
    expect(registry.writes).toEqual([]);
  });

  it('a workspace that keeps 7-digit SHA tags (build.shaLength 7 in nx.json) publishes from them', async () => {
    const registry = registryWith({ 2: ['base', 'node'] }, {}, 7);
    const seven = { ...OPTIONS, build: { shaLength: 7 } } as unknown as NormalizedPluginOptions;
    const outcome = await publishEdgeTags({ workspaceRoot: '/nowhere' }, portsOf(registry, [2, 1], seven));
    expect(outcome).toMatchObject({ kind: 'published', sha: sha(2) });
    expect(shaLookups(registry)).toEqual(['c200000', 'c200000']);
    // The default length finds none of them.
    await expect(publishEdgeTags({ workspaceRoot: '/nowhere' }, portsOf(registry, [2, 1]))).rejects.toThrow(
      /no image was built/,
    );
  });

  it('a commit that is not on the branch publishes nothing and reads no tag', async () => {
    const registry = registryWith({ 2: ['base', 'node'] });
    const outcome = await publishEdgeTags({ workspaceRoot: '/nowhere' }, portsOf(registry, [3, 1]));
    expect(outcome).toEqual({ kind: 'not-on-branch', own: sha(2), ref: 'HEAD' });
    expect(registry.reads).toEqual([]);
    expect(registry.writes).toEqual([]);
  });
});
