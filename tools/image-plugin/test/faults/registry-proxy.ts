import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TARGET_REGISTRY } from '../../../test-env/env';

/** What the proxy does to a request that matches a rule, instead of passing it on. */
export type Fault = 'unauthorized' | 'server-error' | 'reset' | 'hang';

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

/**
 * A pass-through HTTP proxy in front of a real registry (default: the password registry) that fails
 * requests on cue: 401 as for a token that may not write, 500 as an overloaded registry, a reset
 * connection, or no answer at all. Everything else reaches the real registry unchanged, so pushes
 * and lookups through it are real.
 */
export class FaultyRegistry {
  readonly requests: ProxiedRequest[] = [];
  private rules: FaultRule[] = [];
  private readonly hanging = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly host: string,
  ) {}

  static async start(upstream = TARGET_REGISTRY): Promise<FaultyRegistry> {
    const [hostname, port] = upstream.split(':');
    let proxy: FaultyRegistry | undefined;
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const method = req.method ?? 'GET';
      const rule = proxy?.take(method, path);
      proxy?.requests.push({ method, path, ...(rule ? { fault: rule.fault } : {}) });
      if (rule?.fault === 'hang') {
        proxy?.hanging.add(req.socket);
        return;
      }
      if (rule?.fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (rule) {
        req.resume();
        const status = rule.fault === 'unauthorized' ? 401 : 500;
        const code = rule.fault === 'unauthorized' ? 'UNAUTHORIZED' : 'UNKNOWN';
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (status === 401) headers['www-authenticate'] = 'Basic realm="faulty-registry"';
        res.writeHead(status, headers);
        res.end(
          JSON.stringify({
            errors: [{ code, message: status === 401 ? 'authentication required' : 'injected failure' }],
          }),
        );
        return;
      }
      const upstreamRequest = request(
        { hostname, port: Number(port), method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstreamRequest.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(upstreamRequest);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    proxy = new FaultyRegistry(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
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
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}
