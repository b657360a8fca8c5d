import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { localImageId } from '../adapters/engine';
import { clearResult } from '../adapters/result-files';
import type { RemoteImage } from '../adapters/registry';
import type { Revision } from '../adapters/git';
import { buildSettings, type BuildSettings, type ImageBuildOptions } from '../core/build-options';
import {
  parentFacts,
  platformResultKey,
  type FoundImage,
  type Lookup,
  type ParentFacts,
} from '../core/build-decisions';
import { checkEngineFor } from '../core/engine-requirements';
import { taggedImage } from '../core/image-index';
import { ImageConfigError } from '../core/errors';
import type { ImageSpec } from '../core/image-spec';
import { imageTags, revisionTag, type ImageTags } from '../core/tags';
import type { BasePin } from '../core/base-pins';
import { chainHashes, imageContent, lookUpTags } from './image-content';
import type { RunResults } from './run-results';
import type { RunContext } from './run-context';

/** One image-build task of the run. */
export interface ImageTask {
  image: string;
  spec: ImageSpec;
  options: ImageBuildOptions;
}

/** What the run knows of an image before its build starts: settings, tags, content hash, the lookup's answer. */
export interface PreparedImage {
  spec: ImageSpec;
  settings: BuildSettings;
  revision: Revision;
  revisionTag: string;
  tags: ImageTags;
  hash: string;
  baseDigest: string | null;
  /** The external bases' pins; a replaced one becomes a named build context of the build. */
  basePins: BasePin[];
  lookup: Lookup;
  /** The manifest the content-tag lookup found (kept for the retag, which then needs no second request). */
  remote: RemoteImage | null;
  /** How long the first pass took for this image (its share of the image's time in the result). */
  preparedInMs: number;
}

/** An image of the first pass once its content hash is known, before its lookup. */
type HashedImage = Omit<PreparedImage, 'lookup' | 'remote' | 'preparedInMs'> & { startedAt: number };

/**
 * The run's first pass, for every image at once before the first build: settings, the commit, the
 * content hashes (chained in memory parent -> child, as `images plan` does) and the lookups of each
 * content tag and the commit's SHA tag, all side by side: a child's hash waits for its parent's hash
 * only, not for the parent's lookup, so the lookups of every level of the tree go out together. A no-op
 * run (everything in the registry) then needs no process per image. Parents outside the run (an earlier
 * CI job) are read from their result files. Each image's promise fails alone: its task fails, its
 * children are skipped, its siblings go on.
 */
export function prepareImages(
  run: RunContext,
  tasks: readonly ImageTask[],
  results: RunResults,
): Map<string, Promise<PreparedImage>> {
  const byName = new Map(tasks.map((t) => [t.image, t]));
  const hashed = chainHashes(
    tasks.map((t) => t.image),
    (image, parentHash) => hashImage(run, byName.get(image) as ImageTask, results, parentHash),
  );
  const prepared = new Map<string, Promise<PreparedImage>>();
  for (const [image, hash] of hashed) {
    const promise = hash.then((h) => lookUp(run, h));
    promise.catch(() => undefined); // a failure is reported when (and if) the image's task runs
    prepared.set(image, promise);
  }
  return prepared;
}

/**
 * One image's settings (checked against the engine), the commit (a pushed image must be exactly it),
 * its parents' content hashes (`parentHash`: an in-run parent's, null for one of an earlier run) and its
 * own content hash and tags.
 */
async function hashImage(
  run: RunContext,
  task: ImageTask,
  results: RunResults,
  parentHash: (parent: string) => Promise<string> | null,
): Promise<HashedImage> {
  const startedAt = Date.now();
  const { spec } = task;
  // The commit's git process runs while the engine answers (an engine error still comes first).
  const revisionRead = run.revision();
  revisionRead.catch(() => undefined);
  const settings = await settingsOf(run, task);
  const revision = await revisionRead;
  checkCleanForPush(run, revision, settings);
  const parentHashes: Record<string, string> = {};
  for (const parent of spec.parents) {
    const inRun = parentHash(parent.image);
    parentHashes[parent.image] = inRun
      ? await inRun
      : (await parentOutsideRun(run, { spec, revision, settings }, parent, results)).contentHash;
  }
  const replacements = await run.pinReplacements();
  const { hash, baseDigest, pins } = await run.profile.time('hashing', () =>
    imageContent(run.workspaceRoot, spec, settings, parentHashes, replacements),
  );
  run.notePins(pins);
  const tag = revisionTag(revision.sha, settings.shaLength, revision.changes.length > 0);
  const tags = imageTags({
    repository: settings.repository,
    layout: settings.layout,
    image: spec.name,
    revision: tag,
    contentHash: hash,
  });
  return { spec, settings, revision, revisionTag: tag, tags, hash, baseDigest, basePins: pins, startedAt };
}

/** The image's build settings, checked against the engine; its previous result file is cleared. */
async function settingsOf(run: RunContext, { spec, options }: ImageTask): Promise<BuildSettings> {
  const engine = await run.engine();
  const settings = buildSettings(options, {
    image: spec.name,
    hostPlatform: engine.platform,
    defaultRepository: run.defaultRepository,
    env: run.env,
    fileExists: (path) => existsSync(resolve(run.workspaceRoot, path)),
  });
  checkEngineFor(engine, settings);
  const key = settings.pushByDigest ? platformResultKey(spec.name, settings.platforms[0]) : spec.name;
  if (!settings.dryRun)
    await run.profile.time('results', () => clearResult(run.workspaceRoot, settings.resultsDir, key));
  return settings;
}

/** A pushed image is tagged with the commit's SHA, so it must be exactly that commit. */
function checkCleanForPush(run: RunContext, revision: Revision, settings: BuildSettings): void {
  if (!revision.changes.length || !settings.push) return;
  const shown = revision.changes.slice(0, 3).join(', ') + (revision.changes.length > 3 ? ', ...' : '');
  throw new ImageConfigError(
    `the working tree has uncommitted changes (${shown}); a pushed image is tagged with the commit SHA ${revisionTag(revision.sha, settings.shaLength)} and must be exactly that commit`,
    'commit or stash the changes, then run again (without --push, a local build is tagged <image>-<sha>-dirty)',
    run.workspaceRoot,
  );
}

/**
 * A parent that is not in this process's run (an earlier job or run, or an in-run parent that ended
 * without a pin): its result must be fresh (core/build-decisions.ts); a dry run reads its plan.
 */
export async function parentOutsideRun(
  run: Pick<RunContext, 'runId'>,
  image: Pick<PreparedImage, 'spec' | 'revision' | 'settings'>,
  parent: ImageSpec['parents'][number],
  results: RunResults,
): Promise<ParentFacts> {
  const { spec, revision, settings } = image;
  return parentFacts(
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
}

/** The lookups: with --push the content tag and the commit's SHA tag side by side, else the local engine. */
async function lookUp(run: RunContext, { startedAt, ...image }: HashedImage): Promise<PreparedImage> {
  const { settings, tags } = image;
  if (!settings.push) {
    const id = await run.profile.time('lookups', () => localImageId(tags.content));
    const lookup: Lookup = { where: 'engine', found: id ? { id } : null };
    return { ...image, lookup, remote: null, preparedInMs: Date.now() - startedAt };
  }
  // A commit's images are final once tagged (core/write-once.ts): its SHA tag is looked up too.
  const [content, committed] = await run.profile.time('lookups', () => lookUpTags(run.registry, tags));
  const lookup: Lookup = {
    where: 'registry',
    found: content && foundImage(content),
    committed: committed && foundImage(committed),
  };
  return { ...image, lookup, remote: content, preparedInMs: Date.now() - startedAt };
}

const foundImage = (remote: RemoteImage): FoundImage => ({
  digest: remote.digest,
  platforms: remote.platforms,
  isIndex: remote.isIndex,
  image: taggedImage(remote.digest, remote.manifest),
});
