import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake GitHub API answered. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown> | null;
}

/** A release as the fake keeps it (the fields `images release` reads and writes). */
export interface FakeRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  prerelease: boolean;
  draft: boolean;
}

/** A pull request as the fake keeps it. */
export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: { ref: string };
  base: { ref: string };
  state: 'open' | 'closed';
  html_url: string;
}

/** A request the fake refuses as GitHub refuses a token without the permission: 403 and GitHub's message. */
export interface Refusal {
  method: string;
  path?: RegExp;
  status?: number;
  message?: string;
}

/**
 * The part of GitHub's REST API that `images release` uses, for the repository acme/images, on a local
 * HTTP server: list the releases, get a release by tag, get the latest, create (also as a draft), update (publishing a draft),
 * delete. It records every request, keeps the releases, answers a release by tag only once it is
 * published (GitHub never answers a draft by tag), and keeps the latest one as GitHub does (the last one
 * sent with make_latest "true"). Pull requests: list the open ones from a head (`owner:branch`), open one
 * (422 "No commits between" when head is base, as GitHub answers), update one. `refuse` makes it answer
 * requests as for a token that may not write.
 */
export class FakeGitHubReleases {
  readonly requests: RecordedRequest[] = [];
  readonly releases = new Map<string, FakeRelease>();
  /** The pull requests (`images pin-bases --pull-request`), in the order they were opened. */
  readonly pulls: FakePull[] = [];
  latestId: number | null = null;
  /** Workflow runs of images.yml, as `GET /repos/acme/images/actions/workflows/images.yml/runs` lists them. */
  readonly runs: Array<{ id: number; head_sha: string; status: string }> = [];
  /** Called on every listing of the runs (a test moves them on: an earlier run finishes). */
  onRunsListed: (count: number) => void = () => {};
  private runListings = 0;
  private refusals: Refusal[] = [];
  private nextId = 100;
  private readonly publications: Array<Record<string, unknown>> = [];
  private readonly createdWith = new Map<number, Record<string, unknown>>();
  private server: Server | undefined;
  private url = '';

  /** Refuses matching requests (default: 403 "Resource not accessible by integration", as for a read-only GITHUB_TOKEN). */
  refuse(refusal: Refusal): this {
    this.refusals.push(refusal);
    return this;
  }

  /** Answers every request again. */
  clearRefusals(): void {
    this.refusals = [];
  }

  /** The published releases (drafts left out), by tag. */
  published(): Record<string, FakeRelease> {
    return Object.fromEntries([...this.releases].filter(([, r]) => !r.draft));
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.answer(req, res));
    this.server = server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  }

  /** The environment that points `images release` at this API. */
  env(): Record<string, string> {
    return { GITHUB_API_URL: this.url, GITHUB_TOKEN: 'test-token', GITHUB_REPOSITORY: 'acme/images' };
  }

  /**
   * The releases created, in the order they were published: the fields each was created with, and those
   * of the request that published it (a draft's make_latest comes with its publishing). Drafts never
   * published (deleted) are left out.
   */
  created(): Array<Record<string, unknown>> {
    return this.publications;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = data ? (JSON.parse(data) as Record<string, unknown>) : null;
      this.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        authorization: req.headers.authorization,
        body,
      });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };
      const refusal = this.refusals.find((r) => r.method === req.method && (!r.path || r.path.test(url.pathname)));
      if (refusal) {
        return send(refusal.status ?? 403, {
          message: refusal.message ?? 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/releases/releases',
          status: String(refusal.status ?? 403),
        });
      }
      if (url.pathname.startsWith('/repos/acme/images/pulls'))
        return this.answerPulls(req.method ?? '', url, body, send);
      const byTag = /^\/repos\/acme\/images\/releases\/tags\/(.+)$/.exec(url.pathname);
      const byId = /^\/repos\/acme\/images\/releases\/(\d+)$/.exec(url.pathname);
      if (req.method === 'GET' && url.pathname === '/repos/acme/images/releases/latest') {
        const latest = [...this.releases.values()].find((r) => r.id === this.latestId);
        return latest ? send(200, latest) : send(404, notFound);
      }
      if (req.method === 'GET' && url.pathname === '/repos/acme/images/actions/workflows/images.yml/runs') {
        this.onRunsListed(++this.runListings);
        const sha = url.searchParams.get('head_sha');
        const runs = this.runs.filter((r) => !sha || r.head_sha === sha);
        return send(200, { total_count: runs.length, workflow_runs: runs });
      }
      // One page, drafts included (GitHub lists them to a token that may write): no Link header, no next page.
      if (req.method === 'GET' && url.pathname === '/repos/acme/images/releases') {
        return send(200, [...this.releases.values()].reverse());
      }
      if (req.method === 'GET' && byTag) {
        const release = this.releases.get(decodeURIComponent(byTag[1]));
        return release && !release.draft ? send(200, release) : send(404, notFound);
      }
      if (req.method === 'POST' && url.pathname === '/repos/acme/images/releases' && body) {
        const release: FakeRelease = {
          id: this.nextId++,
          tag_name: String(body.tag_name),
          name: String(body.name),
          body: String(body.body),
          prerelease: Boolean(body.prerelease),
          draft: Boolean(body.draft),
        };
        this.releases.set(release.tag_name, release);
        this.createdWith.set(release.id, body);
        if (!release.draft) this.publications.push(body);
        if (body.make_latest === 'true' && !release.draft) this.latestId = release.id;
        return send(201, release);
      }
      if (req.method === 'PATCH' && byId && body) {
        const release = [...this.releases.values()].find((r) => r.id === Number(byId[1]));
        if (!release) return send(404, notFound);
        const { make_latest: makeLatest, ...fields } = body;
        const wasDraft = release.draft;
        Object.assign(release, fields);
        if (wasDraft && !release.draft) this.publications.push({ ...this.createdWith.get(release.id), ...body });
        if (makeLatest === 'true' && !release.draft) this.latestId = release.id;
        return send(200, release);
      }
      if (req.method === 'DELETE' && byId) {
        const release = [...this.releases.values()].find((r) => r.id === Number(byId[1]));
        if (!release) return send(404, notFound);
        this.releases.delete(release.tag_name);
        res.writeHead(204);
        return res.end();
      }
      send(404, { message: `no such route ${req.method} ${url.pathname}` });
    });
  }

  private answerPulls(
    method: string,
    url: URL,
    body: Record<string, unknown> | null,
    send: (s: number, j: unknown) => void,
  ) {
    const byNumber = /^\/repos\/acme\/images\/pulls\/(\d+)$/.exec(url.pathname);
    if (method === 'GET' && url.pathname === '/repos/acme/images/pulls') {
      const head = url.searchParams.get('head');
      const state = url.searchParams.get('state') ?? 'open';
      return send(
        200,
        this.pulls.filter((p) => p.state === state && (!head || `acme:${p.head.ref}` === head)),
      );
    }
    if (method === 'POST' && url.pathname === '/repos/acme/images/pulls' && body) {
      if (body.head === body.base) {
        return send(422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `No commits between ${String(body.base)} and ${String(body.head)}`,
            },
          ],
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
          status: '422',
        });
      }
      const number = this.nextId++;
      const pull: FakePull = {
        number,
        title: String(body.title),
        body: String((body.body as string | undefined) ?? ''),
        head: { ref: String(body.head) },
        base: { ref: String(body.base) },
        state: 'open',
        html_url: `https://github.com/acme/images/pull/${number}`,
      };
      this.pulls.push(pull);
      return send(201, pull);
    }
    const pull = byNumber && this.pulls.find((p) => p.number === Number(byNumber[1]));
    if (method === 'PATCH' && pull && body) {
      Object.assign(pull, body.title === undefined ? {} : { title: String(body.title as string) });
      Object.assign(pull, body.body === undefined ? {} : { body: String(body.body as string) });
      return send(200, pull);
    }
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }
}
