import type { ContentsRecord, NamedLayer } from './contents-record';
import { UsageError } from './errors';

/**
 * What changed between two images, per platform: Debian packages, npm globals and install scripts' tools
 * added, removed and changed, the size change, the layers that grew most named by their install script, and
 * for a child each change's origin (its parent's layers or its own). Pure: the records and layers in, the
 * diff out (core/contents-report.ts prints it). See docs/contents.md.
 */

/**
 * How a side's layer sizes are counted: as the registry stores them (compressed blobs), or as the engine holds
 * them (unpacked). A diff compares one kind only (services/contents-diff.ts reads the registry side unpacked
 * when the other is the engine's).
 */
export type SizeKind = 'compressed' | 'uncompressed';

/** One image platform as the registry (or the local engine) holds it. */
export interface PlatformContents {
  platform: string;
  /** What `layers`' sizes count. */
  sizes: SizeKind;
  record: ContentsRecord;
  /** The record of the parent the image was built FROM (the record layer before its own), null without one. */
  parentRecord: ContentsRecord | null;
  layers: NamedLayer[];
}

export interface ImageContents {
  /** The reference as given (a tag or a digest). */
  ref: string;
  /** The image name of its record (the same on every platform). */
  image: string;
  lineage: string[];
  platforms: PlatformContents[];
}

export type Origin = 'parent' | 'own';

export interface Change {
  name: string;
  /** null: added. */
  from: string | null;
  /** null: removed. */
  to: string | null;
  /** For a child: whether its parent brought the change or its own layers did; absent when unknown. */
  origin?: Origin;
}

export interface LayerGrowth {
  name: string;
  from: number;
  to: number;
}

export interface PlatformDiff {
  platform: string;
  /** In both refs, or only in the second (added) or only in the first (removed). */
  presence: 'both' | 'added' | 'removed';
  debian: Change[];
  npm: Change[];
  tools: Change[];
  /** Both sides counted alike (`unit`), never a compressed size against an unpacked one. */
  size: { from: number; to: number; unit: SizeKind };
  /** The layers whose size changed most, by install script, largest growth first (in `size.unit`). */
  topLayers: LayerGrowth[];
}

export type Relation = 'same image' | 'parent and child' | 'child and parent' | 'unrelated';

export interface ContentsDiff {
  from: { ref: string; image: string };
  to: { ref: string; image: string };
  relation: Relation;
  platforms: PlatformDiff[];
}

/** How many layers the diff names by growth. */
const TOP_LAYERS = 5;

/** How two images relate by their records: the same image, one an ancestor of the other, or neither. */
export function relationOf(
  a: Pick<ImageContents, 'image' | 'lineage'>,
  b: Pick<ImageContents, 'image' | 'lineage'>,
): Relation {
  if (a.image === b.image) return 'same image';
  if (b.lineage.includes(a.image)) return 'parent and child';
  if (a.lineage.includes(b.image)) return 'child and parent';
  return 'unrelated';
}

/** The refusal of two unrelated images (`--allow-unrelated` diffs them anyway). */
export function checkRelated(a: ImageContents, b: ImageContents, allowUnrelated: boolean): Relation {
  const relation = relationOf(a, b);
  if (relation === 'unrelated' && !allowUnrelated)
    throw new UsageError(
      `${a.ref} (${a.image}) and ${b.ref} (${b.image}) are unrelated images: neither builds FROM the other`,
      'diff two versions of one image, or a parent and its child; --allow-unrelated compares them anyway',
      'images diff',
    );
  return relation;
}

/** Added, removed and changed entries of two name -> version maps, sorted by name. */
export function changesOf(a: Record<string, string | null>, b: Record<string, string | null>): Change[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names
    .filter((n) => !(n in a) || !(n in b) || a[n] !== b[n])
    .map((n) => ({
      name: n,
      from: n in a ? (a[n] ?? 'no version') : null,
      to: n in b ? (b[n] ?? 'no version') : null,
    }));
}

const sameChange = (x: Change, y: Change) => x.name === y.name && x.from === y.from && x.to === y.to;

/** Marks each change that the parents' own diff has as the parent's, the rest as the image's own. */
function withOrigin(changes: Change[], fromParent: Change[] | null): Change[] {
  if (!fromParent) return changes;
  return changes.map((c) => ({ ...c, origin: fromParent.some((p) => sameChange(p, c)) ? 'parent' : 'own' }));
}

/**
 * The baseline each side's parent layers hold: for two versions of one image, each one's parent record;
 * for a parent and its child, the parent itself and the child's parent record. Null: no split by origin.
 */
function baselines(
  a: PlatformContents,
  b: PlatformContents,
  relation: Relation,
): [ContentsRecord, ContentsRecord] | null {
  const pair: [ContentsRecord | null, ContentsRecord | null] =
    relation === 'same image'
      ? [a.parentRecord, b.parentRecord]
      : relation === 'parent and child'
        ? [a.record, b.parentRecord]
        : relation === 'child and parent'
          ? [a.parentRecord, b.record]
          : [null, null];
  return pair[0] && pair[1] ? [pair[0], pair[1]] : null;
}

const EMPTY: ContentsRecord = { image: '', lineage: [], debian: {}, npm: {}, tools: {} };
const total = (layers: readonly NamedLayer[]) => layers.reduce((n, l) => n + l.size, 0);

/** Bytes per layer name (a script run twice counts once, summed). */
function sizesByName(layers: readonly NamedLayer[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const l of layers) sizes.set(l.name, (sizes.get(l.name) ?? 0) + l.size);
  return sizes;
}

/** The layers whose size changed, the largest growth first (a shrink after every growth), `count` of them. */
export function topLayers(a: readonly NamedLayer[], b: readonly NamedLayer[], count = TOP_LAYERS): LayerGrowth[] {
  const from = sizesByName(a);
  const to = sizesByName(b);
  return [...new Set([...from.keys(), ...to.keys()])]
    .map((name) => ({ name, from: from.get(name) ?? 0, to: to.get(name) ?? 0 }))
    .filter((g) => g.from !== g.to)
    .sort((x, y) => y.to - y.from - (x.to - x.from) || x.name.localeCompare(y.name))
    .slice(0, count);
}

/** Whether a platform is in both refs, or only in the second (added) or the first (removed). */
const presenceOf = (a: unknown, b: unknown): PlatformDiff['presence'] => (a && b ? 'both' : a ? 'removed' : 'added');

/** The one kind both sides' sizes count; two kinds are a reader's bug, never a silent mix. */
function sizeKindOf(a: PlatformContents | undefined, b: PlatformContents | undefined): SizeKind {
  const kinds = [...new Set([a?.sizes, b?.sizes].filter((k): k is SizeKind => !!k))];
  if (kinds.length > 1)
    throw new Error(`${a?.platform}: compressed and uncompressed layer sizes in one diff (read both alike)`);
  return kinds[0] ?? 'compressed';
}

/** The diff of one platform; a platform in one ref only lists what it has as added or removed. */
function platformDiff(
  a: PlatformContents | undefined,
  b: PlatformContents | undefined,
  relation: Relation,
): PlatformDiff {
  const platform = (a ?? b)?.platform ?? '';
  const unit = sizeKindOf(a, b);
  const from = a?.record ?? EMPTY;
  const to = b?.record ?? EMPTY;
  const base = a && b ? baselines(a, b, relation) : null;
  const split = (key: 'debian' | 'npm' | 'tools') =>
    withOrigin(changesOf(from[key], to[key]), base ? changesOf(base[0][key], base[1][key]) : null);
  return {
    platform,
    presence: presenceOf(a, b),
    debian: split('debian'),
    npm: split('npm'),
    tools: split('tools'),
    size: { from: total(a?.layers ?? []), to: total(b?.layers ?? []), unit },
    topLayers: topLayers(a?.layers ?? [], b?.layers ?? []),
  };
}

/** The diff of two images, platform by platform (every platform of either, sorted). */
export function contentsDiff(a: ImageContents, b: ImageContents, relation: Relation): ContentsDiff {
  const platforms = [...new Set([...a.platforms, ...b.platforms].map((p) => p.platform))].sort();
  return {
    from: { ref: a.ref, image: a.image },
    to: { ref: b.ref, image: b.image },
    relation,
    platforms: platforms.map((p) =>
      platformDiff(
        a.platforms.find((x) => x.platform === p),
        b.platforms.find((x) => x.platform === p),
        relation,
      ),
    ),
  };
}
