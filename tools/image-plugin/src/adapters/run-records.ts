import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DryRunRecord } from '../core/dry-run';

/**
 * Small files in the OS temp folder that the image-build tasks of one Nx run share (the run id comes
 * from the preTasksExecution hook): the engine preflight, done once per run, and what a dry run
 * planned for each parent. postTasksExecution removes them.
 */
const safe = (runId: string) => runId.replace(/[^\w-]/g, '');
export const preflightRecordPath = (runId: string) => join(tmpdir(), `image-build-preflight-${safe(runId)}.json`);
const planRecordPath = (runId: string, image: string) =>
  join(tmpdir(), `image-build-plan-${safe(runId)}-${image}.json`);

/** What a dry run decided for an image, for its children in later processes of the same run. */
export async function writeDryRunRecord(runId: string | null, image: string, record: DryRunRecord): Promise<void> {
  if (runId) await writeFile(planRecordPath(runId, image), JSON.stringify(record));
}

export async function readDryRunRecord(runId: string | null, image: string): Promise<DryRunRecord | null> {
  if (!runId) return null;
  try {
    return JSON.parse(await readFile(planRecordPath(runId, image), 'utf8')) as DryRunRecord;
  } catch {
    return null;
  }
}

/** Removes the run's files: the preflight record and the plan record of each of its images. */
export async function clearRunRecords(runId: string, images: readonly string[]): Promise<void> {
  await Promise.all(
    [preflightRecordPath(runId), ...images.map((image) => planRecordPath(runId, image))].map((file) =>
      rm(file, { force: true }),
    ),
  );
}
