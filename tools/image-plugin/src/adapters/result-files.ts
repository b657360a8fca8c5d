import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageResult } from '../core/result';

/**
 * The result files: `<resultsDir>/<key>.json`, one per image (`<image>@linux-arm64` for one platform
 * pushed by digest; core/build-decisions.ts decides the keys). File I/O only.
 */
const resultPath = (workspaceRoot: string, resultsDir: string, key: string) =>
  join(workspaceRoot, resultsDir, `${key}.json`);

export async function readResult(
  workspaceRoot: string,
  resultsDir: string,
  image: string,
): Promise<ImageResult | null> {
  try {
    return JSON.parse(await readFile(resultPath(workspaceRoot, resultsDir, image), 'utf8')) as ImageResult;
  } catch {
    return null;
  }
}

export async function readAllResults(workspaceRoot: string, resultsDir: string): Promise<ImageResult[]> {
  let files: string[];
  try {
    files = (await readdir(join(workspaceRoot, resultsDir))).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const results = await Promise.all(files.map((f) => readResult(workspaceRoot, resultsDir, f.slice(0, -5))));
  return results.filter((r): r is ImageResult => r !== null && typeof r.digest === 'string');
}

export async function writeResult(
  workspaceRoot: string,
  resultsDir: string,
  result: ImageResult,
  key = result.image,
): Promise<void> {
  await mkdir(join(workspaceRoot, resultsDir), { recursive: true });
  await writeFile(resultPath(workspaceRoot, resultsDir, key), `${JSON.stringify(result, null, 2)}\n`);
}

/** A build that fails must not leave an older result that looks like this run's. */
export async function clearResult(workspaceRoot: string, resultsDir: string, image: string): Promise<void> {
  await rm(resultPath(workspaceRoot, resultsDir, image), { force: true });
}
