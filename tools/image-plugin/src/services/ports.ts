import type { RemoteImage } from '../adapters/registry';
import type { ManifestBlob } from '../core/image-index';
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

/** What a merge asks of the registry: where the tags point, the index put by digest and under tags, and the result. */
export type MergeRegistryPort = TagReader & ImageReader & Pick<TagWriter, 'putManifest'>;

/** The index of several sources (`docker buildx imagetools create`, adapters/buildx.ts). */
export interface IndexerPort {
  /** Creates the index under `tags`. */
  createIndex(tags: readonly string[], sources: readonly string[]): Promise<void>;
  /** The index createIndex would make, without pushing it. */
  indexOf(sources: readonly string[]): Promise<ManifestBlob>;
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
  createDraft(fields: ReleaseFields): Promise<number>;
  probeUpdate(existing: PublishedRelease, tag: string): Promise<void>;
  publish(id: number, fields: ReleaseFields): Promise<void>;
  deleteDraft(id: number, tag: string): Promise<void>;
}

export const systemClock: ClockPort = { now: () => Date.now() };
