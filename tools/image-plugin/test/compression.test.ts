import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT, TARGET_AUTH, TARGET_REGISTRY } from '../../test-env/env';
import type { ImageResult } from '../src/core/result';
import { ScratchWorkspace, WORKSPACE } from './scratch-workspace';

/**
 * The compression option end to end, against the real engine and the password registry: a two-image chain
 *
 *   top (FROM debian:trixie-slim, a line) -> end (FROM top, a line)
 *
 * with `compression: zstd` in nx.json's build options, pushed for linux/amd64. Every layer of both
 * manifests, as the registry serves them, is zstd: the images' own and the ones they inherit (Debian's
 * gzip layer is recompressed). The content hash covers the compression: a gzip build of the same
 * commit would build, not reuse the zstd image.
 */

const NAMESPACE = `zstd-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/images`;
const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
const FILES: Record<string, string> = {
  'images/top/Dockerfile': 'FROM debian:trixie-slim\nRUN echo top > /opt/top.txt\n',
  'images/end/Dockerfile': `ARG BASE_IMAGE=${REPO}:top\nFROM \${BASE_IMAGE}\nRUN echo end > /opt/end.txt\n`,
  '.dockerignore': readFileSync(join(WORKSPACE, '.dockerignore'), 'utf8'),
};

let ws: ScratchWorkspace;

async function run(args: string[]): Promise<{ exitCode: number; output: string }> {
  const r = await execa('npx', ['--no-install', 'nx', ...args, '--outputStyle=static'], {
    cwd: ws.root,
    env: { ...ws.env, IMAGE_RUN_ID: undefined, IMAGE_BUILD_CA_BUNDLE: undefined },
    reject: false,
    all: true,
    timeout: 400_000,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, output: String(r.all ?? '') };
}
const PUSH = ['run-many', '-t', 'image-build', '--push', '--platforms=linux/amd64', '--sbom=false'];
const result = (image: string) =>
  JSON.parse(readFileSync(join(ws.root, 'dist/images', `${image}.json`), 'utf8')) as ImageResult;

async function manifest(reference: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/manifests/${reference}`, {
    headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
  });
  if (!res.ok) throw new Error(`GET ${reference}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/** The layer media types of the amd64 image of an index (or of a single manifest), read from the registry. */
async function layerTypes(digest: string): Promise<string[]> {
  let json = await manifest(digest);
  const entries = json.manifests as Array<{ digest: string; platform?: { architecture: string } }> | undefined;
  if (entries) {
    const amd64 = entries.find((m) => m.platform?.architecture === 'amd64');
    json = await manifest(amd64!.digest);
  }
  return (json.layers as Array<{ mediaType: string }>).map((l) => l.mediaType);
}

describe.sequential(
  'compression: zstd layers against the real engine and password registry',
  { timeout: 600_000 },
  () => {
    beforeAll(() => {
      ws = new ScratchWorkspace('compression-test-');
      const nxJson = JSON.parse(readFileSync(join(ws.root, 'nx.json'), 'utf8')) as {
        plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
      };
      const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin'));
      if (!entry) throw new Error('nx.json has no image plugin entry');
      entry.options = { ...entry.options, repository: REPO, build: { compression: 'zstd' } };
      ws.write({ ...FILES, 'nx.json': `${JSON.stringify(nxJson, null, 2)}\n` });
      ws.initGit();
    }, 120_000);

    afterAll(async () => {
      // buildx with the docker driver also keeps what it pushed in the engine's image store.
      const ls = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', REPO], {
        reject: false,
      });
      const refs = ls.stdout.split('\n').filter((l) => l.startsWith(REPO));
      if (refs.length) await execa('docker', ['image', 'rm', '-f', ...refs], { reject: false });
      ws?.dispose();
    }, 120_000);

    it('every layer the registry serves is zstd, the inherited ones included', async () => {
      const r = await run(PUSH);
      if (r.exitCode !== 0) throw new Error(`push failed (exit ${r.exitCode}):\n${r.output.slice(-6000)}`);
      const top = await layerTypes(result('top').digest);
      const end = await layerTypes(result('end').digest);
      // Debian's layer and top's RUN; end adds one more on top of them.
      expect(top.length).toBeGreaterThanOrEqual(2);
      expect(end).toHaveLength(top.length + 1);
      expect(new Set([...top, ...end])).toEqual(new Set([ZSTD]));
      // The compressed sizes the budget checks are read from the zstd manifests.
      expect(result('top').sizes?.[0].bytes).toBeGreaterThan(0);
    });

    it('the content hash covers the compression: at the next commit a gzip build would build, a zstd one reuse', async () => {
      const zstdContent = result('top').contentHash;
      // A commit that changes no image (this commit's SHA tags are final whatever the options say).
      ws.write({ 'README.md': 'no image changes\n' });
      ws.commitAll('a commit outside the images');
      const gzip = await run([...PUSH, '--compression=gzip', '--dryRun']);
      expect(gzip.exitCode, gzip.output.slice(-3000)).toBe(0);
      expect(gzip.output).toMatch(
        /^top \(dry run, nothing built\)\n.*\n {2}would: {6}build \(no image has this content yet\)/m,
      );
      expect(gzip.output).not.toContain(`top-content-${zstdContent}`);
      expect(gzip.output).not.toContain('--output type=image,compression');
      const zstd = await run([...PUSH, '--dryRun']);
      expect(zstd.exitCode, zstd.output.slice(-3000)).toBe(0);
      expect(zstd.output).toContain(`would:      reuse ${REPO}:top-content-${zstdContent} (it exists)`);
    });
  },
);
