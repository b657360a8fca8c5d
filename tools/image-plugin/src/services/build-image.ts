import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RemoteImage } from '../adapters/registry';
import {
  builtImage,
  imageResult,
  reuseOrBuild,
  type BuildDecision,
  type BuildxMetadata,
  type ParentFacts,
} from '../core/build-decisions';
import { BUILDKIT_SBOM_SCANNER, buildFailure } from '../core/build-failure';
import { buildxInvocation, type BuildxInvocation } from '../core/build-invocation';
import { dryRunRecord, type DryRunReport } from '../core/dry-run';
import { ImageConfigError } from '../core/errors';
import type { Reproducibility } from '../core/reproducible';
import { wrapInIndex } from '../core/image-index';
import { pinnedReference } from '../core/tags';
import { writeOnceStep } from '../core/write-once';
import type { ImageResult } from '../core/result';
import type { PlatformSize } from '../core/size-budget';
import { checkBasePins } from './base-pin-check';
import { checkImageSize } from './size-check';
import { parentOutsideRun, type PreparedImage } from './prepare-images';
import type { BuilderPort, BuildRegistryPort } from './ports';
import type { RunContext } from './run-context';
import type { RunResults } from './run-results';

export type BuildOutcome =
  | { kind: 'result'; result: ImageResult }
  | { kind: 'dry-run'; report: DryRunReport }
  /** A parent of this run failed: nothing of this image was tagged for the commit. */
  | { kind: 'skipped' };

/** The in-run tasks one image waits for before it is tagged (its parents', and any other dependency's). */
export interface TaskGate {
  /** Whether every in-run task this one depends on succeeded; waits until they all ended. */
  dependenciesSucceeded(): Promise<boolean>;
  /** Called once this image's own work starts (its parents' images exist). */
  started(): void;
}

/**
 * What one image's build asks of its run: the workspace, the run's id, the profile, and two narrow ports,
 * the registry and the builder (a RunContext is one; a unit test stands in for them in memory).
 */
export type BuildRun = Pick<
  RunContext,
  'workspaceRoot' | 'runId' | 'profile' | 'sourceDateEpoch' | 'rewritesTimestamps'
> & {
  registry: BuildRegistryPort;
  builder: BuilderPort;
};

/** One image's build once its parents are known: what every step below reads. */
interface ImageJob {
  run: BuildRun;
  image: PreparedImage;
  results: RunResults;
  log: (line: string) => void;
  gate: TaskGate;
  parents: Array<[string, ParentFacts]>;
  /** The parent whose digest this image builds FROM (null: none of this run, or a dry run's plan). */
  pinnedParent: [string, ParentFacts] | null;
  startedAt: number;
}

const SKIPPED: BuildOutcome = { kind: 'skipped' };

/**
 * One image, once the run's first pass prepared it (services/prepare-images.ts), as a list of steps over
 * the decisions of core/build-decisions.ts: its parents' pins, the decision (reuse, keep the commit's
 * image, or build), then the branch's steps: build with buildx, measure against the size budget, tag,
 * record. Each parent is pinned to its digest of this run as soon as that digest is final; this image
 * pins itself for its children as soon as its own is. The SHA tag goes on and `<resultsDir>/<image>.json`
 * is written only once every task it depends on succeeded. `buildSlot` limits how many buildx builds run
 * at once.
 */
export async function buildImage(
  run: BuildRun,
  image: PreparedImage,
  results: RunResults,
  log: (line: string) => void,
  buildSlot: <T>(build: () => Promise<T>) => Promise<T>,
  gate: TaskGate,
): Promise<BuildOutcome> {
  const parents = await parentsOf(run, image, results);
  if (!parents) return SKIPPED;
  gate.started();
  const pinnedParent = parents.find(([, facts]) => facts.digest) ?? null;
  const job: ImageJob = { run, image, results, log, gate, parents, pinnedParent, startedAt: Date.now() };
  const { settings, tags } = image;
  const decision = reuseOrBuild(settings, image.lookup, tags);
  checkParentsKept(job, decision);
  const workDir = join(tmpdir(), `image-build-${image.spec.name}-${randomBytes(4).toString('hex')}`);
  const metadataFile = join(workDir, 'metadata.json');
  const invocation = invocationOf(job, metadataFile, {
    sourceDateEpoch: await run.sourceDateEpoch(),
    // Only a build that pushes asks the builder (once per run): nothing else has a pushed output.
    rewriteTimestamps: settings.push && decision.kind === 'build' && (await run.rewritesTimestamps(settings.builder)),
  });
  if (settings.dryRun) return dryRun(job, invocation, decision);
  if (decision.kind === 'kept') return keepCommitted(job, decision);
  if (decision.kind === 'reuse') return settings.push ? reusePushed(job, decision) : reuseLocal(job, decision);
  if (image.lookup.found) log(`${image.spec.name}: ${decision.reason}; building`);
  await checkBasePins(run, image);
  await mkdir(workDir, { recursive: true });
  try {
    const metadata = await buildSlot(() =>
      run.profile.time('builds', () => buildWithBuildx(job, invocation.args, metadataFile)),
    );
    return settings.push ? await tagBuilt(job, metadata) : await keepLocalBuild(job, metadata);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Each parent's facts: an in-run parent's pin as soon as its digest is final, otherwise its result (or a
 * dry run's record). Null when an in-run parent failed: this image is skipped.
 */
async function parentsOf(
  run: BuildRun,
  image: PreparedImage,
  results: RunResults,
): Promise<Array<[string, ParentFacts]> | null> {
  const { spec, settings } = image;
  const parents: Array<[string, ParentFacts]> = [];
  for (const parent of spec.parents) {
    if (results.runs(parent.image)) {
      const pin = settings.dryRun ? null : await results.pinned(parent.image);
      if (pin) {
        parents.push([parent.image, pin]);
        continue;
      }
      // No pin: the parent failed, or it ended without one (a dry run's plan, a platform's build by
      // digest), and its result or record says the rest.
      if (!(await results.ended(parent.image))) return null;
    }
    const facts = await parentOutsideRun(run, image, parent, results);
    parents.push([parent.image, facts]);
  }
  return parents;
}

/**
 * A parent that kept its commit's image although this run's inputs differ (decision `kept`) is no image
 * this run hashed: a child may keep its own commit's image beside it, but not reuse or build one FROM it.
 */
function checkParentsKept({ image, parents }: ImageJob, decision: BuildDecision): void {
  if (decision.kind === 'kept' || (decision.kind === 'reuse' && decision.tagged)) return;
  const kept = parents.find(([, facts]) => facts.inputsChanged);
  if (!kept) return;
  const [parent] = kept;
  const { spec, tags } = image;
  throw new ImageConfigError(
    `${tags.sha} does not exist yet, and the parent ${parent} kept this commit's image, built from other inputs than this run's (an external base moved since?): ${spec.name} would be FROM bytes whose inputs this run did not hash`,
    `build this commit's images in one run while its inputs are unchanged, or commit again (a new commit gets new tags for the whole family); pin external bases by digest so that they cannot move`,
    spec.dockerfile,
  );
}

function invocationOf(
  { run, image, parents }: ImageJob,
  metadataFile: string,
  reproducibility: Reproducibility,
): BuildxInvocation {
  return buildxInvocation({
    spec: image.spec,
    settings: image.settings,
    tags: image.tags,
    parentRefs: Object.fromEntries(parents.map(([name, facts]) => [name, facts.reference])),
    replacedBases: Object.fromEntries(
      image.basePins.flatMap((pin) => (pin.replaced ? [[pin.ref, pin.replaced.reference]] : [])),
    ),
    revision: image.revision.sha,
    revisionTag: image.revisionTag,
    reproducibility,
    metadataFile,
    workspaceRoot: run.workspaceRoot,
  });
}

async function dryRun(job: ImageJob, invocation: BuildxInvocation, decision: BuildDecision): Promise<BuildOutcome> {
  const { image, results } = job;
  await results.recordDryRun(image.spec.name, dryRunRecord(invocation, image.hash, decision, image.settings.push));
  return { kind: 'dry-run', report: { invocation, decision } };
}

/** This image's digest is final: its children of this run may start building FROM it. */
function pinSelf({ image, results }: ImageJob, digest: string, inputsChanged = false): void {
  const { settings, tags } = image;
  results.pin(image.spec.name, {
    contentHash: image.hash,
    digest,
    reference: settings.push ? pinnedReference(tags.repository, digest) : tags.content,
    ...(inputsChanged ? { inputsChanged } : {}),
  });
}

/** A pushed image's sizes, its budget checked before any tag of this commit is put on (services/size-check.ts). */
function measure(job: ImageJob, digest: string, withheldTag: string, known?: RemoteImage): Promise<PlatformSize[]> {
  const { run, image, pinnedParent } = job;
  return run.profile.time('lookups', () =>
    checkImageSize(run.registry, {
      image: image.spec.name,
      dockerfile: image.spec.dockerfile,
      repository: image.tags.repository,
      digest,
      ...(known ? { known } : {}),
      parent: pinnedParent && { image: pinnedParent[0], reference: pinnedParent[1].reference },
      budget: image.settings.sizeBudget,
      withheldTag,
    }),
  );
}

/** Writes `<resultsDir>/<image>.json` (and a platform's file with pushByDigest): the image's task succeeded. */
async function record(
  job: ImageJob,
  outcome: ImageResult['result'],
  digest: string,
  platforms: readonly string[],
  extra: { sizes?: PlatformSize[]; inputsChanged?: boolean } = {},
): Promise<BuildOutcome> {
  const { run, image, results, pinnedParent } = job;
  const { result, keys } = imageResult({
    image: image.spec.name,
    outcome,
    digest,
    platforms: [...platforms],
    tags: image.tags,
    settings: image.settings,
    contentHash: image.hash,
    parentDigest: pinnedParent?.[1].digest ?? null,
    baseDigest: image.baseDigest,
    durationMs: image.preparedInMs + (Date.now() - job.startedAt),
    revision: image.revision.sha,
    runId: run.runId,
    ...extra,
    sizeBudget: image.settings.sizeBudget,
  });
  await run.profile.time('results', () => results.write(image.settings.resultsDir, result, keys));
  return { kind: 'result', result };
}

type Reuse = Extract<BuildDecision, { kind: 'reuse' }>;

/** The content is in the registry: its budget checked again (it may predate it), then the SHA tag put on. */
async function reusePushed(job: ImageJob, decision: Reuse): Promise<BuildOutcome> {
  const { run, image, gate, log } = job;
  const { tags } = image;
  // An index is pinned as found; a plain manifest (an older version's push) gets its index with the tag.
  if (!decision.wrap) pinSelf(job, decision.digest);
  const sizes = await measure(job, decision.digest, tags.sha, image.remote ?? undefined);
  if (!(await gate.dependenciesSucceeded())) return SKIPPED;
  if (decision.tagged) {
    log(
      `${image.spec.name}: ${tags.sha} already names ${decision.digest.slice(0, 19)} (${tags.content}); nothing to tag`,
    );
    return record(job, 'reused', decision.digest, decision.platforms, { sizes });
  }
  const digest = await run.profile.time('tags', () =>
    run.registry.tag([tags.sha], tags.repository, decision.digest, image.remote ?? undefined),
  );
  pinSelf(job, digest);
  log(`${image.spec.name}: reused ${tags.content} (${decision.digest.slice(0, 19)}), tagged ${tags.sha}`);
  return record(job, 'reused', digest, decision.platforms, { sizes });
}

async function reuseLocal(job: ImageJob, decision: Reuse): Promise<BuildOutcome> {
  const { run, image, gate, log } = job;
  pinSelf(job, decision.digest);
  if (!(await gate.dependenciesSucceeded())) return SKIPPED;
  await run.profile.time('tags', () => run.builder.tagLocal(image.tags.content, image.tags.sha));
  log(`${image.spec.name}: reused local ${image.tags.content}, tagged ${image.tags.sha}`);
  return record(job, 'reused', decision.digest, decision.platforms);
}

/** The commit's SHA tag names an image of other inputs: it keeps its digest, and nothing is written. */
async function keepCommitted(job: ImageJob, decision: Extract<BuildDecision, { kind: 'kept' }>): Promise<BuildOutcome> {
  const { image, gate, log } = job;
  pinSelf(job, decision.digest, true);
  const sizes = await measure(job, decision.digest, image.tags.sha);
  if (!(await gate.dependenciesSucceeded())) return SKIPPED;
  log(
    `${image.spec.name}: kept ${image.tags.sha} (${decision.digest.slice(0, 19)}), built from other inputs than this run's (${decision.reason}); a commit's tags never move`,
  );
  return record(job, 'reused', decision.digest, decision.platforms, { sizes, inputsChanged: true });
}

/** buildx builds (and pushes the content tag, or loads); a failure becomes one message with the fix. */
async function buildWithBuildx(job: ImageJob, args: readonly string[], metadataFile: string): Promise<BuildxMetadata> {
  const { run, image, log } = job;
  const { spec, settings, tags } = image;
  log(`${spec.name}: building ${settings.platforms.join(',')} -> ${tags.sha}`);
  const build = await run.builder.build(args, run.workspaceRoot, (cause, attempt, attempts) =>
    log(`${spec.name}: the registry failed while pushing (${cause}); trying again (${attempt}/${attempts})`),
  );
  if (build.exitCode !== 0) {
    throw buildFailure({
      image: spec.name,
      dockerfile: spec.dockerfile,
      ref: tags.sha,
      output: build.output,
      ...(settings.sbom ? { sbomScanner: settings.sbomGenerator ?? BUILDKIT_SBOM_SCANNER } : {}),
      engineAnswers: await run.builder.engineAnswers(),
    });
  }
  return JSON.parse(await readFile(metadataFile, 'utf8')) as BuildxMetadata;
}

async function keepLocalBuild(job: ImageJob, metadata: BuildxMetadata): Promise<BuildOutcome> {
  const built = builtImage(metadata, job.image.settings);
  pinSelf(job, built.digest);
  if (!(await job.gate.dependenciesSucceeded())) return SKIPPED;
  return record(job, 'built', built.digest, job.image.settings.platforms);
}

/**
 * buildx pushed the content tag only (or, with pushByDigest, the platform's content tag); the commit's
 * SHA tag goes on once the image fits its budget, so an image over it has no tag that `images publish`
 * or a child would take, and only while it does not exist yet (a run of the same commit may have
 * written it meanwhile: write-once).
 */
async function tagBuilt(job: ImageJob, metadata: BuildxMetadata): Promise<BuildOutcome> {
  const { run, image, gate } = job;
  const { settings, tags } = image;
  const built = builtImage(metadata, settings);
  const index = built.wrap && wrapInIndex(built.wrap);
  // One platform without attestations was pushed as a plain manifest: its tags get its index.
  if (index) await run.profile.time('tags', () => run.registry.putManifest(tags.content, index));
  const digest = index ? index.digest : built.digest;
  // A platform's build (pushByDigest) is no parent: the merge makes the image children build FROM.
  if (!settings.pushByDigest) pinSelf(job, digest);
  const sizes = await measure(job, built.digest, settings.pushByDigest ? tags.content : tags.sha);
  if (!(await gate.dependenciesSucceeded())) return SKIPPED;
  if (!settings.pushByDigest) {
    await run.profile.time('tags', async () => {
      if (writeOnceStep(tags.sha, await run.registry.digestOf(tags.sha), digest) === 'in-place') return;
      if (index) await run.registry.putManifest(tags.sha, index);
      else await run.registry.tag([tags.sha], tags.repository, digest);
    });
  }
  return record(job, 'built', digest, settings.platforms, { sizes });
}
