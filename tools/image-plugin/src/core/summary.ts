import type { BuildPlan } from './build-plan';
import type { ImageResult } from './result';

export interface SummaryRow {
  image: string;
  status: ImageResult['result'] | 'failed' | 'skipped';
  tags: string;
  digest: string;
  platforms: string;
  time: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const tagOnly = (ref: string) => ref.slice(ref.lastIndexOf(':') + 1);

/** One row per image: the results written in this run, then the tasks that failed or never ran. */
export function summaryRows(results: readonly ImageResult[], unfinished: ReadonlyArray<{ image: string; status: 'failed' | 'skipped' }>): SummaryRow[] {
  return [
    ...results.map((r) => ({
      image: r.image,
      status: r.result,
      tags: r.tags.map(tagOnly).join(' '),
      digest: r.digest.slice(0, 19),
      platforms: r.platforms.join(' '),
      time: seconds(r.durationMs),
    })),
    ...unfinished.map((u) => ({ image: u.image, status: u.status, tags: '', digest: '', platforms: '', time: '' })),
  ];
}

const COLUMNS: Array<[keyof SummaryRow, string]> = [
  ['image', 'image'],
  ['status', 'result'],
  ['tags', 'tags'],
  ['digest', 'digest'],
  ['platforms', 'platforms'],
  ['time', 'time'],
];

export function formatTable(rows: readonly SummaryRow[]): string {
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((r) => r[key].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(COLUMNS.map(([, t]) => t)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(COLUMNS.map(([k]) => r[k])))].join('\n');
}

export function formatMarkdown(rows: readonly SummaryRow[]): string {
  const cell = (s: string) => (s ? s.replaceAll('|', '\\|') : ' ');
  return [
    '### Images',
    '',
    `| ${COLUMNS.map(([, t]) => t).join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${COLUMNS.map(([k]) => (k === 'tags' || k === 'digest') && r[k] ? `\`${cell(r[k])}\`` : cell(r[k])).join(' | ')} |`),
    '',
  ].join('\n');
}

export function formatPlan(plan: BuildPlan): string {
  return [
    `${plan.image} (dry run, nothing built)`,
    `  tags:       ${plan.tags.sha}  ${plan.tags.content}`,
    ...(plan.reuse === undefined ? [] : [`  would:      ${plan.reuse ? `reuse ${plan.tags.content} (it exists) and only add ${plan.tags.sha}` : 'build (no image has this content yet)'}`]),
    `  platforms:  ${plan.platforms.join(', ')}`,
    ...Object.entries(plan.buildArgs).map(([k, v]) => `  build arg:  ${k}=${v}`),
    `  command:    docker buildx build ${plan.args.join(' ')}`,
  ].join('\n');
}
