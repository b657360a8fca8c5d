import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { CheckOutcome, ImageCheck } from '../core/test-spec';
import { engine } from './engine';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real unix socket on the host, owned by `gid`, for bind-mounting (e.g. as /var/run/docker.sock). */
async function hostSocket(gid: number): Promise<{ path: string; close: () => Promise<void> }> {
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

async function execIn(container: Docker.Container, cmd: string[], user?: string, env?: string[]): Promise<CheckOutcome> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(user ? { User: user } : {}), ...(env ? { Env: env } : {}) });
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
async function waitForSystemd(container: Docker.Container, deadline: number): Promise<string> {
  let state = 'starting';
  while (Date.now() < deadline) {
    const r = await execIn(container, ['systemctl', 'is-system-running']).catch(() => ({ stdout: 'not-ready', stderr: '', exitCode: 1 }));
    state = r.stdout.trim() || r.stderr.trim();
    if (state === 'running' || state === 'degraded') return state;
    await sleep(1000);
  }
  return state;
}

/** Runs one check in a fresh container of `image` and removes everything it made. */
export async function runCheck(image: string, check: ImageCheck): Promise<CheckOutcome> {
  const docker = engine();
  const cleanups: Array<() => Promise<unknown>> = [];
  const deadline = Date.now() + check.timeout * 1000;
  const env = Object.entries(check.env ?? {}).map(([k, v]) => `${k}=${v}`);
  try {
    const binds: string[] = [];
    if (check.socket) {
      const socket = await hostSocket(check.socket.gid);
      cleanups.push(socket.close);
      binds.push(`${socket.path}:${check.socket.target}`);
    }
    const mounts: Docker.MountSettings[] = [];
    for (const target of check.volumes ?? []) {
      const name = `image-test-${randomBytes(6).toString('hex')}`;
      await docker.createVolume({ Name: name });
      cleanups.push(() => docker.getVolume(name).remove({ force: true }));
      mounts.push({ Type: 'volume', Source: name, Target: target });
    }
    const hostConfig: Docker.HostConfig = { Privileged: check.privileged ?? check.boot ?? false, Binds: binds, Mounts: mounts };
    if (check.boot) {
      const container = await docker.createContainer({ Image: image, Env: env, HostConfig: { ...hostConfig, Tmpfs: { '/run': '', '/run/lock': '', '/tmp': '' } } });
      cleanups.unshift(() => container.remove({ force: true, v: true }));
      await container.start();
      const state = await waitForSystemd(container, deadline);
      if (state !== 'running' && state !== 'degraded') {
        const logs = demux((await container.logs({ stdout: true, stderr: true, tail: 30 })) as unknown as Buffer);
        return { exitCode: -1, stdout: `systemd state: ${state}`, stderr: `${logs.stdout}${logs.stderr}` };
      }
      return await execIn(container, ['sh', '-c', check.run], check.user, env);
    }
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['sh', '-c', check.run],
      ...(check.entrypoint ? {} : { Entrypoint: [] }),
      ...(check.user ? { User: check.user } : {}),
      Env: env,
      HostConfig: hostConfig,
    });
    cleanups.unshift(() => container.remove({ force: true, v: true }));
    // Attach before starting, so no output is lost however fast the check exits.
    const attached = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((resolve) => {
      attached.on('data', (c: Buffer) => chunks.push(c));
      attached.on('end', resolve);
      attached.on('error', () => resolve());
    });
    await container.start();
    const waited = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
    await Promise.race([ended, sleep(5000)]);
    let logs = demux(Buffer.concat(chunks));
    if (!logs.stdout && !logs.stderr) logs = demux((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer);
    if (!waited) return { exitCode: -1, stdout: logs.stdout, stderr: `${logs.stderr}\n(timed out after ${check.timeout}s)` };
    return { exitCode: waited.StatusCode, ...logs };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}
