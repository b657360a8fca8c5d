import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TARGET_REGISTRY } from '../../test-env/env';

/**
 * A pass-through proxy in front of the real password registry that answers 403 DENIED to one
 * manifest PUT, as GHCR does when a token may not write a package: a registry failing halfway.
 */
export async function refusingProxy(
  refusedPath: string,
): Promise<{ host: string; refused: string[]; close: () => Promise<void> }> {
  const refused: string[] = [];
  const proxy = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'PUT' && path === refusedPath) {
      refused.push(path);
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }));
      return;
    }
    const [hostname, port] = TARGET_REGISTRY.split(':');
    const upstream = request(
      { hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  return {
    host: `127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    refused,
    close: () => new Promise<void>((done) => proxy.close(() => done())),
  };
}
