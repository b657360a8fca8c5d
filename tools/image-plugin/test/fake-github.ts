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

/**
 * The part of GitHub's REST API that `images release` uses, for the repository acme/images, on a local
 * HTTP server: get a release by tag, get the latest, create, update. It records every request, keeps the
 * releases, and keeps the latest one as GitHub does (the last one sent with make_latest "true").
 */
export class FakeGitHubReleases {
  readonly requests: RecordedRequest[] = [];
  readonly releases = new Map<string, FakeRelease>();
  latestId: number | null = null;
  private server: Server | undefined;
  private url = '';

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

  /** The bodies of the releases created, in order. */
  created(): Array<Record<string, unknown>> {
    return this.requests.filter((q) => q.method === 'POST' && q.body).map((q) => q.body as Record<string, unknown>);
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
      const byTag = /^\/repos\/acme\/images\/releases\/tags\/(.+)$/.exec(url.pathname);
      const byId = /^\/repos\/acme\/images\/releases\/(\d+)$/.exec(url.pathname);
      if (req.method === 'GET' && url.pathname === '/repos/acme/images/releases/latest') {
        const latest = [...this.releases.values()].find((r) => r.id === this.latestId);
        return latest ? send(200, latest) : send(404, notFound);
      }
      if (req.method === 'GET' && byTag) {
        const release = this.releases.get(decodeURIComponent(byTag[1]));
        return release ? send(200, release) : send(404, notFound);
      }
      if (req.method === 'POST' && url.pathname === '/repos/acme/images/releases' && body) {
        const release: FakeRelease = {
          id: this.releases.size + 100,
          tag_name: String(body.tag_name),
          name: String(body.name),
          body: String(body.body),
          prerelease: Boolean(body.prerelease),
          draft: false,
        };
        this.releases.set(release.tag_name, release);
        if (body.make_latest === 'true') this.latestId = release.id;
        return send(201, release);
      }
      if (req.method === 'PATCH' && byId && body) {
        const release = [...this.releases.values()].find((r) => r.id === Number(byId[1]));
        if (!release) return send(404, notFound);
        const { make_latest: makeLatest, ...fields } = body;
        Object.assign(release, fields);
        if (makeLatest === 'true') this.latestId = release.id;
        return send(200, release);
      }
      send(404, { message: `no such route ${req.method} ${url.pathname}` });
    });
  }
}
