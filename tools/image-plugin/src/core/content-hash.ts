import { createHash } from 'node:crypto';

/** Everything that decides an image's bytes. */
export interface ContentInputs {
  /** Path (relative to the workspace root) -> sha256 of the file, for the image folder and mounted folders. */
  files: Readonly<Record<string, string>>;
  buildArgs: Readonly<Record<string, string>>;
  platforms: readonly string[];
  /** Parent image name -> its content hash in this run. */
  parents: Readonly<Record<string, string>>;
  /** External base reference -> its resolved digest. */
  bases: Readonly<Record<string, string>>;
  /** The layer compression of a push, when not the default gzip (absent: gzip, the hashes of before). */
  compression?: string;
}

export const CONTENT_HASH_LENGTH = 16;

const sortedEntries = (o: Readonly<Record<string, string>>) =>
  Object.keys(o)
    .sort()
    .map((k) => [k, o[k]]);

/** A stable hash of an image's inputs: the same inputs give the same hash on any machine. */
export function contentHash(inputs: ContentInputs): string {
  const canonical = JSON.stringify({
    v: 1,
    files: sortedEntries(inputs.files),
    buildArgs: sortedEntries(inputs.buildArgs),
    platforms: [...inputs.platforms].sort(),
    parents: sortedEntries(inputs.parents),
    bases: sortedEntries(inputs.bases),
    // Only a compression other than gzip is hashed: gzip images keep the content tags they had.
    ...(inputs.compression && inputs.compression !== 'gzip' ? { compression: inputs.compression } : {}),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, CONTENT_HASH_LENGTH);
}
