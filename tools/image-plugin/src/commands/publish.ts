import { publishFloatingTags, type PublishRequest } from '../services/publish';

export interface PublishArgs extends PublishRequest {
  log: (line: string) => void;
}

/** `images publish`: moves the floating tags (services/publish.ts) and reports each move. */
export async function publish(args: PublishArgs): Promise<void> {
  const { sha, moves, moved } = await publishFloatingTags(args);
  for (const move of moved) args.log(`${move.image}: ${move.tag} -> ${move.digest}`);
  args.log(
    `published ${moves.length} floating tag(s) for ${sha.slice(0, 7)} (${moved.length} moved, ${moves.length - moved.length} already in place)`,
  );
}
