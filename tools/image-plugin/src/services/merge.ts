import { createIndex, indexOf } from '../adapters/buildx';
import { signDigest, type SignOptions } from '../adapters/cosign';
import { RegistryClient } from '../adapters/registry';
import { readResult, writeResult } from '../adapters/result-files';
import { platformResultKey } from '../core/build-decisions';
import { closest } from '../core/closest-name';
import { ImageConfigError } from '../core/errors';
import { indexAnnotations } from '../core/index-annotations';
import { mergeStep } from '../core/merge';
import { missingPlatforms } from '../core/platforms';
import type { ImageResult } from '../core/result';
import { pinnedReference, signatureTag } from '../core/tags';
import { writeOnceStep } from '../core/write-once';
import { workspaceImages } from './workspace';

export interface MergeRequest {
  workspaceRoot: string;
  image: string;
  platforms: string[];
  resultsDir: string;
  runId: string | null;
  /** Sign the index by digest (cosign) before any tag names it; a signing failure leaves no tag. */
  signWith?: SignOptions;
}

/**
 * With no per-platform build at all, a name the workspace does not have is the likelier mistake than
 * a missing build: asks the project graph (only then, so a merge that has its builds pays nothing).
 */
async function checkImageExists(workspaceRoot: string, image: string): Promise<void> {
  const { specs } = await workspaceImages(workspaceRoot);
  if (specs.some((s) => s.name === image)) return;
  const names = specs.map((s) => s.name);
  const guess = closest(image, names);
  throw new ImageConfigError(
    `the workspace has no image ${image}`,
    `${guess ? `did you mean ${guess}? ` : ''}name one of ${names.join(', ')}: images merge <image> --platforms ...`,
    'merge',
  );
}

/**
 * Creates the index under the tags that do not exist yet. The SHA and content tags are write-once
 * (core/write-once.ts): when one exists already, the index the sources make must be the one it names, or
 * the merge stops before any tag is written. With `signWith`, the index is pushed by digest, signed, and
 * only then tagged: no tag ever names an unsigned digest, and a signing failure leaves no tag.
 */
async function writeIndexOnce(
  registry: RegistryClient,
  target: { tags: readonly string[]; sources: readonly string[]; repository: string },
  signWith?: SignOptions,
): Promise<void> {
  const { tags, sources, repository } = target;
  // The image's OCI labels on the index: registries show a multi-platform image's description from there.
  const annotations = indexAnnotations(await registry.labelsOf(sources[0]));
  const current = await Promise.all(tags.map((tag) => registry.digestOf(tag)));
  if (!signWith && current.every((digest) => digest === null)) return createIndex(tags, sources, annotations);
  const index = await indexOf(sources, annotations);
  const missing = tags.filter((tag, i) => writeOnceStep(tag, current[i], index.digest) === 'write');
  if (!signWith) {
    if (missing.length) await createIndex(missing, sources, annotations);
    return;
  }
  const byDigest = pinnedReference(repository, index.digest);
  await registry.putManifest(byDigest, index);
  await signDigest(byDigest, signWith);
  for (const tag of missing) await registry.putManifest(tag, index);
}

/**
 * An index every platform job reused: signed already, unless it was pushed unsigned (before merges
 * signed, or by hand); then it is signed now, so a plan with --signed stops planning it.
 */
async function signIfUnsigned(registry: RegistryClient, repository: string, digest: string, signWith: SignOptions) {
  if (await registry.digestOf(signatureTag(repository, digest))) return;
  await signDigest(pinnedReference(repository, digest), signWith);
}

/**
 * Creates the multi-platform index from the per-platform digests (pushByDigest builds), checks every
 * planned platform is in it, and writes `<image>.json` for the children to build FROM.
 */
export async function mergePlatforms(req: MergeRequest, registry = new RegistryClient()): Promise<ImageResult> {
  const started = Date.now();
  const results = new Map<string, ImageResult | null>();
  for (const p of req.platforms) {
    results.set(p, await readResult(req.workspaceRoot, req.resultsDir, platformResultKey(req.image, p)));
  }
  if ([...results.values()].every((r) => r === null)) await checkImageExists(req.workspaceRoot, req.image);
  const step = mergeStep(req.image, req.platforms, results);
  const any = results.get(req.platforms[0]) as ImageResult;
  let tags: string[];
  if (step.kind === 'merge') {
    await writeIndexOnce(
      registry,
      { tags: step.tags, sources: step.sources, repository: any.repository },
      req.signWith,
    );
    tags = step.tags;
  } else {
    tags = any.tags;
  }
  const index = await registry.inspect(tags[0]);
  const missing = missingPlatforms(req.platforms, index?.platforms ?? []);
  if (!index || missing.length) {
    throw new ImageConfigError(
      `the index ${tags[0]} lacks ${missing.join(', ')} after the merge`,
      'check the per-platform builds pushed to the same repository, then merge again',
      'merge',
    );
  }
  if (req.signWith && step.kind === 'reused')
    await signIfUnsigned(registry, any.repository, index.digest, req.signWith);
  const result: ImageResult = {
    image: req.image,
    result: step.kind === 'merge' ? 'built' : 'reused',
    digest: index.digest,
    tags,
    platforms: index.platforms,
    contentHash: step.contentHash,
    parentDigest: any.parentDigest,
    baseDigest: any.baseDigest,
    durationMs: Math.max(...[...results.values()].map((r) => r?.durationMs ?? 0)) + (Date.now() - started),
    revision: any.revision,
    pushed: true,
    runId: req.runId,
    repository: any.repository,
    pinnedReference: `${any.repository}@${index.digest}`,
  };
  await writeResult(req.workspaceRoot, req.resultsDir, result);
  return result;
}
