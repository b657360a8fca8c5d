import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Small files in the OS temp folder that the image-build tasks of one Nx run share (the run id comes
 * from the preTasksExecution hook): the engine preflight, done once per run, and what a dry run
 * planned for each parent. postTasksExecution removes them.
 */
const safe = (runId: string) => runId.replace(/[^\w-]/g, '');
export const preflightRecordPath = (runId: string) => join(tmpdir(), `image-build-preflight-${safe(runId)}.json`);
const planRecordPath = (runId: string, image: string) => join(tmpdir(), `image-build-plan-${safe(runId)}-${image}.json`);

/** What a dry run of a parent decided, for its children in the same run (nothing goes to resultsDir). */
export interface PlannedResult {
  contentHash: string;
  /** What a child would build FROM: the digest when the content tag already exists, else a description. */
  reference: string;
  reuse: boolean;
}

export async function writePlannedResult(runId: string | null, image: string, planned: PlannedResult): Promise<void> {
  if (runId) await writeFile(planRecordPath(runId, image), JSON.stringify(planned));
}

export async function readPlannedResult(runId: string | null, image: string): Promise<PlannedResult | null> {
  if (!runId) return null;
  try {
    return JSON.parse(await readFile(planRecordPath(runId, image), 'utf8')) as PlannedResult;
  } catch {
    return null;
  }
}

/** Removes the run's files: the preflight record and the plan record of each of its images. */
export async function clearRunRecords(runId: string, images: readonly string[]): Promise<void> {
  await Promise.all([preflightRecordPath(runId), ...images.map((image) => planRecordPath(runId, image))].map((file) => rm(file, { force: true })));
}
