import { inspectRemote } from '../adapters/buildx';
import { commitOf, versionTags } from '../adapters/git';
import { upsertRelease } from '../adapters/github';
import { ImageConfigError } from '../core/errors';
import { releaseNotes, type ReleasedImage } from '../core/release-notes';
import { checkUniqueVersion, makeLatest, parseReleaseTag, readReleaseTags, releaseTags } from '../core/release-tags';
import type { TagMove } from '../core/tag-moves';
import { imageTags } from '../core/tags';
import { moveTagsAllOrNothing } from '../services/move-tags';
import { workspaceImages } from '../services/workspace';

export interface ReleaseArgs {
  workspaceRoot: string;
  /** The git tag, `v` + semver, e.g. `v1.2.3` (default: GITHUB_REF_NAME). */
  tag: string;
  repository?: string;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
}

/**
 * Releases retag, never rebuild: each image's digest at the tagged commit (its `<image>-<sha>` tag)
 * gets `<image>-<version>` and, where this is the highest release of the line, `<image>-<major>.<minor>`,
 * `<image>-<major>` and `<image>`. All images are resolved before any tag moves, and a registry
 * failure while moving puts back what moved. Then the GitHub release is created or updated, the
 * repository's latest exactly when this release took `<image>`. Running it twice changes nothing.
 */
export async function release(args: ReleaseArgs): Promise<ReleasedImage[]> {
  const release = parseReleaseTag(args.tag);
  const { options, specs } = await workspaceImages(args.workspaceRoot);
  const commit = await commitOf(args.workspaceRoot, release.tag);
  // Every existing tag read by the same grammar: a stray `vv9.9.9` is no release and blocks nothing.
  const { releases, ignored } = readReleaseTags(await versionTags(args.workspaceRoot));
  if (ignored.length) args.log(`release: not release tags, left out: ${ignored.join(', ')}`);
  checkUniqueVersion(release, releases);
  const released = releases.map((r) => r.version);
  const repository = (args.repository ?? options.repository).toLowerCase();
  const shaLength = Number(options.build.shaLength ?? 7);

  const found = await Promise.all(
    specs.map(async (spec) => {
      const tags = imageTags({ repository, layout: options.layout, image: spec.name, revision: commit.slice(0, shaLength), contentHash: '' });
      return { spec, tags, remote: await inspectRemote(tags.sha) };
    }),
  );
  const missing = found.filter((f) => !f.remote);
  if (missing.length) {
    throw new ImageConfigError(
      `${release.tag} (${commit.slice(0, 7)}) has no image for ${missing.map((m) => `${m.spec.name} (${m.tags.sha})`).join(', ')}; no tag was moved`,
      `releases retag what CI built and tested for that commit: run the images workflow on the tag (Actions > images > Run workflow, "Use workflow from" ${release.tag}; it builds only what is missing, then releases), or locally git checkout ${release.tag} && npx nx run-many -t image-build --push, then release again`,
      'release',
    );
  }
  const images: ReleasedImage[] = found.map(({ spec, tags, remote }) => ({
    image: spec.name,
    digest: remote!.digest,
    platforms: remote!.platforms,
    tags: releaseTags({ repository: tags.repository, layout: options.layout, image: spec.name, release, released }),
  }));
  // Exact version tags of every image first, the floating ones last: a registry failure is met
  // before anything a user pulls by a moving tag has changed, and what moved is put back.
  const rank = Math.max(...images.map((i) => i.tags.length));
  const moves: TagMove[] = [];
  for (let n = 0; n < rank; n++) {
    for (const [i, image] of images.entries()) {
      if (image.tags[n]) moves.push({ image: image.image, tag: image.tags[n], repository: found[i].tags.repository, digest: image.digest });
    }
  }
  const { moved } = await moveTagsAllOrNothing(moves, 'release');
  for (const image of images) {
    const tags = image.tags.map((t) => t.slice(t.lastIndexOf(':') + 1)).join(', ');
    const changed = moved.some((m) => m.image === image.image);
    args.log(`${image.image}: ${tags} -> ${image.digest}${changed ? '' : ' (already in place)'}`);
  }

  const body = releaseNotes(release.tag.slice(1), images);
  const [owner, repo] = (args.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!args.env.GITHUB_TOKEN || !owner || !repo) {
    args.log('no GITHUB_TOKEN or GITHUB_REPOSITORY: the GitHub release is not created; its notes would be:');
    args.log(body);
    return images;
  }
  const latest = makeLatest(release, released);
  const outcome = await upsertRelease(
    { owner, repo, tag: release.tag, name: release.tag, body, prerelease: release.prerelease, makeLatest: latest },
    args.env.GITHUB_TOKEN,
    args.env.GITHUB_API_URL,
  );
  args.log(`GitHub release ${release.tag}: ${outcome}${latest === 'true' ? ' (latest)' : ''}`);
  return images;
}
