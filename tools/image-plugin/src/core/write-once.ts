import { RegistryError } from './errors';

/**
 * Write-once tags: `<image>-<sha>` (this commit), `<image>-content-<hash>` (these inputs) and the exact
 * version tags of a release. Once written, such a tag names one digest for its whole life: writing it
 * again with the same digest changes nothing, and a run that would point it at another digest stops
 * before it moves anything. (Floating tags, `<image>-edge`, `<image>`, `<image>-1.2`, move by design.)
 */
export type WriteOnceStep =
  /** The tag does not exist yet: write it. */
  | 'write'
  /** The tag already names this digest: nothing to write. */
  | 'in-place';

/** What to tell the user to do when a write-once tag already names another digest. */
const WRITE_ONCE_FIX =
  'a tag that names a commit, a content hash or a version is never moved: use the digest it names (it is what was built and tested for it). To publish other bytes, commit the change: a new commit gets new tags. If the tag was written by mistake, delete it in the registry by hand, then run again';

/** The one message for a write-once tag that already names another digest; nothing was moved. */
function tagConflict(tag: string, current: string, wanted: string, fix: string = WRITE_ONCE_FIX) {
  return new RegistryError(
    `${tag} already names ${current}; this run would point it at ${wanted}. Nothing was moved`,
    fix,
    tag,
  );
}

/** Whether to write a write-once tag that names `current` now (null: not there) so that it names `wanted`. */
export function writeOnceStep(tag: string, current: string | null, wanted: string, fix?: string): WriteOnceStep {
  if (current !== null && wouldMove(current, wanted)) throw tagConflict(tag, current, wanted, fix);
  return current === null ? 'write' : 'in-place';
}

/**
 * The write-once rule itself: a tag that names `current` (null or undefined: not there) would have to
 * move to name `wanted`. Every write-once check uses it: the build's SHA tag, the merge's index tags
 * (writeOnceStep) and a release's exact version tags (core/release-tags.ts checkWriteOnce).
 */
export function wouldMove(current: string | null | undefined, wanted: string): boolean {
  return !!current && current !== wanted;
}
