import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lookup } from '../core/build-decisions';
import { buildSettings } from '../core/build-options';
import { OCI_INDEX } from '../core/image-index';
import { imageTags } from '../core/tags';
import { buildImage, type BuildOutcome, type BuildRun } from './build-image';
import { MemoryRegistry } from './memory-registry.double';
import type { BuilderPort } from './ports';
import type { PreparedImage } from './prepare-images';
import { Profile } from './profile';
import { RunResults } from './run-results';

const R = 'reg/acme/images';
const REVISION = '1a2b3c4'.padEnd(40, '0');
const D = (name: string) => `sha256:${name.padEnd(64, '0')}`;

/** An image of the family as the first pass leaves it: settings, tags, hash and what the lookups found. */
function prepared(name: string, parent: string | null, lookup: Lookup): PreparedImage {
  const settings = buildSettings(
    { repository: R, push: true, platforms: ['linux/amd64'] },
    { image: name, hostPlatform: 'linux/amd64', env: {} },
  );
  const hash = `${name}0123456789`;
  return {
    spec: {
      name,
      root: `images/${name}`,
      dockerfile: `images/${name}/Dockerfile`,
      parents: parent ? [{ image: parent, line: 2, arg: 'BASE_IMAGE' }] : [],
      externalBases: [],
      mountedInputs: [],
    },
    settings,
    revision: { sha: REVISION, changes: [] },
    revisionTag: '1a2b3c4',
    tags: imageTags({ repository: R, layout: 'single', image: name, revision: '1a2b3c4', contentHash: hash }),
    hash,
    baseDigest: null,
    basePins: [],
    lookup,
    remote: null,
    preparedInMs: 0,
  };
}
const found = (digest: string) => ({ digest, platforms: ['linux/amd64'], isIndex: true });
const nothing: Lookup = { where: 'registry', found: null, committed: null };

/**
 * A family's run in memory: a registry, a builder that "pushes" the digest `D(<image>)` and writes
 * buildx's metadata file, and one log of what happened, in order. Each image runs as build-run.ts runs
 * it: its task ends (results.end) when buildImage settles, and it waits for its parent's task.
 */
function family(workspaceRoot: string) {
  const registry = new MemoryRegistry();
  const events = registry.writes;
  const failing = new Set<string>();
  const builder: BuilderPort = {
    async build(args) {
      const image = /--tag \S+:(\w+)-content-/.exec(args.join(' '))?.[1] ?? '?';
      const from = args.find((a) => a.startsWith('BASE_IMAGE='));
      events.push(`build ${image}${from ? ` FROM ${from.slice('BASE_IMAGE='.length)}` : ''}`);
      if (failing.has(image)) return { exitCode: 1, output: 'ERROR: process "/bin/sh -c make" did not complete' };
      const metadata = { 'containerimage.digest': D(image), 'containerimage.descriptor': { mediaType: OCI_INDEX } };
      writeFileSync(args[args.indexOf('--metadata-file') + 1], JSON.stringify(metadata));
      return { exitCode: 0, output: '' };
    },
    engineAnswers: async () => true,
    tagLocal: async () => undefined,
    baseManifest: async () => null,
  };
  const run: BuildRun = {
    workspaceRoot,
    runId: 'run-1',
    profile: new Profile(),
    sourceDateEpoch: async () => 1700000000,
    rewritesTimestamps: async () => false,
    registry,
    builder,
  };
  const images = ['base', 'node'];
  const results = new RunResults(workspaceRoot, 'run-1', images);
  const start = (image: PreparedImage, dependsOn: string[] = []): Promise<BuildOutcome | Error> => {
    const gate = {
      dependenciesSucceeded: async () => (await Promise.all(dependsOn.map((d) => results.ended(d)))).every(Boolean),
      started: () => undefined,
    };
    return buildImage(
      run,
      image,
      results,
      (line) => events.push(`log ${line}`),
      (b) => b(),
      gate,
    ).then(
      (outcome) => (results.end(image.spec.name, outcome.kind === 'result'), outcome),
      (error: Error) => (results.end(image.spec.name, false), error),
    );
  };
  return { registry, events, failing, start, results };
}

describe('buildImage over a family: the sequence of decisions (unit, in-memory registry and builder)', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const world = () => family((root = mkdtempSync(join(tmpdir(), 'build-image-unit-'))));

  it('a child builds FROM the digest its parent pushed in this run, and is tagged after its parent', async () => {
    const { start, events } = world();
    const base = prepared('base', null, nothing);
    const node = prepared('node', 'base', nothing);
    const [b, n] = await Promise.all([start(base), start(node, ['base'])]);
    expect(b).toMatchObject({ kind: 'result', result: { result: 'built', digest: D('base') } });
    expect(n).toMatchObject({ kind: 'result', result: { result: 'built', parentDigest: D('base') } });
    expect(events.filter((e) => !e.startsWith('log '))).toEqual([
      'build base',
      `tag ${base.tags.sha} -> ${D('base')}`,
      `build node FROM ${R}@${D('base')}`,
      `tag ${node.tags.sha} -> ${D('node')}`,
    ]);
  });

  it('a kept parent (its SHA tag names other inputs) stops a child that would build: nothing built, nothing tagged', async () => {
    const { start, events, registry } = world();
    const base = prepared('base', null, { where: 'registry', found: null, committed: found(D('old-base')) });
    const node = prepared('node', 'base', nothing);
    const [b, n] = await Promise.all([start(base), start(node, ['base'])]);
    expect(b).toMatchObject({
      kind: 'result',
      result: { result: 'reused', digest: D('old-base'), inputsChanged: true },
    });
    expect(n).toBeInstanceOf(Error);
    expect((n as Error).message).toContain(
      `${node.tags.sha} does not exist yet, and the parent base kept this commit's image, built from other inputs than this run's`,
    );
    expect(events.filter((e) => e.startsWith('build ') || e.startsWith('tag '))).toEqual([]);
    expect(registry.writes.filter((w) => w.startsWith('tag ') || w.startsWith('put '))).toEqual([]);
  });

  it('a kept parent lets a child keep its own commit image (its SHA tag exists): nothing built or written', async () => {
    const { start, events } = world();
    const base = prepared('base', null, { where: 'registry', found: null, committed: found(D('old-base')) });
    const node = prepared('node', 'base', { where: 'registry', found: null, committed: found(D('old-node')) });
    const [, n] = await Promise.all([start(base), start(node, ['base'])]);
    expect(n).toMatchObject({ kind: 'result', result: { digest: D('old-node'), inputsChanged: true } });
    expect(events.filter((e) => !e.startsWith('log '))).toEqual([]);
  });

  it('reuse: the content exists, only the SHA tag is written; a SHA tag in place writes nothing', async () => {
    const { start, events } = world();
    const base = prepared('base', null, { where: 'registry', found: found(D('b')), committed: found(D('b')) });
    const node = prepared('node', 'base', { where: 'registry', found: found(D('n')), committed: null });
    await Promise.all([start(base), start(node, ['base'])]);
    expect(events.filter((e) => !e.startsWith('log '))).toEqual([`tag ${node.tags.sha} -> ${D('n')}`]);
  });

  it("a parent's failed build skips its child: the child neither builds nor tags", async () => {
    const { start, events, failing } = world();
    failing.add('base');
    const [b, n] = await Promise.all([
      start(prepared('base', null, nothing)),
      start(prepared('node', 'base', nothing), ['base']),
    ]);
    expect(b).toBeInstanceOf(Error);
    expect(n).toEqual({ kind: 'skipped' });
    expect(events.filter((e) => !e.startsWith('log '))).toEqual(['build base']);
  });
});
