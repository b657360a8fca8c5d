import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { engine, localImageId } from '../src/adapters/engine';
import type { ImageResult } from '../src/core/result';
import { devcontainerUp } from './dev-containers';

const root = new URL('../../..', import.meta.url).pathname;
/** How many checks an image's own image-test.yaml has. */
const checksOf = (image: string) =>
  (readFileSync(join(root, 'images', image, 'image-test.yaml'), 'utf8').match(/^ {2}- name:/gm) ?? []).length;

/**
 * The workspace's own image family, built into the local engine (linux/amd64) and tested with every
 * image's and ancestor's image-test.yaml, exactly as a user runs it.
 */
describe('the image family', () => {
  it('builds and tests every image: nx run-many -t image-build image-test', { timeout: 3_600_000 }, async () => {
    const run = await execa(
      'npx',
      ['--no-install', 'nx', 'run-many', '-t', 'image-build', 'image-test', '--outputStyle=stream'],
      {
        cwd: root,
        reject: false,
        all: true,
        env: {
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          IMAGE_BUILD_CA_BUNDLE: process.env.IMAGE_BUILD_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt',
        },
      },
    );
    if (run.exitCode !== 0) {
      const lines = String(run.all).split('\n');
      // Every failed check with the output it got (image-test prints it under the ✗ line), then the end.
      const failed = lines.filter(
        (l, i) => /✗/.test(l) || (/\| /.test(l) && lines.slice(Math.max(0, i - 8), i).some((p) => /✗/.test(p))),
      );
      console.error([...failed, '...', ...lines.slice(-150)].join('\n'));
    }
    expect(run.exitCode).toBe(0);
    const projects = await execa('npx', ['--no-install', 'nx', 'show', 'projects', '-t', 'image-build', '--json'], {
      cwd: root,
      env: { NX_DAEMON: 'false' },
    });
    const images = JSON.parse(projects.stdout) as string[];
    expect(images.sort()).toEqual(['base', 'cpp', 'developer', 'node']);
    for (const image of images) {
      expect(String(run.all)).toMatch(new RegExp(`(^|\\s)${image}: (built|reused) sha256:`, 'm'));
      // Every image-test task ran its checks (its own and its ancestors') and all passed.
      const passed = new RegExp(`image-test ${image}: (\\d+) checks passed`).exec(String(run.all));
      expect(passed, `no image-test summary for ${image}`).not.toBeNull();
      expect(Number(passed?.[1])).toBeGreaterThan(image === 'base' ? 0 : checksOf('base'));
    }
  });
});

/** What each image adds on PATH (its ancestors' tools are there too). */
const TOOLS: Record<string, string> = {
  base: 'node npm npx git docker gh claude codex',
  node: 'tsc tsx pnpm yarn gcc make',
  cpp: 'clang clang++ gcc cmake ninja gdb sccache',
  developer: 'dockerd containerd devcontainer',
};
/** The metadata files of an image's lineage, root first: what its label must hold, each entry once. */
const labelOf = (image: string) =>
  (image === 'base' ? ['base'] : ['base', image]).map(
    (name) => JSON.parse(readFileSync(join(root, 'images', name, 'devcontainer-metadata.json'), 'utf8')) as unknown,
  );

/**
 * Each image of the family build above (its result's image, by digest) started by the real Dev Containers
 * CLI from a devcontainer.json that names only the image: everything else comes from the image's label.
 */
describe('the family as dev containers (@devcontainers/cli)', () => {
  it.each(Object.keys(TOOLS))(
    '%s: devcontainer up starts systemd as PID 1, the session is coder with the tools on PATH',
    { timeout: 600_000 },
    async (image) => {
      const result = JSON.parse(readFileSync(join(root, 'dist/images', `${image}.json`), 'utf8')) as ImageResult;
      const id = await localImageId(result.pinnedReference);
      expect(id, `the family build left no image ${result.pinnedReference}`).toBeTruthy();
      const labels =
        (
          await engine()
            .getImage(id as string)
            .inspect()
        ).Config.Labels ?? {};
      expect(JSON.parse(labels['devcontainer.metadata'] ?? 'null')).toEqual(labelOf(image));
      const started = Date.now();
      const dc = await devcontainerUp(id as string);
      try {
        console.log(`${image}: devcontainer up took ${((Date.now() - started) / 1000).toFixed(1)} s`);
        expect(dc.remoteUser).toBe('coder');
        const r = await dc.exec(
          [
            'id -un',
            'cat /proc/1/comm',
            // systemd's bus may not be up yet when the CLI's `up` returns.
            'for i in $(seq 90); do s=$(systemctl is-system-running 2>/dev/null); case "$s" in running | degraded) break ;; esac; sleep 1; done; echo "$s"',
            `for t in ${TOOLS[image]}; do command -v "$t" >/dev/null || echo "missing $t"; done`,
            'echo tools-checked',
          ].join('\n'),
        );
        expect(r.stdout.trim().split('\n'), r.stderr).toEqual([
          'coder',
          'systemd',
          expect.stringMatching(/^(running|degraded)$/),
          'tools-checked',
        ]);
        if (image === 'developer') await expectDockerInside(dc);
      } finally {
        await dc.remove();
      }
    },
  );
});

/**
 * developer's own engine (Docker-in-Docker, /var/lib/docker on the label's volume) answers coder, and a
 * nested `devcontainer up` of a sample project runs in it, as Coder's Dev Containers integration runs it in a
 * workspace. The sample's image is made inside from the image's busybox (no registry is reachable there).
 */
async function expectDockerInside(dc: Awaited<ReturnType<typeof devcontainerUp>>): Promise<void> {
  const r = await dc.exec(
    [
      'set -e',
      'for i in $(seq 120); do docker info >/dev/null 2>&1 && break; sleep 1; done',
      "docker info --format 'driver={{.Driver}} root={{.DockerRootDir}}'",
      'rootfs=$(mktemp -d) && mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/root" "$rootfs/tmp"',
      'cp /bin/busybox "$rootfs/bin/" && for a in $(busybox --list | grep -vx busybox); do ln -s busybox "$rootfs/bin/$a"; done',
      'echo "root:x:0:0:root:/root:/bin/sh" > "$rootfs/etc/passwd" && echo "root:x:0:" > "$rootfs/etc/group"',
      'tar -C "$rootfs" -c . | docker import - sample-base:local >/dev/null',
      'project=$(mktemp -d) && mkdir "$project/.devcontainer"',
      `echo '{"image":"sample-base:local","postCreateCommand":"echo created > /tmp/created"}' > "$project/.devcontainer/devcontainer.json"`,
      'devcontainer up --workspace-folder "$project" > /tmp/nested-up.json 2>/tmp/nested-up.log || { tail -30 /tmp/nested-up.log; exit 1; }',
      'tail -n 1 /tmp/nested-up.json | jq -r \'.outcome + " " + .remoteUser\'',
      'devcontainer exec --workspace-folder "$project" sh -c \'cat /tmp/created; id -un; ls /workspaces\' 2>/dev/null',
    ].join('\n'),
  );
  expect(r.stdout.trim().split('\n'), r.stderr).toEqual([
    'driver=overlay2 root=/var/lib/docker',
    'success root',
    'created',
    'root',
    expect.stringMatching(/^tmp\.\w+$/),
  ]);
}
