import { ImageConfigError } from './errors';

/** The fields of a GitHub release that `images release` writes. */
export interface ReleaseFields {
  tag: string;
  name: string;
  body: string;
  prerelease: boolean;
  /** GitHub's make_latest: "true" only for the highest stable release (never "legacy", by date). */
  makeLatest: 'true' | 'false';
}

/** A published release as GitHub answers it (null fields: GitHub's, when never set). */
export interface PublishedRelease {
  id: number;
  /** The tag it releases (GitHub always answers it; optional for callers that know it). */
  tag_name?: string;
  name: string | null;
  body?: string | null;
  prerelease: boolean;
}

/**
 * What the GitHub release needs: none yet -> create it; fields that differ, or not the latest when it
 * should be -> update it; otherwise nothing. `latestId` is the repository's latest release (asked only
 * when this one should be the latest: a release's own answer does not say whether it is).
 */
export function releaseAction(
  existing: PublishedRelease | null,
  fields: ReleaseFields,
  latestId: number | null,
): 'create' | 'update' | 'unchanged' {
  if (!existing) return 'create';
  const same =
    existing.body === fields.body && existing.name === fields.name && existing.prerelease === fields.prerelease;
  if (same && (fields.makeLatest === 'false' || latestId === existing.id)) return 'unchanged';
  return 'update';
}

/**
 * Whether a release GitHub already has for the tag (published meanwhile, by another run of the same
 * release: GitHub answered 422 already_exists) is this one: the same tag, pre-release or not, and the
 * same images (`table`, the notes' table of images, digests and tags, begins its body). Then this run's
 * work on GitHub is done; anything else is another release of the tag.
 */
export function sameRelease(existing: PublishedRelease, fields: ReleaseFields, table: string): boolean {
  return (
    (existing.tag_name ?? fields.tag) === fields.tag &&
    existing.prerelease === fields.prerelease &&
    (existing.body ?? '').startsWith(table)
  );
}

/** The error when the release GitHub has for the tag, published meanwhile, is not this one (sameRelease). */
export function otherReleaseError(tag: string): ImageConfigError {
  return new ImageConfigError(
    `${tag} was published on GitHub meanwhile with other images or notes than this release (not by a run of images release for these digests)`,
    `compare the release ${tag} on GitHub with the images of the tag's commit: when it is not this release, delete it (gh release delete ${tag}) and release again; images release never overwrites a release another run or a person published while it ran`,
    'release',
  );
}

/**
 * One GitHub API failure as the project's error: the step, GitHub's status and message, and the fix
 * for that status. `status` is undefined when GitHub was not reached at all.
 */
/** What GitHub said, or that it was not reached (`status` undefined): the middle of every GitHub failure message. */
export const gitHubAnswer = (status: number | undefined, message: string): string =>
  status ? `GitHub answered ${status}: ${message}` : `GitHub cannot be reached (${message})`;

export function gitHubError(args: {
  step: string;
  repository: string;
  status: number | undefined;
  message: string;
  apiUrl: string;
}): ImageConfigError {
  const said = gitHubAnswer(args.status, args.message);
  return new ImageConfigError(`${args.step} of ${args.repository} failed: ${said}`, fixFor(args), 'release');
}

function fixFor(args: { repository: string; status: number | undefined; apiUrl: string }): string {
  switch (args.status) {
    case 401:
      return 'GITHUB_TOKEN is not a valid token (expired or revoked): in GitHub Actions pass ${{ secrets.GITHUB_TOKEN }}, elsewhere a token that may write releases, then release again';
    case 403:
      return `the token may not write releases of ${args.repository}: give the release job \`permissions: contents: write\` (a personal or app token needs contents: write on ${args.repository}), then release again`;
    case 404:
      return `${args.repository} does not exist or the token cannot see it: check GITHUB_REPOSITORY (owner/name) and that the token belongs to that repository, then release again`;
    case undefined:
      return `check that ${args.apiUrl} is reachable (GITHUB_API_URL, HTTPS_PROXY), then release again`;
    default:
      return 'GitHub failed or limited the request: release again in a few minutes (it moves only what is not in place)';
  }
}
