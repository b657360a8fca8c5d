import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRepository } from '../adapters/git-remote';
import { inspectRemote, runBuildx, tagImage } from '../adapters/buildx';
import { preflight, localImageId, tagLocal, type EngineInfo } from '../adapters/engine';
import { currentRevision } from '../adapters/git';
import { buildSettings, type ImageBuildOptions } from '../core/build-options';
import { buildPlan, type BuildPlan } from '../core/build-plan';
import { checkEngineFor, describeEngine } from '../core/engine-requirements';
import { ImageConfigError } from '../core/errors';
import type { ImageSpec } from '../core/image-spec';
import { firstLine, isTransientRegistryError, registryError } from '../core/registry-errors';
import type { ImageResult } from '../core/result';
import { imageTags, pinnedReference } from '../core/tags';
import { imageContent } from './image-content';
import { clearResult, platformResultKey, readResult, writeResult } from './results';
import { preflightRecordPath, readPlannedResult, writePlannedResult } from './run-records';

export interface BuildRequest {
  workspaceRoot: string;
  spec: ImageSpec;
  options: ImageBuildOptions;
  /** The Nx run (set by the plugin's preTasksExecution hook); parents' results must come from it. */
  runId: string | null;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
}

/** The engine checks run once per Nx run: later tasks of the run read the first one's answer. */
async function preflightOnce(runId: string | null, log: (line: string) => void): Promise<EngineInfo> {
  const file = runId ? preflightRecordPath(runId) : null;
  if (file) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as EngineInfo;
    } catch {
      // the first task of the run: check the engine
    }
  }
  const info = await preflight();
  log(describeEngine(info));
  if (file) await writeFile(file, JSON.stringify(info));
  return info;
}

export type BuildOutcome = { kind: 'result'; result: ImageResult } | { kind: 'plan'; plan: BuildPlan };

/**
 * Builds one image, or reuses it: hashes its inputs, looks the content tag up (registry when pushing,
 * the local engine otherwise) and only builds when it is missing. Children build FROM the parents'
 * results of the same run. Writes `<resultsDir>/<image>.json` only on success.
 */
export async function buildImage(req: BuildRequest): Promise<BuildOutcome> {
  const started = Date.now();
  const { workspaceRoot: root, spec } = req;
  const engine = await preflightOnce(req.runId, req.log);
  const settings = buildSettings(req.options, {
    image: spec.name,
    hostPlatform: engine.platform,
    defaultRepository: defaultRepository(root, req.env as NodeJS.ProcessEnv),
    env: req.env,
  });
  checkEngineFor(engine, settings);
  const resultKey = settings.pushByDigest ? platformResultKey(spec.name, settings.platforms[0]) : spec.name;
  if (!settings.dryRun) await clearResult(root, settings.resultsDir, resultKey);

  const revision = await currentRevision(root);
  const dirty = revision.changes.length > 0;
  if (dirty && settings.push) {
    throw new ImageConfigError(
      `the working tree has uncommitted changes (${revision.changes.slice(0, 3).map((c) => c.slice(3)).join(', ')}${revision.changes.length > 3 ? ', ...' : ''}); a pushed image is tagged with the commit SHA ${revision.sha.slice(0, 7)} and must be exactly that commit`,
      'commit or stash the changes, then run again (without --push, a local build is tagged <image>-<sha>-dirty)',
      root,
    );
  }

  const parentHashes: Record<string, string> = {};
  const parentRefs: Record<string, string> = {};
  let parentDigest: string | null = null;
  for (const parent of spec.parents) {
    const result = await readResult(root, settings.resultsDir, parent.image);
    // A parent counts when this run built it, or (across CI jobs) when it was pushed for this very commit.
    const fresh = result && (result.runId === req.runId || (result.pushed && result.revision === revision.sha && !dirty));
    const stale = !fresh || (settings.push && !result.pushed);
    if (stale && !settings.dryRun) {
      throw new ImageConfigError(
        `the parent image "${parent.image}" has no ${settings.push ? 'pushed ' : ''}result from this run, so ${spec.name} cannot be pinned to its digest`,
        `build them together: npx nx run ${spec.name}:${'image-build'}${settings.push ? ' --push' : ''} (dependsOn builds ${parent.image} first)`,
        spec.dockerfile,
        parent.line,
      );
    }
    if (stale) {
      // A dry run: the parent was planned, not built, earlier in this run (or not at all).
      const planned = await readPlannedResult(req.runId, parent.image);
      parentHashes[parent.image] = planned?.contentHash ?? 'unknown';
      parentRefs[parent.image] = planned?.reference ?? `<${parent.image} digest from this run>`;
      continue;
    }
    parentHashes[parent.image] = result.contentHash;
    parentRefs[parent.image] = result.pinnedReference;
    parentDigest ??= result.digest;
  }

  const { hash, baseDigest } = await imageContent(root, spec, settings, parentHashes);
  const revisionTag = `${revision.sha.slice(0, settings.shaLength)}${dirty ? '-dirty' : ''}`;
  const tags = imageTags({ repository: settings.repository, layout: settings.layout, image: spec.name, revision: revisionTag, contentHash: hash });
  const tmp = await mkdtemp(join(tmpdir(), `image-build-${spec.name}-`));
  try {
    const plan = buildPlan({
      spec,
      settings,
      tags,
      parentRefs,
      revision: revision.sha,
      created: new Date().toISOString(),
      metadataFile: join(tmp, 'metadata.json'),
      workspaceRoot: root,
    });
    if (settings.dryRun) {
      const existing = settings.push ? await inspectRemote(tags.content) : null;
      const reuse = settings.push
        ? !!existing && settings.indexPlatforms.every((p) => existing.platforms.includes(p))
        : !!(await localImageId(tags.content));
      await writePlannedResult(req.runId, spec.name, {
        contentHash: hash,
        reference: settings.push ? (reuse ? pinnedReference(tags.repository, existing!.digest) : `${tags.repository}@<digest of ${tags.content}>`) : tags.content,
        reuse,
      });
      return { kind: 'plan', plan: { ...plan, reuse } };
    }

    const finish = async (result: ImageResult['result'], digest: string, platforms: string[]): Promise<BuildOutcome> => {
      const pinned = settings.push ? pinnedReference(tags.repository, digest) : tags.content;
      const outcome: ImageResult = {
        image: spec.name,
        result,
        digest,
        tags: settings.pushByDigest && result === 'built' ? [] : [tags.sha, tags.content],
        ...(settings.pushByDigest && result === 'built' ? { indexTags: [tags.sha, tags.content] } : {}),
        platforms,
        contentHash: hash,
        parentDigest,
        baseDigest,
        durationMs: Date.now() - started,
        revision: revision.sha,
        pushed: settings.push,
        runId: req.runId,
        repository: tags.repository,
        pinnedReference: pinned,
      };
      await writeResult(root, settings.resultsDir, outcome, resultKey);
      // A reused image is already the finished index: children in this job can build FROM it.
      if (resultKey !== spec.name && result === 'reused') await writeResult(root, settings.resultsDir, outcome);
      return { kind: 'result', result: outcome };
    };

    if (settings.push) {
      const existing = await inspectRemote(tags.content);
      if (existing) {
        const platforms = existing.platforms;
        const missing = settings.indexPlatforms.filter((p) => !platforms.includes(p));
        if (missing.length === 0) {
          // A content tag pushed as a plain manifest (by an older version) comes back wrapped.
          const digest = await tagImage([tags.sha], tags.repository, existing.digest, !!existing.manifest.manifests);
          req.log(`${spec.name}: reused ${tags.content} (${existing.digest.slice(0, 19)}), tagged ${tags.sha}`);
          return await finish('reused', digest, platforms);
        }
        req.log(`${spec.name}: ${tags.content} lacks ${missing.join(', ')}; building`);
      }
    } else {
      const id = await localImageId(tags.content);
      if (id) {
        await tagLocal(tags.content, tags.sha);
        req.log(`${spec.name}: reused local ${tags.content}, tagged ${tags.sha}`);
        return await finish('reused', id, settings.platforms);
      }
    }

    req.log(`${spec.name}: building ${settings.platforms.join(',')} -> ${tags.sha}`);
    let run = await runBuildx(plan.args, root);
    // A registry's 5xx or 429 while pushing is worth another try: BuildKit's cache makes it cheap.
    for (let attempt = 2; run.exitCode !== 0 && attempt <= 3 && isTransientRegistryError(run.output); attempt++) {
      req.log(`${spec.name}: the registry failed while pushing (${firstLine(run.output)}); trying again (${attempt}/3)`);
      run = await runBuildx(plan.args, root);
    }
    if (run.exitCode !== 0) throw buildFailure(spec, tags.sha, run.output);
    const metadata = JSON.parse(await readFile(join(tmp, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    let digest = String(metadata['containerimage.digest'] ?? '');
    if (!digest.startsWith('sha256:')) throw new Error(`buildx reported no digest for ${spec.name} (metadata: ${JSON.stringify(metadata)})`);
    const mediaType = (metadata['containerimage.descriptor'] as { mediaType?: string } | undefined)?.mediaType ?? '';
    if (settings.push && !settings.pushByDigest && !/index|manifest\.list/.test(mediaType)) {
      // One platform without attestations is pushed as a plain manifest, and a later retag would
      // wrap it in an index with another digest. Every tag of an image is an index from the start,
      // so the SHA, content, floating and release tags share one digest.
      digest = await tagImage([tags.sha, tags.content], tags.repository, digest, false);
    }
    return await finish('built', digest, settings.platforms);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** One clear error for a failed build: the registry's refusal, or the failing Dockerfile line. */
export function buildFailure(spec: ImageSpec, ref: string, output: string): ImageConfigError {
  const registry = /(pushing|push|exporting to image|failed to authorize|failed to fetch oauth token|unexpected status from)/i.test(output)
    ? registryError(ref, output)
    : undefined;
  if (registry) return registry;
  const line = /^\s*(\d+)\s*\|\s*>>>/m.exec(output)?.[1];
  const stepFailed = /did not complete successfully/.test(output);
  return new ImageConfigError(
    `building ${spec.name} failed: ${firstLine(output.slice(output.lastIndexOf('ERROR')) || output)}`,
    stepFailed
      ? 'see the step output above; fix the failing command or the install script it runs, then run again'
      : 'see the buildx output above; check the Dockerfile, the builder (--builder) and the options',
    spec.dockerfile,
    line ? Number(line) : undefined,
  );
}
