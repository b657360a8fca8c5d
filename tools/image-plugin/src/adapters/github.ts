import { Octokit } from '@octokit/rest';
import { gitHubError, type PublishedRelease, type ReleaseFields } from '../core/github-release';
import { pullRequestError, type PullRequestFields } from '../core/pin-pull-request';

/** Octokit logs every failed request itself ("GET /repos/... - 403 with id ..."); the error we throw says it once. */
const SILENT = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** One repository through @octokit/rest: what every client of it shares (the client, where it points). */
abstract class GitHubRepository {
  protected readonly octokit: Octokit;
  protected readonly owner: string;
  protected readonly repo: string;
  protected readonly apiUrl: string;

  protected constructor(at: { owner: string; repo: string; token: string; apiUrl?: string; userAgent: string }) {
    this.owner = at.owner;
    this.repo = at.repo;
    this.apiUrl = at.apiUrl ?? 'https://api.github.com';
    this.octokit = new Octokit({ auth: at.token, baseUrl: this.apiUrl, userAgent: at.userAgent, log: SILENT });
  }

  /** Where a request went, for its error message. */
  protected where(step: string): { step: string; repository: string; apiUrl: string } {
    return { step, repository: `${this.owner}/${this.repo}`, apiUrl: this.apiUrl };
  }
}

/**
 * The GitHub releases of one repository, through @octokit/rest. Every failure becomes one
 * ImageConfigError naming the step, GitHub's status and message, and the fix (core/github-release.ts).
 */
export class GitHubReleases extends GitHubRepository {
  constructor(owner: string, repo: string, token: string, apiUrl?: string) {
    super({ owner, repo, token, apiUrl, userAgent: 'workspace-images-release' });
  }

  /** The published release of a tag, or null (GitHub never answers a draft by tag). */
  async byTag(tag: string): Promise<PublishedRelease | null> {
    const { owner, repo } = this;
    return this.call(
      `reading the release ${tag}`,
      () => this.octokit.rest.repos.getReleaseByTag({ owner, repo, tag }),
      true,
    );
  }

  /** The tags of every published release (drafts left out), all pages. */
  async publishedTags(): Promise<string[]> {
    const { owner, repo } = this;
    const all = await this.call('listing the releases', async () => ({
      data: await this.octokit.paginate(this.octokit.rest.repos.listReleases, { owner, repo, per_page: 100 }),
    }));
    return all.filter((r) => !r.draft).map((r) => r.tag_name);
  }

  /** The id of the repository's latest release, or null when it has none. */
  async latestId(): Promise<number | null> {
    const { owner, repo } = this;
    const latest = await this.call(
      'reading the latest release',
      () => this.octokit.rest.repos.getLatestRelease({ owner, repo }),
      true,
    );
    return latest?.id ?? null;
  }

  /**
   * Creates the release as a draft (seen only by those who may write): proves the token may, changes
   * nothing public. 'exists' when GitHub has a release of the tag already (422 already_exists).
   */
  async createDraft(fields: ReleaseFields): Promise<number | 'exists'> {
    const { owner, repo } = this;
    const { tag, name, body, prerelease } = fields;
    const draft = await this.callUnlessExists(`creating the release ${tag}`, () =>
      this.octokit.rest.repos.createRelease({ owner, repo, tag_name: tag, name, body, prerelease, draft: true }),
    );
    return draft === 'exists' ? draft : draft.id;
  }

  /** Writes a release's name back unchanged: proves the token may update it, changes nothing. */
  async probeUpdate(existing: PublishedRelease, tag: string): Promise<void> {
    const { owner, repo } = this;
    await this.call(`updating the release ${tag}`, () =>
      this.octokit.rest.repos.updateRelease({ owner, repo, release_id: existing.id, name: existing.name ?? tag }),
    );
  }

  /**
   * Writes every field and publishes (a draft becomes a release), the latest when `makeLatest` says so.
   * 'exists' when another release of the tag was published first (422 already_exists).
   */
  async publish(id: number, fields: ReleaseFields): Promise<'published' | 'exists'> {
    const { owner, repo } = this;
    const { tag, name, body, prerelease, makeLatest } = fields;
    const done = await this.callUnlessExists(`publishing the release ${tag}`, () =>
      this.octokit.rest.repos.updateRelease({
        owner,
        repo,
        release_id: id,
        name,
        body,
        prerelease,
        draft: false,
        make_latest: makeLatest,
      }),
    );
    return done === 'exists' ? done : 'published';
  }

  async deleteDraft(id: number, tag: string): Promise<void> {
    const { owner, repo } = this;
    await this.call(`deleting the draft release ${tag}`, () =>
      this.octokit.rest.repos.deleteRelease({ owner, repo, release_id: id }),
    );
  }

  /** One request that makes a release of a tag: 'exists' when GitHub has one already, else as `call`. */
  private async callUnlessExists<T>(step: string, request: () => Promise<{ data: T }>): Promise<T | 'exists'> {
    try {
      return (await request()).data;
    } catch (e) {
      if (releaseExists(e)) return 'exists';
      return this.call(step, () => Promise.reject(e as Error));
    }
  }

  /** One request; its data, null for a 404 when `notFoundIsNull`, or the project's error. */
  private async call<T>(step: string, request: () => Promise<{ data: T }>, notFoundIsNull: true): Promise<T | null>;
  private async call<T>(step: string, request: () => Promise<{ data: T }>): Promise<T>;
  private async call<T>(step: string, request: () => Promise<{ data: T }>, notFoundIsNull = false): Promise<T | null> {
    const where = this.where(step);
    return gitHubCall(request, (status, message) => gitHubError({ ...where, status, message }), notFoundIsNull);
  }
}

/** GitHub's answer to a second release of one tag: 422 with the error code already_exists (on tag_name). */
function releaseExists(e: unknown): boolean {
  const { status, response } = e as { status?: number; response?: { data?: { errors?: Array<{ code?: string }> } } };
  return status === 422 && (response?.data?.errors ?? []).some((x) => x.code === 'already_exists');
}

/**
 * One request through Octokit: its data, null for a 404 when `notFoundIsNull`, or the error `toError` makes
 * of GitHub's status (undefined: GitHub never answered) and its message's first line.
 */
async function gitHubCall<T>(
  request: () => Promise<{ data: T }>,
  toError: (status: number | undefined, message: string) => Error,
  notFoundIsNull = false,
): Promise<T | null> {
  try {
    return (await request()).data;
  } catch (e) {
    // Octokit gives a request GitHub never answered (refused, reset, DNS) status 500 and no response.
    const { status, response } = e as { status?: number; response?: unknown };
    if (notFoundIsNull && status === 404) return null;
    const cause = e instanceof Error ? e.message : String(e);
    throw toError(response ? status : undefined, cause.split(' - https://docs.github.com')[0].split('\n')[0]);
  }
}

/** An open pull request as `images pin-bases --pull-request` reads it. */
export interface OpenPull {
  number: number;
  html_url: string;
}

/**
 * The pull requests of one repository that `images pin-bases --pull-request` opens and updates. Every
 * failure becomes one ImageConfigError with the fix (core/pin-pull-request.ts).
 */
export class GitHubPullRequests extends GitHubRepository {
  constructor(owner: string, repo: string, token: string, apiUrl?: string) {
    super({ owner, repo, token, apiUrl, userAgent: 'workspace-images-pin-bases' });
  }

  /**
   * Proves the token may write pull requests, changing nothing: a pull request from `base` into itself.
   * GitHub checks the permission first (403 "Resource not accessible by integration" for a token without
   * pull-requests: write), then refuses the request itself (422 "No commits between ..."), which is the
   * answer that means yes.
   */
  async probeWrite(base: string): Promise<void> {
    const { owner, repo } = this;
    try {
      await this.octokit.rest.pulls.create({
        owner,
        repo,
        head: base,
        base,
        title: 'images pin-bases: permission probe',
      });
    } catch (e) {
      if ((e as { status?: number }).status === 422) return;
      await this.call('checking that the token may write pull requests', () => Promise.reject(e));
    }
  }

  /** The open pull request from `head` (a branch of this repository), or null. */
  async openFrom(head: string): Promise<OpenPull | null> {
    const { owner, repo } = this;
    const open = await this.call(`reading the open pull requests from ${head}`, () =>
      this.octokit.rest.pulls.list({ owner, repo, state: 'open', head: `${owner}:${head}` }),
    );
    return open[0] ?? null;
  }

  async create(fields: PullRequestFields, head: string, base: string): Promise<OpenPull> {
    const { owner, repo } = this;
    return this.call(`opening the pull request from ${head}`, () =>
      this.octokit.rest.pulls.create({ owner, repo, head, base, ...fields }),
    );
  }

  async update(pull: OpenPull, fields: PullRequestFields): Promise<void> {
    const { owner, repo } = this;
    await this.call(`updating pull request #${pull.number}`, () =>
      this.octokit.rest.pulls.update({ owner, repo, pull_number: pull.number, ...fields }),
    );
  }

  private async call<T>(step: string, request: () => Promise<{ data: T }>): Promise<T> {
    const where = this.where(step);
    return (await gitHubCall(request, (status, message) => pullRequestError({ ...where, status, message })))!;
  }
}
