import { createServer } from 'node:net';

/** A loopback port nobody listens on (taken from the kernel, then released): "the registry is down". */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
