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
  const cleanups: Cleanups = [];
  try {
    const docker = engine();
    const run: CheckRun = {
      docker,
      image,
      check,
      env: Object.entries(check.env ?? {}).map(([k, v]) => `${k}=${v}`),
      deadline: Date.now() + check.timeout * 1000,
      hostConfig: await hostConfigOf(docker, check, cleanups),
      cleanups,
    };
    return check.boot ? await bootedCheck(run) : await oneShotCheck(run);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

/** What the check made, removed in this order when it ends (containers first, then volumes and sockets). */
type Cleanups = Array<() => Promise<unknown>>;

/** One check's run: its container's settings and what to remove afterwards. */
interface CheckRun {
  docker: Docker;
  image: string;
  check: ImageCheck;
  env: string[];
  /** When the check times out (ms since the epoch). */
  deadline: number;
  hostConfig: Docker.HostConfig;
  cleanups: Cleanups;
}

/** The container's host settings: the host socket and fresh named volumes the check asks for. */
async function hostConfigOf(docker: Docker, check: ImageCheck, cleanups: Cleanups): Promise<Docker.HostConfig> {
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
  return { Privileged: check.privileged ?? check.boot ?? false, Binds: binds, Mounts: mounts };
}

/** A booted container (systemd as PID 1): the check is exec'd once systemd is running or degraded. */
async function bootedCheck(run: CheckRun): Promise<CheckOutcome> {
  const { check, env } = run;
  const container = await run.docker.createContainer({
    Image: run.image,
    Env: env,
    HostConfig: { ...run.hostConfig, Tmpfs: { '/run': '', '/run/lock': '', '/tmp': '' } },
  });
  run.cleanups.unshift(() => container.remove({ force: true, v: true }));
  await container.start();
  const state = await waitForSystemd(container, run.deadline);
  if (state !== 'running' && state !== 'degraded') {
    const logs = demux(await container.logs({ stdout: true, stderr: true, tail: 30 }));
    return { exitCode: -1, stdout: `systemd state: ${state}`, stderr: `${logs.stdout}${logs.stderr}` };
  }
  return await execIn(container, ['sh', '-c', check.run], check.user, env);
}

/** A one-shot container running the check, its output attached before it starts. */
async function oneShotCheck(run: CheckRun): Promise<CheckOutcome> {
  const { check } = run;
  const container = await run.docker.createContainer({
    Image: run.image,
    Cmd: ['sh', '-c', check.run],
    ...(check.entrypoint ? {} : { Entrypoint: [] }),
    ...(check.user ? { User: check.user } : {}),
    Env: run.env,
    HostConfig: run.hostConfig,
  });
  run.cleanups.unshift(() => container.remove({ force: true, v: true }));
  // Attach before starting, so no output is lost however fast the check exits.
  const output = await attachedOutput(container);
  await container.start();
  const waited = await Promise.race([
    container.wait() as Promise<{ StatusCode: number }>,
    sleep(Math.max(0, run.deadline - Date.now())).then(() => null),
  ]);
  await Promise.race([output.ended, sleep(5000)]);
  let logs = demux(Buffer.concat(output.chunks));
  if (!logs.stdout && !logs.stderr) logs = demux(await container.logs({ stdout: true, stderr: true }));
  if (!waited)
    return { exitCode: -1, stdout: logs.stdout, stderr: `${logs.stderr}\n(timed out after ${check.timeout}s)` };
  return { exitCode: waited.StatusCode, ...logs };
}

/** The container's output stream, collected as it comes; `ended` resolves when it closes. */
async function attachedOutput(container: Docker.Container): Promise<{ chunks: Buffer[]; ended: Promise<void> }> {
  const attached = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  const ended = new Promise<void>((resolve) => {
    attached.on('data', (c: Buffer) => chunks.push(c));
    attached.on('end', resolve);
    attached.on('error', () => resolve());
  });
  return { chunks, ended };
}
