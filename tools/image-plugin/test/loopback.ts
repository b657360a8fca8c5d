import { createServer, type RequestListener, type Server } from 'node:http';
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
