import { createIndex } from '../adapters/buildx';
import { RegistryClient } from '../adapters/registry';
import { readResult, writeResult } from '../adapters/result-files';
import { platformResultKey } from '../core/build-decisions';
import { ImageConfigError } from '../core/errors';
import { mergeStep } from '../core/merge';
import { missingPlatforms } from '../core/platforms';
import type { ImageResult } from '../core/result';

export interface MergeRequest {
  workspaceRoot: string;
  image: string;
  platforms: string[];
  resultsDir: string;
  runId: string | null;
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
  const step = mergeStep(req.image, req.platforms, results);
  const any = results.get(req.platforms[0]) as ImageResult;
  let tags: string[];
  if (step.kind === 'merge') {
    await createIndex(step.tags, step.sources);
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
