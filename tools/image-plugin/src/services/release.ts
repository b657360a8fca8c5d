import semver from 'semver';
import { commitOf, versionTags } from '../adapters/git';
import { upsertRelease } from '../adapters/github';
import { RegistryClient } from '../adapters/registry';
import { checkShaLength } from '../core/build-options';
import { SHA_LENGTH } from '../core/defaults';
import { ImageConfigError } from '../core/errors';
import { releaseNotes, type ReleasedImage } from '../core/release-notes';
import { releaseTags, releaseVersion } from '../core/release-tags';
import { normalizeRepository } from '../core/repository';
import type { PendingMove, TagMove } from '../core/tag-moves';
import { imageRepository, revisionTag, shaTag } from '../core/tags';
import { moveTagsAllOrNothing } from './move-tags';
import { workspaceImages } from './workspace';

export interface ReleaseRequest {
  workspaceRoot: string;
  /** The git tag, e.g. `v1.2.3` (default: GITHUB_REF_NAME). */
  tag: string;
  repository?: string;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
}

export interface ReleaseOutcome {
  images: ReleasedImage[];
  moved: PendingMove[];
  /** The release notes; `github` says what happened to the GitHub release (null: not asked, no token). */
  notes: string;
  github: 'created' | 'updated' | 'unchanged' | null;
}

/**
 * Releases retag, never rebuild: each image's digest at the tagged commit (its `<image>-<sha>` tag)
 * gets `<image>-<version>` and, where this is the highest release of the line, `<image>-<major>.<minor>`,
 * `<image>-<major>` and `<image>`. All images are resolved before any tag moves, and a registry
 * failure while moving puts back what moved. Then the GitHub release is created or updated.
 * Running it twice changes nothing.
 */
export async function releaseImages(req: ReleaseRequest, registry = new RegistryClient()): Promise<ReleaseOutcome> {
  const version = releaseVersion(req.tag);
  const { options, specs } = await workspaceImages(req.workspaceRoot);
  const commit = await commitOf(req.workspaceRoot, req.tag);
  const released = (await versionTags(req.workspaceRoot))
    .map((t) => semver.valid(t.replace(/^v/, '')))
    .filter((v): v is string => Boolean(v));
  const repository = normalizeRepository(req.repository ?? options.repository);
  const shaLength = checkShaLength(Number(options.build.shaLength ?? SHA_LENGTH.default), 'release');
  const revision = revisionTag(commit, shaLength);

  const found = await Promise.all(
    specs.map(async (spec) => {
      const tag = shaTag(repository, options.layout, spec.name, revision);
      return { spec, tag, remote: await registry.inspect(tag) };
    }),
  );
  const missing = found.filter((f) => !f.remote);
  if (missing.length) {
    throw new ImageConfigError(
      `${req.tag} (${commit.slice(0, 7)}) has no image for ${missing.map((m) => `${m.spec.name} (${m.tag})`).join(', ')}; no tag was moved`,
      'releases retag what CI built for that commit: let the images workflow finish on it (or run it with "all"), then release again',
      'release',
    );
  }
  const images: ReleasedImage[] = found.map(({ spec, remote }) => ({
    image: spec.name,
    digest: remote!.digest,
    platforms: remote!.platforms,
    tags: releaseTags({ repository, layout: options.layout, image: spec.name, version, released }),
  }));
  // Exact version tags of every image first, the floating ones last: a registry failure is met
  // before anything a user pulls by a moving tag has changed, and what moved is put back.
  const rank = Math.max(...images.map((i) => i.tags.length));
  const moves: TagMove[] = [];
  for (let n = 0; n < rank; n++) {
    for (const image of images) {
      if (image.tags[n]) {
        moves.push({
          image: image.image,
          tag: image.tags[n],
          repository: imageRepository(repository, options.layout, image.image),
          digest: image.digest,
        });
      }
    }
  }
  const { moved } = await moveTagsAllOrNothing(registry, moves, 'release');
  for (const image of images) {
    const tags = image.tags.map((t) => t.slice(t.lastIndexOf(':') + 1)).join(', ');
    const changed = moved.some((m) => m.image === image.image);
    req.log(`${image.image}: ${tags} -> ${image.digest}${changed ? '' : ' (already in place)'}`);
  }

  const notes = releaseNotes(version, images);
  const [owner, repo] = (req.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!req.env.GITHUB_TOKEN || !owner || !repo) {
    req.log('no GITHUB_TOKEN or GITHUB_REPOSITORY: the GitHub release is not created; its notes would be:');
    req.log(notes);
    return { images, moved, notes, github: null };
  }
  const github = await upsertRelease(
    { owner, repo, tag: req.tag, name: req.tag, body: notes, prerelease: semver.prerelease(version) !== null },
    req.env.GITHUB_TOKEN,
    req.env.GITHUB_API_URL,
  );
  req.log(`GitHub release ${req.tag}: ${github}`);
  return { images, moved, notes, github };
}
