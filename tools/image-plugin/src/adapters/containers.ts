import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { CheckOutcome } from '../core/test-spec';
import { engine } from './engine';

export { engine };

/** The engine's container primitives the image tests use: output streams, exec, a host socket, systemd's state. */

/** Splits Docker's multiplexed stream (8-byte frame headers: stream type, size) into stdout and stderr. */
export function demux(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buffer.length) {
    const type = buffer[at];
    const size = buffer.readUInt32BE(at + 4);
    const chunk = buffer.subarray(at + 8, at + 8 + size);
    (type === 2 ? err : out).push(chunk);
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real unix socket on the host, owned by `gid`, for bind-mounting (e.g. as /var/run/docker.sock). */
export async function hostSocket(gid: number): Promise<{ path: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'image-test-socket-'));
  const path = join(dir, 'docker.sock');
  const server = createServer((c) => c.end());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
  await chown(path, 0, gid);
  await chmod(path, 0o660);
  return {
    path,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function execIn(
  container: Docker.Container,
  cmd: string[],
  user?: string,
  env?: string[],
): Promise<CheckOutcome> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    ...(user ? { User: user } : {}),
    ...(env ? { Env: env } : {}),
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const { stdout, stderr } = demux(Buffer.concat(chunks));
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, stdout, stderr };
}

/** Waits until systemd in the container says running or degraded; returns the last state. */
export async function waitForSystemd(container: Docker.Container, deadline: number): Promise<string> {
  let state = 'starting';
  while (Date.now() < deadline) {
    const r = await execIn(container, ['systemctl', 'is-system-running']).catch(() => ({
      stdout: 'not-ready',
      stderr: '',
      exitCode: 1,
    }));
    state = r.stdout.trim() || r.stderr.trim();
    if (state === 'running' || state === 'degraded') return state;
    await sleep(1000);
  }
  return state;
}
