import { inspectRemote } from '../adapters/buildx';
import { currentRevision } from '../adapters/git';
import { floatingMoves } from '../core/publish';
import { imageTags } from '../core/tags';
import { moveTagsAllOrNothing } from '../services/move-tags';
import { workspaceImages } from '../services/workspace';

export interface PublishArgs {
  workspaceRoot: string;
  /** Limit to these images (default: every image of the workspace). */
  images?: string[];
  repository?: string;
  revision?: string;
  shaLength?: number;
  log: (line: string) => void;
}

/**
 * Moves every image's floating tag to the digest of its `<image>-<sha>` tag, only when all have one;
 * if the registry fails halfway, the tags already moved go back.
 */
export async function publish(args: PublishArgs): Promise<void> {
  const { options, specs } = await workspaceImages(args.workspaceRoot);
  const sha = args.revision ?? (await currentRevision(args.workspaceRoot)).sha;
  const names = args.images?.length ? args.images : specs.map((s) => s.name);
  const unknown = names.filter((n) => !specs.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown images: ${unknown.join(', ')} (the workspace has ${specs.map((s) => s.name).join(', ')})`);
  const repository = (args.repository ?? options.repository).toLowerCase();
  const wanted = names.map((image) => {
    const tags = imageTags({ repository, layout: options.layout, image, revision: sha.slice(0, args.shaLength ?? Number(options.build.shaLength ?? 7)), contentHash: '' });
    return { image, from: tags.sha, to: tags.floating, repository: tags.repository };
  });
  const found = new Map<string, string | null>();
  for (const w of wanted) found.set(w.from, (await inspectRemote(w.from))?.digest ?? null);
  const moves = floatingMoves(wanted, found);
  const { moved } = await moveTagsAllOrNothing(
    moves.map((m, i) => ({ image: m.image, tag: m.to, repository: wanted[i].repository, digest: m.digest })),
    'publish',
  );
  for (const move of moved) args.log(`${move.image}: ${move.tag} -> ${move.digest}`);
  args.log(`published ${moves.length} floating tag(s) for ${sha.slice(0, 7)} (${moved.length} moved, ${moves.length - moved.length} already in place)`);
}
