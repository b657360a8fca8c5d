import type { PlatformSize } from './size-budget';

/** What one image-build wrote to `<resultsDir>/<image>.json`. */
export interface ImageResult {
  image: string;
  result: 'built' | 'reused';
  /** The index (multi-platform) or manifest digest; the local image ID in local mode. */
  digest: string;
  tags: string[];
  platforms: string[];
  contentHash: string;
  parentDigest: string | null;
  baseDigest: string | null;
  durationMs: number;
  /** The full commit SHA the tags name. */
  revision: string;
  pushed: boolean;
  /** The Nx run that wrote this result (children only trust a parent's result of the same run). */
  runId: string | null;
  repository: string;
  /** With pushByDigest: the tags the merged index gets (the platform image itself has none). */
  indexTags?: string[];
  /** The reference children build FROM: `<repository>@<digest>` when pushed, the content tag locally. */
  pinnedReference: string;
  /** Compressed size per platform and above the parent, read from the registry; absent when not pushed. */
  sizes?: PlatformSize[];
  /** The size budget it was checked against, in bytes; absent when it has none. */
  sizeBudget?: number;
  /**
   * True when the commit's SHA tag already named an image built from other inputs than this run's (an
   * external base moved since): the tag kept its digest, and children of the run may not build FROM it.
   */
  inputsChanged?: boolean;
}
