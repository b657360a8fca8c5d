import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { engine } from '../src/adapters/engine';

/**
 * The real Dev Containers CLI (@devcontainers/cli, a dev dependency) starting one of the family's images
 * as VS Code Dev Containers, Codespaces and DevPod do: a project folder whose devcontainer.json names the
 * image and nothing else, so every setting comes from the image's `devcontainer.metadata` label.
 */
const root = new URL('../../..', import.meta.url).pathname;
const CLI = join(root, 'node_modules/.bin/devcontainer');

export interface DevContainer {
  containerId: string;
  remoteUser: string;
  /** Runs a command in the container as the CLI's `exec` does (the remote user, its probed environment). */
  exec(script: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

/**
 * `devcontainer up` of a fresh project folder whose devcontainer.json is `{ "image": image }`. The user-id
 * update (a derived image with the remote user's uid set to the caller's) is off: the tests run as root,
 * for whom the CLI changes nothing but would still build that image.
 */
export async function devcontainerUp(image: string): Promise<DevContainer> {
  const folder = mkdtempSync(join(tmpdir(), 'devcontainer-'));
  mkdirSync(join(folder, '.devcontainer'));
  writeFileSync(join(folder, '.devcontainer/devcontainer.json'), JSON.stringify({ image }));
  const idLabel = `workspace-images.test=${randomBytes(6).toString('hex')}`;
  const common = ['--workspace-folder', folder, '--id-label', idLabel];
  const up = await execa(CLI, ['up', ...common, '--update-remote-user-uid-default', 'never'], { reject: false });
  const result = JSON.parse(up.stdout.trim().split('\n').pop() || '{}') as Record<string, string>;
  const remove = async () => {
    if (result.containerId) {
      const container = engine().getContainer(result.containerId);
      const volumes = ((await container.inspect().catch(() => null))?.Mounts ?? [])
        .filter((m) => m.Type === 'volume' && m.Name)
        .map((m) => m.Name as string);
      await container.remove({ force: true, v: true }).catch(() => undefined);
      for (const name of volumes)
        await engine()
          .getVolume(name)
          .remove({ force: true })
          .catch(() => undefined);
    }
    rmSync(folder, { recursive: true, force: true });
  };
  if (up.exitCode !== 0 || result.outcome !== 'success') {
    await remove();
    throw new Error(`devcontainer up of ${image} failed (${up.exitCode}):\n${up.stdout}\n${up.stderr.slice(-4000)}`);
  }
  return {
    containerId: result.containerId,
    remoteUser: result.remoteUser,
    exec: async (script) => {
      const run = await execa(CLI, ['exec', ...common, 'bash', '-c', script], { reject: false });
      return { exitCode: run.exitCode ?? -1, stdout: run.stdout, stderr: run.stderr };
    },
    remove,
  };
}
