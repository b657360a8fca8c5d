/**
 * Smoke test of the real test environment (tools/test-env/setup.sh): the Docker engine with
 * buildx and the containerd image store, QEMU for arm64, the mirror serving debian:trixie-slim and
 * the password registry standing in for GHCR.
 *
 * It builds a tiny two-image chain the way the product does (a per-script bind mount in the
 * parent, the child FROM the parent's pushed digest through ARG BASE_IMAGE), for two platforms,
 * pushes both, and checks what landed in the registry. It also checks that the registry refuses
 * a push without credentials.
 */
import { execa } from 'execa';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_BASE, TARGET_PASSWORD, TARGET_REGISTRY, TARGET_USER } from './env';

const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
const TAG = `smoke-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const PARENT_REPO = `${TARGET_REGISTRY}/smoke/parent`;
const CHILD_REPO = `${TARGET_REGISTRY}/smoke/child`;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}
interface ImageIndex {
  mediaType?: string;
  manifests: Descriptor[];
}
interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

const tempDirs: string[] = [];
const pulledImages: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Builds and pushes one image for both platforms; returns the pushed index digest. */
async function buildAndPush(
  context: string,
  dockerfile: string,
  ref: string,
  buildArgs: Record<string, string> = {},
): Promise<string> {
  const metadataFile = join(context, `${dockerfile}.metadata.json`);
  await execa('docker', [
    'buildx',
    'build',
    '--platform',
    PLATFORMS.join(','),
    '--push',
    '--metadata-file',
    metadataFile,
    '--progress',
    'plain',
    ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    '-f',
    join(context, dockerfile),
    '-t',
    ref,
    context,
  ]);
  const metadata = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>;
  const digest = metadata['containerimage.digest'];
  expect(digest, `containerimage.digest in ${metadataFile}`).toMatch(/^sha256:[0-9a-f]{64}$/);
  return digest as string;
}

async function inspectRaw<T>(ref: string): Promise<T> {
  const { stdout } = await execa('docker', ['buildx', 'imagetools', 'inspect', '--raw', ref]);
  return JSON.parse(stdout) as T;
}

/** The per-platform image manifests of an index, without attestation manifests. */
function platformManifests(index: ImageIndex): Map<string, Descriptor> {
  const out = new Map<string, Descriptor>();
  for (const m of index.manifests) {
    if (m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue;
    if (!m.platform || m.platform.os === 'unknown') continue;
    const p = m.platform;
    out.set(`${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`, m);
  }
  return out;
}

/** Lists the paths inside one layer blob, fetched straight from the registry with basic auth. */
async function layerPaths(repo: string, layer: Descriptor): Promise<string[]> {
  const name = repo.slice(TARGET_REGISTRY.length + 1);
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${name}/blobs/${layer.digest}`, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${TARGET_USER}:${TARGET_PASSWORD}`).toString('base64')}`,
    },
  });
  expect(res.status, `GET blob ${layer.digest} of ${repo}`).toBe(200);
  const blob = Buffer.from(await res.arrayBuffer());
  // tar cannot guess the compression of a pipe: pick the filter from the media type.
  const filter = layer.mediaType.endsWith('+zstd') ? ['--zstd'] : layer.mediaType.endsWith('gzip') ? ['-z'] : [];
  const { stdout } = await execa('tar', [...filter, '-t', '-f', '-'], { input: blob });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace(/^\.\//, ''));
}

describe('test environment smoke test', () => {
  let work: string;

  beforeAll(async () => {
    const info = await execa('docker', ['info', '--format', '{{json .DriverStatus}}'], { reject: false });
    if (info.exitCode !== 0) {
      throw new Error(`No Docker engine answers (${info.stderr.trim()}). Run: sudo bash tools/test-env/setup.sh`);
    }
    const registry = await fetch(`http://${TARGET_REGISTRY}/v2/`).catch((e: unknown) => e as Error);
    if (registry instanceof Error) {
      throw new Error(
        `Registry ${TARGET_REGISTRY} unreachable (${registry.message}). Run: sudo bash tools/test-env/setup.sh`,
      );
    }

    work = await tempDir('smoke-chain-');
    await mkdir(join(work, 'scripts', 'hello'), { recursive: true });
    await writeFile(
      join(work, 'scripts', 'hello', 'install.sh'),
      '#!/bin/sh\nset -eu\necho "hello from $(uname -m)" > /hello.txt\n',
    );
    await writeFile(
      join(work, 'Dockerfile.parent'),
      [
        `FROM ${DEBIAN_BASE}`,
        'RUN --mount=type=bind,source=scripts/hello,target=/scripts/hello sh /scripts/hello/install.sh',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(work, 'Dockerfile.child'),
      ['ARG BASE_IMAGE=smoke/parent:unset', 'FROM ${BASE_IMAGE}', 'RUN echo child > /child.txt', ''].join('\n'),
    );
  });

  afterAll(async () => {
    for (const image of pulledImages) {
      await execa('docker', ['image', 'rm', '--force', image], { reject: false });
    }
    await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it(
    'builds a two-platform parent/child chain, pushes it, and the child shares the parent layers',
    { timeout: 600_000 },
    async () => {
      const parentDigest = await buildAndPush(work, 'Dockerfile.parent', `${PARENT_REPO}:${TAG}`);
      const parentRef = `${PARENT_REPO}@${parentDigest}`;
      const childDigest = await buildAndPush(work, 'Dockerfile.child', `${CHILD_REPO}:${TAG}`, {
        BASE_IMAGE: parentRef,
      });
      const childRef = `${CHILD_REPO}@${childDigest}`;

      // The pushed tags point at the digests the metadata files reported.
      const parentIndex = await inspectRaw<ImageIndex>(parentRef);
      const childIndex = await inspectRaw<ImageIndex>(childRef);
      const parentByPlatform = platformManifests(parentIndex);
      const childByPlatform = platformManifests(childIndex);
      expect([...parentByPlatform.keys()].sort()).toEqual([...PLATFORMS]);
      expect([...childByPlatform.keys()].sort()).toEqual([...PLATFORMS]);

      for (const platform of PLATFORMS) {
        const parent = await inspectRaw<ImageManifest>(`${PARENT_REPO}@${parentByPlatform.get(platform)!.digest}`);
        const child = await inspectRaw<ImageManifest>(`${CHILD_REPO}@${childByPlatform.get(platform)!.digest}`);
        const parentLayers = parent.layers.map((l) => l.digest);
        const childLayers = child.layers.map((l) => l.digest);
        // The debian layer(s) + the install step; the child adds exactly its own RUN on top.
        expect(parentLayers.length, `${platform} parent layers`).toBeGreaterThanOrEqual(2);
        expect(childLayers.length, `${platform} child layers`).toBe(parentLayers.length + 1);
        expect(childLayers.slice(0, parentLayers.length), `${platform} child starts with the parent's layers`).toEqual(
          parentLayers,
        );

        // The bind-mounted script is in no layer of the child (which includes all of the parent's).
        for (const layer of child.layers) {
          const paths = await layerPaths(CHILD_REPO, layer);
          expect(
            paths.filter((p) => p.startsWith('scripts/hello/')),
            `${platform} layer ${layer.digest}`,
          ).toEqual([]);
        }
        // ...while the file the script wrote is in the parent's install layer (its last).
        expect(await layerPaths(PARENT_REPO, parent.layers[parent.layers.length - 1])).toContain('hello.txt');
      }

      // And as the engine sees it, in a running container of each platform (arm64 via QEMU).
      pulledImages.push(childRef);
      const amd64 = await execa('docker', [
        'run',
        '--rm',
        '--platform',
        'linux/amd64',
        childRef,
        'sh',
        '-c',
        'test ! -e /scripts/hello/install.sh && cat /hello.txt /child.txt',
      ]);
      expect(amd64.stdout).toBe('hello from x86_64\nchild');
      const arm64 = await execa('docker', [
        'run',
        '--rm',
        '--platform',
        'linux/arm64',
        childRef,
        'sh',
        '-c',
        'test ! -e /scripts/hello/install.sh && cat /hello.txt',
      ]);
      expect(arm64.stdout).toBe('hello from aarch64');
    },
  );

  it('refuses a push without credentials and publishes nothing', { timeout: 600_000 }, async () => {
    const dockerConfig = await tempDir('smoke-noauth-config-');
    const context = await tempDir('smoke-noauth-ctx-');
    await writeFile(join(context, 'Dockerfile'), `FROM ${DEBIAN_BASE}\nLABEL smoke.unauthenticated="${TAG}"\n`);
    const ref = `${TARGET_REGISTRY}/smoke/unauthenticated:${TAG}`;

    const push = await execa(
      'docker',
      ['buildx', 'build', '--platform', 'linux/amd64', '--push', '--progress', 'plain', '-t', ref, context],
      { env: { DOCKER_CONFIG: dockerConfig }, reject: false, all: true },
    );
    expect(push.exitCode, push.all).not.toBe(0);
    expect(push.all).toMatch(/401|unauthorized|authentication required|no basic auth credentials/i);

    // With credentials, the tag is not there.
    const lookup = await execa('docker', ['buildx', 'imagetools', 'inspect', '--raw', ref], { reject: false });
    expect(lookup.exitCode).not.toBe(0);
  });
});
