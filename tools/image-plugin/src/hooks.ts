import { appendFile } from 'node:fs/promises';
import type { PostTasksExecution, PreTasksExecution } from '@nx/devkit';
import { formatMarkdown, formatTable, summaryRows } from './core/summary';
import type { ImagePluginOptions } from './options';
import { readAllResults } from './services/results';
import { clearRunRecords } from './services/run-records';

const TARGET = (options: ImagePluginOptions | undefined) => options?.buildTargetName ?? 'image-build';
const resultsDirOf = (options: ImagePluginOptions | undefined) => String(options?.build?.resultsDir ?? 'dist/images');

/** Gives the run an id that every image-build task of it sees, so children trust only this run's parents. */
export const preTasksExecution: PreTasksExecution<ImagePluginOptions> = (_options, context) => {
  process.env.IMAGE_RUN_ID = context.id;
};

/** The end-of-run summary: one table of every image of the run, also in $GITHUB_STEP_SUMMARY. */
export const postTasksExecution: PostTasksExecution<ImagePluginOptions> = async (options, context) => {
  const target = TARGET(options);
  const tasks = Object.values(context.taskResults).filter((t) => t.task.target.target === target);
  if (tasks.length === 0) return;
  await clearRunRecords(context.id, tasks.map((t) => t.task.target.project));
  const results = (await readAllResults(context.workspaceRoot, resultsDirOf(options))).filter((r) => r.runId === context.id);
  const done = new Set(results.map((r) => r.image));
  const unfinished = tasks
    .filter((t) => !done.has(t.task.target.project))
    .map((t) => ({ image: t.task.target.project, status: t.status === 'skipped' ? ('skipped' as const) : ('failed' as const) }));
  if (results.length === 0 && unfinished.every((u) => u.status === 'skipped')) return; // a dry run
  const rows = summaryRows(results, unfinished);
  console.log(`\nImages (${results.filter((r) => r.result === 'built').length} built, ${results.filter((r) => r.result === 'reused').length} reused, ${unfinished.length} not done)\n${formatTable(rows)}\n`);
  if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, formatMarkdown(rows));
};
