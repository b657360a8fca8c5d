import { Octokit } from '@octokit/rest';

export interface ReleaseTarget {
  owner: string;
  repo: string;
  tag: string;
  name: string;
  body: string;
  prerelease: boolean;
  /** GitHub's make_latest: "true" only for the highest stable release (never "legacy", by date). */
  makeLatest: 'true' | 'false';
}

/**
 * Creates the release for a tag, or updates it when its name, body or pre-release flag differ, or
 * when it should be the repository's latest release and is not; says which.
 */
export async function upsertRelease(
  target: ReleaseTarget,
  token: string,
  apiUrl?: string,
): Promise<'created' | 'updated' | 'unchanged'> {
  const octokit = new Octokit({
    auth: token,
    baseUrl: apiUrl ?? 'https://api.github.com',
    userAgent: 'workspace-images-release',
  });
  const { owner, repo, tag } = target;
  const notFound = (e: unknown) => {
    if ((e as { status?: number }).status !== 404) throw e;
    return undefined;
  };
  const existing = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag }).then((r) => r.data, notFound);
  const fields = {
    name: target.name,
    body: target.body,
    prerelease: target.prerelease,
    make_latest: target.makeLatest,
  };
  if (!existing) {
    await octokit.rest.repos.createRelease({ owner, repo, tag_name: tag, ...fields });
    return 'created';
  }
  const same =
    existing.body === target.body && existing.name === target.name && existing.prerelease === target.prerelease;
  // A release's own answer does not say whether it is the latest: ask which one is.
  const latestId =
    target.makeLatest === 'true'
      ? (await octokit.rest.repos.getLatestRelease({ owner, repo }).then((r) => r.data, notFound))?.id
      : undefined;
  if (same && (target.makeLatest === 'false' || latestId === existing.id)) return 'unchanged';
  await octokit.rest.repos.updateRelease({ owner, repo, release_id: existing.id, ...fields });
  return 'updated';
}
