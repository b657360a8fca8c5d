import type { ReleasedImage } from '../core/release-notes';
import { reconcileReleases, type ReconcileRequest } from '../services/reconcile-releases';
import { releaseImages, type ReleaseRequest } from '../services/release';

export type ReleaseArgs = ReleaseRequest;

/** `images release`: retags every image for a version tag and creates the GitHub release (services/release.ts). */
export async function release(args: ReleaseArgs): Promise<ReleasedImage[]> {
  return (await releaseImages(args)).images;
}

/** `images release --reconcile`: every release tag without a GitHub release (services/reconcile-releases.ts). */
export async function reconcile(args: ReconcileRequest): Promise<string[]> {
  return reconcileReleases(args);
}
