import type { BuildSettings } from './build-options';
import { BUILD_TARGET } from './defaults';
import type { DryRunRecord } from './dry-run-record';
import { ImageConfigError, RegistryError } from './errors';
import { isIndexMediaType, type ManifestDescriptor } from './image-index';
import type { ParentRef } from './image-spec';
import { missingPlatforms, platformSlug, type PlatformJson } from './platforms';
import type { ImageResult } from './result';
import type { PlatformSize } from './size-budget';
import { pinnedReference, type ImageTags } from './tags';

/**
 * The decisions of one image build, each a pure function over plain data (services/build-image.ts
 * only acts on them): is a parent's result fresh, reuse or build, which digest was built, what to write.
 */

/** What the child needs of a parent: its content hash, the reference to build FROM, its digest. */
export interface ParentFacts {
  contentHash: string;
  reference: string;
  /** Null when the parent was only planned (a dry run). */
  digest: string | null;
  /**
   * The parent kept its commit's image although this run's inputs hash to other content (decision
   * `kept`): a child may keep its own commit's image, but not reuse or build one FROM it.
   */
  inputsChanged?: boolean;
}

export interface ParentContext {
  image: string;
  dockerfile: string;
  runId: string | null;
  /** The full SHA of the commit being built and whether the working tree has changes. */
  revision: string;
  dirty: boolean;
  push: boolean;
  dryRun: boolean;
}

/**
 * A parent's result counts when this run wrote it, or (across CI jobs) when it was pushed for this very
 * commit from a clean tree; a push needs a pushed parent. Otherwise the build stops naming the parent's
 * FROM line, except in a dry run, which uses what the parent's dry run planned (or says it is unknown).
 */
export function parentFacts(
  parent: ParentRef,
  result: ImageResult | null,
  planned: DryRunRecord | null,
  ctx: ParentContext,
): ParentFacts {
  const fresh =
    !!result && (result.runId === ctx.runId || (result.pushed && result.revision === ctx.revision && !ctx.dirty));
  const stale = !fresh || (ctx.push && !result.pushed);
  if (!stale) {
    return {
      contentHash: result.contentHash,
      reference: result.pinnedReference,
      digest: result.digest,
      ...(result.inputsChanged ? { inputsChanged: true } : {}),
    };
  }
  if (!ctx.dryRun) {
    throw new ImageConfigError(
      `the parent image "${parent.image}" has no ${ctx.push ? 'pushed ' : ''}result from this run, so ${ctx.image} cannot be pinned to its digest`,
      `build them together: npx nx run ${ctx.image}:${BUILD_TARGET}${ctx.push ? ' --push' : ''} (dependsOn builds ${parent.image} first)`,
      ctx.dockerfile,
      parent.line,
    );
  }
  return {
    contentHash: planned?.contentHash ?? 'unknown',
    reference: planned?.reference ?? `<${parent.image} digest from this run>`,
    digest: null,
  };
}

/** An image in the registry as a lookup found it. */
export interface FoundImage {
  digest: string;
  platforms: readonly string[];
  isIndex: boolean;
  /** The image the tag stands for (core/image-index.ts taggedImage); absent: its digest. */
  image?: string;
}

/** Whether two tags name the same image, a one-entry index being the plain manifest it wraps. */
const sameImage = (a: FoundImage, b: FoundImage) => (a.image ?? a.digest) === (b.image ?? b.digest);

/**
 * What the lookups found: in the registry (pushing), the content tag and the commit's SHA tag
 * (`committed`); in the local engine, the content tag.
 */
export type Lookup =
  | { where: 'registry'; found: FoundImage | null; committed: FoundImage | null }
  | { where: 'engine'; found: { id: string } | null };

export type BuildDecision =
  /**
   * The content exists: only tag it. `wrap`: a plain manifest (pushed by an older version) gets wrapped in
   * an index. `tagged`: the commit's SHA tag already names it, so nothing is written.
   */
  | { kind: 'reuse'; digest: string; platforms: string[]; wrap: boolean; tagged: boolean }
  /**
   * The commit's SHA tag already names an image built from other inputs than this run's (an external base
   * moved since, or the content tag was deleted): the SHA tag keeps its digest and nothing is written.
   */
  | { kind: 'kept'; digest: string; platforms: string[]; reason: string }
  | { kind: 'build'; reason: string };

/**
 * The commit's SHA tag first: once written it names its digest for good (core/write-once.ts), so a run
 * of a commit that has it reuses it. Otherwise reuse when the content tag exists with every wanted
 * platform of the finished image, and build when it does not exist. A content tag that lacks a platform
 * is never re-pointed by a build (a per-platform job of pushByDigest pushes only its platform's tag, and
 * the merge refuses to move it).
 */
export function reuseOrBuild(
  settings: Pick<BuildSettings, 'platforms' | 'indexPlatforms' | 'pushByDigest' | 'reuseOnly'>,
  lookup: Lookup,
  tags: Pick<ImageTags, 'sha' | 'content'>,
): BuildDecision {
  const decision = reuseOrBuildAny(settings, lookup, tags);
  if (decision.kind !== 'build' || !settings.reuseOnly) return decision;
  throw new RegistryError(
    `reuseOnly: ${decision.reason} (${tags.content}), so it would be built; nothing was built or tagged`,
    'an image that would be built here skipped the build jobs and their image tests: run the workflow again so that its plan builds and tests it (images plan --check-registry), never push untested content into the production repository by hand',
    tags.content,
  );
}

function reuseOrBuildAny(
  settings: Pick<BuildSettings, 'platforms' | 'indexPlatforms' | 'pushByDigest'>,
  lookup: Lookup,
  tags: Pick<ImageTags, 'sha' | 'content'>,
): BuildDecision {
  if (lookup.where === 'engine') {
    return lookup.found
      ? { kind: 'reuse', digest: lookup.found.id, platforms: [...settings.platforms], wrap: false, tagged: false }
      : { kind: 'build', reason: 'no local image has this content yet' };
  }
  const { found, committed } = lookup;
  if (committed) return keepCommitted(settings, committed, found, tags);
  if (!found) return { kind: 'build', reason: 'no image has this content yet' };
  const missing = missingPlatforms(settings.indexPlatforms, found.platforms);
  if (missing.length && !settings.pushByDigest)
    throw tagConflictOfPlatforms(tags.content, found.digest, missing, 'content');
  if (missing.length) return { kind: 'build', reason: `the content tag lacks ${missing.join(', ')}` };
  return { kind: 'reuse', digest: found.digest, platforms: [...found.platforms], wrap: !found.isIndex, tagged: false };
}

/** The commit's SHA tag exists: reused as it is, in place when the content tag names the same digest. */
function keepCommitted(
  settings: Pick<BuildSettings, 'indexPlatforms'>,
  committed: FoundImage,
  found: FoundImage | null,
  tags: Pick<ImageTags, 'sha' | 'content'>,
): BuildDecision {
  const missing = missingPlatforms(settings.indexPlatforms, committed.platforms);
  if (missing.length) throw tagConflictOfPlatforms(tags.sha, committed.digest, missing, 'commit');
  const platforms = [...committed.platforms];
  if (found && sameImage(found, committed))
    return { kind: 'reuse', digest: committed.digest, platforms, wrap: false, tagged: true };
  const reason = found
    ? `${tags.content} names ${found.digest}`
    : `${tags.content} (this run's inputs) is not in the registry`;
  return { kind: 'kept', digest: committed.digest, platforms, reason };
}

/** A write-once tag that lacks a wanted platform: adding it would move the tag, so the run stops. */
function tagConflictOfPlatforms(tag: string, digest: string, missing: readonly string[], what: 'commit' | 'content') {
  return new RegistryError(
    `${tag} already names ${digest}, which lacks ${missing.join(', ')}; adding a platform would move a write-once tag, so nothing was moved`,
    what === 'commit'
      ? `build the platforms this commit was built for (${tag} is final), or commit again to build the new set of platforms under new tags`
      : `this content tag was written by an older version or a failed merge: delete ${tag} in the registry by hand, then run again`,
    tag,
  );
}

/** What buildx reported in its metadata file (`--metadata-file`). */
export type BuildxMetadata = Record<string, unknown>;

/**
 * The digest buildx built, and the manifest to wrap in an index when it pushed a plain one: one platform
 * without attestations is pushed as a plain manifest, and every tag of an image names an index, so the
 * SHA, content, floating and release tags share one digest. With pushByDigest the merge makes the index.
 */
export function builtImage(
  metadata: BuildxMetadata,
  settings: Pick<BuildSettings, 'push' | 'pushByDigest' | 'platforms'>,
): { digest: string; wrap: ManifestDescriptor | null } {
  const reported = metadata['containerimage.digest'];
  const digest = typeof reported === 'string' ? reported : '';
  if (!digest.startsWith('sha256:'))
    throw new Error(`buildx reported no digest (metadata: ${JSON.stringify(metadata)})`);
  const descriptor = (metadata['containerimage.descriptor'] ?? {}) as {
    mediaType?: string;
    size?: number;
    platform?: PlatformJson;
  };
  const mediaType = descriptor.mediaType ?? '';
  if (
    !settings.push ||
    settings.pushByDigest ||
    isIndexMediaType(mediaType) ||
    /index|manifest\.list/.test(mediaType)
  ) {
    return { digest, wrap: null };
  }
  const [os, architecture, variant] = settings.platforms[0].split('/');
  const platform = descriptor.platform ?? { architecture, os, ...(variant ? { variant } : {}) };
  return { digest, wrap: { mediaType, digest, size: Number(descriptor.size ?? 0), platform } };
}

/** `<resultsDir>/<image>.json`; a single-platform build pushed by digest: `<image>@linux-arm64.json`. */
export const platformResultKey = (image: string, platform: string) => `${image}@${platformSlug(platform)}`;

export interface ResultInput {
  image: string;
  outcome: ImageResult['result'];
  digest: string;
  platforms: string[];
  tags: ImageTags;
  settings: Pick<BuildSettings, 'push' | 'pushByDigest' | 'platforms'>;
  contentHash: string;
  parentDigest: string | null;
  baseDigest: string | null;
  durationMs: number;
  revision: string;
  runId: string | null;
  /** Measured when pushed (services/build-image.ts). */
  sizes?: PlatformSize[];
  sizeBudget?: number | null;
  /** The commit's image was kept although this run's inputs differ (decision `kept`). */
  inputsChanged?: boolean;
}

/**
 * The result to write and under which keys: the image's own file, or with pushByDigest the platform's
 * file (and the image's too when it was reused: the finished index exists, children can build FROM it).
 */
export function imageResult(input: ResultInput): { result: ImageResult; keys: string[] } {
  const { settings, tags, outcome } = input;
  const platformBuild = settings.pushByDigest && outcome === 'built';
  const result: ImageResult = {
    image: input.image,
    result: outcome,
    digest: input.digest,
    tags: platformBuild ? [] : [tags.sha, tags.content],
    ...(platformBuild ? { indexTags: [tags.sha, tags.content] } : {}),
    platforms: input.platforms,
    contentHash: input.contentHash,
    parentDigest: input.parentDigest,
    baseDigest: input.baseDigest,
    durationMs: input.durationMs,
    revision: input.revision,
    pushed: settings.push,
    runId: input.runId,
    repository: tags.repository,
    pinnedReference: settings.push ? pinnedReference(tags.repository, input.digest) : tags.content,
    ...(input.sizes ? { sizes: input.sizes } : {}),
    ...(input.sizeBudget ? { sizeBudget: input.sizeBudget } : {}),
    ...(input.inputsChanged ? { inputsChanged: true } : {}),
  };
  const key = settings.pushByDigest ? platformResultKey(input.image, settings.platforms[0]) : input.image;
  const keys = key !== input.image && outcome === 'reused' ? [key, input.image] : [key];
  return { result, keys };
}
