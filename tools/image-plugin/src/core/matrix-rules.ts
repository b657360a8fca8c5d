import { ImageConfigError } from './errors';

/** GitHub Actions runs at most 256 jobs from one matrix. */
export const MAX_MATRIX_JOBS = 256;

/** A plan with no platform would give GitHub an empty matrix, which fails the workflow without saying why. */
export function checkPlanHasPlatforms(platforms: readonly string[], file: string): void {
  if (platforms.length === 0) {
    throw new ImageConfigError(
      'no platform to build: the plan would be an empty matrix',
      'list at least one platform: "build": { "platforms": ["linux/amd64", "linux/arm64"] } in the image plugin options, or images plan --platforms linux/amd64',
      file,
    );
  }
}

/** Each level is one matrix of images x platforms; over GitHub's limit it is refused with the way out. */
export function checkMatrixSizes(
  levels: ReadonlyArray<{ level: number; images: readonly string[] }>,
  platforms: number,
  workflowFile: string,
): void {
  for (const { level, images } of levels) {
    const jobs = images.length * platforms;
    if (jobs > MAX_MATRIX_JOBS) {
      throw new ImageConfigError(
        `level ${level} has ${images.length} images x ${platforms} platforms = ${jobs} build jobs, and GitHub runs at most ${MAX_MATRIX_JOBS} from one matrix`,
        `split the level in ${workflowFile}: give level-${level} a second build-level call fed by the rest of its matrix (at most ${MAX_MATRIX_JOBS} entries each), or build fewer platforms natively`,
        workflowFile,
      );
    }
  }
}
