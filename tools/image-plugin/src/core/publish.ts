import { ImageConfigError } from './errors';
import { shortSha } from './tags';

/**
 * The commits publish considers, newest first: the branch's history (first parents, newest first) down
 * to and including this run's commit. A commit that is not on the branch (history rewritten, or a
 * run of another branch) has none: it publishes nothing, and the branch's own runs publish its tip.
 */
export function publishCandidates(history: readonly string[], own: string): string[] {
  const at = history.indexOf(own);
  return at >= 0 ? history.slice(0, at + 1) : [];
}

export interface CommitImages {
  sha: string;
  /** Each image's `<image>-<sha>` digest, or null when the registry lacks it. */
  digests: Readonly<Record<string, string | null>>;
}

/**
 * Which commit the edge tags move to: the newest candidate whose every image has its SHA tag (built,
 * tested and merged: CI adds SHA tags only after an image's tests passed). Since the SHA tags only
 * ever accrue and the branch only grows, the answer never goes back to an older commit, whatever
 * order publish jobs run in; a publish whose own commit is older than the answer moves nothing back,
 * and one cancelled while pending loses nothing, since the next one publishes the newest.
 * `imagesAt` reads one commit's SHA tags; the candidates are read newest first, one commit at a time,
 * and none after the answer. `target` is null when no candidate is complete; `read` are the commits read.
 */
export async function publishTarget(
  candidates: readonly string[],
  imagesAt: (sha: string) => Promise<CommitImages>,
): Promise<{ target: CommitImages | null; read: CommitImages[] }> {
  const read: CommitImages[] = [];
  for (const sha of candidates) {
    const commit = await imagesAt(sha);
    read.push(commit);
    if (isComplete(commit)) return { target: commit, read };
  }
  return { target: null, read };
}

/** Every image of the commit has its SHA tag. */
const isComplete = (c: CommitImages): boolean => Object.values(c.digests).every((d) => !!d);

/**
 * The error when no candidate is complete: names what this run's commit lacks. When it has no image at
 * all, the revision itself is the likely mistake (a commit the images workflow never built, another
 * repository), not a failed job: the message names the revision.
 */
export function incompleteError(own: CommitImages, sha: (commit: string) => string): ImageConfigError {
  const missing = Object.entries(own.digests)
    .filter(([, d]) => !d)
    .map(([image]) => image);
  if (missing.length > 0 && missing.length === Object.keys(own.digests).length) {
    const first = missing[0];
    return new ImageConfigError(
      `no image was built for ${own.sha} (${sha(first)}${missing.length > 1 ? ` and the other ${missing.length - 1}` : ''} not in the registry); no edge tag was moved`,
      `check --revision (a commit the images workflow built and pushed, e.g. $(git rev-parse HEAD) in that workflow) and --repository (where it pushed); a commit nobody built yet: npx nx run-many -t image-build --push at that commit, then publish again`,
      'publish',
    );
  }
  return new ImageConfigError(
    `not every image of ${shortSha(own.sha)} has its SHA tag: ${missing.map((m) => `${m} (${sha(m)} is missing)`).join(', ')}; no newer commit is complete either, so no edge tag was moved`,
    'build the missing images for this commit (re-run the failed jobs of the images workflow, or npx nx run-many -t image-build --push at that commit), then publish again',
    'publish',
  );
}
