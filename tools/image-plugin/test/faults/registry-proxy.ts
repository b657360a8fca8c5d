import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TARGET_REGISTRY } from '../../../test-env/env';
import { forward, serveLoopback, type LoopbackServer } from '../loopback';

/** What the proxy does to a request that matches a rule, instead of passing it on. */
export type Fault = 'unauthorized' | 'denied' | 'server-error' | 'reset' | 'hang';

export interface FaultRule {
  fault: Fault;
  /** Only requests with this method (GET, HEAD, PUT, POST, PATCH); default: every method. */
  method?: string;
  /** Only requests whose path matches; default: every path. */
  path?: RegExp;
  /** Fail this many matching requests, then pass them on again; default: all of them. */
  times?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The fault it met, or undefined when it went to the registry. */
  fault?: Fault;
}

/** The status, the distribution error code and its message a registry answers for each fault. */
const FAULT_ANSWERS: Record<'unauthorized' | 'denied' | 'server-error', [number, string, string]> = {
  unauthorized: [401, 'UNAUTHORIZED', 'authentication required'],
  denied: [403, 'DENIED', 'requested access to the resource is denied'],
  'server-error': [500, 'UNKNOWN', 'injected failure'],
};

/**
 * A pass-through HTTP proxy in front of a real registry (default: the password registry) that fails
 * requests on cue: 401 as for a wrong password, 403 DENIED as GHCR answers a token that may not write a
 * package, 500 as an overloaded registry, a reset connection, or no answer at all. Everything else reaches the real registry unchanged, so pushes
 * and lookups through it are real.
 */
export class FaultyRegistry {
  readonly requests: ProxiedRequest[] = [];
  private rules: FaultRule[] = [];
  private readonly hanging = new Set<Socket>();

  private server!: LoopbackServer;
  private tagPaging = false;

  private constructor(private readonly upstream: string) {}

  /** `127.0.0.1:<port>`: the registry name to push and look up through. */
  get host(): string {
    return this.server.host;
  }

  static async start(upstream = TARGET_REGISTRY): Promise<FaultyRegistry> {
    const proxy = new FaultyRegistry(upstream);
    proxy.server = await serveLoopback((req, res) => proxy.handle(req, res));
    return proxy;
  }

  /**
   * Answers tag lists as GHCR does: `n` tags a page and a `Link: <...>; rel="next"` to the rest (Distribution
   * 2.8, the test registry, ignores `n` and answers every tag at once).
   */
  pageTagLists(): this {
    this.tagPaging = true;
    return this;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const rule = this.take(method, url.pathname);
    this.requests.push({ method, path: url.pathname, ...(rule ? { fault: rule.fault } : {}) });
    if (rule) this.fail(rule.fault, req, res);
    else if (this.tagPaging && method === 'GET' && url.pathname.endsWith('/tags/list'))
      void this.tagPage(url, req, res);
    else this.passOn(req, res);
  }

  private fail(fault: Fault, req: IncomingMessage, res: ServerResponse): void {
    if (fault === 'hang') {
      this.hanging.add(req.socket);
      return;
    }
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    req.resume();
    const [status, code, message] = FAULT_ANSWERS[fault];
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 401) headers['www-authenticate'] = 'Basic realm="faulty-registry"';
    res.writeHead(status, headers);
    res.end(JSON.stringify({ errors: [{ code, message }] }));
  }

  /** One page of the registry's whole tag list, in its (lexical) order, after `last`. */
  private async tagPage(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const whole = await fetch(`http://${this.upstream}${url.pathname}`, {
      headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
    });
    if (!whole.ok) {
      const challenge = whole.headers.get('www-authenticate');
      res.writeHead(whole.status, challenge ? { 'www-authenticate': challenge } : {});
      res.end(await whole.text());
      return;
    }
    const { name, tags } = (await whole.json()) as { name: string; tags: string[] | null };
    const all = [...(tags ?? [])].sort();
    const last = url.searchParams.get('last');
    const from = last === null ? 0 : all.filter((t) => t <= last).length;
    const n = Number(url.searchParams.get('n') ?? all.length);
    const page = all.slice(from, from + n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (from + n < all.length)
      headers.link = `<${url.pathname}?n=${n}&last=${encodeURIComponent(page[page.length - 1])}>; rel="next"`;
    res.writeHead(200, headers);
    res.end(JSON.stringify({ name, tags: page }));
  }

  private passOn(req: IncomingMessage, res: ServerResponse): void {
    forward(req, res, this.upstream);
  }

  /** Adds a fault; rules are tried in the order they were added. */
  failOn(rule: FaultRule): this {
    this.rules.push({ ...rule });
    return this;
  }

  /** Every request passes again. */
  clear(): void {
    this.rules = [];
  }

  /** The requests that met a fault. */
  get faulted(): ProxiedRequest[] {
    return this.requests.filter((r) => r.fault);
  }

  private take(method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find(
      (r) => (!r.method || r.method === method) && (!r.path || r.path.test(path)) && (r.times ?? 1) > 0,
    );
    if (rule && rule.times !== undefined) rule.times--;
    return rule;
  }

  async close(): Promise<void> {
    for (const socket of this.hanging) socket.destroy();
    this.server.server.closeAllConnections();
    await this.server.close();
  }
}
