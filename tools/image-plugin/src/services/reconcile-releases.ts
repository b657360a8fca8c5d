import { versionTags } from '../adapters/git';
import { GitHubReleases } from '../adapters/github';
import { ImageConfigError, isImageError } from '../core/errors';
import { reconcileError, unreleasedTags, type ReconcileFailure } from '../core/reconcile';
import { readReleaseTags } from '../core/release-tags';
import { releaseImages, type ReleaseRequest } from './release';

export type ReconcileRequest = Omit<ReleaseRequest, 'tag'>;

/**
 * Every `v*` release tag without a published GitHub release (GitHub runs no workflow when more than
 * three tags are pushed at once) is released now, when its commit's images are all there (the same
 * release as the tag's own run: retag, never rebuild); the rest are named in one error, after the
 * others were released.
 */
export async function reconcileReleases(req: ReconcileRequest): Promise<string[]> {
  const [owner, repo] = (req.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!req.env.GITHUB_TOKEN || !owner || !repo) {
    throw new ImageConfigError(
      'reconciling needs the GitHub releases, but GITHUB_TOKEN or GITHUB_REPOSITORY is not set',
      'set both (in GitHub Actions: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} with contents: write)',
      'release --reconcile',
    );
  }
  const { releases } = readReleaseTags(await versionTags(req.workspaceRoot));
  const client = new GitHubReleases(owner, repo, req.env.GITHUB_TOKEN, req.env.GITHUB_API_URL);
  const missing = unreleasedTags(releases, await client.publishedTags());
  if (!missing.length) {
    req.log(`release --reconcile: every release tag (${releases.length}) has a GitHub release`);
    return [];
  }
  req.log(`release --reconcile: no GitHub release for ${missing.join(', ')}: releasing them`);
  const released: string[] = [];
  const failures: ReconcileFailure[] = [];
  for (const tag of missing) {
    try {
      await releaseImages({ ...req, tag });
      released.push(tag);
    } catch (e) {
      if (!isImageError(e)) throw e;
      failures.push({ tag, problem: e.problem });
    }
  }
  if (failures.length) throw reconcileError(failures, released);
  return released;
}
