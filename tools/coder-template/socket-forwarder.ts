import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A unix socket owned by `gid` that forwards every connection to the real engine's socket: a host
 * engine socket whose group id the test chooses (e.g. 100, the image's `users` group), without
 * touching the real socket's owner.
 */
export class SocketForwarder {
  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    readonly path: string,
    private readonly open: Set<Socket>,
  ) {}

  static async start(gid: number, target = '/var/run/docker.sock'): Promise<SocketForwarder> {
    const dir = await mkdtemp(join(tmpdir(), 'coder-template-socket-'));
    const path = join(dir, 'docker.sock');
    const open = new Set<Socket>();
    const server = createServer((client) => {
      const engine = connect(target);
      for (const s of [client, engine]) {
        open.add(s);
        s.on('close', () => open.delete(s));
        s.on('error', () => {
          client.destroy();
          engine.destroy();
        });
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
    await chown(path, 0, gid);
    await chmod(path, 0o660);
    return new SocketForwarder(server, dir, path, open);
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}
