import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

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
