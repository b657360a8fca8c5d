import { createIndex, indexOf } from '../adapters/buildx';
import { signDigest, type SignOptions } from '../adapters/cosign';
import { RegistryClient } from '../adapters/registry';
import { readResult, writeResult } from '../adapters/result-files';
import { platformResultKey } from '../core/build-decisions';
import { closest } from '../core/closest-name';
import { ImageConfigError } from '../core/errors';
import { indexAnnotations } from '../core/index-annotations';
import { mergedResult, mergeStep } from '../core/merge';
import { missingPlatforms } from '../core/platforms';
import type { ImageResult } from '../core/result';
import { pinnedReference, signatureTag } from '../core/tags';
import { writeOnceStep } from '../core/write-once';
import { systemClock, type ClockPort, type IndexerPort, type MergeRegistryPort, type ResultStorePort } from './ports';
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
async function checkImageExists(imageNames: () => Promise<string[]>, image: string): Promise<void> {
  const names = await imageNames();
  if (names.includes(image)) return;
  const guess = closest(image, names);
  throw new ImageConfigError(
    `the workspace has no image ${image}`,
    `${guess ? `did you mean ${guess}? ` : ''}name one of ${names.join(', ')}: images merge <image> --platforms ...`,
    'merge',
  );
}

/** What a merge asks of the outside world; mergePorts gives the real ones. */
export interface MergePorts {
  registry: MergeRegistryPort;
  indexer: IndexerPort;
  sign: (ref: string, options: SignOptions) => Promise<void>;
  results: ResultStorePort;
  /** The workspace's image names (asked only when no platform build has a result). */
  imageNames: () => Promise<string[]>;
  clock: ClockPort;
}

function mergePorts(req: Pick<MergeRequest, 'workspaceRoot' | 'resultsDir'>): MergePorts {
  return {
    registry: new RegistryClient(),
    indexer: { createIndex, indexOf },
    sign: signDigest,
    results: {
      read: (key) => readResult(req.workspaceRoot, req.resultsDir, key),
      write: (result) => writeResult(req.workspaceRoot, req.resultsDir, result),
    },
    imageNames: async () => (await workspaceImages(req.workspaceRoot)).specs.map((s) => s.name),
    clock: systemClock,
  };
}

/**
 * Creates the index under the tags that do not exist yet. The SHA and content tags are write-once
 * (core/write-once.ts): when one exists already, the index the sources make must be the one it names, or
 * the merge stops before any tag is written. With `signWith`, the index is pushed by digest, signed, and
 * only then tagged: no tag ever names an unsigned digest, and a signing failure leaves no tag.
 */
async function writeIndexOnce(
  ports: Pick<MergePorts, 'registry' | 'indexer' | 'sign'>,
  target: { tags: readonly string[]; sources: readonly string[]; repository: string },
  signWith?: SignOptions,
): Promise<void> {
  const { registry, indexer } = ports;
  const { tags, sources, repository } = target;
  // The image's OCI labels on the index: registries show a multi-platform image's description from there.
  const annotations = indexAnnotations(await registry.labelsOf(sources[0]));
  const current = await Promise.all(tags.map((tag) => registry.digestOf(tag)));
  if (!signWith && current.every((digest) => digest === null)) return indexer.createIndex(tags, sources, annotations);
  const index = await indexer.indexOf(sources, annotations);
  const missing = tags.filter((tag, i) => writeOnceStep(tag, current[i], index.digest) === 'write');
  if (!signWith) {
    if (missing.length) await indexer.createIndex(missing, sources, annotations);
    return;
  }
  const byDigest = pinnedReference(repository, index.digest);
  await registry.putManifest(byDigest, index);
  await ports.sign(byDigest, signWith);
  for (const tag of missing) await registry.putManifest(tag, index);
}

/**
 * An index every platform job reused: signed already, unless it was pushed unsigned (before merges
 * signed, or by hand); then it is signed now, so a plan with --signed stops planning it.
 */
async function signIfUnsigned(
  ports: Pick<MergePorts, 'registry' | 'sign'>,
  repository: string,
  digest: string,
  signWith: SignOptions,
): Promise<void> {
  if (await ports.registry.digestOf(signatureTag(repository, digest))) return;
  await ports.sign(pinnedReference(repository, digest), signWith);
}

/**
 * Creates the multi-platform index from the per-platform digests (pushByDigest builds), checks every
 * planned platform is in it, and writes `<image>.json` for the children to build FROM.
 */
export async function mergePlatforms(req: MergeRequest, ports: MergePorts = mergePorts(req)): Promise<ImageResult> {
  const started = ports.clock.now();
  const results = new Map<string, ImageResult | null>();
  for (const p of req.platforms) results.set(p, await ports.results.read(platformResultKey(req.image, p)));
  if ([...results.values()].every((r) => r === null)) await checkImageExists(ports.imageNames, req.image);
  const step = mergeStep(req.image, req.platforms, results);
  const platformResults = req.platforms.map((p) => results.get(p) as ImageResult);
  const any = platformResults[0];
  const tags = step.kind === 'merge' ? step.tags : any.tags;
  if (step.kind === 'merge') {
    const target = { tags: step.tags, sources: step.sources, repository: any.repository };
    await writeIndexOnce(ports, target, req.signWith);
  }
  const index = await ports.registry.inspect(tags[0]);
  const missing = missingPlatforms(req.platforms, index?.platforms ?? []);
  if (!index || missing.length) {
    throw new ImageConfigError(
      `the index ${tags[0]} lacks ${missing.join(', ')} after the merge`,
      'check the per-platform builds pushed to the same repository, then merge again',
      'merge',
    );
  }
  if (req.signWith && step.kind === 'reused') await signIfUnsigned(ports, any.repository, index.digest, req.signWith);
  const mergeMs = ports.clock.now() - started;
  const result = mergedResult({ image: req.image, step, tags, index, platformResults, mergeMs, runId: req.runId });
  await ports.results.write(result);
  return result;
}
