import { Octokit } from '@octokit/rest';

export interface ReleaseTarget {
  owner: string;
  repo: string;
  tag: string;
  name: string;
  body: string;
  prerelease: boolean;
}

/** Creates the release for a tag, or updates its body when it differs; says which. */
export async function upsertRelease(target: ReleaseTarget, token: string, apiUrl?: string): Promise<'created' | 'updated' | 'unchanged'> {
  const octokit = new Octokit({ auth: token, baseUrl: apiUrl ?? 'https://api.github.com', userAgent: 'workspace-images-release' });
  const { owner, repo, tag } = target;
  let existing: { id: number; body?: string | null; name?: string | null; prerelease: boolean } | undefined;
  try {
    existing = (await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })).data;
  } catch (e) {
    if ((e as { status?: number }).status !== 404) throw e;
  }
  if (!existing) {
    await octokit.rest.repos.createRelease({ owner, repo, tag_name: tag, name: target.name, body: target.body, prerelease: target.prerelease });
    return 'created';
  }
  if (existing.body === target.body && existing.name === target.name && existing.prerelease === target.prerelease) return 'unchanged';
  await octokit.rest.repos.updateRelease({ owner, repo, release_id: existing.id, name: target.name, body: target.body, prerelease: target.prerelease });
  return 'updated';
}
