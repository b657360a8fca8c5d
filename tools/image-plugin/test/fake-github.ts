import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveLoopback, type LoopbackServer } from './loopback';

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

/** How a route answers: a status and its JSON (204: no body). */
type Send = (status: number, json: unknown) => void;

const NOT_FOUND = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };

/** GitHub's answer to a second release of one tag (creating it, or publishing a draft of it). */
const alreadyExists = (operation: string) => ({
  message: 'Validation Failed',
  errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
  documentation_url: `https://docs.github.com/rest/releases/releases#${operation}`,
  status: '422',
});

/** A request held until the test lets it go (`hold`): two runs made to meet at one moment. */
interface Hold {
  method: string;
  path: RegExp;
  arrived: () => void;
  released: Promise<void>;
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
 * published (GitHub never answers a draft by tag), keeps the latest one as GitHub does (the last one
 * sent with make_latest "true"), lets several drafts name one tag, and refuses a second published
 * release of a tag as GitHub does (422 already_exists on tag_name, creating it or publishing a draft).
 * `hold` keeps one request waiting until the test lets it go, so two runs meet at a chosen moment. Pull requests: list the open ones from a head (`owner:branch`), open one
 * (422 "No commits between" when head is base, as GitHub answers), update one. `refuse` makes it answer
 * requests as for a token that may not write.
 */
export class FakeGitHubReleases {
  readonly requests: RecordedRequest[] = [];
  /** The pull requests (`images pin-bases --pull-request`), in the order they were opened. */
  readonly pulls: FakePull[] = [];
  latestId: number | null = null;
  /** Workflow runs of images.yml, as `GET /repos/acme/images/actions/workflows/images.yml/runs` lists them. */
  readonly runs: Array<{ id: number; head_sha: string; status: string }> = [];
  /** Called on every listing of the runs (a test moves them on: an earlier run finishes). */
  onRunsListed: (count: number) => void = () => {};
  private runListings = 0;
  private refusals: Refusal[] = [];
  private readonly holds: Hold[] = [];
  /** Every release and draft, in the order they were created. */
  private readonly stored: FakeRelease[] = [];
  private nextId = 100;
  private readonly publications: Array<Record<string, unknown>> = [];
  private readonly createdWith = new Map<number, Record<string, unknown>>();
  private server: LoopbackServer | undefined;
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
    return Object.fromEntries(this.stored.filter((r) => !r.draft).map((r) => [r.tag_name, r]));
  }

  /** The release of a tag: the published one, else its newest draft; undefined when there is neither. */
  release(tag: string): FakeRelease | undefined {
    const of = this.stored.filter((r) => r.tag_name === tag);
    return of.find((r) => !r.draft) ?? of.at(-1);
  }

  /** Every release and draft of a tag (GitHub keeps several drafts of one tag). */
  releasesOf(tag: string): FakeRelease[] {
    return this.stored.filter((r) => r.tag_name === tag);
  }

  /** A release as if made before (by an earlier run or by hand). */
  add(release: FakeRelease): void {
    this.stored.push(release);
  }

  /** Every release and draft of a tag gone. */
  remove(tag: string): void {
    for (const r of this.releasesOf(tag)) this.stored.splice(this.stored.indexOf(r), 1);
  }

  /** Every release and draft as text, to compare before and after a run. */
  snapshot(): string {
    return JSON.stringify(this.stored);
  }

  /**
   * Keeps the next request that matches waiting: `arrived` resolves when it comes, and it is answered
   * (as it would have been then) only after `letGo()`.
   */
  hold(method: string, path: RegExp): { arrived: Promise<void>; letGo: () => void } {
    let arrived!: () => void;
    let letGo!: () => void;
    const came = new Promise<void>((done) => (arrived = done));
    const released = new Promise<void>((done) => (letGo = done));
    this.holds.push({ method, path, arrived, released });
    return { arrived: came, letGo };
  }

  async start(): Promise<void> {
    this.server = await serveLoopback((req, res) => this.answer(req, res));
    this.url = this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
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
    req.on('end', () => void this.route(req.method ?? '', new URL(req.url ?? '/', 'http://x'), data, req, res));
  }

  /** One request: recorded, refused when a refusal matches, held when a hold does, then answered by its route. */
  private async route(method: string, url: URL, data: string, req: IncomingMessage, res: ServerResponse) {
    const body = data ? (JSON.parse(data) as Record<string, unknown>) : null;
    this.requests.push({ method, path: url.pathname, authorization: req.headers.authorization, body });
    const send: Send = (status, json) => {
      if (status === 204) return void (res.writeHead(204), res.end());
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const refusal = this.refusals.find((r) => r.method === method && (!r.path || r.path.test(url.pathname)));
    if (refusal) {
      return send(refusal.status ?? 403, {
        message: refusal.message ?? 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/releases/releases',
        status: String(refusal.status ?? 403),
      });
    }
    await this.heldUntilLetGo(method, url.pathname);
    if (url.pathname.startsWith('/repos/acme/images/pulls')) return this.answerPulls(method, url, body, send);
    if (method === 'GET' && url.pathname === '/repos/acme/images/actions/workflows/images.yml/runs') {
      this.onRunsListed(++this.runListings);
      const sha = url.searchParams.get('head_sha');
      const runs = this.runs.filter((r) => !sha || r.head_sha === sha);
      return send(200, { total_count: runs.length, workflow_runs: runs });
    }
    if (url.pathname.startsWith('/repos/acme/images/releases')) return this.answerReleases(method, url, body, send);
    send(404, { message: `no such route ${method} ${url.pathname}` });
  }

  /** A request that matches the first hold waits until the test lets it go (the hold is used up). */
  private async heldUntilLetGo(method: string, path: string): Promise<void> {
    const at = this.holds.findIndex((h) => h.method === method && h.path.test(path));
    if (at < 0) return;
    const [hold] = this.holds.splice(at, 1);
    hold.arrived();
    await hold.released;
  }

  private answerReleases(method: string, url: URL, body: Record<string, unknown> | null, send: Send): void {
    const byTag = /^\/repos\/acme\/images\/releases\/tags\/(.+)$/.exec(url.pathname);
    const byId = /^\/repos\/acme\/images\/releases\/(\d+)$/.exec(url.pathname);
    const release = byId ? this.stored.find((r) => r.id === Number(byId[1])) : undefined;
    if (method === 'GET' && url.pathname === '/repos/acme/images/releases/latest') {
      const latest = this.stored.find((r) => r.id === this.latestId);
      return latest ? send(200, latest) : send(404, NOT_FOUND);
    }
    // One page, drafts included (GitHub lists them to a token that may write): no Link header, no next page.
    if (method === 'GET' && url.pathname === '/repos/acme/images/releases')
      return send(200, [...this.stored].reverse());
    if (method === 'GET' && byTag) {
      const found = this.publishedOf(decodeURIComponent(byTag[1]));
      return found ? send(200, found) : send(404, NOT_FOUND);
    }
    if (method === 'POST' && url.pathname === '/repos/acme/images/releases' && body) return this.create(body, send);
    if (method === 'PATCH' && release && body) return this.update(release, body, send);
    if (method === 'DELETE' && release) {
      this.stored.splice(this.stored.indexOf(release), 1);
      return send(204, null);
    }
    send(404, byId ? NOT_FOUND : { message: `no such route ${method} ${url.pathname}` });
  }

  /** POST: a new release or draft; 422 already_exists when the tag has a published release (GitHub's answer). */
  private create(body: Record<string, unknown>, send: Send): void {
    if (this.publishedOf(String(body.tag_name))) return send(422, alreadyExists('create-a-release'));
    const release: FakeRelease = {
      id: this.nextId++,
      tag_name: String(body.tag_name),
      name: String(body.name),
      body: String(body.body),
      prerelease: Boolean(body.prerelease),
      draft: Boolean(body.draft),
    };
    this.stored.push(release);
    this.createdWith.set(release.id, body);
    if (!release.draft) this.publications.push(body);
    if (body.make_latest === 'true' && !release.draft) this.latestId = release.id;
    send(201, release);
  }

  /** PATCH: fields written, a draft published; 422 already_exists when another release of the tag is published. */
  private update(release: FakeRelease, body: Record<string, unknown>, send: Send): void {
    const { make_latest: makeLatest, ...fields } = body;
    const wasDraft = release.draft;
    const other = this.publishedOf(typeof fields.tag_name === 'string' ? fields.tag_name : release.tag_name);
    if (fields.draft === false && other && other !== release) return send(422, alreadyExists('update-a-release'));
    Object.assign(release, fields);
    if (wasDraft && !release.draft) this.publications.push({ ...this.createdWith.get(release.id), ...body });
    if (makeLatest === 'true' && !release.draft) this.latestId = release.id;
    send(200, release);
  }

  /** The published release of a tag (GitHub answers a release by tag only once it is published). */
  private publishedOf(tag: string): FakeRelease | undefined {
    return this.stored.find((r) => r.tag_name === tag && !r.draft);
  }

  private answerPulls(method: string, url: URL, body: Record<string, unknown> | null, send: Send) {
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
    send(404, NOT_FOUND);
  }
}
