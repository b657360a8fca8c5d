import { createIndex, inspectRemote } from '../adapters/buildx';
import { ImageConfigError } from '../core/errors';
import { mergeStep } from '../core/merge';
import type { ImageResult } from '../core/result';
import { platformResultKey, readResult, writeResult } from '../services/results';

export interface MergeArgs {
  workspaceRoot: string;
  image: string;
  platforms: string[];
  resultsDir: string;
  runId: string | null;
  log: (line: string) => void;
}

/**
 * Creates the multi-platform index from the per-platform digests (pushByDigest builds), checks every
 * planned platform is in it, and writes `<image>.json` for the children to build FROM.
 */
export async function merge(args: MergeArgs): Promise<ImageResult> {
  const started = Date.now();
  const results = new Map<string, ImageResult | null>();
  for (const p of args.platforms) results.set(p, await readResult(args.workspaceRoot, args.resultsDir, platformResultKey(args.image, p)));
  const step = mergeStep(args.image, args.platforms, results);
  const any = results.get(args.platforms[0]) as ImageResult;
  let tags: string[];
  if (step.kind === 'merge') {
    await createIndex(step.tags, step.sources);
    tags = step.tags;
  } else {
    tags = any.tags;
  }
  const index = await inspectRemote(tags[0]);
  const missing = args.platforms.filter((p) => !index?.platforms.includes(p));
  if (!index || missing.length) {
    throw new ImageConfigError(
      `the index ${tags[0]} lacks ${missing.join(', ')} after the merge`,
      'check the per-platform builds pushed to the same repository, then merge again',
      'merge',
    );
  }
  const result: ImageResult = {
    image: args.image,
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
    runId: args.runId,
    repository: any.repository,
    pinnedReference: `${any.repository}@${index.digest}`,
  };
  await writeResult(args.workspaceRoot, args.resultsDir, result);
  args.log(`${args.image}: ${result.result === 'built' ? 'merged' : 'reused'} ${index.digest} [${index.platforms.join(', ')}] as ${tags.join(', ')}`);
  return result;
}
