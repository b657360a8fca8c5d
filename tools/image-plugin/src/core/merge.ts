import { imageResult } from './build-decisions';
import { ImageConfigError } from './errors';
import type { ImageResult } from './result';
import { pinnedReference } from './tags';

export type MergeStep =
  /** Every platform job found the image already published: nothing to merge. */
  | { kind: 'reused'; digest: string; contentHash: string }
  | { kind: 'merge'; sources: string[]; tags: string[]; contentHash: string };

/**
 * Decides how to finish a multi-platform image from its per-platform results; throws naming every
 * planned platform that has no result, or when the platform jobs disagree on what they built.
 */
export function mergeStep(
  image: string,
  planned: readonly string[],
  results: ReadonlyMap<string, ImageResult | null>,
): MergeStep {
  const missing = planned.filter((p) => !results.get(p));
  if (missing.length) {
    throw new ImageConfigError(
      `${image} has no build for ${missing.join(', ')} (planned: ${planned.join(', ')})`,
      `run image-build for ${image} with --pushByDigest --platforms=<each missing platform>, then merge again; an architecture is never dropped`,
      'merge',
    );
  }
  const found = planned.map((p) => results.get(p) as ImageResult);
  const hashes = new Set(found.map((r) => r.contentHash));
  if (hashes.size > 1) {
    throw new ImageConfigError(
      `the platform builds of ${image} disagree on its content (${[...hashes].join(', ')}): they built different inputs`,
      'build every platform from the same commit and options, then merge again',
      'merge',
    );
  }
  const contentHash = found[0].contentHash;
  if (found.every((r) => r.result === 'reused')) return { kind: 'reused', digest: found[0].digest, contentHash };
  const tags = found.find((r) => r.indexTags)?.indexTags ?? found[0].tags;
  return { kind: 'merge', sources: found.map((r) => pinnedReference(r.repository, r.digest)), tags, contentHash };
}

/**
 * The image's result once merged (or found merged): the shape every result has (core/build-decisions.ts
 * imageResult), with the index's digest and platforms, the platform results' facts, and the longest
 * platform build's time plus the merge's.
 */
export function mergedResult(args: {
  image: string;
  step: MergeStep;
  /** The index's tags: SHA first, then content. */
  tags: readonly string[];
  index: { digest: string; platforms: string[] };
  platformResults: readonly ImageResult[];
  mergeMs: number;
  runId: string | null;
}): ImageResult {
  const { step, index, platformResults } = args;
  const any = platformResults[0];
  return imageResult({
    image: args.image,
    outcome: step.kind === 'merge' ? 'built' : 'reused',
    digest: index.digest,
    platforms: index.platforms,
    tags: { repository: any.repository, sha: args.tags[0], content: args.tags[1] },
    settings: { push: true, pushByDigest: false, platforms: index.platforms },
    contentHash: step.contentHash,
    parentDigest: any.parentDigest,
    baseDigest: any.baseDigest,
    durationMs: Math.max(...platformResults.map((r) => r.durationMs)) + args.mergeMs,
    revision: any.revision,
    runId: args.runId,
  }).result;
}
