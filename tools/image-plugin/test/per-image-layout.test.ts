import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_REGISTRY } from '../../test-env/env';
import { manifestDigest } from '../../test-env/registry-api';
import { ScratchWorkspace, WORKSPACE } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * The one-repository-per-image layout end to end: `<repository>/<image>:<sha>` and
 * `:content-<hash>` pushed to the password registry, the child FROM `<repository>/root` inferred as
 * a sibling and pinned to its digest, and publish moving each image's `edge` (`latest` is the releases').
 */
const NAMESPACE = `layout-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}`;
const digestOf = (image: string, tag: string) => manifestDigest(`${NAMESPACE}/${image}`, tag);

describe.sequential('layout per-image', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('per-image-');
    const nxJson = JSON.parse(readFileSync(join(WORKSPACE, 'nx.json'), 'utf8')) as {
      plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
    };
    const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin'));
    if (!entry) throw new Error('nx.json has no image plugin entry');
    entry.options = { ...entry.options, repository: REPO, layout: 'per-image' };
    ws.write({
      'nx.json': `${JSON.stringify(nxJson, null, 2)}\n`,
      'images/root/Dockerfile': ['FROM debian:trixie-slim', 'RUN echo root > /etc/root', ''].join('\n'),
      'images/leaf/Dockerfile': [
        `ARG BASE_IMAGE=${REPO}/root:latest`,
        'FROM ${BASE_IMAGE}',
        'RUN echo leaf > /etc/leaf',
        '',
      ].join('\n'),
      '.dockerignore': '*\n!images/\n',
    });
    ws.initGit();
  });
  afterAll(() => ws?.dispose());

  it('infers leaf FROM root through the per-image repository', () => {
    expect(ws.showProjects('--affected', '--files=images/root/Dockerfile')).toEqual(['leaf', 'root']);
  });

  it(
    'pushes <repository>/<image>:<sha> and :content-<hash>; leaf builds FROM root by digest; publish moves each edge',
    { timeout: 300_000 },
    async () => {
      const build = ws.nx(
        'run',
        'leaf:image-build',
        '--push',
        '--platforms=linux/amd64',
        '--sbom=false',
        '--provenance=false',
        '--outputStyle=stream',
      );
      expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
      const sha = tagSha(ws.git('rev-parse', 'HEAD').trim());
      const results = Object.fromEntries(
        ['root', 'leaf'].map((image) => [
          image,
          JSON.parse(readFileSync(join(ws.root, 'dist/images', `${image}.json`), 'utf8')) as {
            digest: string;
            tags: string[];
            parentDigest: string | null;
            contentHash: string;
          },
        ]),
      );
      for (const image of ['root', 'leaf']) {
        const r = results[image];
        expect(r.tags).toEqual([`${REPO}/${image}:${sha}`, `${REPO}/${image}:content-${r.contentHash}`]);
        expect(await digestOf(image, sha)).toBe(r.digest);
        expect(await digestOf(image, `content-${r.contentHash}`)).toBe(r.digest);
        expect(await digestOf(image, 'latest')).toBeNull();
      }
      expect(results.leaf.parentDigest).toBe(results.root.digest);

      const p = spawnSync('npx', ['--no-install', 'images', 'publish'], {
        cwd: ws.root,
        env: ws.env,
        encoding: 'utf8',
      });
      expect(p.status, `${p.stdout}${p.stderr}`).toBe(0);
      for (const image of ['root', 'leaf']) expect(await digestOf(image, 'edge')).toBe(results[image].digest);
      for (const image of ['root', 'leaf'])
        expect(await digestOf(image, 'latest'), 'latest belongs to releases').toBeNull();

      // The next commit changes no image: both are reused and the new SHA tags share the same digests
      // (one platform without attestations is still one index, so retagging keeps its digest).
      ws.write({ 'docs/notes.md': 'docs\n' });
      ws.commitAll('docs');
      const again = ws.nx(
        'run',
        'leaf:image-build',
        '--push',
        '--platforms=linux/amd64',
        '--sbom=false',
        '--provenance=false',
        '--outputStyle=stream',
      );
      expect(again.status, `${again.stdout}${again.stderr}`).toBe(0);
      const next = tagSha(ws.git('rev-parse', 'HEAD').trim());
      for (const image of ['root', 'leaf']) {
        const r = JSON.parse(readFileSync(join(ws.root, 'dist/images', `${image}.json`), 'utf8')) as {
          result: string;
          digest: string;
        };
        expect(r.result, image).toBe('reused');
        expect(r.digest, image).toBe(results[image].digest);
        expect(await digestOf(image, next), image).toBe(results[image].digest);
      }
    },
  );
});
