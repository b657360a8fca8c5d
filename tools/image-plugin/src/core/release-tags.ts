import semver from 'semver';
import { ImageConfigError } from './errors';
import { floatingTag, tagRef, type Layout } from './tags';

/** `v1.2.3` (the git tag) -> `1.2.3`; throws on anything that is not semver. */
export function releaseVersion(gitTag: string): string {
  const version = semver.valid(gitTag.replace(/^refs\/tags\//, '').replace(/^v/, ''));
  if (!version) {
    throw new ImageConfigError(
      `the tag "${gitTag}" is not a semantic version`,
      'release tags look like v1.2.3 or v1.3.0-rc.1',
      'release',
    );
  }
  return version;
}

/**
 * The tag suffixes a release adds to every image: always the exact version; `<major>.<minor>`,
 * `<major>` and the bare image tag only where this version is the highest released one of that line.
 * A pre-release gets only its exact tag. `released` are all release versions, this one included or not.
 */
export function releaseTagSuffixes(version: string, released: readonly string[]): Array<string | null> {
  const v = semver.parse(version);
  if (!v) throw new Error(`not a version: ${version}`);
  if (v.prerelease.length) return [v.version];
  const stable = [...new Set([...released, v.version])].filter((r) => semver.valid(r) && !semver.prerelease(r));
  const highest = (filter: (r: string) => boolean) => semver.maxSatisfying(stable.filter(filter), '*') === v.version;
  const suffixes: Array<string | null> = [v.version];
  if (highest((r) => semver.major(r) === v.major && semver.minor(r) === v.minor)) suffixes.push(`${v.major}.${v.minor}`);
  if (highest((r) => semver.major(r) === v.major)) suffixes.push(`${v.major}`);
  if (highest(() => true)) suffixes.push(null); // null: the floating tag itself
  return suffixes;
}

/**
 * Full references for one image: `<repo>:base-1.2.3`, `<repo>:base-1.2`, `<repo>:base-1`, `<repo>:base`.
 * `repository` is our repository (the per-image layout adds the image to it).
 */
export function releaseTags(args: { repository: string; layout: Layout; image: string; version: string; released: readonly string[] }): string[] {
  return releaseTagSuffixes(args.version, args.released).map((suffix) =>
    suffix === null ? floatingTag(args.repository, args.layout, args.image) : tagRef(args.repository, args.layout, args.image, suffix),
  );
}
