import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { localImageId } from '../adapters/engine';
import { clearResult } from '../adapters/result-files';
import type { RemoteImage } from '../adapters/registry';
import type { Revision } from '../adapters/git';
import { buildSettings, type BuildSettings, type ImageBuildOptions } from '../core/build-options';
import { parentFacts, platformResultKey, type FoundImage, type Lookup } from '../core/build-decisions';
import { checkEngineFor } from '../core/engine-requirements';
import { ImageConfigError } from '../core/errors';
import type { ImageSpec } from '../core/image-spec';
import { imageTags, revisionTag, type ImageTags } from '../core/tags';
import type { BasePin } from '../core/base-pins';
import { imageContent } from './image-content';
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
 * content tag and the commit's SHA tag, all side by side: a child's hash waits for its parent's hash only, not for the parent's lookup,
 * so the lookups of every level of the tree go out together. A no-op run (everything in the registry)
 * then needs no process per image. Parents outside the run (an earlier CI job) are read from their
 * result files. Each image's promise fails alone: its task fails, its children are skipped, its
 * siblings go on.
 */
export function prepareImages(
  run: RunContext,
  tasks: readonly ImageTask[],
  results: RunResults,
): Map<string, Promise<PreparedImage>> {
  const hashed = new Map<string, Promise<HashedImage>>();
  const inRun = new Set(tasks.map((t) => t.image));
  const hashImage = async (task: ImageTask): Promise<HashedImage> => {
    const startedAt = Date.now();
    const { spec } = task;
    // The commit's git process runs while the engine answers (an engine error still comes first).
    const revisionRead = run.revision();
    revisionRead.catch(() => undefined);
    const engine = await run.engine();
    const settings = buildSettings(task.options, {
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
    const revision = await revisionRead;
    const dirty = revision.changes.length > 0;
    if (dirty && settings.push) {
      const shown = revision.changes.slice(0, 3).join(', ') + (revision.changes.length > 3 ? ', ...' : '');
      throw new ImageConfigError(
        `the working tree has uncommitted changes (${shown}); a pushed image is tagged with the commit SHA ${revision.sha.slice(0, 7)} and must be exactly that commit`,
        'commit or stash the changes, then run again (without --push, a local build is tagged <image>-<sha>-dirty)',
        run.workspaceRoot,
      );
    }
    const parentHashes: Record<string, string> = {};
    for (const parent of spec.parents) {
      if (inRun.has(parent.image)) {
        parentHashes[parent.image] = (await (hashed.get(parent.image) as Promise<HashedImage>)).hash;
      } else {
        // Built by an earlier job or run: its result must be fresh (core/build-decisions.ts).
        const facts = parentFacts(
          parent,
          await results.result(settings.resultsDir, parent.image),
          settings.dryRun ? await results.dryRunRecord(parent.image) : null,
          {
            image: spec.name,
            dockerfile: spec.dockerfile,
            runId: run.runId,
            revision: revision.sha,
            dirty,
            push: settings.push,
            dryRun: settings.dryRun,
          },
        );
        parentHashes[parent.image] = facts.contentHash;
      }
    }
    const replacements = await run.pinReplacements();
    const { hash, baseDigest, pins } = await run.profile.time('hashing', () =>
      imageContent(run.workspaceRoot, spec, settings, parentHashes, replacements),
    );
    run.notePins(pins);
    const tag = revisionTag(revision.sha, settings.shaLength, dirty);
    const tags = imageTags({
      repository: settings.repository,
      layout: settings.layout,
      image: spec.name,
      revision: tag,
      contentHash: hash,
    });
    return { spec, settings, revision, revisionTag: tag, tags, hash, baseDigest, basePins: pins, startedAt };
  };

  const lookUp = async ({ startedAt, ...image }: HashedImage): Promise<PreparedImage> => {
    const { settings, tags } = image;
    let remote: RemoteImage | null = null;
    let lookup: Lookup;
    if (settings.push) {
      // The commit's SHA tag beside the content tag, side by side: a commit's images are final once tagged.
      const [content, committed] = await run.profile.time('lookups', () =>
        Promise.all([run.registry.inspect(tags.content), run.registry.inspect(tags.sha)]),
      );
      remote = content;
      lookup = {
        where: 'registry',
        found: content && foundImage(content),
        committed: committed && foundImage(committed),
      };
    } else {
      const id = await run.profile.time('lookups', () => localImageId(tags.content));
      lookup = { where: 'engine', found: id ? { id } : null };
    }
    return { ...image, lookup, remote, preparedInMs: Date.now() - startedAt };
  };

  const prepared = new Map<string, Promise<PreparedImage>>();
  for (const task of tasks) {
    const hash = Promise.resolve().then(() => hashImage(task));
    hash.catch(() => undefined); // a child waiting for it fails with it, and is then skipped
    hashed.set(task.image, hash);
    const promise = hash.then(lookUp);
    promise.catch(() => undefined); // a failure is reported when (and if) the image's task runs
    prepared.set(task.image, promise);
  }
  return prepared;
}

const foundImage = (remote: RemoteImage): FoundImage => ({
  digest: remote.digest,
  platforms: remote.platforms,
  isIndex: remote.isIndex,
});
