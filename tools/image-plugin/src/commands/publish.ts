import { inspectRemote } from '../adapters/buildx';
import { currentRevision, firstParentHistory } from '../adapters/git';
import { edgeTag, incompleteError, isComplete, publishCandidates, type CommitImages } from '../core/publish';
import { imageTags } from '../core/tags';
import { moveTagsAllOrNothing } from '../services/move-tags';
import { workspaceImages } from '../services/workspace';

export interface PublishArgs {
  workspaceRoot: string;
  /** Limit to these images (default: every image of the workspace). */
  images?: string[];
  repository?: string;
  /** This run's commit (default: HEAD). */
  revision?: string;
  /** The branch whose newest complete commit is published (default: HEAD; CI: origin/main). */
  ref?: string;
  shaLength?: number;
  log: (line: string) => void;
}

/**
 * Moves every image's edge tag (`<image>-edge`) to its `<image>-<sha>` digest of the newest commit of
 * the branch, down to this run's commit, whose images all have SHA tags; all or nothing, and what
 * moved goes back when the registry fails halfway. An older commit's publish never moves a tag back.
 */
export async function publish(args: PublishArgs): Promise<void> {
  const { options, specs } = await workspaceImages(args.workspaceRoot);
  const own = args.revision ?? (await currentRevision(args.workspaceRoot)).sha;
  const names = args.images?.length ? args.images : specs.map((s) => s.name);
  const unknown = names.filter((n) => !specs.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown images: ${unknown.join(', ')} (the workspace has ${specs.map((s) => s.name).join(', ')})`);
  const repository = (args.repository ?? options.repository).toLowerCase();
  const shaLength = args.shaLength ?? Number(options.build.shaLength ?? 7);
  const tagsOf = (image: string, sha: string) => imageTags({ repository, layout: options.layout, image, revision: sha.slice(0, shaLength), contentHash: '' });

  const ref = args.ref ?? 'HEAD';
  const candidates = publishCandidates(await firstParentHistory(args.workspaceRoot, ref, 1000), own);
  if (candidates.length === 0) {
    args.log(`publish: ${own.slice(0, 7)} is not among the newest 1000 commits of ${ref} (history rewritten?): nothing published; the run of ${ref}'s newest commit publishes it`);
    return;
  }
  let target: CommitImages | null = null;
  let ownImages: CommitImages | null = null;
  for (const sha of candidates) {
    const found = await Promise.all(names.map(async (image) => [image, (await inspectRemote(tagsOf(image, sha).sha))?.digest ?? null] as const));
    const commit: CommitImages = { sha, digests: Object.fromEntries(found) };
    if (sha === own) ownImages = commit;
    if (isComplete(commit)) {
      target = commit;
      break;
    }
  }
  if (!target) throw incompleteError(ownImages ?? { sha: own, digests: Object.fromEntries(names.map((n) => [n, null])) }, (image) => tagsOf(image, own).sha);
  if (target.sha !== own) args.log(`publish: ${target.sha.slice(0, 7)} is newer than ${own.slice(0, 7)} and complete: publishing it`);

  const moves = names.map((image) => {
    const tags = tagsOf(image, target.sha);
    return { image, tag: edgeTag(tags.repository, options.layout, image), repository: tags.repository, digest: target.digests[image] as string };
  });
  const { moved } = await moveTagsAllOrNothing(moves, 'publish');
  for (const move of moved) args.log(`${move.image}: ${move.tag} -> ${move.digest}`);
  args.log(`published ${moves.length} edge tag(s) for ${target.sha.slice(0, 7)} (${moved.length} moved, ${moves.length - moved.length} already in place)`);
}
