import type { ImageResult } from './result';
import type { PlatformSize } from './size-budget';
import { formatSize } from './sizes';
import { tagOf } from './tags';

/** One row of the end-of-run table. */
export interface SummaryRow {
  image: string;
  status: ImageResult['result'] | 'failed' | 'skipped';
  tags: string;
  digest: string;
  platforms: string;
  /** Compressed size per platform (`655.5 MiB`; several: `amd64 655.5 MiB, arm64 649.9 MiB`). */
  size: string;
  /** What the image adds to its parent, per platform (`+17.3 MiB`). */
  aboveParent: string;
  budget: string;
  time: string;
}

export interface UnfinishedImage {
  image: string;
  status: 'failed' | 'skipped';
}

/** The line a task whose parent failed ends with (the batch reports it, the summary recognises it). */
export const skippedLine = (image: string) => `${image}: skipped, a parent image failed`;

/**
 * How the end-of-run summary tells a task that did not finish: skipped when Nx says so or when its
 * output is skippedLine (the batch reports such a task to Nx as failed: Nx 22 leaves skipped tasks
 * out of the run's results and then ends the whole run with exit code 130, as if interrupted).
 */
export function unfinishedStatus(image: string, status: string, terminalOutput = ''): UnfinishedImage['status'] {
  return status === 'skipped' || terminalOutput.includes(skippedLine(image)) ? 'skipped' : 'failed';
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** One text per platform, prefixed with its architecture when there are several. */
function perPlatform(sizes: readonly PlatformSize[], text: (s: PlatformSize) => string | null): string {
  const texts = sizes.map((s) => [s.platform.replace(/^linux\//, ''), text(s)] as const).filter(([, t]) => t !== null);
  return texts.length === 1 ? (texts[0][1] as string) : texts.map(([p, t]) => `${p} ${t}`).join(', ');
}

/** The size cells of a result: measured from the registry when pushed; a local build is not measured. */
function sizeCells(r: ImageResult): Pick<SummaryRow, 'size' | 'aboveParent' | 'budget'> {
  const budget = r.sizeBudget ? formatSize(r.sizeBudget) : '';
  if (!r.pushed) return { size: 'not pushed, not measured', aboveParent: '', budget };
  const sizes = r.sizes ?? [];
  return {
    size: perPlatform(sizes, (s) => formatSize(s.bytes)),
    aboveParent: perPlatform(sizes, (s) => (s.aboveParent === null ? null : `+${formatSize(s.aboveParent)}`)),
    budget,
  };
}

/**
 * The run's results, each once: a reused image of a platform's build (pushByDigest) writes one result
 * under two names (its platform's and its own), which the summary reads back as two files.
 */
function eachOnce(results: readonly ImageResult[]): ImageResult[] {
  const seen = new Set<string>();
  return results.filter((r) => {
    const key = `${r.image}\0${r.digest}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One row per image: the results written in this run, then the tasks that failed or never ran. */
export function summaryRows(results: readonly ImageResult[], unfinished: readonly UnfinishedImage[]): SummaryRow[] {
  return [
    ...eachOnce(results).map((r) => ({
      image: r.image,
      status: r.result,
      tags: r.tags.map(tagOf).join(' '),
      digest: r.digest.slice(0, 19),
      platforms: r.platforms.join(' '),
      ...sizeCells(r),
      time: seconds(r.durationMs),
    })),
    ...unfinished.map((u) => ({
      image: u.image,
      status: u.status,
      tags: '',
      digest: '',
      platforms: '',
      size: '',
      aboveParent: '',
      budget: '',
      time: '',
    })),
  ];
}

/** `Images (2 built, 1 reused, 1 not done)`. */
export function summaryTitle(results: readonly ImageResult[], unfinished: readonly UnfinishedImage[]): string {
  const count = (kind: ImageResult['result']) => eachOnce(results).filter((r) => r.result === kind).length;
  return `Images (${count('built')} built, ${count('reused')} reused, ${unfinished.length} not done)`;
}

const COLUMNS: Array<[keyof SummaryRow, string]> = [
  ['image', 'image'],
  ['status', 'result'],
  ['tags', 'tags'],
  ['digest', 'digest'],
  ['platforms', 'platforms'],
  ['size', 'compressed size'],
  ['aboveParent', 'above parent'],
  ['budget', 'budget'],
  ['time', 'time'],
];

export function formatTable(rows: readonly SummaryRow[]): string {
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((r) => r[key].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    line(COLUMNS.map(([, t]) => t)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(COLUMNS.map(([k]) => r[k]))),
  ].join('\n');
}

export function formatMarkdown(rows: readonly SummaryRow[]): string {
  const cell = (s: string) => (s ? s.replaceAll('|', '\\|') : ' ');
  const code = (k: keyof SummaryRow, r: SummaryRow) =>
    (k === 'tags' || k === 'digest') && r[k] ? `\`${cell(r[k])}\`` : cell(r[k]);
  return [
    '### Images',
    '',
    `| ${COLUMNS.map(([, t]) => t).join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${COLUMNS.map(([k]) => code(k, r)).join(' | ')} |`),
    '',
  ].join('\n');
}
