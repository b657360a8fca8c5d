import { createHash } from 'node:crypto';
import { serveLoopback, type LoopbackServer } from './loopback';

/** npm's integrity string of some bytes: `sha512-<base64>`. */
export const sri = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

/**
 * An npm registry served on 127.0.0.1 by the test itself (NPM_REGISTRY points at it): what it has and has not
 * published is the test's fixture, never the public registry's state of the day. It answers a package's
 * metadata (`GET /<package>`: every version with its `dist.integrity`, as `npm view` and `images pin-bases`
 * read it) and its tarballs (`GET /<package>/-/<package>-<version>.tgz`, as scripts/nodejs/fetch.sh
 * downloads them). `publish` adds a version while it runs.
 */
export class NpmFixtureRegistry {
  /** package -> version -> tarball. */
  private readonly packages = new Map<string, Map<string, Buffer>>();
  private server: LoopbackServer | undefined;
  url = '';
  /** The paths asked, in order. */
  readonly requests: string[] = [];

  /** Publishes `<package>@<version>` with these tarball bytes. */
  publish(spec: string, tarball: Buffer): this {
    const at = spec.lastIndexOf('@');
    const [name, version] = [spec.slice(0, at), spec.slice(at + 1)];
    if (!this.packages.has(name)) this.packages.set(name, new Map());
    this.packages.get(name)!.set(version, tarball);
    return this;
  }

  async start(): Promise<void> {
    this.server = await serveLoopback((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      this.requests.push(path);
      const answer = this.answer(path);
      res.writeHead(answer ? 200 : 404, {
        'content-type': Buffer.isBuffer(answer) ? 'application/octet-stream' : 'application/json',
      });
      res.end(answer === null ? '{"error":"Not found"}' : Buffer.isBuffer(answer) ? answer : JSON.stringify(answer));
    });
    this.url = this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  private answer(path: string): Buffer | object | null {
    const tarball = /^\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path);
    if (tarball) {
      const bytes = this.packages.get(tarball[1])?.get(tarball[2]);
      return bytes && path.endsWith(`/${tarball[1].split('/').pop()}-${tarball[2]}.tgz`) ? bytes : null;
    }
    const name = path.slice(1);
    const versions = this.packages.get(name);
    if (!versions) return null;
    return {
      name,
      versions: Object.fromEntries(
        [...versions].map(([version, bytes]) => [
          version,
          { name, version, dist: { integrity: sri(bytes), tarball: `${this.url}/${name}/-/${name}-${version}.tgz` } },
        ]),
      ),
    };
  }
}
