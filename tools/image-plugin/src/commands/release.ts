import type { ReleasedImage } from '../core/release-notes';
import { releaseImages, type ReleaseRequest } from '../services/release';

export type ReleaseArgs = ReleaseRequest;

/** `images release`: retags every image for a version tag and creates the GitHub release (services/release.ts). */
export async function release(args: ReleaseArgs): Promise<ReleasedImage[]> {
  return (await releaseImages(args)).images;
}
