import type { Change, ContentsDiff, LayerGrowth, PlatformDiff, Relation } from './contents-diff';
import { formatSize } from './sizes';

/**
 * How `images diff` prints a diff (core/contents-diff.ts): a table for people, the same in markdown for GitHub
 * (a release body, $GITHUB_STEP_SUMMARY), capped per table so a release body stays under GitHub's limit. Pure.
 */

/** Rows per markdown table; the rest is counted. */
export const MARKDOWN_ROWS = 50;

const SECTIONS = [
  ['debian', 'Debian packages'],
  ['npm', 'npm packages'],
  ['tools', 'install scripts'],
] as const;

const signed = (n: number) => (n > 0 ? `+${formatSize(n)}` : n < 0 ? `-${formatSize(-n)}` : '±0 B');
const mark = (c: Change) => (c.from === null ? '+' : c.to === null ? '-' : '~');
const kind = (c: Change) => (c.from === null ? 'added' : c.to === null ? 'removed' : 'changed');
const versions = (c: Change) => (c.from === null ? (c.to ?? '') : c.to === null ? c.from : `${c.from} -> ${c.to}`);

function relationText(d: ContentsDiff): string {
  const says: Record<Relation, string> = {
    'same image': `two versions of ${d.to.image}`,
    'parent and child': `${d.to.image} builds FROM ${d.from.image}`,
    'child and parent': `${d.from.image} builds FROM ${d.to.image}`,
    unrelated: 'unrelated images (--allow-unrelated)',
  };
  return says[d.relation];
}

/** `3 added, 1 changed`, or `no change`. */
function countsOf(changes: readonly Change[]): string {
  const counts = ['added', 'removed', 'changed']
    .map((k) => [k, changes.filter((c) => kind(c) === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return counts.length ? counts.join(', ') : 'no change';
}

/** The registry's compressed sizes go unlabelled (as everywhere else); unpacked ones (the local engine's) say so. */
const unitLabel = (p: PlatformDiff) => (p.size.unit === 'uncompressed' ? ' (uncompressed)' : '');
const sizeLine = (p: PlatformDiff) =>
  `${formatSize(p.size.from)} -> ${formatSize(p.size.to)} (${signed(p.size.to - p.size.from)})${unitLabel(p)}`;
const presenceLine = (p: PlatformDiff, d: ContentsDiff) =>
  p.presence === 'added' ? `only in ${d.to.ref}` : p.presence === 'removed' ? `only in ${d.from.ref}` : '';

/** The table for people: per platform, each section's counts and changes, then the layers that grew most. */
export function diffText(d: ContentsDiff): string {
  const lines = [`${d.from.ref} -> ${d.to.ref}: ${relationText(d)}`];
  for (const p of d.platforms) {
    lines.push('', `${p.platform}  ${[presenceLine(p, d), `size ${sizeLine(p)}`].filter(Boolean).join(', ')}`);
    for (const [key, title] of SECTIONS) {
      const changes = p[key];
      lines.push(`  ${title}: ${countsOf(changes)}`);
      const width = Math.max(0, ...changes.map((c) => c.name.length));
      for (const c of changes)
        lines.push(
          `    ${mark(c)} ${c.name.padEnd(width)}  ${versions(c)}${c.origin ? `  (${c.origin === 'own' ? 'own layers' : 'from parent'})` : ''}`,
        );
    }
    if (p.topLayers.length) lines.push(`  layers that grew most${unitLabel(p)}:`, ...layerLines(p.topLayers));
  }
  return `${lines.join('\n')}\n`;
}

function layerLines(layers: readonly LayerGrowth[]): string[] {
  const width = Math.max(...layers.map((l) => l.name.length));
  return layers.map(
    (l) => `    ${l.name.padEnd(width)}  ${signed(l.to - l.from)} (${formatSize(l.from)} -> ${formatSize(l.to)})`,
  );
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function markdownTable(title: string, changes: readonly Change[]): string[] {
  if (!changes.length) return [];
  const origin = changes.some((c) => c.origin);
  const rows = changes
    .slice(0, MARKDOWN_ROWS)
    .map(
      (c) =>
        `| ${kind(c)} | \`${cell(c.name)}\` | ${cell(c.from ?? '')} | ${cell(c.to ?? '')} |${origin ? ` ${c.origin === 'own' ? 'own layers' : c.origin ? 'from parent' : ''} |` : ''}`,
    );
  const more = changes.length - rows.length;
  return [
    '',
    `| ${title} | name | before | after |${origin ? ' origin |' : ''}`,
    `| --- | --- | --- | --- |${origin ? ' --- |' : ''}`,
    ...rows,
    ...(more > 0 ? ['', `… and ${more} more (\`npx images diff --json\` lists all)`] : []),
  ];
}

/** The same in markdown: a heading per platform, a table per section that changed. */
export function diffMarkdown(d: ContentsDiff): string {
  const lines = [`### \`${d.from.ref}\` → \`${d.to.ref}\``, '', relationText(d)];
  for (const p of d.platforms) {
    const presence = presenceLine(p, d);
    lines.push('', `#### ${p.platform}: ${presence ? `${presence}, ` : ''}${sizeLine(p).replace('->', '→')}`, '');
    lines.push(SECTIONS.map(([key, title]) => `${title}: ${countsOf(p[key])}`).join(' · '));
    for (const [key, title] of SECTIONS) lines.push(...markdownTable(title, p[key]));
    if (p.topLayers.length) {
      lines.push(
        '',
        `| layer (install script) | before${unitLabel(p)} | after | growth |`,
        '| --- | --- | --- | --- |',
      );
      for (const l of p.topLayers)
        lines.push(`| \`${cell(l.name)}\` | ${formatSize(l.from)} | ${formatSize(l.to)} | ${signed(l.to - l.from)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
