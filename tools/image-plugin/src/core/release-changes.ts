import semver from 'semver';

/**
 * The part of a release body that says what changed in each image since the previous release (semver order),
 * from `images diff` of each image's previous release tag and its new digest (services/release-changes.ts).
 * Pure: the diffs' markdown and the reasons for any image without one in, the section out. See docs/contents.md.
 */

/**
 * The release before `version` in semver order: the highest released version below it; a stable release skips
 * pre-releases (its notes compare with the last stable one), a pre-release compares with whatever came before.
 */
export function previousRelease(version: string, released: readonly string[]): string | null {
  const stable = !semver.prerelease(version);
  const below = released.filter((r) => semver.valid(r) && semver.lt(r, version) && (!stable || !semver.prerelease(r)));
  return below.sort(semver.rcompare)[0] ?? null;
}

/** What one image's comparison gave: its diff in markdown, or why there is none. */
export type ImageChanges = { image: string; markdown: string } | { image: string; missing: string };

/**
 * The section: a heading naming what it compares with (the previous release's version, `the previous edge`),
 * then each image (sorted) with its diff or its reason.
 */
export function releaseChangesSection(previous: string | null, changes: readonly ImageChanges[]): string {
  if (!previous)
    return ['', '## What changed', '', 'The first release: nothing earlier to compare with.', ''].join('\n');
  const parts = [...changes]
    .sort((a, b) => a.image.localeCompare(b.image))
    .map((c) =>
      'markdown' in c
        ? [`<details><summary>${c.image}</summary>`, '', c.markdown.trimEnd(), '', '</details>'].join('\n')
        : `- ${c.image}: no comparison (${c.missing})`,
    );
  return ['', `## What changed since ${previous}`, '', ...parts.flatMap((p) => [p, '']), '']
    .join('\n')
    .replace(/\n+$/, '\n');
}
