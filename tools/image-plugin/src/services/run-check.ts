import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { demux, engine, execIn, hostSocket, sleep, waitForSystemd } from '../adapters/containers';
import type { CheckOutcome, ImageCheck } from '../core/test-spec';

/**
 * Runs one check in a fresh container of `image` and removes everything it made: a host socket and
 * named volumes when the check asks for them, then either a booted container (systemd as PID 1, the
 * check exec'd once it is running) or a one-shot container whose output is attached before it starts.
 */
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
    const hostConfig: Docker.HostConfig = {
      Privileged: check.privileged ?? check.boot ?? false,
      Binds: binds,
      Mounts: mounts,
    };
    if (check.boot) {
      const container = await docker.createContainer({
        Image: image,
        Env: env,
        HostConfig: { ...hostConfig, Tmpfs: { '/run': '', '/run/lock': '', '/tmp': '' } },
      });
      cleanups.unshift(() => container.remove({ force: true, v: true }));
      await container.start();
      const state = await waitForSystemd(container, deadline);
      if (state !== 'running' && state !== 'degraded') {
        const logs = demux(await container.logs({ stdout: true, stderr: true, tail: 30 }));
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
    const waited = await Promise.race([
      container.wait() as Promise<{ StatusCode: number }>,
      sleep(Math.max(0, deadline - Date.now())).then(() => null),
    ]);
    await Promise.race([ended, sleep(5000)]);
    let logs = demux(Buffer.concat(chunks));
    if (!logs.stdout && !logs.stderr) logs = demux(await container.logs({ stdout: true, stderr: true }));
    if (!waited)
      return { exitCode: -1, stdout: logs.stdout, stderr: `${logs.stderr}\n(timed out after ${check.timeout}s)` };
    return { exitCode: waited.StatusCode, ...logs };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}
