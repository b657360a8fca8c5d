import { currentRevision } from '../adapters/git';
import { RegistryClient } from '../adapters/registry';
import { checkShaLength } from '../core/build-options';
import { SHA_LENGTH } from '../core/defaults';
import { floatingMoves, type FloatingMove } from '../core/publish';
import { normalizeRepository } from '../core/repository';
import { floatingTag, imageRepository, revisionTag, shaTag } from '../core/tags';
import type { PendingMove } from '../core/tag-moves';
import { moveTagsAllOrNothing } from './move-tags';
import { workspaceImages } from './workspace';

export interface PublishRequest {
  workspaceRoot: string;
  /** Limit to these images (default: every image of the workspace). */
  images?: string[];
  repository?: string;
  revision?: string;
  shaLength?: number;
}

export interface PublishOutcome {
  /** The full SHA whose images were published. */
  sha: string;
  moves: FloatingMove[];
  moved: PendingMove[];
}

/**
 * Moves every image's floating tag to the digest of its `<image>-<sha>` tag, only when all have one;
 * if the registry fails halfway, the tags already moved go back.
 */
export async function publishFloatingTags(
  req: PublishRequest,
  registry = new RegistryClient(),
): Promise<PublishOutcome> {
  const { options, specs } = await workspaceImages(req.workspaceRoot);
  const sha = req.revision ?? (await currentRevision(req.workspaceRoot)).sha;
  const names = req.images?.length ? req.images : specs.map((s) => s.name);
  const unknown = names.filter((n) => !specs.some((s) => s.name === n));
  if (unknown.length)
    throw new Error(`unknown images: ${unknown.join(', ')} (the workspace has ${specs.map((s) => s.name).join(', ')})`);
  const repository = normalizeRepository(req.repository ?? options.repository);
  const shaLength = checkShaLength(req.shaLength ?? Number(options.build.shaLength ?? SHA_LENGTH.default), 'publish');
  const revision = revisionTag(sha, shaLength);
  const wanted = names.map((image) => ({
    image,
    from: shaTag(repository, options.layout, image, revision),
    to: floatingTag(repository, options.layout, image),
    repository: imageRepository(repository, options.layout, image),
  }));
  const digests = await Promise.all(wanted.map((w) => registry.digestOf(w.from)));
  const found = new Map<string, string | null>(wanted.map((w, i) => [w.from, digests[i]]));
  const moves = floatingMoves(wanted, found);
  const { moved } = await moveTagsAllOrNothing(
    registry,
    moves.map((m, i) => ({ image: m.image, tag: m.to, repository: wanted[i].repository, digest: m.digest })),
    'publish',
  );
  return { sha, moves, moved };
}
