import type { CommandResult } from '../adapters/buildx';
import type { DistributionAnswer } from '../adapters/engine';
import type { RemoteImage } from '../adapters/registry';
import type { ManifestBlob } from '../core/image-index';
import type { HistoryEntry, PlatformLayers } from '../core/size-budget';
import type { PublishedRelease, ReleaseFields } from '../core/github-release';
import type { ImageResult } from '../core/result';

/**
 * The narrow ports services sequence: each names only what a service asks of an outside system, so a
 * unit test stands in for it with a few lines of memory (src/services/*.test.ts) while the engine tests
 * run the real adapters. adapters/registry.ts's RegistryClient is every registry port at once.
 */

/** Where a tag points now (null: not there); one HEAD request. */
export interface TagReader {
  digestOf(ref: string): Promise<string | null>;
}

/** An image or index as the registry holds it, by tag or digest (null: not there). */
export interface ImageReader {
  inspect(ref: string): Promise<RemoteImage | null>;
}

/**
 * Points tags at an image that is in the registry (a plain manifest gets its one-entry index), returning
 * the digest the tags now name; or puts given manifest bytes under a tag or by digest.
 */
export interface TagWriter {
  tag(tags: readonly string[], repository: string, digest: string, known?: RemoteImage): Promise<string>;
  putManifest(ref: string, blob: ManifestBlob): Promise<void>;
}

/** What tag moves ask of the registry (services/move-tags.ts, publish). */
export type TagMoverPort = TagReader & Pick<TagWriter, 'tag'>;

/** What a release asks of the registry: the SHA tags' images, where tags point, and the moves. */
export type ReleaseRegistryPort = TagMoverPort & ImageReader;

/** An image's labels (of its first platform, for an index): what the index's annotations repeat. */
export interface LabelReader {
  labelsOf(ref: string): Promise<Record<string, string>>;
}

/** What a merge asks of the registry: where the tags point, the index put by digest and under tags, the labels, and the result. */
export type MergeRegistryPort = TagReader & ImageReader & LabelReader & Pick<TagWriter, 'putManifest'>;

/** A pushed image's layers per platform, and a config's history (for the size budget's message). */
export interface SizeReader {
  platformLayers(repository: string, digest: string, known?: RemoteImage): Promise<PlatformLayers[]>;
  historyOf(repository: string, config: string): Promise<HistoryEntry[]>;
}

/** What one image's build asks of the registry: the SHA tag's digest, the tags, the size check. */
export type BuildRegistryPort = TagReader & TagWriter & SizeReader;

/** buildx and the local engine as one image's build uses them (adapters/buildx.ts, adapters/engine.ts). */
export interface BuilderPort {
  /**
   * `docker buildx build <args>` in `cwd` (it writes the metadata file its args name), tried again while
   * the registry fails transiently; `onRetry` hears of each new try.
   */
  build(
    args: readonly string[],
    cwd: string,
    onRetry: (cause: string, attempt: number, attempts: number) => void,
  ): Promise<CommandResult>;
  /** Whether the engine answers (for a failed build's message). */
  engineAnswers(): Promise<boolean>;
  /** Tags a local image (`source` -> `target`), without --push. */
  tagLocal(source: string, target: string): Promise<void>;
  /** An external base's manifest as the engine's registry answers for it (null: not there); once per reference and run. */
  baseManifest(ref: string): Promise<DistributionAnswer | null>;
}

/** The index of several sources (`docker buildx imagetools create`, adapters/buildx.ts). */
export interface IndexerPort {
  /** Creates the index under `tags`, with `annotations` on the index. */
  createIndex(
    tags: readonly string[],
    sources: readonly string[],
    annotations?: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** The index createIndex would make, without pushing it. */
  indexOf(sources: readonly string[], annotations?: Readonly<Record<string, string>>): Promise<ManifestBlob>;
}

/** The results of one results folder (adapters/result-files.ts), by key (`base`, `base@linux-arm64`). */
export interface ResultStorePort {
  read(key: string): Promise<ImageResult | null>;
  write(result: ImageResult): Promise<void>;
}

/** The time, for durations. */
export interface ClockPort {
  now(): number;
}

/** The GitHub releases of one repository (adapters/github.ts). */
export interface ReleasesPort {
  byTag(tag: string): Promise<PublishedRelease | null>;
  latestId(): Promise<number | null>;
  /** The draft's id, or 'exists' when GitHub has a published release of the tag already (422 already_exists). */
  createDraft(fields: ReleaseFields): Promise<number | 'exists'>;
  probeUpdate(existing: PublishedRelease, tag: string): Promise<void>;
  /** 'exists' when another release of the tag was published first (422 already_exists). */
  publish(id: number, fields: ReleaseFields): Promise<'published' | 'exists'>;
  deleteDraft(id: number, tag: string): Promise<void>;
}

export const systemClock: ClockPort = { now: () => Date.now() };
