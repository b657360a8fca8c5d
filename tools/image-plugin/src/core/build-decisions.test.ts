import { describe, expect, it } from 'vitest';
import {
  builtImage,
  imageResult,
  parentFacts,
  platformResultKey,
  reuseOrBuild,
  type FoundImage,
  type Lookup,
  type ParentContext,
} from './build-decisions';
import type { DryRunRecord } from './dry-run-record';
import { isImageConfigError } from './errors';
import type { ImageResult } from './result';
import { imageTags } from './tags';

const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const PARENT = { image: 'base', line: 2, arg: 'BASE_IMAGE' };

/** A parent's result file, as image-build writes it. */
const result = (over: Partial<ImageResult> = {}): ImageResult => ({
  image: 'base',
  result: 'built',
  digest: D(1),
  tags: ['r/images:base-aaaaaaa', 'r/images:base-content-1111'],
  platforms: ['linux/amd64'],
  contentHash: '1111',
  parentDigest: null,
  baseDigest: D(9),
  durationMs: 1000,
  revision: SHA,
  pushed: true,
  runId: 'run-1',
  repository: 'r/images',
  pinnedReference: `r/images@${D(1)}`,
  ...over,
});
const ctx = (over: Partial<ParentContext> = {}): ParentContext => ({
  image: 'node',
  dockerfile: 'images/node/Dockerfile',
  runId: 'run-1',
  revision: SHA,
  dirty: false,
  push: true,
  dryRun: false,
  ...over,
});
const planned: DryRunRecord = { contentHash: '2222', reference: `r/images@${D(2)}`, reuse: true };

describe('parentFacts: is the parent result fresh, and what the child builds FROM', () => {
  const fresh = { contentHash: '1111', reference: `r/images@${D(1)}`, digest: D(1) };
  it.each([
    { name: 'written by this run', result: result(), ctx: ctx(), facts: fresh },
    {
      name: 'this run, local (not pushed), local child',
      result: result({ pushed: false, pinnedReference: 'r/images:base-content-1111' }),
      ctx: ctx({ push: false }),
      facts: { ...fresh, reference: 'r/images:base-content-1111' },
    },
    { name: 'another job, pushed for this very commit', result: result({ runId: 'run-0' }), ctx: ctx(), facts: fresh },
    {
      name: 'another job, no run id, pushed for this commit',
      result: result({ runId: null }),
      ctx: ctx({ runId: null }),
      facts: fresh,
    },
  ])('fresh: $name', ({ result: r, ctx: c, facts }) => {
    expect(parentFacts(PARENT, r, null, c)).toEqual(facts);
  });

  it.each([
    { name: 'no result', result: null, ctx: ctx(), says: 'has no pushed result from this run' },
    {
      name: 'another run, another commit',
      result: result({ runId: 'run-0', revision: OTHER }),
      ctx: ctx(),
      says: 'has no pushed result',
    },
    {
      name: 'another run, this commit but a dirty tree',
      result: result({ runId: 'run-0' }),
      ctx: ctx({ dirty: true }),
      says: 'has no pushed result',
    },
    {
      name: 'another run, not pushed',
      result: result({ runId: 'run-0', pushed: false }),
      ctx: ctx(),
      says: 'has no pushed result',
    },
    {
      name: 'this run but local while the child pushes',
      result: result({ pushed: false }),
      ctx: ctx(),
      says: 'has no pushed result',
    },
    { name: 'local child, no result', result: null, ctx: ctx({ push: false }), says: 'has no result from this run' },
  ])('stale: $name -> an error at the FROM line naming the fix', ({ result: r, ctx: c, says }) => {
    let error: unknown;
    try {
      parentFacts(PARENT, r, null, c);
    } catch (e) {
      error = e;
    }
    expect(isImageConfigError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('images/node/Dockerfile:2: the parent image "base" ');
    expect(message).toContain(says);
    expect(message).toContain(`fix: build them together: npx nx run node:image-build${c.push ? ' --push' : ''}`);
  });

  it.each([
    {
      name: 'the parent was planned in this run',
      planned,
      facts: { contentHash: '2222', reference: `r/images@${D(2)}`, digest: null },
    },
    {
      name: 'nothing planned',
      planned: null,
      facts: { contentHash: 'unknown', reference: '<base digest from this run>', digest: null },
    },
  ])('a dry run never stops: $name', ({ planned: p, facts }) => {
    expect(parentFacts(PARENT, null, p, ctx({ dryRun: true }))).toEqual(facts);
  });
});

describe('reuseOrBuild', () => {
  const two = {
    platforms: ['linux/amd64', 'linux/arm64'],
    indexPlatforms: ['linux/amd64', 'linux/arm64'],
    pushByDigest: false,
    reuseOnly: false,
  };
  const one = {
    platforms: ['linux/arm64'],
    indexPlatforms: ['linux/amd64', 'linux/arm64'],
    pushByDigest: true,
    reuseOnly: false,
  };
  const TAGS = { sha: 'r/images:base-1a2b3c4', content: 'r/images:base-content-00ff' };
  const BOTH = ['linux/amd64', 'linux/arm64'];
  const image = (digest: string, platforms: string[], isIndex = true) => ({ digest, platforms, isIndex });
  const registry = (found: FoundImage | null, committed: FoundImage | null = null): Lookup => ({
    where: 'registry',
    found,
    committed,
  });
  it.each([
    {
      name: 'the index has every platform',
      settings: two,
      lookup: registry(image(D(1), ['linux/arm64', 'linux/amd64'])),
      decision: { kind: 'reuse', digest: D(1), platforms: ['linux/arm64', 'linux/amd64'], wrap: false, tagged: false },
    },
    {
      name: 'a plain manifest (older version) with the one platform: reused, wrapped',
      settings: { platforms: ['linux/amd64'], indexPlatforms: ['linux/amd64'], pushByDigest: false, reuseOnly: false },
      lookup: registry(image(D(2), ['linux/amd64'], false)),
      decision: { kind: 'reuse', digest: D(2), platforms: ['linux/amd64'], wrap: true, tagged: false },
    },
    {
      name: 'one platform job: the finished index (every index platform) exists',
      settings: one,
      lookup: registry(image(D(1), BOTH)),
      decision: { kind: 'reuse', digest: D(1), platforms: BOTH, wrap: false, tagged: false },
    },
    {
      name: 'one platform job: the index lacks the other platform',
      settings: one,
      lookup: registry(image(D(1), ['linux/arm64'])),
      decision: { kind: 'build', reason: 'the content tag lacks linux/amd64' },
    },
    {
      name: 'no content tag',
      settings: two,
      lookup: registry(null),
      decision: { kind: 'build', reason: 'no image has this content yet' },
    },
    {
      name: "the commit's SHA tag names the content: nothing to write",
      settings: two,
      lookup: registry(image(D(1), BOTH), image(D(1), BOTH)),
      decision: { kind: 'reuse', digest: D(1), platforms: BOTH, wrap: false, tagged: true },
    },
    {
      name: "one platform job: the commit's SHA tag exists, so nothing is built",
      settings: one,
      lookup: registry(image(D(1), BOTH), image(D(1), BOTH)),
      decision: { kind: 'reuse', digest: D(1), platforms: BOTH, wrap: false, tagged: true },
    },
    {
      name: "the SHA tag names the one-entry index of the content tag's plain manifest (an older version's push): in place",
      settings: { platforms: ['linux/amd64'], indexPlatforms: ['linux/amd64'], pushByDigest: false, reuseOnly: false },
      lookup: registry(image(D(2), ['linux/amd64'], false), { ...image(D(1), ['linux/amd64']), image: D(2) }),
      decision: { kind: 'reuse', digest: D(1), platforms: ['linux/amd64'], wrap: false, tagged: true },
    },
    {
      name: 'the SHA tag names other content (an external base moved): kept, never rebuilt',
      settings: two,
      lookup: registry(image(D(2), BOTH), image(D(1), BOTH)),
      decision: { kind: 'kept', digest: D(1), platforms: BOTH, reason: `${TAGS.content} names ${D(2)}` },
    },
    {
      name: 'the SHA tag exists, the content tag was deleted: kept, never rebuilt',
      settings: two,
      lookup: registry(null, image(D(1), BOTH)),
      decision: {
        kind: 'kept',
        digest: D(1),
        platforms: BOTH,
        reason: `${TAGS.content} (this run's inputs) is not in the registry`,
      },
    },
    {
      name: 'local: the engine has the content tag',
      settings: two,
      lookup: { where: 'engine', found: { id: D(3) } } as Lookup,
      decision: { kind: 'reuse', digest: D(3), platforms: BOTH, wrap: false, tagged: false },
    },
    {
      name: 'local: the engine lacks it',
      settings: two,
      lookup: { where: 'engine', found: null } as Lookup,
      decision: { kind: 'build', reason: 'no local image has this content yet' },
    },
  ])('$name', ({ settings, lookup, decision }) => {
    expect(reuseOrBuild(settings, lookup, TAGS)).toEqual(decision);
  });

  it.each([
    { name: 'a commit already tagged', lookup: registry(image(D(1), BOTH), image(D(1), BOTH)), kind: 'reuse' },
    { name: 'content to reuse', lookup: registry(image(D(1), BOTH)), kind: 'reuse' },
    { name: 'kept with other inputs', lookup: registry(null, image(D(1), BOTH)), kind: 'kept' },
  ])('reuseOnly reuses: $name', ({ lookup, kind }) => {
    expect(reuseOrBuild({ ...two, reuseOnly: true }, lookup, TAGS).kind).toBe(kind);
  });

  it('reuseOnly: content that would be built stops the image, naming the content tag', () => {
    expect(() => reuseOrBuild({ ...two, reuseOnly: true }, registry(null), TAGS)).toThrow(
      `${TAGS.content}: reuseOnly: no image has this content yet (${TAGS.content}), so it would be built; nothing was built or tagged`,
    );
  });

  it.each([
    {
      name: 'the content tag lacks a platform: a build would move it',
      lookup: registry(image(D(1), ['linux/amd64'])),
      message: `${TAGS.content}: ${TAGS.content} already names ${D(1)}, which lacks linux/arm64; adding a platform would move a write-once tag, so nothing was moved`,
    },
    {
      name: "the commit's SHA tag lacks a platform of this run",
      lookup: registry(image(D(2), BOTH), image(D(1), ['linux/amd64'])),
      message: `${TAGS.sha}: ${TAGS.sha} already names ${D(1)}, which lacks linux/arm64; adding a platform would move a write-once tag, so nothing was moved`,
    },
  ])('write-once, refused: $name', ({ lookup, message }) => {
    expect(() => reuseOrBuild(two, lookup, TAGS)).toThrow(message);
  });
});

describe('builtImage: which digest was built, and whether it needs its index', () => {
  const descriptor = (mediaType: string, platform?: object) => ({
    mediaType,
    digest: D(4),
    size: 696,
    ...(platform ? { platform } : {}),
  });
  const meta = (mediaType: string, platform?: object) => ({
    'containerimage.digest': D(4),
    'containerimage.descriptor': descriptor(mediaType, platform),
  });
  const push = { push: true, pushByDigest: false, platforms: ['linux/arm64'] };
  it.each([
    {
      name: 'an index (several platforms or attestations): as it is',
      metadata: meta('application/vnd.oci.image.index.v1+json'),
      settings: push,
      wrap: null,
    },
    {
      name: 'a Docker manifest list: as it is',
      metadata: meta('application/vnd.docker.distribution.manifest.list.v2+json'),
      settings: push,
      wrap: null,
    },
    {
      name: 'a plain manifest pushed: wrapped, with the platform buildx reported',
      metadata: meta('application/vnd.docker.distribution.manifest.v2+json', { architecture: 'arm64', os: 'linux' }),
      settings: push,
      wrap: {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: D(4),
        size: 696,
        platform: { architecture: 'arm64', os: 'linux' },
      },
    },
    {
      name: 'a plain manifest without a reported platform: the one built',
      metadata: meta('application/vnd.oci.image.manifest.v1+json'),
      settings: { ...push, platforms: ['linux/arm/v7'] },
      wrap: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: D(4),
        size: 696,
        platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
      },
    },
    {
      name: 'pushed by digest: the merge makes the index',
      metadata: meta('application/vnd.oci.image.manifest.v1+json'),
      settings: { ...push, pushByDigest: true },
      wrap: null,
    },
    {
      name: 'loaded locally: no index',
      metadata: meta('application/vnd.oci.image.manifest.v1+json'),
      settings: { ...push, push: false },
      wrap: null,
    },
  ])('$name', ({ metadata, settings, wrap }) => {
    expect(builtImage(metadata, settings)).toEqual({ digest: D(4), wrap });
  });

  it('no digest in the metadata: an error showing it', () => {
    expect(() => builtImage({ 'buildx.build.ref': 'x' }, push)).toThrow(/buildx reported no digest.*buildx.build.ref/);
  });
});

describe('imageResult: what to write, under which keys', () => {
  const tags = imageTags({
    repository: 'r/images',
    layout: 'single',
    image: 'node',
    revision: 'aaaaaaa',
    contentHash: '3333',
  });
  const base = {
    image: 'node',
    digest: D(5),
    platforms: ['linux/amd64'],
    tags,
    contentHash: '3333',
    parentDigest: D(1),
    baseDigest: null,
    durationMs: 12,
    revision: SHA,
    runId: 'run-1',
  };
  it.each([
    {
      name: 'pushed and built',
      outcome: 'built' as const,
      settings: { push: true, pushByDigest: false, platforms: ['linux/amd64'] },
      keys: ['node'],
      tags: [tags.sha, tags.content],
      indexTags: undefined,
      pinned: `r/images@${D(5)}`,
    },
    {
      name: 'pushed and reused',
      outcome: 'reused' as const,
      settings: { push: true, pushByDigest: false, platforms: ['linux/amd64'] },
      keys: ['node'],
      tags: [tags.sha, tags.content],
      indexTags: undefined,
      pinned: `r/images@${D(5)}`,
    },
    {
      name: 'local',
      outcome: 'built' as const,
      settings: { push: false, pushByDigest: false, platforms: ['linux/amd64'] },
      keys: ['node'],
      tags: [tags.sha, tags.content],
      indexTags: undefined,
      pinned: tags.content,
    },
    {
      name: 'one platform by digest, built: the merge tags it',
      outcome: 'built' as const,
      settings: { push: true, pushByDigest: true, platforms: ['linux/arm64'] },
      keys: ['node@linux-arm64'],
      tags: [],
      indexTags: [tags.sha, tags.content],
      pinned: `r/images@${D(5)}`,
    },
    {
      name: 'one platform by digest, reused: the finished index, for the children too',
      outcome: 'reused' as const,
      settings: { push: true, pushByDigest: true, platforms: ['linux/arm64'] },
      keys: ['node@linux-arm64', 'node'],
      tags: [tags.sha, tags.content],
      indexTags: undefined,
      pinned: `r/images@${D(5)}`,
    },
  ])('$name', ({ outcome, settings, keys, tags: written, indexTags, pinned }) => {
    const { result: r, keys: k } = imageResult({ ...base, outcome, settings });
    expect(k).toEqual(keys);
    expect(r.tags).toEqual(written);
    expect(r.indexTags).toEqual(indexTags);
    expect(r.pinnedReference).toBe(pinned);
    expect(r).toMatchObject({
      image: 'node',
      result: outcome,
      digest: D(5),
      pushed: settings.push,
      repository: 'r/images',
      runId: 'run-1',
      revision: SHA,
      contentHash: '3333',
    });
  });

  it('the result file lists its fields in the documented order', () => {
    const { result: r } = imageResult({
      ...base,
      outcome: 'built',
      settings: { push: true, pushByDigest: false, platforms: ['linux/amd64'] },
    });
    expect(Object.keys(r)).toEqual([
      'image',
      'result',
      'digest',
      'tags',
      'platforms',
      'contentHash',
      'parentDigest',
      'baseDigest',
      'durationMs',
      'revision',
      'pushed',
      'runId',
      'repository',
      'pinnedReference',
    ]);
  });

  it.each([
    ['node', 'linux/arm64', 'node@linux-arm64'],
    ['base', 'linux/arm/v7', 'base@linux-arm-v7'],
  ])('platformResultKey(%s, %s) = %s', (image, platform, key) => expect(platformResultKey(image, platform)).toBe(key));
});
