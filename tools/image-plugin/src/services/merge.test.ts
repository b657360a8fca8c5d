import { describe, expect, it } from 'vitest';
import type { ImageResult } from '../core/result';
import { mergePlatforms, type MergePorts } from './merge';
import { MemoryRegistry } from './memory-registry.double';

const R = 'reg/acme/images';
const SHA = `${R}:base-abc1234`;
const CONTENT = `${R}:base-content-0123456789abcdef`;
const INDEX = 'sha256:index';
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const platformResult = (platform: string): ImageResult => ({
  image: 'base',
  result: 'built',
  digest: `sha256:${platform.replace('/', '-')}`,
  tags: [],
  indexTags: [SHA, CONTENT],
  platforms: [platform],
  contentHash: '0123456789abcdef',
  parentDigest: null,
  baseDigest: null,
  durationMs: 1000,
  revision: 'abc1234'.padEnd(40, '0'),
  pushed: true,
  runId: 'run',
  repository: R,
  pinnedReference: `${R}@sha256:${platform.replace('/', '-')}`,
});

/** Every port in memory; `steps` lists what the merge did, in order. */
function mergeWorld(tags: Record<string, string> = {}) {
  const registry = new MemoryRegistry(tags);
  registry.images.set(INDEX, { platforms: PLATFORMS });
  const steps: string[] = [];
  const written: ImageResult[] = [];
  let signFails = false;
  const ports: MergePorts = {
    registry,
    indexer: {
      async createIndex(tags) {
        steps.push(`createIndex ${tags.join(' ')}`);
        for (const tag of tags) registry.tags.set(tag, INDEX);
      },
      async indexOf(sources) {
        steps.push(`indexOf ${sources.length} sources`);
        return { mediaType: 'application/vnd.oci.image.index.v1+json', bytes: Buffer.from('index'), digest: INDEX };
      },
    },
    async sign(ref) {
      steps.push(`sign ${ref}`);
      if (signFails) throw new Error('cosign: no identity token');
    },
    results: {
      read: async (key) => (key.startsWith('base@') ? platformResult(key.slice(5).replace('-', '/')) : null),
      write: async (result) => void written.push(result),
    },
    imageNames: async () => ['base'],
    clock: { now: () => 0 },
  };
  return { registry, ports, steps, written, failSigning: () => (signFails = true) };
}
const REQUEST = {
  workspaceRoot: '/nowhere',
  image: 'base',
  platforms: PLATFORMS,
  resultsDir: 'dist/images',
  runId: 'run',
};

describe('mergePlatforms: the sequence of a merge (unit, in-memory ports)', () => {
  it('no tag yet: one createIndex under both tags, then the result', async () => {
    const { ports, steps, written } = mergeWorld();
    const result = await mergePlatforms(REQUEST, ports);
    expect(steps).toEqual([`createIndex ${SHA} ${CONTENT}`]);
    expect(written).toEqual([result]);
    expect(result).toMatchObject({ digest: INDEX, tags: [SHA, CONTENT], pinnedReference: `${R}@${INDEX}` });
  });

  it('writes only the missing tag when the other names this index already', async () => {
    const { ports, steps, registry } = mergeWorld({ [CONTENT]: INDEX });
    await mergePlatforms(REQUEST, ports);
    expect(steps).toEqual(['indexOf 2 sources', `createIndex ${SHA}`]);
    // The image's labels first (the index's annotations), then where each tag points now.
    expect(registry.reads.slice(1, 3)).toEqual([`digestOf ${SHA}`, `digestOf ${CONTENT}`]);
    expect(registry.reads[0]).toMatch(/^labelsOf /);
  });

  it('a tag naming another digest stops the merge before anything is written', async () => {
    const { ports, steps, registry, written } = mergeWorld({ [CONTENT]: 'sha256:other' });
    await expect(mergePlatforms(REQUEST, ports)).rejects.toThrow(
      `${CONTENT} already names sha256:other; this run would point it at ${INDEX}. Nothing was moved`,
    );
    expect(steps).toEqual(['indexOf 2 sources']);
    expect(registry.writes).toEqual([]);
    expect(written).toEqual([]);
  });

  it('signing: the index by digest, signed, and only then tagged', async () => {
    const { ports, steps, registry } = mergeWorld();
    await mergePlatforms({ ...REQUEST, signWith: { tlog: false } }, ports);
    expect(steps).toEqual(['indexOf 2 sources', `sign ${R}@${INDEX}`]);
    expect(registry.writes).toEqual([
      `put ${R}@${INDEX} -> ${INDEX}`,
      `put ${SHA} -> ${INDEX}`,
      `put ${CONTENT} -> ${INDEX}`,
    ]);
  });

  it('a signing failure leaves no tag and no result', async () => {
    const world = mergeWorld();
    world.failSigning();
    await expect(mergePlatforms({ ...REQUEST, signWith: { tlog: false } }, world.ports)).rejects.toThrow(
      'no identity token',
    );
    expect(world.registry.writes).toEqual([`put ${R}@${INDEX} -> ${INDEX}`]);
    expect([...world.registry.tags.keys()]).toEqual([]);
    expect(world.written).toEqual([]);
  });

  it('an index that lacks a planned platform after the merge: refused, no result', async () => {
    const world = mergeWorld();
    world.registry.images.set(INDEX, { platforms: ['linux/amd64'] });
    await expect(mergePlatforms(REQUEST, world.ports)).rejects.toThrow(`the index ${SHA} lacks linux/arm64`);
    expect(world.written).toEqual([]);
  });
});
