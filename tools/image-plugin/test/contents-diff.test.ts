import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { MANIFEST_ACCEPT, TARGET_AUTH, TARGET_PASSWORD, TARGET_REGISTRY, TARGET_USER } from '../../test-env/env';
import { gunzipSync } from 'node:zlib';
import { readImageContents } from '../src/adapters/contents-reader';
import { RegistryClient } from '../src/adapters/registry';
import type { ContentsDiff } from '../src/core/contents-diff';
import { parseReleaseRange, type ReleaseDiff } from '../src/core/release-diff';
import { diffReleases } from '../src/services/release-diff';
import type { ImageResult } from '../src/core/result';
import { FaultyRegistry } from './faults/registry-proxy';
import { ScratchWorkspace, WORKSPACE } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * Contents records and `images diff` end to end, against the real engine and the password registry: a small
 * family built and pushed (amd64) by `nx run-many -t image-build --push`, each Dockerfile ending with the
 * record step as the real images do:
 *
 *   base (FROM debian:trixie-slim, scripts/hello: a file with its version)  ->  child (+ scripts/jq: Debian's jq)
 *   other (FROM debian:trixie-slim, unrelated to base)   plain (FROM debian:trixie-slim, no record)
 *
 * `images diff base child` lists what child adds (jq and its libraries, the jq script) and nothing removed;
 * a new version of scripts/hello shows as exactly that tool's change (in child: from its parent), between
 * two releases (`--release`, other deleted since: removed) and from a local build (`docker-daemon:`, as a
 * pull request's summary reads it) against the edge tag; a ref without a record, unrelated images, a missing
 * tag or release, an image the engine lacks and an unreachable registry are refused with the fix.
 * The record's own image test (the check in images/base/image-test.yaml) runs against child.
 *
 * Pushed with zstd layers, as this repository's nx.json pushes its own images: the records are read from
 * zstd blobs by a Node.js without zstd in node:zlib (the plugin's engines allow 20.19).
 */

const NAMESPACE = `contents-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/images`;
const TIMEOUT = 400_000;

const record = (image: string) =>
  [
    'RUN --mount=type=bind,source=scripts/contents-record,target=/scripts/contents-record \\',
    `    bash /scripts/contents-record/record.sh ${image}`,
  ].join('\n');
const script = (name: string) =>
  `RUN --mount=type=bind,source=scripts/${name},target=/scripts/${name} --mount=type=bind,source=scripts/lib,target=/scripts/lib bash /scripts/${name}/install.sh`;
const hello = (version: string) =>
  [
    '#!/usr/bin/env bash',
    '# Installs hello (a file with its version). Test fixture.',
    '# version: cat /usr/local/share/hello/VERSION',
    'set -euo pipefail',
    '. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"',
    'require_root "scripts/hello/install.sh"',
    `install -d /usr/local/share/hello && echo ${version} > /usr/local/share/hello/VERSION`,
    '',
  ].join('\n');

/** The record check of the real base's image test, run here against the fixtures. */
function recordCheck(): string {
  const spec = readFileSync(join(WORKSPACE, 'images/base/image-test.yaml'), 'utf8');
  const start = spec.indexOf('  - name: the contents record matches the image');
  const end = spec.indexOf('\n\n', start);
  if (start < 0) throw new Error('images/base/image-test.yaml has no contents record check');
  return `checks:\n${spec.slice(start, end)}\n`;
}

const FILES: Record<string, string> = {
  'images/base/Dockerfile': ['FROM debian:trixie-slim', script('hello'), record('base'), ''].join('\n'),
  'images/base/image-test.yaml': '',
  'images/child/Dockerfile': [
    `ARG BASE_IMAGE=${REPO}:base`,
    'FROM ${BASE_IMAGE}',
    script('jq'),
    record('child'),
    '',
  ].join('\n'),
  'images/other/Dockerfile': ['FROM debian:trixie-slim', 'RUN echo other > /etc/other', record('other'), ''].join('\n'),
  // Pushed with gzip whatever nx.json says: the registry's unpacked sizes are read from gzip trailers.
  'images/other/project.json': JSON.stringify({ targets: { 'image-build': { options: { compression: 'gzip' } } } }),
  'images/plain/Dockerfile': ['FROM debian:trixie-slim', 'RUN echo plain > /etc/plain', ''].join('\n'),
  'scripts/hello/install.sh': hello('1.0'),
  'scripts/jq/install.sh': [
    '#!/usr/bin/env bash',
    "# Installs jq from Debian's archive. Test fixture.",
    "# version: dpkg-query -W -f='${Version}' jq",
    'set -euo pipefail',
    '. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"',
    'require_root "scripts/jq/install.sh"',
    'apt_install_missing jq jq',
    '',
  ].join('\n'),
  '.dockerignore': readFileSync(join(WORKSPACE, '.dockerignore'), 'utf8'),
};

let ws: ScratchWorkspace;

interface Run {
  exitCode: number;
  stdout: string;
  output: string;
}
async function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const r = await execa(file, args, {
    cwd: ws.root,
    env: { ...ws.env, IMAGE_RUN_ID: undefined, IMAGE_BUILD_CA_BUNDLE: undefined, ...env },
    reject: false,
    all: true,
    timeout: TIMEOUT,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), output: String(r.all ?? '') };
}
const nx = (...args: string[]) => run('npx', ['--no-install', 'nx', ...args, '--outputStyle=static']);
const pushAll = () => nx('run-many', '-t', 'image-build', '--push', '--platforms=linux/amd64', '--sbom=false');
const images = (...args: string[]) => run('node', ['tools/image-plugin/bin/images.js', ...args]);
function expectOk(r: Run): void {
  if (r.exitCode !== 0) throw new Error(`command failed (exit ${r.exitCode}):\n${r.output.slice(-6000)}`);
}
const sha = () => tagSha(ws.git('rev-parse', 'HEAD').trim());
async function diffJson(a: string, b: string, ...flags: string[]): Promise<ContentsDiff> {
  const r = await images('diff', a, b, '--json', ...flags);
  expectOk(r);
  return JSON.parse(r.stdout) as ContentsDiff;
}

/** The media type of the last layer (the contents record's) of an image's amd64 manifest, from the registry. */
async function recordLayerType(tag: string): Promise<string> {
  const get = async (reference: string) => {
    const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/manifests/${reference}`, {
      headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
    });
    if (!res.ok) throw new Error(`GET ${reference}: ${res.status}`);
    return (await res.json()) as {
      manifests?: Array<{ digest: string; platform?: { architecture: string } }>;
      layers?: Array<{ mediaType: string }>;
    };
  };
  let manifest = await get(tag);
  const amd64 = manifest.manifests?.find((m) => m.platform?.architecture === 'amd64');
  if (amd64) manifest = await get(amd64.digest);
  return manifest.layers?.at(-1)?.mediaType ?? '';
}

describe.sequential('images diff against the real engine and password registry', { timeout: 900_000 }, () => {
  let first: string;
  let second: string;

  beforeAll(async () => {
    ws = new ScratchWorkspace('contents-diff-test-');
    ws.copyFromWorkspace('scripts/lib');
    ws.copyFromWorkspace('scripts/contents-record');
    const nxJson = JSON.parse(readFileSync(join(ws.root, 'nx.json'), 'utf8')) as {
      plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
    };
    const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin'));
    if (!entry) throw new Error('nx.json has no image plugin entry');
    entry.options = { ...entry.options, repository: REPO, build: { compression: 'zstd' } };
    ws.write({
      ...FILES,
      'nx.json': `${JSON.stringify(nxJson, null, 2)}\n`,
      'images/base/image-test.yaml': recordCheck(),
    });
    ws.initGit();
    first = sha();
    expectOk(await pushAll());
    expectOk(await images('publish'));
  }, TIMEOUT);

  afterAll(async () => {
    ws?.dispose();
    // buildx with the docker driver also keeps what it pushed in the engine's image store; a busy engine may
    // take minutes to delete them, so the cleanup gives up after 4 minutes rather than fail the suite.
    const ls = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', REPO], { reject: false });
    const refs = ls.stdout.split('\n').filter((l) => l.startsWith(REPO));
    if (refs.length) await execa('docker', ['image', 'rm', '-f', ...refs], { reject: false, timeout: 240_000 });
  }, 300_000);

  it('base -> child lists what child adds (jq, its libraries, its script), all its own, nothing removed', async () => {
    for (const tag of [`base-${first}`, `child-${first}`])
      expect(await recordLayerType(tag)).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    const d = await diffJson(`${REPO}:base-${first}`, `${REPO}:child-${first}`);
    expect(d.relation).toBe('parent and child');
    const [p] = d.platforms;
    expect(p.platform).toBe('linux/amd64');
    expect(p.debian.map((c) => c.name)).toEqual(expect.arrayContaining(['jq', 'libjq1']));
    expect(p.debian.every((c) => c.from === null && c.to && c.origin === 'own')).toBe(true);
    expect(p.tools).toEqual([{ name: 'jq', from: null, to: expect.stringMatching(/^1\.\d/), origin: 'own' }]);
    expect(p.npm).toEqual([]);
    expect(p.size.to).toBeGreaterThan(p.size.from);
    expect(p.topLayers[0]).toMatchObject({ name: 'jq', from: 0 });

    const text = await images('diff', `${REPO}:base-${first}`, `${REPO}:child-${first}`);
    expectOk(text);
    expect(text.stdout).toContain('child builds FROM base');
    expect(text.stdout).toMatch(/\n {4}\+ jq +1\.\S+ +\(own layers\)\n/);
    expect(text.stdout).toMatch(/layers that grew most:\n {4}jq +\+/);
    const md = await images('diff', `${REPO}:base-${first}`, `${REPO}:child-${first}`, '--markdown');
    expect(md.stdout).toMatch(/\| added \| `jq` \| {2}\| 1\.\S+ \| own layers \|/);
  });

  it("the record matches the running image: the base image test's check passes against child", () => {
    const r = ws.nx('run', 'child:image-test', '--outputStyle=stream');
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('✓ base › the contents record matches the image');
  });

  it("a new version of one install script shows as exactly that tool's change, in the child from its parent", async () => {
    ws.write({ 'scripts/hello/install.sh': hello('1.1') });
    ws.commitAll('hello 1.1');
    second = sha();
    expectOk(await pushAll());
    // publish moves the edge tags from the first commit's images and says what changed (the job summary's text).
    const published = await images('publish');
    expectOk(published);
    expect(published.stdout).toContain('## What changed since the previous edge');
    expect(published.stdout).toMatch(/<summary>base<\/summary>[\s\S]*\| changed \| `hello` \| 1\.0 \| 1\.1 \|/);
    expect(published.stdout).toMatch(/<summary>child<\/summary>[\s\S]*\| `hello` \| 1\.0 \| 1\.1 \| from parent \|/);
    expect(published.stdout).not.toContain('<summary>plain</summary>'); // unchanged: its edge tag did not move
    const base = await diffJson(`${REPO}:base-${first}`, `${REPO}:base-${second}`);
    expect(base.relation).toBe('same image');
    expect(base.platforms[0]).toMatchObject({
      debian: [],
      npm: [],
      tools: [{ name: 'hello', from: '1.0', to: '1.1' }],
    });
    const child = await diffJson(`${REPO}:child-${first}`, `${REPO}:child-${second}`);
    expect(child.platforms[0]).toMatchObject({
      debian: [],
      tools: [{ name: 'hello', from: '1.0', to: '1.1', origin: 'parent' }],
    });
  });

  it('a release body says what changed in each image since the previous release (semver order)', async () => {
    ws.git('tag', 'v1.0.0', first);
    ws.git('tag', 'v1.1.0', second);
    const env = { GITHUB_TOKEN: undefined, GITHUB_REPOSITORY: undefined };
    const r1 = await run('node', ['tools/image-plugin/bin/images.js', 'release', '--tag', 'v1.0.0'], env);
    expectOk(r1);
    expect(r1.output).toContain('The first release: nothing earlier to compare with.');
    const r2 = await run('node', ['tools/image-plugin/bin/images.js', 'release', '--tag', 'v1.1.0'], env);
    expectOk(r2);
    const notes = r2.output.slice(r2.output.indexOf('## What changed since 1.0.0'));
    expect(notes).toMatch(/<details><summary>base<\/summary>[\s\S]*\| changed \| `hello` \| 1\.0 \| 1\.1 \|/);
    expect(notes).toMatch(
      /<details><summary>child<\/summary>[\s\S]*\| changed \| `hello` \| 1\.0 \| 1\.1 \| from parent \|/,
    );
    expect(notes).toMatch(
      /\n- plain: no comparison \(\S+ \(linux\/amd64\) has no contents record: it was built before/,
    );
  });

  it('--release v1.1.0..v1.2.0: each image of both releases diffed, one deleted since listed as removed', async () => {
    ws.write({ 'scripts/hello/install.sh': hello('1.2') });
    ws.remove('images/other');
    ws.commitAll('hello 1.2, other deleted');
    ws.git('tag', 'v1.2.0');
    expectOk(await pushAll());
    const env = { GITHUB_TOKEN: undefined, GITHUB_REPOSITORY: undefined };
    expectOk(await run('node', ['tools/image-plugin/bin/images.js', 'release', '--tag', 'v1.2.0'], env));
    const started = Date.now();
    const r = await images('diff', '--release', 'v1.1.0..v1.2.0', '--json');
    expectOk(r);
    console.log(`images diff --release (4 images, 1 platform, the Nx graph read): ${Date.now() - started} ms`);
    const d = JSON.parse(r.stdout) as ReleaseDiff;
    expect([d.from, d.to]).toEqual(['v1.1.0', 'v1.2.0']);
    const by = Object.fromEntries(d.images.map((i) => [i.image, i]));
    expect(Object.keys(by)).toEqual(['base', 'child', 'other', 'plain']);
    const tools = (image: string) => ('diff' in by[image] ? by[image].diff.platforms[0].tools : null);
    expect(tools('base')).toEqual([{ name: 'hello', from: '1.1', to: '1.2' }]);
    expect(tools('child')).toEqual([{ name: 'hello', from: '1.1', to: '1.2', origin: 'parent' }]);
    expect(by.other).toEqual({ image: 'other', presence: 'removed', ref: `${REPO}:other-1.1.0` });
    expect(by.plain).toMatchObject({ presence: 'both', problem: expect.stringContaining('has no contents record') });
    const text = await images('diff', '--release', 'v1.1.0..v1.2.0');
    expect(text.stdout).toContain('v1.1.0 -> v1.2.0: 3 compared, 0 added, 1 removed\n');
    expect(text.stdout).toContain(`== other: only in v1.1.0 (${REPO}:other-1.1.0)`);
    const md = await images('diff', '--release', 'v1.1.0..v1.2.0', '--markdown');
    expect(md.stdout).toMatch(/<details><summary>child<\/summary>[\s\S]*\| `hello` \| 1\.1 \| 1\.2 \| from parent \|/);
  });

  it('--release: a registry that fails while an image is read stops the diff, not a "no comparison" line', async () => {
    // Through a proxy whose every blob GET answers 500 (after the client's own retries): the tags are found,
    // then reading the records fails. Before, that became each image's "no comparison (...)" line, exit 0.
    const proxy = (await FaultyRegistry.start()).failOn({ fault: 'server-error', method: 'GET', path: /\/blobs\// });
    const config = mkdtempSync(join(tmpdir(), 'contents-diff-docker-config-'));
    try {
      const auth = Buffer.from(`${TARGET_USER}:${TARGET_PASSWORD}`).toString('base64');
      writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [proxy.host]: { auth } } }));
      const diff = diffReleases({
        range: parseReleaseRange('v1.1.0..v1.2.0'),
        images: ['base', 'child', 'plain'],
        repository: `${proxy.host}/${NAMESPACE}/images`,
        layout: 'single',
        env: { ...process.env, DOCKER_CONFIG: config },
      });
      await expect(diff).rejects.toMatchObject({ kind: 'registry', problem: expect.stringMatching(/500/) });
      expect(proxy.faulted.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      rmSync(config, { recursive: true, force: true });
    }
  });

  it("a pull request's build in the local engine (docker-daemon:) against the edge tag: sizes alike", async () => {
    // As a pull request job does: build without pushing (here reused from the engine's store), then diff.
    expectOk(await nx('run', 'child:image-build', '--platforms=linux/amd64', '--sbom=false'));
    const result = JSON.parse(readFileSync(join(ws.root, 'dist/images/child.json'), 'utf8')) as ImageResult;
    expect(result.pushed).toBe(false);
    const local = `docker-daemon:${result.pinnedReference}`;
    const started = Date.now();
    const d = await diffJson('--edge', 'child', local);
    console.log(`images diff --edge child docker-daemon: (the engine's save streamed): ${Date.now() - started} ms`);
    expect(d.from.ref).toBe(`${REPO}:child-edge`);
    expect(d.relation).toBe('same image');
    const [p] = d.platforms;
    expect(p).toMatchObject({ platform: 'linux/amd64', presence: 'both', debian: [], npm: [] });
    expect(p.tools).toEqual([{ name: 'hello', from: '1.1', to: '1.2', origin: 'parent' }]);
    // The containerd image store keeps the compressed blobs it pushed: compared as the registry counts them.
    expect(p.size.unit).toBe('compressed');
    expect(Math.abs(p.size.to - p.size.from)).toBeLessThan(64 * 1024);
    const md = await images('diff', '--edge', 'child', local, '--markdown');
    expectOk(md);
    expect(md.stdout).toContain(`### \`${REPO}:child-edge\` → \`${local}\``);
    expect(md.stdout).toMatch(/\| changed \| `hello` \| 1\.1 \| 1\.2 \| from parent \|/);
  });

  it("a registry image's unpacked sizes (to compare with an engine that keeps no compressed layers)", async () => {
    // other is pushed with gzip (its project.json): a gzip layer's unpacked size is its trailer's.
    const registry = new RegistryClient({ ...process.env, ...ws.env });
    const ref = `${REPO}:other-${first}`;
    const [packed, unpacked] = [
      await readImageContents(registry, ref),
      await readImageContents(registry, ref, { sizes: 'uncompressed' }),
    ];
    const [a, b] = [packed.platforms[0], unpacked.platforms[0]];
    expect(b.sizes).toBe('uncompressed');
    expect(b.layers.map((l) => l.name)).toEqual(a.layers.map((l) => l.name));
    for (const [i, l] of b.layers.entries()) expect(l.size, l.name).toBeGreaterThan(a.layers[i].size);
    const record = b.layers.filter((l) => l.isRecord).at(-1);
    const image = await registry.inspect(ref);
    const blob = await registry.blob(image?.repository ?? '', record?.digest ?? '');
    expect(record?.size).toBe(gunzipSync(blob).length);
    // A zstd image tells no unpacked size: refused with the fix, not guessed.
    await expect(readImageContents(registry, `${REPO}:child-${first}`, { sizes: 'uncompressed' })).rejects.toThrow(
      /is zstd-compressed, whose unpacked size the registry does not tell/,
    );
  });

  it.each([
    {
      name: 'a ref without a contents record',
      refs: () => [`${REPO}:plain-${first}`, `${REPO}:base-${first}`],
      says: () => 'has no contents record: it was built before images recorded their contents',
      fix: 'scripts/contents-record/record.sh as its Dockerfile',
    },
    {
      name: 'unrelated images',
      refs: () => [`${REPO}:base-${first}`, `${REPO}:other-${first}`],
      says: () => `(base) and ${REPO}:other-${first} (other) are unrelated images: neither builds FROM the other`,
      fix: '--allow-unrelated compares them anyway',
    },
    {
      name: 'a tag that is not in the registry (a previous release that does not exist)',
      refs: () => [`${REPO}:base-0.0.0`, `${REPO}:base-${first}`],
      says: () => `${REPO}:base-0.0.0 is not in the registry`,
      fix: 'check the reference',
    },
    {
      name: 'a release that does not exist',
      refs: () => ['--release', 'v1.0.0..v9.9.9'],
      says: () => 'v9.9.9 is not in the registry: no image has its release tag',
      fix: "git tag -l 'v*'",
    },
    {
      name: 'an image the local engine does not have',
      refs: () => [`${REPO}:base-${first}`, `docker-daemon:${REPO}:nothing-here`],
      says: () => `docker-daemon:${REPO}:nothing-here is not in the local engine`,
      fix: 'docker image ls',
    },
    {
      name: 'an unreachable registry',
      refs: () => ['127.0.0.1:5999/nothing/here:base', `${REPO}:base-${first}`],
      says: () => '127.0.0.1:5999',
      fix: 'fix:',
    },
    {
      name: 'a release range that is not one (a usage error, exit 2)',
      refs: () => ['--release', '1.0.0..v1.1.0'],
      says: () => '"1.0.0" is not a release name',
      fix: 'write v1.0.0',
    },
  ])('refuses $name with the fix, exit non-zero', async ({ refs, says, fix }) => {
    const r = await images('diff', ...refs());
    expect(r.exitCode, r.output).not.toBe(0);
    expect(r.output).toContain(says());
    expect(r.output).toContain(fix);
    expect(r.output).not.toMatch(/\n\s+at /);
  });

  it('--allow-unrelated compares unrelated images', async () => {
    const d = await diffJson(`${REPO}:base-${first}`, `${REPO}:other-${first}`, '--allow-unrelated');
    expect(d.relation).toBe('unrelated');
    expect(d.platforms[0].tools).toEqual([{ name: 'hello', from: '1.0', to: null }]);
  });

  it('an install script that declares no version stops the build, naming the script and the fix', async () => {
    ws.write({ 'scripts/hello/install.sh': hello('1.2').replace(/^# version: .*\n/m, '') });
    const r = await run('docker', [
      'buildx',
      'build',
      '--platform',
      'linux/amd64',
      '-f',
      'images/base/Dockerfile',
      '.',
    ]);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toContain('scripts/hello/install.sh: declares no version: add a header line `# version: <command');
  });
});
