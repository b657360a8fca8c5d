import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server a test runs on 127.0.0.1, on a port the kernel picks. */
export interface LoopbackServer {
  readonly server: Server;
  /** `127.0.0.1:<port>`, as a registry is named. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `handler` on a free loopback port and resolves once it listens. */
export async function serveLoopback(handler: RequestListener): Promise<LoopbackServer> {
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    host,
    url: `http://${host}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Passes a request on to `upstream` (`host:port`) as it came (or with `headers`), and its answer back; 502 when unreachable. */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  headers: IncomingHttpHeaders = req.headers,
): void {
  const [hostname, port] = upstream.split(':');
  const onward = request({ hostname, port: Number(port), method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  onward.on('error', (e) => {
    res.writeHead(502);
    res.end(String(e));
  });
  req.pipe(onward);
}
