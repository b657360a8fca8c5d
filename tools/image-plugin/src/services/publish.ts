import { currentRevision, firstParentHistory } from '../adapters/git';
import { RegistryClient } from '../adapters/registry';
import { workspaceShaLength } from '../core/build-options';
import { ImageConfigError } from '../core/errors';
import { incompleteError, publishCandidates, publishTarget, type CommitImages } from '../core/publish';
import { normalizeRepository } from '../core/repository';
import { edgeTag, imageRepository, revisionTag, shaTag } from '../core/tags';
import type { PendingMove, TagMove } from '../core/tag-moves';
import { moveTagsAllOrNothing } from './move-tags';
import type { TagMoverPort } from './ports';
import { workspaceImages, type WorkspaceImages } from './workspace';

/** How far back along the branch publish looks for this run's commit. */
const HISTORY_DEPTH = 1000;

export interface PublishRequest {
  workspaceRoot: string;
  /** Limit to these images (default: every image of the workspace). */
  images?: string[];
  repository?: string;
  /** This run's commit (default: HEAD). */
  revision?: string;
  /** The branch whose newest complete commit is published (default: HEAD; CI: origin/main). */
  ref?: string;
}

/** What publish asks of the outside world; publishPorts gives the real ones. */
export interface PublishPorts {
  registry: TagMoverPort;
  workspace: () => Promise<Pick<WorkspaceImages, 'options' | 'specs'>>;
  /** The commit HEAD names. */
  head: () => Promise<string>;
  /** The branch's first-parent history, newest first, at most `depth` commits. */
  history: (ref: string, depth: number) => Promise<string[]>;
}

function publishPorts(workspaceRoot: string): PublishPorts {
  return {
    registry: new RegistryClient(),
    workspace: () => workspaceImages(workspaceRoot),
    head: async () => (await currentRevision(workspaceRoot)).sha,
    history: (ref, depth) => firstParentHistory(workspaceRoot, ref, depth),
  };
}

export type PublishOutcome =
  /** This run's commit is not on the branch: nothing published (the branch's own runs publish its tip). */
  | { kind: 'not-on-branch'; own: string; ref: string }
  | { kind: 'published'; own: string; sha: string; moves: TagMove[]; moved: PendingMove[] };

/**
 * Moves every image's edge tag (`<image>-edge`) to its `<image>-<sha>` digest of the newest commit of
 * the branch, down to this run's commit, whose images all have SHA tags; all or nothing, and what moved
 * goes back when the registry fails halfway. An older commit's publish never moves a tag back.
 */
export async function publishEdgeTags(
  req: PublishRequest,
  ports: PublishPorts = publishPorts(req.workspaceRoot),
): Promise<PublishOutcome> {
  const { registry } = ports;
  const { options, specs } = await ports.workspace();
  const own = req.revision ?? (await ports.head());
  const names = req.images?.length ? req.images : specs.map((s) => s.name);
  const unknown = names.filter((n) => !specs.some((s) => s.name === n));
  if (unknown.length) {
    throw new ImageConfigError(
      `unknown images: ${unknown.join(', ')}`,
      `name images of the workspace: ${specs.map((s) => s.name).join(', ')}`,
      'images publish --images',
    );
  }
  const repository = normalizeRepository(req.repository ?? options.repository);
  const shaLength = workspaceShaLength(options.build, 'publish');
  const shaTagOf = (image: string, sha: string) =>
    shaTag(repository, options.layout, image, revisionTag(sha, shaLength));

  const ref = req.ref ?? 'HEAD';
  const candidates = publishCandidates(await ports.history(ref, HISTORY_DEPTH), own);
  if (candidates.length === 0) return { kind: 'not-on-branch', own, ref };
  const imagesAt = async (sha: string): Promise<CommitImages> => {
    const digests = await Promise.all(names.map((image) => registry.digestOf(shaTagOf(image, sha))));
    return { sha, digests: Object.fromEntries(names.map((image, i) => [image, digests[i]])) };
  };
  const { target, read } = await publishTarget(candidates, imagesAt);
  if (!target) {
    // Every candidate was read, this run's commit (the oldest) too.
    throw incompleteError(read[read.length - 1], (image) => shaTagOf(image, own));
  }
  const digests = target.digests;
  const moves: TagMove[] = names.map((image) => ({
    image,
    tag: edgeTag(repository, options.layout, image),
    repository: imageRepository(repository, options.layout, image),
    digest: digests[image] as string,
  }));
  const { moved } = await moveTagsAllOrNothing(registry, moves, 'publish');
  return { kind: 'published', own, sha: target.sha, moves, moved };
}
