import { readResult, writeResult } from '../adapters/result-files';
import { readDryRunRecord, writeDryRunRecord } from '../adapters/run-records';
import type { ParentFacts } from '../core/build-decisions';
import type { DryRunRecord } from '../core/dry-run';
import type { ImageResult } from '../core/result';

/** A promise with its resolve function, for a fact that another task of the run settles. */
function settleable<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** What a child of this run builds FROM: its parent's content hash and pinned digest. */
export type ImagePin = ParentFacts & { digest: string };

/**
 * The results of the run's images, as children read them: for an image of this process, its pin as
 * soon as its digest is final and whether its task succeeded (a child starts building as soon as its
 * parent's image exists, and is tagged only once the parent's task succeeded); otherwise the result
 * files that other processes and CI jobs wrote. Dry runs leave their records the same two ways.
 */
export class RunResults {
  private readonly written = new Map<string, ImageResult>();
  private readonly dryRuns = new Map<string, DryRunRecord>();
  private readonly pins = new Map<string, ReturnType<typeof settleable<ImagePin | null>>>();
  private readonly ends = new Map<string, ReturnType<typeof settleable<boolean>>>();

  /** `inRun`: the images whose tasks this process runs (children wait for them in memory). */
  constructor(
    private readonly workspaceRoot: string,
    private readonly runId: string | null,
    inRun: Iterable<string> = [],
  ) {
    for (const image of inRun) {
      this.pins.set(image, settleable());
      this.ends.set(image, settleable());
    }
  }

  /** Whether this process runs `image`'s task (its children then wait for it here, not in result files). */
  runs(image: string): boolean {
    return this.pins.has(image);
  }

  /**
   * The image's digest is final (built and pushed, or found): its children may start building FROM it
   * while it is still measured and tagged. Only the first call counts.
   */
  pin(image: string, pin: ImagePin): void {
    this.pins.get(image)?.resolve(pin);
  }

  /** The pin of an image of this run, once it is settled; null when its task ended without one (it failed). */
  pinned(image: string): Promise<ImagePin | null> {
    return this.pins.get(image)?.promise ?? Promise.resolve(null);
  }

  /** The image's task ended: succeeded (tagged, result written) or not. */
  end(image: string, succeeded: boolean): void {
    this.pins.get(image)?.resolve(null);
    this.ends.get(image)?.resolve(succeeded);
  }

  /** Whether the task of an image of this run succeeded, once it ended. */
  ended(image: string): Promise<boolean> {
    return this.ends.get(image)?.promise ?? Promise.resolve(false);
  }

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
