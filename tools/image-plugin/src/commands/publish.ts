import { shortSha } from '../core/tags';
import { publishEdgeTags, type PublishRequest } from '../services/publish';
import { edgeChanges } from '../services/release-changes';

export interface PublishArgs extends PublishRequest {
  log: (line: string) => void;
}

/**
 * `images publish`: moves the edge tags (services/publish.ts), reports each move and what changed in each
 * image since the edge tag it moved from (its contents records, docs/contents.md; markdown, for the job summary).
 */
export async function publish(args: PublishArgs): Promise<void> {
  const outcome = await publishEdgeTags(args);
  if (outcome.kind === 'not-on-branch') {
    args.log(
      `publish: ${shortSha(outcome.own)} is not among the newest commits of ${outcome.ref} (history rewritten?): ` +
        `nothing published; the run of ${outcome.ref}'s newest commit publishes it`,
    );
    return;
  }
  const { own, sha, moves, moved } = outcome;
  if (sha !== own) args.log(`publish: ${shortSha(sha)} is newer than ${shortSha(own)} and complete: publishing it`);
  for (const move of moved) args.log(`${move.image}: ${move.tag} -> ${move.digest}`);
  args.log(
    `published ${moves.length} edge tag(s) for ${shortSha(sha)} (${moved.length} moved, ${moves.length - moved.length} already in place)`,
  );
  const changes = await edgeChanges(moved);
  if (changes) args.log(changes);
}
