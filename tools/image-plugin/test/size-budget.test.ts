import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT, TARGET_AUTH, TARGET_REGISTRY } from '../../test-env/env';
import type { ImageResult } from '../src/core/result';
import { ScratchWorkspace, WORKSPACE } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * The size budget end to end, against the real engine and the password registry: a three-image chain
 *
 *   top (FROM debian:trixie-slim, 3 MiB of random bytes) -> mid (+1 MiB, later +2 MiB) -> end (a line)
 *
 * built and pushed for linux/amd64 by `nx run-many -t image-build --push`. Random bytes do not compress,
 * so each layer's compressed size is known. The sizes the run reports are compared with the registry's
 * own manifests; an image over its budget fails, gets no SHA tag, its edge tag stays, its child is skipped.
 */

const NAMESPACE = `budget-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/images`;
const MiB = 1024 * 1024;
const TIMEOUT = 300_000;

const randomFile = (path: string, mib: number) =>
  `RUN mkdir -p /opt/data && head -c ${mib * MiB} /dev/urandom > /opt/data/${path}`;
const child = (parent: string, line: string) => [`ARG BASE_IMAGE=${REPO}:${parent}`, 'FROM ${BASE_IMAGE}', line, ''];
const FILES: Record<string, string> = {
  'images/top/Dockerfile': ['FROM debian:trixie-slim', randomFile('top.bin', 3), ''].join('\n'),
  'images/mid/Dockerfile': child('top', randomFile('mid.bin', 1)).join('\n'),
  'images/end/Dockerfile': child('mid', 'RUN echo end > /opt/end.txt').join('\n'),
  // As in the real workspace: project.json (where a budget is set) is not in the context, so not in the content hash.
  '.dockerignore': readFileSync(join(WORKSPACE, '.dockerignore'), 'utf8'),
};
const projectJson = (sizeBudget: unknown) =>
  `${JSON.stringify({ name: 'mid', targets: { 'image-build': { options: { sizeBudget } } } }, null, 2)}\n`;

let ws: ScratchWorkspace;

interface Run {
  exitCode: number;
  output: string;
}
async function run(file: string, args: string[]): Promise<Run> {
  const r = await execa(file, args, {
    cwd: ws.root,
    env: { ...ws.env, IMAGE_RUN_ID: undefined, IMAGE_BUILD_CA_BUNDLE: undefined },
    reject: false,
    all: true,
    timeout: TIMEOUT,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, output: String(r.all ?? '') };
}
const nx = (...args: string[]) => run('npx', ['--no-install', 'nx', ...args, '--outputStyle=static']);
/** Every image, pushed, amd64 only, no SBOM (BuildKit's scanner is on Docker Hub); provenance stays on. */
const pushAll = (...extra: string[]) =>
  nx('run-many', '-t', 'image-build', '--push', '--platforms=linux/amd64', '--sbom=false', ...extra);
const publish = () => run('node', ['tools/image-plugin/bin/images.js', 'publish']);

function expectOk(r: Run): void {
  if (r.exitCode !== 0) throw new Error(`command failed (exit ${r.exitCode}):\n${r.output.slice(-6000)}`);
}
const commit = (message: string) => {
  ws.commitAll(message);
  return tagSha(ws.git('rev-parse', 'HEAD').trim());
};
const result = (image: string) =>
  JSON.parse(readFileSync(join(ws.root, 'dist/images', `${image}.json`), 'utf8')) as ImageResult;
const hasResult = (image: string) => existsSync(join(ws.root, 'dist/images', `${image}.json`));

/** GET a manifest from the registry's API, or null when it lacks the reference. */
async function manifest(reference: string): Promise<{ digest: string; json: Record<string, unknown> } | null> {
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/manifests/${reference}`, {
    headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`GET ${reference}: ${res.status}`);
  return {
    digest: String(res.headers.get('docker-content-digest')),
    json: (await res.json()) as Record<string, unknown>,
  };
}
const digestOf = async (tag: string) => (await manifest(tag))?.digest ?? null;

/** The amd64 manifest's layers of an image, read independently of the plugin. */
async function amd64Layers(digest: string): Promise<Array<{ digest: string; size: number }>> {
  const index = (await manifest(digest))?.json as {
    manifests: Array<{ digest: string; platform: { os: string; architecture: string } }>;
  };
  const entry = index.manifests.find((m) => m.platform.os === 'linux' && m.platform.architecture === 'amd64');
  return ((await manifest(entry!.digest))?.json as { layers: Array<{ digest: string; size: number }> }).layers;
}
const sum = (layers: Array<{ size: number }>) => layers.reduce((n, l) => n + l.size, 0);

describe.sequential('size budgets against the real engine and password registry', { timeout: 600_000 }, () => {
  let first: Record<'top' | 'mid' | 'end', ImageResult>;

  beforeAll(() => {
    ws = new ScratchWorkspace('size-budget-test-');
    const nxJson = JSON.parse(readFileSync(join(ws.root, 'nx.json'), 'utf8')) as {
      plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
    };
    const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin'));
    if (!entry) throw new Error('nx.json has no image plugin entry');
    entry.options = { ...entry.options, repository: REPO, build: { sizeBudget: '200MiB' } };
    ws.write({
      ...FILES,
      'nx.json': `${JSON.stringify(nxJson, null, 2)}\n`,
      'images/mid/project.json': projectJson('100MiB'),
    });
    ws.initGit();
  }, 120_000);

  afterAll(async () => {
    // buildx with the docker driver also keeps what it pushed in the engine's image store.
    const ls = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', REPO], { reject: false });
    const refs = ls.stdout.split('\n').filter((l) => l.startsWith(REPO));
    if (refs.length) await execa('docker', ['image', 'rm', '-f', ...refs], { reject: false });
    ws?.dispose();
  }, 120_000);

  it('a push within the budgets: each image has its compressed size and its growth above the parent, as the registry has them', async () => {
    const r = await pushAll();
    expectOk(r);
    first = { top: result('top'), mid: result('mid'), end: result('end') };
    const layers = {
      top: await amd64Layers(first.top.digest),
      mid: await amd64Layers(first.mid.digest),
      end: await amd64Layers(first.end.digest),
    };
    const above = (image: 'mid' | 'end', parent: 'top' | 'mid') =>
      sum(layers[image].filter((l) => !layers[parent].some((p) => p.digest === l.digest)));
    expect(first.top.sizes).toEqual([{ platform: 'linux/amd64', bytes: sum(layers.top), aboveParent: null }]);
    expect(first.mid.sizes).toEqual([
      { platform: 'linux/amd64', bytes: sum(layers.mid), aboveParent: above('mid', 'top') },
    ]);
    expect(first.end.sizes).toEqual([
      { platform: 'linux/amd64', bytes: sum(layers.end), aboveParent: above('end', 'mid') },
    ]);
    // 1 MiB of random bytes does not compress: mid adds a little over 1 MiB to top.
    expect(first.mid.sizes![0].aboveParent! / MiB).toBeGreaterThan(0.99);
    expect(first.mid.sizes![0].aboveParent! / MiB).toBeLessThan(1.1);
    expect(first.mid.sizeBudget).toBe(100 * MiB);
    expect(first.top.sizeBudget).toBe(200 * MiB);

    // The end-of-run summary shows them.
    const header = r.output.split('\n').find((l) => l.startsWith('image ') && l.includes('compressed size'));
    expect(header, r.output.slice(-3000)).toMatch(/compressed size +above parent +budget/);
    const row = (image: string) => r.output.split('\n').find((l) => l.startsWith(`${image} `) && l.includes('MiB'));
    const mib = (n: number) => `${(n / MiB).toFixed(1).replace(/\.0$/, '')} MiB`;
    expect(row('mid')).toContain(` ${mib(first.mid.sizes![0].bytes)} `);
    expect(row('mid')).toMatch(new RegExp(` \\+${mib(first.mid.sizes![0].aboveParent!)} +100 MiB `));
    expect(row('top')).toMatch(new RegExp(` ${mib(first.top.sizes![0].bytes)} + 200 MiB `));

    expectOk(await publish());
    expect(await digestOf(`mid-edge`)).toBe(first.mid.digest);
  });

  it('an image over its budget fails naming its size, the budget and its largest layers; no SHA tag, the edge tag stays, its child is skipped', async () => {
    ws.write({
      'images/mid/Dockerfile': child('top', randomFile('mid.bin', 2)).join('\n'),
      'images/mid/project.json': projectJson('50MiB'),
    });
    const sha = commit('mid grows past its budget');
    const r = await pushAll();
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(
      /images\/mid\/Dockerfile: mid \(linux\/amd64\) is [\d.]+ MiB compressed, 2(\.\d)? MiB above top: [\d.]+ MiB over its sizeBudget of 50 MiB; its largest layers:/,
    );
    // Its largest layers with the instruction that made each, the parent's marked as such.
    expect(r.output).toMatch(
      /^ +2(\.\d)? MiB {2}RUN mkdir -p \/opt\/data && head -c 2097152 \/dev\/urandom > \/opt\/data\/mid\.bin$/m,
    );
    expect(r.output).toMatch(
      /^ +3(\.\d)? MiB {2}RUN mkdir -p \/opt\/data && head -c 3145728 \/dev\/urandom > \/opt\/data\/top\.bin \(from top\)$/m,
    );
    expect(r.output).toContain(`${REPO}:mid-${sha} was not tagged: no moving tag changes and no child of it is tagged`);
    expect(r.output).toContain('fix: make the image smaller');
    // Its child is skipped (reported to Nx as failed, so the run exits 1, not 130; the summary says skipped).
    expect(r.output).toContain('end: skipped, a parent image failed');
    expect(r.output).toMatch(/^end\s+skipped\s*$/m);
    // top fits: this commit's SHA tag is on it; mid has none, nor has end (built FROM mid's digest while mid
    // was measured, as a child starts as soon as its parent's image exists: only its content tag, a cache
    // entry, is in the registry).
    expect(await digestOf(`top-${sha}`)).toBe(first.top.digest);
    expect(await digestOf(`mid-${sha}`)).toBeNull();
    expect(await digestOf(`end-${sha}`)).toBeNull();
    expect(hasResult('mid')).toBe(false);
    // Nothing a user pulls by a moving tag changed, and publish cannot move to this commit.
    expect(await digestOf('mid-edge')).toBe(first.mid.digest);
    const p = await publish();
    expect(p.exitCode).not.toBe(0);
    expect(p.output).toContain(`mid (${REPO}:mid-${sha} is missing)`);
    expect(await digestOf('mid-edge')).toBe(first.mid.digest);
    // The summary lists the failure.
    expect(r.output).toMatch(/^mid +failed/m);
  });

  it('the content is reused but checked again: still over, still untagged; a raised budget (not in the content hash) tags it without a rebuild', async () => {
    const again = commit('nothing changed');
    const r = await pushAll();
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toContain('over its sizeBudget of 50 MiB');
    expect(r.output).not.toMatch(/mid: building/);
    expect(await digestOf(`mid-${again}`)).toBeNull();

    ws.write({ 'images/mid/project.json': projectJson('60MiB') });
    const raised = commit('raise mid budget');
    const ok = await pushAll();
    expectOk(ok);
    expect(result('mid').result).toBe('reused');
    expect(result('mid').sizeBudget).toBe(60 * MiB);
    expect(await digestOf(`mid-${raised}`)).toBe(result('mid').digest);
    // end's content was built in the first failed run, while mid was being measured: reused, now tagged.
    expect(result('end').result).toBe('reused');
    expect(await digestOf(`end-${raised}`)).toBe(result('end').digest);
  });

  it.each([
    { value: 'big', says: 'sizeBudget "big" is not a size' },
    { value: '-5MiB', says: 'sizeBudget "-5MiB" is negative' },
    { value: '0MiB', says: 'sizeBudget "0MiB" is zero' },
    { value: '700', says: 'sizeBudget "700" has no unit' },
    { value: 700, says: 'sizeBudget 700 is not a size: it needs a unit' },
  ])('a budget of $value in project.json is refused when the graph is made, naming the file', ({ value, says }) => {
    ws.write({ 'images/mid/project.json': projectJson(value) });
    const r = ws.nx('show', 'projects');
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.status, output).not.toBe(0);
    expect(output).toContain(`images/mid/project.json (targets.image-build.options.sizeBudget): ${says}`);
    expect(output).toContain('fix: write the largest compressed size the image may have as a number with a unit');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('a bad budget in nx.json names nx.json; one on the command line fails before any build, nothing pushed', async () => {
    ws.write({ 'images/mid/project.json': projectJson('60MiB') });
    const nxJson = readFileSync(join(ws.root, 'nx.json'), 'utf8');
    ws.write({ 'nx.json': nxJson.replace('"sizeBudget": "200MiB"', '"sizeBudget": "big"') });
    const graph = ws.nx('show', 'projects');
    expect(graph.status).not.toBe(0);
    expect(`${graph.stdout}\n${graph.stderr}`).toContain(
      'nx.json (plugins[].options.build.sizeBudget): sizeBudget "big" is not a size',
    );
    ws.write({ 'nx.json': nxJson });
    ws.remove('dist');
    const sha = commit('a new commit');
    const r = await pushAll('--sizeBudget=-1GiB');
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toContain('image-build options of top: sizeBudget "-1GiB" is negative');
    expect(r.output).not.toMatch(/top: (building|reused)/);
    for (const image of ['top', 'mid', 'end']) expect(await digestOf(`${image}-${sha}`)).toBeNull();
    rmSync(join(ws.root, 'dist'), { recursive: true, force: true });
  });
});
