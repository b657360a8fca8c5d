import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { demux, execIn, waitForSystemd } from '../image-plugin/src/adapters/containers';
import type { CheckOutcome } from '../image-plugin/src/core/test-spec';
import { engine } from '../image-plugin/src/adapters/engine';
import type { ContainerPlan } from './container-config';

/** How a command run in the workspace ended. */
export type ExecResult = CheckOutcome;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The tar the provider copies to / before the start: one entry per upload, owned by root. */
async function uploadTar(uploads: ContainerPlan['uploads']): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'coder-template-upload-'));
  try {
    const entries: string[] = [];
    for (const u of uploads) {
      const rel = u.file.replace(/^\/+/, '');
      await mkdir(join(dir, dirname(rel)), { recursive: true });
      await writeFile(join(dir, rel), u.content);
      await chmod(join(dir, rel), u.mode);
      entries.push(rel);
    }
    const tar = await execa('tar', ['-C', dir, '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', ...entries], {
      encoding: 'buffer',
    });
    return Buffer.from(tar.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One workspace container, created and started the way kreuzwerker/docker's docker_container does it. */
export class WorkspaceContainer {
  private constructor(
    readonly container: Docker.Container,
    readonly plan: ContainerPlan,
  ) {}

  /** Create, and copy the uploads in (before the start, as the provider does). */
  static async create(plan: ContainerPlan): Promise<WorkspaceContainer> {
    const container = await engine().createContainer(plan.create);
    const created = new WorkspaceContainer(container, plan);
    try {
      if (plan.uploads.length) await container.putArchive(await uploadTar(plan.uploads), { path: '/' });
    } catch (e) {
      await created.remove();
      throw e;
    }
    return created;
  }

  async start(): Promise<void> {
    await this.container.start();
  }

  async startedAt(): Promise<number> {
    const info = await this.container.inspect();
    return isoSeconds(info.State.StartedAt);
  }

  exec(script: string, user?: string, env?: string[]): Promise<ExecResult> {
    return execIn(this.container, ['sh', '-c', script], user, env);
  }

  /** systemd's state once it stops changing (running or degraded), or the last one seen at the deadline. */
  systemState(timeoutMs: number): Promise<string> {
    return waitForSystemd(this.container, Date.now() + timeoutMs);
  }

  /** Polls a command until its output matches; returns the last output. */
  async waitFor(script: string, pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let out = '';
    while (Date.now() < deadline) {
      out = (await this.exec(script)).stdout.trim();
      if (pattern.test(out)) return out;
      await sleep(500);
    }
    return out;
  }

  /** `docker stop` without a timeout: the engine waits the container's StopTimeout (the template's stop_timeout). */
  async stop(): Promise<{ seconds: number; exitCode: number }> {
    const started = Date.now();
    await this.container.stop().catch((e: { statusCode?: number }) => {
      if (e.statusCode !== 304) throw e;
    });
    const seconds = (Date.now() - started) / 1000;
    const info = await this.container.inspect();
    return { seconds, exitCode: info.State.ExitCode };
  }

  async logs(): Promise<string> {
    const raw = await this.container.logs({ stdout: true, stderr: true });
    const { stdout, stderr } = demux(raw);
    return `${stdout}${stderr}`;
  }

  /** Removes the container; its named volumes stay (as when Coder stops a workspace). */
  async remove(): Promise<void> {
    await this.container.remove({ force: true, v: false }).catch(() => undefined);
  }
}

/** RFC 3339 with nanoseconds -> seconds since the epoch (to the microsecond). */
function isoSeconds(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) return Date.parse(iso) / 1000;
  return Date.parse(`${m[1]}${m[3]}`) / 1000 + Number(`0.${(m[2] ?? '0').padEnd(6, '0').slice(0, 6)}`);
}
