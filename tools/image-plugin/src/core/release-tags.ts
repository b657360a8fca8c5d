import semver from 'semver';
import { ImageConfigError } from './errors';
import type { TagMove } from './tag-moves';
import { wouldMove } from './write-once';
import { floatingTag, imageRepository, tagRef, type Layout } from './tags';

/**
 * One release tag, read by the one grammar every command uses: `v` followed by a SemVer 2.0.0
 * version (`v1.2.3`, `v1.3.0-rc.1`, `v1.2.3+build.5`). Nothing else is a release: `1.2.3`,
 * `vv1.2.3`, `v1.2`, `V1.2.3`, `release-1.2.3`.
 */
export interface ReleaseVersion {
  /** The git tag as written: `v1.2.3+build.5`. */
  tag: string;
  /** The version without build metadata, which is what orders releases: `1.2.3`. */
  version: string;
  /** Build metadata identifiers (`['build', '5']`); they never change the order (SemVer 11). */
  build: string[];
  prerelease: boolean;
  /**
   * The exact image tag suffix: the version, with build metadata joined by `_` since a docker tag
   * cannot contain `+` (`1.2.3_build.5`).
   */
  exact: string;
}

const GRAMMAR = 'v followed by a semantic version: v1.2.3, v1.3.0-rc.1 or v1.2.3+build.5';

/** Reads a tag by the release grammar, or null when it is not a release tag. */
export function readReleaseTag(tag: string): ReleaseVersion | null {
  if (!tag.startsWith('v')) return null;
  const rest = tag.slice(1);
  // node-semver itself accepts a leading `v` or `=` and surrounding blanks; SemVer does not.
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(rest)) return null;
  const parsed = semver.parse(rest);
  if (!parsed) return null;
  return {
    tag,
    version: parsed.version,
    build: [...parsed.build],
    prerelease: parsed.prerelease.length > 0,
    exact: parsed.build.length ? `${parsed.version}_${parsed.build.join('.')}` : parsed.version,
  };
}

/** `v1.2.3` (or `refs/tags/v1.2.3`) -> the release; anything else is refused with the fix. */
export function parseReleaseTag(gitTag: string): ReleaseVersion {
  const tag = gitTag.replace(/^refs\/tags\//, '');
  const release = readReleaseTag(tag);
  if (release) return release;
  const inner = /^[vV]+(.*)$/.exec(tag)?.[1] ?? tag;
  const meant = readReleaseTag(`v${inner}`);
  throw new ImageConfigError(
    `the tag "${gitTag}" is not a release tag (${GRAMMAR})`,
    meant
      ? `tag the commit ${meant.tag} instead (git tag ${meant.tag} <commit> && git push origin ${meant.tag}), and delete "${tag}" (git push --delete origin ${tag})`
      : `release tags look like v1.2.3 or v1.3.0-rc.1; tag the commit with one (git tag v1.2.3 <commit> && git push origin v1.2.3)`,
    'release',
  );
}

/**
 * Every git tag read by the same grammar: the releases, and the tags that are not releases (listed
 * so a command can say it left them out; they never block a release or `latest`).
 */
export function readReleaseTags(tags: readonly string[]): { releases: ReleaseVersion[]; ignored: string[] } {
  const releases: ReleaseVersion[] = [];
  const ignored: string[] = [];
  for (const tag of tags) {
    const release = readReleaseTag(tag);
    if (release) releases.push(release);
    else if (tag.startsWith('v') || tag.startsWith('V')) ignored.push(tag);
  }
  return { releases, ignored };
}

/**
 * Two tags that differ only in build metadata (`v1.2.3+build.5`, `v1.2.3+build.6`) are the same
 * version to SemVer's order: the floating tags could not tell which one they hold. Refused.
 */
export function checkUniqueVersion(release: ReleaseVersion, releases: readonly ReleaseVersion[]): void {
  const twin = releases.find((r) => r.version === release.version && r.tag !== release.tag);
  if (twin) {
    throw new ImageConfigError(
      `${release.tag} and ${twin.tag} are the same version ${release.version} (build metadata does not count in SemVer's order), so the release tags could not tell them apart`,
      `delete one of the two git tags (git push --delete origin ${release.tag}) and release the next version instead`,
      'release',
    );
  }
}

/**
 * The tag suffixes a release adds to every image: always the exact version; `<major>.<minor>`,
 * `<major>` and the bare image tag only where this version is the highest released one of that line.
 * A pre-release gets only its exact tag. `released` are all release versions, this one included or not.
 * Each floating tag so belongs to exactly one release (the highest of its line), whatever order the
 * releases run in.
 */
export function releaseTagSuffixes(version: string, released: readonly string[]): Array<string | null> {
  const v = semver.parse(version);
  if (!v) throw new Error(`not a version: ${version}`);
  if (v.prerelease.length) return [v.version];
  const stable = [...new Set([...released, v.version])].filter((r) => semver.valid(r) && !semver.prerelease(r));
  const highest = (filter: (r: string) => boolean) => semver.maxSatisfying(stable.filter(filter), '*') === v.version;
  const suffixes: Array<string | null> = [v.version];
  if (highest((r) => semver.major(r) === v.major && semver.minor(r) === v.minor))
    suffixes.push(`${v.major}.${v.minor}`);
  if (highest((r) => semver.major(r) === v.major)) suffixes.push(`${v.major}`);
  if (highest(() => true)) suffixes.push(null); // null: the floating tag itself
  return suffixes;
}

/**
 * GitHub's `make_latest` for the release: "true" exactly when this release also takes the bare image
 * tag (the highest stable version), so the repository's "Latest" badge and `<image>` agree. Never
 * "legacy" (by date), which would make a hotfix of an older line the latest.
 */
export function makeLatest(release: ReleaseVersion, released: readonly string[]): 'true' | 'false' {
  return releaseTagSuffixes(release.version, released).includes(null) ? 'true' : 'false';
}

/**
 * Full references for one image: `<repo>:base-1.2.3`, `<repo>:base-1.2`, `<repo>:base-1`, `<repo>:base`
 * (per image: `<repo>/base:1.2.3`, ..., `<repo>/base:latest`). `repository` is our repository (the
 * per-image layout adds the image to it). The exact tag keeps build metadata.
 */
export function releaseTags(args: {
  repository: string;
  layout: Layout;
  image: string;
  release: ReleaseVersion;
  released: readonly string[];
}): string[] {
  return releaseTagSuffixes(args.release.version, args.released).map((suffix, i) =>
    suffix === null
      ? floatingTag(args.repository, args.layout, args.image)
      : i === 0
        ? exactReleaseTag(args.repository, args.layout, args.image, args.release)
        : tagRef(args.repository, args.layout, args.image, suffix),
  );
}

/** The write-once tag a release gives an image: `<repo>:base-1.2.3` (`<repo>/base:1.2.3_build.5` per image). */
export function exactReleaseTag(repository: string, layout: Layout, image: string, release: ReleaseVersion): string {
  return tagRef(repository, layout, image, release.exact);
}

/** One image of a release: its name, the digest its SHA tag names, and its release tags (exact first). */
export interface ReleaseTagsOf {
  image: string;
  digest: string;
  tags: readonly string[];
}

/**
 * The moves of a release, in the order they are made: the exact version tags of every image first,
 * the floating ones last, so a registry failure is met before anything a user pulls by a moving tag
 * has changed.
 */
export function releaseMoves(images: readonly ReleaseTagsOf[], repository: string, layout: Layout): TagMove[] {
  const rank = Math.max(0, ...images.map((i) => i.tags.length));
  const moves: TagMove[] = [];
  for (let n = 0; n < rank; n++) {
    for (const image of images) {
      const tag = image.tags[n];
      if (tag) {
        const repo = imageRepository(repository, layout, image.image);
        moves.push({ image: image.image, tag, repository: repo, digest: image.digest });
      }
    }
  }
  return moves;
}

/**
 * Exact version tags are write-once, like SHA tags: `base-1.2.3` that already names another digest is
 * never re-pointed (the floating `base-1.2`, `base-1`, `base` do move). `exact` are the moves of the
 * exact tags, `current` where every tag points now (null: not there). Refused with both digests.
 */
export function checkWriteOnce(
  release: ReleaseVersion,
  exact: readonly TagMove[],
  current: ReadonlyMap<string, string | null>,
): void {
  const taken = exact.filter((m) => wouldMove(current.get(m.tag), m.digest));
  if (!taken.length) return;
  const list = taken.map((m) => `${m.tag} names ${current.get(m.tag)}, but ${m.image} at this commit is ${m.digest}`);
  throw new ImageConfigError(
    `${release.tag} was released before with other images: ${list.join('; ')}; exact version tags are write-once ` +
      `(only ${release.tag}'s floating tags move), so no tag was moved`,
    `a version names one set of images for good: if the git tag ${release.tag} was moved to another commit, put it back ` +
      `(git tag -f ${release.tag} <the released commit> && git push -f origin ${release.tag}); to ship this commit, ` +
      `release the next version (e.g. git tag v<next> && git push origin v<next>); to replace the published images ` +
      `anyway, delete ${taken.map((m) => m.tag).join(', ')} in the registry first, then release again`,
    'release',
  );
}
