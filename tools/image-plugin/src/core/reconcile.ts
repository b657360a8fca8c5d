import semver from 'semver';
import { ImageConfigError } from './errors';
import type { ReleaseVersion } from './release-tags';

/**
 * The release tags (`v` + semver, as read by readReleaseTags) that have no published GitHub release,
 * lowest version first. GitHub starts no workflow for tags when more than three are pushed at once, so
 * such a tag was never released; a draft does not count (it is not published).
 */
export function unreleasedTags(releases: readonly ReleaseVersion[], published: readonly string[]): string[] {
  const have = new Set(published);
  return releases
    .filter((r) => !have.has(r.tag))
    .sort((a, b) => semver.compare(a.version, b.version) || a.tag.localeCompare(b.tag))
    .map((r) => r.tag);
}

/** One tag that could not be released, and why (the release's own problem). */
export interface ReconcileFailure {
  tag: string;
  problem: string;
}

/** The error of a reconciliation that left tags without a GitHub release: every one named, with why. */
export function reconcileError(failures: readonly ReconcileFailure[], released: readonly string[]): ImageConfigError {
  const list = failures.map((f) => `${f.tag} (${f.problem})`).join('; ');
  const done = released.length ? `; released now: ${released.join(', ')}` : '';
  return new ImageConfigError(
    `${failures.length} release tag${failures.length === 1 ? ' has' : 's have'} no GitHub release and could not be released: ${list}${done}`,
    `run the images workflow on each tag (Actions > images > Run workflow, "Use workflow from" ${failures[0]?.tag ?? 'the tag'}): it builds and tests what the tag's commit lacks and releases it; or delete a tag that is not meant to be a release (git push --delete origin <tag>)`,
    'release --reconcile',
  );
}
