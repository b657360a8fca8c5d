import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { commitOf, versionTags } from '../adapters/git';
import { upsertRelease } from '../adapters/github';
import { RegistryClient } from '../adapters/registry';
import { checkShaLength } from '../core/build-options';
import { coderCatalog, coderPins, pinsText, type CoderPins } from '../core/coder-catalog';
import { CODER_CATALOG_FILE, CODER_PINS_OUT, SHA_LENGTH } from '../core/defaults';
import { ImageConfigError } from '../core/errors';
import { releaseNotes, type ReleasedImage } from '../core/release-notes';
import { checkUniqueVersion, makeLatest, parseReleaseTag, readReleaseTags, releaseTags } from '../core/release-tags';
import { normalizeRepository } from '../core/repository';
import type { PendingMove, TagMove } from '../core/tag-moves';
import { imageRepository, revisionTag, shaTag } from '../core/tags';
import { moveTagsAllOrNothing } from './move-tags';
import { workspaceImages } from './workspace';

export interface ReleaseRequest {
  workspaceRoot: string;
  /** The git tag, `v` + semver, e.g. `v1.2.3` (default: GITHUB_REF_NAME). */
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
  /** Where the Coder template's pins of this release were written (null: the workspace has no template). */
  coderPins: string | null;
}

/**
 * Releases retag, never rebuild: each image's digest at the tagged commit (its `<image>-<sha>` tag)
 * gets `<image>-<version>` and, where this is the highest release of the line, `<image>-<major>.<minor>`,
 * `<image>-<major>` and `<image>`. All images are resolved before any tag moves, and a registry
 * failure while moving puts back what moved. Then the GitHub release is created or updated, the
 * repository's latest exactly when this release took `<image>`. Running it twice changes nothing.
 */
export async function releaseImages(req: ReleaseRequest, registry = new RegistryClient()): Promise<ReleaseOutcome> {
  const release = parseReleaseTag(req.tag);
  const { options, specs } = await workspaceImages(req.workspaceRoot);
  const commit = await commitOf(req.workspaceRoot, release.tag);
  // Every existing tag read by the same grammar: a stray `vv9.9.9` is no release and blocks nothing.
  const { releases, ignored } = readReleaseTags(await versionTags(req.workspaceRoot));
  if (ignored.length) req.log(`release: not release tags, left out: ${ignored.join(', ')}`);
  checkUniqueVersion(release, releases);
  const released = releases.map((r) => r.version);
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
      `${release.tag} (${commit.slice(0, 7)}) has no image for ${missing.map((m) => `${m.spec.name} (${m.tag})`).join(', ')}; no tag was moved`,
      `releases retag what CI built and tested for that commit: run the images workflow on the tag (Actions > images > Run workflow, "Use workflow from" ${release.tag}; it builds only what is missing, then releases), or locally git checkout ${release.tag} && npx nx run-many -t image-build --push, then release again`,
      'release',
    );
  }
  const images: ReleasedImage[] = found.map(({ spec, remote }) => ({
    image: spec.name,
    digest: remote!.digest,
    platforms: remote!.platforms,
    tags: releaseTags({ repository, layout: options.layout, image: spec.name, release, released }),
  }));
  // The Coder template pinned to this release's digests, decided before anything moves.
  const pins = existsSync(join(req.workspaceRoot, CODER_CATALOG_FILE))
    ? coderPins(images, coderCatalog(specs, repository, options.layout), `release ${release.tag}`)
    : null;
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

  const pinsFile = pins ? await writePins(req.workspaceRoot, pins) : null;
  if (pinsFile) req.log(`${pinsFile}: the Coder template pinned to ${release.tag} (docs/coder.md)`);

  const notes = releaseNotes(release.tag.slice(1), images);
  const [owner, repo] = (req.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!req.env.GITHUB_TOKEN || !owner || !repo) {
    req.log('no GITHUB_TOKEN or GITHUB_REPOSITORY: the GitHub release is not created; its notes would be:');
    req.log(notes);
    return { images, moved, notes, github: null, coderPins: pinsFile };
  }
  const latest = makeLatest(release, released);
  const github = await upsertRelease(
    {
      owner,
      repo,
      tag: release.tag,
      name: release.tag,
      body: notes,
      prerelease: release.prerelease,
      makeLatest: latest,
    },
    req.env.GITHUB_TOKEN,
    req.env.GITHUB_API_URL,
  );
  req.log(`GitHub release ${release.tag}: ${github}${latest === 'true' ? ' (latest)' : ''}`);
  return { images, moved, notes, github, coderPins: pinsFile };
}

/** Writes the pins to dist/coder/pinned-digests.json (the release workflow attaches it to the GitHub release). */
async function writePins(workspaceRoot: string, pins: CoderPins): Promise<string> {
  const file = join(workspaceRoot, CODER_PINS_OUT);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, pinsText(pins));
  return CODER_PINS_OUT;
}
