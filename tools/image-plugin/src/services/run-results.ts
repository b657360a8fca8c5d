import { readResult, writeResult } from '../adapters/result-files';
import { readDryRunRecord, writeDryRunRecord } from '../adapters/run-records';
import type { DryRunRecord } from '../core/dry-run';
import type { ImageResult } from '../core/result';

/**
 * The results of the run's images, as children read them: what this process wrote (kept in memory, so
 * a child starts as soon as its parent's image exists) and otherwise the result files that other
 * processes and CI jobs wrote. Dry runs leave their records the same two ways.
 */
export class RunResults {
  private readonly written = new Map<string, ImageResult>();
  private readonly dryRuns = new Map<string, DryRunRecord>();

  constructor(
    private readonly workspaceRoot: string,
    private readonly runId: string | null,
  ) {}

  async result(resultsDir: string, key: string): Promise<ImageResult | null> {
    return this.written.get(`${resultsDir}\0${key}`) ?? readResult(this.workspaceRoot, resultsDir, key);
  }

  /** Writes `<resultsDir>/<key>.json` for each key. */
  async write(resultsDir: string, result: ImageResult, keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await writeResult(this.workspaceRoot, resultsDir, result, key);
      this.written.set(`${resultsDir}\0${key}`, result);
    }
  }

  async dryRunRecord(image: string): Promise<DryRunRecord | null> {
    return this.dryRuns.get(image) ?? readDryRunRecord(this.runId, image);
  }

  async recordDryRun(image: string, record: DryRunRecord): Promise<void> {
    this.dryRuns.set(image, record);
    await writeDryRunRecord(this.runId, image, record);
  }
}
