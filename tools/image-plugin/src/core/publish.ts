import { ImageConfigError } from './errors';

export interface FloatingMove {
  image: string;
  /** The immutable tag this run produced (`<repo>:<image>-<sha>`). */
  from: string;
  digest: string;
  /** The floating tag to point at that digest (`<repo>:<image>`). */
  to: string;
}

/**
 * All or nothing: the floating tags move only when every image of the run has its immutable tag.
 * `found` maps each image's immutable tag to its digest, or null when the registry lacks it.
 */
export function floatingMoves(
  wanted: ReadonlyArray<{ image: string; from: string; to: string }>,
  found: ReadonlyMap<string, string | null>,
): FloatingMove[] {
  const missing = wanted.filter((w) => !found.get(w.from));
  if (missing.length > 0) {
    throw new ImageConfigError(
      `not every image of this run succeeded: ${missing.map((m) => `${m.image} (${m.from} is missing)`).join(', ')}; no floating tag was moved`,
      'build the missing images for this commit (npx nx run-many -t image-build --push), then publish again',
      'publish',
    );
  }
  return wanted.map((w) => ({ ...w, digest: found.get(w.from) as string }));
}
