import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runBuildx } from '../adapters/buildx';
import { engineAnswers, tagLocal } from '../adapters/engine';
import type { RemoteImage } from '../adapters/registry';
import { builtImage, imageResult, parentFacts, reuseOrBuild, type ParentFacts } from '../core/build-decisions';
import { BUILDKIT_SBOM_SCANNER, buildFailure } from '../core/build-failure';
import { buildxInvocation } from '../core/build-invocation';
import { dryRunRecord, type DryRunReport } from '../core/dry-run';
import { wrapInIndex } from '../core/image-index';
import type { ImageSpec } from '../core/image-spec';
import { pinnedReference } from '../core/tags';
import { firstLine, isTransientRegistryError } from '../core/registry-errors';
import type { ImageResult } from '../core/result';
import type { PlatformSize } from '../core/size-budget';
import { checkImageSize } from './size-check';
import type { PreparedImage } from './prepare-images';
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
 * One image, once the run's first pass prepared it (services/prepare-images.ts): a short sequence of
 * effects over the decisions of core/build-decisions.ts. Pins each parent to its digest of this run as
 * soon as that digest is final (the parent may still be measured and tagged meanwhile); reuses the
 * content or builds it with buildx, and pins itself for its children; adds the SHA tag and writes
 * `<resultsDir>/<image>.json` only once every task it depends on succeeded, and only on success.
 * `buildSlot` limits how many buildx builds run at once.
 */
export async function buildImage(
  run: RunContext,
  image: PreparedImage,
  results: RunResults,
  log: (line: string) => void,
  buildSlot: <T>(build: () => Promise<T>) => Promise<T>,
  gate: TaskGate,
): Promise<BuildOutcome> {
  const { spec, settings, tags, revision } = image;
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
      if (!(await results.ended(parent.image))) return { kind: 'skipped' };
    }
    const facts = parentFacts(
      parent,
      await results.result(settings.resultsDir, parent.image),
      settings.dryRun ? await results.dryRunRecord(parent.image) : null,
      {
        image: spec.name,
        dockerfile: spec.dockerfile,
        runId: run.runId,
        revision: revision.sha,
        dirty: revision.changes.length > 0,
        push: settings.push,
        dryRun: settings.dryRun,
      },
    );
    parents.push([parent.image, facts]);
  }
  gate.started();
  const startedAt = Date.now();
  const parentRefs = Object.fromEntries(parents.map(([name, facts]) => [name, facts.reference]));
  const pinnedParent = parents.find(([, facts]) => facts.digest) ?? null;
  const parentDigest = pinnedParent?.[1].digest ?? null;
  const decision = reuseOrBuild(settings, image.lookup);
  const workDir = join(tmpdir(), `image-build-${spec.name}-${randomBytes(4).toString('hex')}`);
  const invocation = buildxInvocation({
    spec,
    settings,
    tags,
    parentRefs,
    revision: revision.sha,
    revisionTag: image.revisionTag,
    created: new Date().toISOString(),
    metadataFile: join(workDir, 'metadata.json'),
    workspaceRoot: run.workspaceRoot,
  });

  if (settings.dryRun) {
    await results.recordDryRun(spec.name, dryRunRecord(invocation, image.hash, decision, settings.push));
    return { kind: 'dry-run', report: { invocation, reuse: decision.kind === 'reuse' } };
  }

  /** This image's digest is final: its children of this run may start building FROM it. */
  const pinSelf = (digest: string) =>
    results.pin(spec.name, {
      contentHash: image.hash,
      digest,
      reference: settings.push ? pinnedReference(tags.repository, digest) : tags.content,
    });

  /** A pushed image's sizes, its budget checked before any tag of this commit is put on (services/size-check.ts). */
  const measure = (digest: string, withheldTag: string, known?: RemoteImage) =>
    run.profile.time('lookups', () =>
      checkImageSize(run.registry, {
        image: spec.name,
        dockerfile: spec.dockerfile,
        repository: tags.repository,
        digest,
        ...(known ? { known } : {}),
        parent: pinnedParent && { image: pinnedParent[0], reference: pinnedParent[1].reference },
        budget: settings.sizeBudget,
        withheldTag,
      }),
    );

  const finish = async (
    outcome: ImageResult['result'],
    digest: string,
    platforms: string[],
    sizes?: PlatformSize[],
  ): Promise<BuildOutcome> => {
    const { result, keys } = imageResult({
      image: spec.name,
      outcome,
      digest,
      platforms,
      tags,
      settings,
      contentHash: image.hash,
      parentDigest,
      baseDigest: image.baseDigest,
      durationMs: image.preparedInMs + (Date.now() - startedAt),
      revision: revision.sha,
      runId: run.runId,
      ...(sizes ? { sizes } : {}),
      sizeBudget: settings.sizeBudget,
    });
    await run.profile.time('results', () => results.write(settings.resultsDir, result, keys));
    return { kind: 'result', result };
  };

  if (decision.kind === 'reuse') {
    if (settings.push) {
      // An index is pinned as found; a plain manifest (an older version's push) gets its index with the tag.
      if (!decision.wrap) pinSelf(decision.digest);
      // The content may have been pushed under an older (or no) budget: checked again before the SHA tag.
      const sizes = await measure(decision.digest, tags.sha, image.remote ?? undefined);
      if (!(await gate.dependenciesSucceeded())) return { kind: 'skipped' };
      const digest = await run.profile.time('tags', () =>
        run.registry.tag([tags.sha], tags.repository, decision.digest, image.remote ?? undefined),
      );
      pinSelf(digest);
      log(`${spec.name}: reused ${tags.content} (${decision.digest.slice(0, 19)}), tagged ${tags.sha}`);
      return finish('reused', digest, decision.platforms, sizes);
    }
    pinSelf(decision.digest);
    if (!(await gate.dependenciesSucceeded())) return { kind: 'skipped' };
    await run.profile.time('tags', () => tagLocal(tags.content, tags.sha));
    log(`${spec.name}: reused local ${tags.content}, tagged ${tags.sha}`);
    return finish('reused', decision.digest, decision.platforms);
  }

  if (image.lookup.found) log(`${spec.name}: ${decision.reason}; building`);
  await mkdir(workDir, { recursive: true });
  try {
    const metadata = await buildSlot(() =>
      run.profile.time('builds', async () => {
        log(`${spec.name}: building ${settings.platforms.join(',')} -> ${tags.sha}`);
        let build = await runBuildx(invocation.args, run.workspaceRoot);
        // A registry's 5xx or 429 while pushing is worth another try: BuildKit's cache makes it cheap.
        for (
          let attempt = 2;
          build.exitCode !== 0 && attempt <= 3 && isTransientRegistryError(build.output);
          attempt++
        ) {
          log(
            `${spec.name}: the registry failed while pushing (${firstLine(build.output)}); trying again (${attempt}/3)`,
          );
          build = await runBuildx(invocation.args, run.workspaceRoot);
        }
        if (build.exitCode !== 0) {
          throw buildFailure({
            image: spec.name,
            dockerfile: spec.dockerfile,
            ref: tags.sha,
            output: build.output,
            ...(settings.sbom ? { sbomScanner: settings.sbomGenerator ?? BUILDKIT_SBOM_SCANNER } : {}),
            engineAnswers: await engineAnswers(),
          });
        }
        return JSON.parse(await readFile(join(workDir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
      }),
    );
    const built = builtImage(metadata, settings);
    if (!settings.push) {
      pinSelf(built.digest);
      if (!(await gate.dependenciesSucceeded())) return { kind: 'skipped' };
      return finish('built', built.digest, settings.platforms);
    }
    // buildx pushed the content tag only (or, with pushByDigest, the platform's content tag); the
    // commit's SHA tag goes on once the image fits its budget, so an image over it has no tag that
    // `images publish` or a child would take.
    const index = built.wrap && wrapInIndex(built.wrap);
    // One platform without attestations was pushed as a plain manifest: its tags get its index.
    if (index) await run.profile.time('tags', () => run.registry.putManifest(tags.content, index));
    const digest = index ? index.digest : built.digest;
    // A platform's build (pushByDigest) is no parent: the merge makes the image children build FROM.
    if (!settings.pushByDigest) pinSelf(digest);
    const sizes = await measure(built.digest, settings.pushByDigest ? tags.content : tags.sha);
    if (!(await gate.dependenciesSucceeded())) return { kind: 'skipped' };
    if (!settings.pushByDigest) {
      await run.profile.time('tags', async () => {
        if (index) await run.registry.putManifest(tags.sha, index);
        else await run.registry.tag([tags.sha], tags.repository, digest);
      });
    }
    return finish('built', digest, settings.platforms, sizes);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
