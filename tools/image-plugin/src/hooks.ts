import { appendFile } from 'node:fs/promises';
import type { PostTasksExecution, PreTasksExecution } from '@nx/devkit';
import { readAllResults } from './adapters/result-files';
import { clearRunRecords } from './adapters/run-records';
import { formatMarkdown, formatTable, summaryRows, summaryTitle, unfinishedStatus } from './core/summary';
import { buildTargetNameOf, resultsDirOf, type ImagePluginOptions } from './options';

/** Gives the run an id that every image-build task of it sees, so children trust only this run's parents. */
export const preTasksExecution: PreTasksExecution<ImagePluginOptions> = (_options, context) => {
  process.env.IMAGE_RUN_ID = context.id;
};

/** The end-of-run summary: one table of every image of the run, also in $GITHUB_STEP_SUMMARY. */
export const postTasksExecution: PostTasksExecution<ImagePluginOptions> = async (options, context) => {
  const target = buildTargetNameOf(options);
  const tasks = Object.values(context.taskResults).filter((t) => t.task.target.target === target);
  if (tasks.length === 0) return;
  await clearRunRecords(
    context.id,
    tasks.map((t) => t.task.target.project),
  );
  const results = (await readAllResults(context.workspaceRoot, resultsDirOf(options))).filter(
    (r) => r.runId === context.id,
  );
  const done = new Set(results.map((r) => r.image));
  // A task that succeeded without a result was a dry run: it has no row.
  const unfinished = tasks
    .filter((t) => !done.has(t.task.target.project) && t.status !== 'success')
    .map((t) => ({
      image: t.task.target.project,
      status: unfinishedStatus(t.task.target.project, t.status, t.terminalOutput),
    }));
  if (results.length === 0 && unfinished.every((u) => u.status === 'skipped')) return; // a dry run
  const rows = summaryRows(results, unfinished);
  console.log(`\n${summaryTitle(results, unfinished)}\n${formatTable(rows)}\n`);
  if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, formatMarkdown(rows));
};
