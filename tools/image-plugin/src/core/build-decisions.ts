import type { BuildSettings } from './build-options';
import { BUILD_TARGET } from './defaults';
import type { DryRunRecord } from './dry-run';
import { ImageConfigError } from './errors';
import { isIndexMediaType, type ManifestDescriptor } from './image-index';
import type { ParentRef } from './image-spec';
import { missingPlatforms, platformSlug, type PlatformJson } from './platforms';
import type { ImageResult } from './result';
import type { PlatformSize } from './size-budget';
import type { ImageTags } from './tags';

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
  if (!stale) return { contentHash: result.contentHash, reference: result.pinnedReference, digest: result.digest };
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

/** What the content-tag lookup found: in the registry (pushing) or in the local engine. */
export type Lookup =
  | { where: 'registry'; found: { digest: string; platforms: readonly string[]; isIndex: boolean } | null }
  | { where: 'engine'; found: { id: string } | null };

export type BuildDecision =
  /** The content exists: only tag it. `wrap`: a plain manifest (pushed by an older version) gets wrapped in an index. */
  { kind: 'reuse'; digest: string; platforms: string[]; wrap: boolean } | { kind: 'build'; reason: string };

/** Reuse when the content tag exists with every wanted platform of the finished image; build otherwise. */
export function reuseOrBuild(
  settings: Pick<BuildSettings, 'platforms' | 'indexPlatforms'>,
  lookup: Lookup,
): BuildDecision {
  if (lookup.where === 'engine') {
    return lookup.found
      ? { kind: 'reuse', digest: lookup.found.id, platforms: [...settings.platforms], wrap: false }
      : { kind: 'build', reason: 'no local image has this content yet' };
  }
  if (!lookup.found) return { kind: 'build', reason: 'no image has this content yet' };
  const missing = missingPlatforms(settings.indexPlatforms, lookup.found.platforms);
  if (missing.length) return { kind: 'build', reason: `the content tag lacks ${missing.join(', ')}` };
  return {
    kind: 'reuse',
    digest: lookup.found.digest,
    platforms: [...lookup.found.platforms],
    wrap: !lookup.found.isIndex,
  };
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
  const digest = String(metadata['containerimage.digest'] ?? '');
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
    pinnedReference: settings.push ? `${tags.repository}@${input.digest}` : tags.content,
    ...(input.sizes ? { sizes: input.sizes } : {}),
    ...(input.sizeBudget ? { sizeBudget: input.sizeBudget } : {}),
  };
  const key = settings.pushByDigest ? platformResultKey(input.image, settings.platforms[0]) : input.image;
  const keys = key !== input.image && outcome === 'reused' ? [key, input.image] : [key];
  return { result, keys };
}
