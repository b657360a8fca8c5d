/**
 * What a dry run decided for one image: shared with its children in the same run (nothing goes to
 * resultsDir). Its own module because both sides read it: dry-run.ts writes it from a build decision,
 * build-decisions.ts reads a parent's to decide the child's, and neither imports the other back.
 */
export interface DryRunRecord {
  contentHash: string;
  /** What a child would build FROM: the digest when the content tag already exists, else a description. */
  reference: string;
  reuse: boolean;
}
