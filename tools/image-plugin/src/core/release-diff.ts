import type { ContentsDiff } from './contents-diff';
import { diffMarkdown, diffText } from './contents-report';
import { RegistryError, UsageError } from './errors';
import { exactReleaseTag, readReleaseTag, type ReleaseVersion } from './release-tags';
import type { Layout } from './tags';

/**
 * `images diff --release v1.2.0..v1.3.0`: the two releases, each image's exact release tag in both, which
 * images either release has, and how the per-image diffs print. Pure: the range and the registry's answers
 * in, the decisions and the text out (services/release-diff.ts reads). See docs/contents.md.
 */

export interface ReleaseRange {
  from: ReleaseVersion;
  to: ReleaseVersion;
}

const RANGE_EXAMPLE = '--release v1.2.0..v1.3.0';

/** `v1.2.0..v1.3.0` -> both releases, read by the release grammar; anything else is a usage error with the fix. */
export function parseReleaseRange(text: string): ReleaseRange {
  const fail = (problem: string, fix: string) =>
    new UsageError(problem, `${fix} (images diff --help)`, 'images diff', '--release');
  const at = text.indexOf('..');
  if (at < 0)
    throw fail(
      `--release "${text}" is not two releases joined by ..`,
      `write the older release first: ${RANGE_EXAMPLE}`,
    );
  const [from, to] = [text.slice(0, at), text.slice(at + 2)].map((side) => {
    const release = readReleaseTag(side);
    if (release) return release;
    const meant = readReleaseTag(`v${side.replace(/^[vV.]*/, '')}`);
    throw fail(
      `--release "${text}": "${side}" is not a release name (v followed by a semantic version, as the git tag)`,
      meant ? `write ${meant.tag}` : `write release names as their git tags: ${RANGE_EXAMPLE}`,
    );
  });
  if (from.version === to.version)
    throw fail(`--release "${text}" names one release twice`, `name two releases: ${RANGE_EXAMPLE}`);
  return { from, to };
}

/** One image's exact release tag in each release. */
export interface ReleaseImageRefs {
  image: string;
  from: string;
  to: string;
}

/**
 * The images to look for: the workspace's, and in the single layout every image the repository's tags show
 * in either release (`<image>-<exact version>`), so an image deleted from the workspace since still shows as
 * removed. Per image, the workspace's only (a registry lists no repositories).
 */
export function imagesToLook(
  range: ReleaseRange,
  workspace: readonly string[],
  tags: readonly string[],
  layout: Layout,
): string[] {
  const tagged =
    layout === 'single'
      ? [range.from, range.to].flatMap((r) =>
          tags.filter((t) => t.endsWith(`-${r.exact}`)).map((t) => t.slice(0, -r.exact.length - 1)),
        )
      : [];
  return [...new Set([...workspace, ...tagged])].filter(Boolean).sort();
}

export function releaseImageRefs(
  range: ReleaseRange,
  images: readonly string[],
  repository: string,
  layout: Layout,
): ReleaseImageRefs[] {
  return [...images].sort().map((image) => ({
    image,
    from: exactReleaseTag(repository, layout, image, range.from),
    to: exactReleaseTag(repository, layout, image, range.to),
  }));
}

/**
 * An image of the two releases: in both (diffed, or why not: an image built before contents records), or only
 * in the newer (added) or the older (removed).
 */
export type ReleaseImageDiff =
  | { image: string; presence: 'both'; diff: ContentsDiff }
  | { image: string; presence: 'both'; problem: string }
  | { image: string; presence: 'added' | 'removed'; ref: string };

export interface ReleaseDiff {
  from: string;
  to: string;
  images: ReleaseImageDiff[];
}

/** Where each image is, by which of its two tags the registry has; an image in neither release is left out. */
export function presenceOf(
  refs: readonly ReleaseImageRefs[],
  has: (ref: string) => boolean,
): Array<{ refs: ReleaseImageRefs; presence: ReleaseImageDiff['presence'] }> {
  return refs.flatMap((r) => {
    const [a, b] = [has(r.from), has(r.to)];
    if (!a && !b) return [];
    return [{ refs: r, presence: a && b ? 'both' : a ? 'removed' : 'added' } as const];
  });
}

/** A release none of whose images has its tag in the registry was never released (or not to this repository). */
export function checkReleasesExist(
  range: ReleaseRange,
  refs: readonly ReleaseImageRefs[],
  has: (ref: string) => boolean,
): void {
  for (const [release, side] of [
    [range.from, 'from'],
    [range.to, 'to'],
  ] as const) {
    if (refs.some((r) => has(r[side]))) continue;
    const looked = refs.map((r) => r[side]);
    throw new RegistryError(
      `${release.tag} is not in the registry: no image has its release tag (looked for ${looked.join(', ') || 'no image: the workspace has none'})`,
      `check the release name (git tag -l 'v*' lists them) and the repository (nx.json's repository option); a release's tags are written by images release --tag ${release.tag}`,
      'images diff --release',
    );
  }
}

const only = (d: ReleaseDiff, i: Extract<ReleaseImageDiff, { ref: string }>) =>
  `only in ${i.presence === 'added' ? d.to : d.from} (${i.ref})`;

function countsLine(d: ReleaseDiff): string {
  const n = (p: ReleaseImageDiff['presence']) => d.images.filter((i) => i.presence === p).length;
  return `${n('both')} compared, ${n('added')} added, ${n('removed')} removed`;
}

/** The text for people: a line for the range, then each image's diff, why it has none, or where it is only. */
export function releaseDiffText(d: ReleaseDiff): string {
  const parts = d.images.map((i) =>
    'diff' in i
      ? `== ${i.image}\n${diffText(i.diff)}`
      : `== ${i.image}: ${'problem' in i ? `no comparison (${i.problem})` : only(d, i)}\n`,
  );
  return [`${d.from} -> ${d.to}: ${countsLine(d)}\n`, ...parts].join('\n');
}

/** The same in markdown: each image's diff folded under its name, an image of one release as one line. */
export function releaseDiffMarkdown(d: ReleaseDiff): string {
  const lines = [`## ${d.from} → ${d.to}`, '', countsLine(d), ''];
  for (const i of d.images) {
    if ('ref' in i) lines.push(`- ${i.image}: ${only(d, i).replace(/\((.*)\)$/, '(`$1`)')}`, '');
    else if ('problem' in i) lines.push(`- ${i.image}: no comparison (${i.problem})`, '');
    else lines.push(`<details><summary>${i.image}</summary>`, '', diffMarkdown(i.diff).trimEnd(), '', '</details>', '');
  }
  return lines.join('\n');
}
