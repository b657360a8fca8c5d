import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_REGISTRY } from '../../test-env/env';
import type { ContentsDiff } from '../src/core/contents-diff';
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
 * a new version of scripts/hello shows as exactly that tool's change (in child: from its parent); a ref
 * without a record, unrelated images, a missing tag and an unreachable registry are refused with the fix.
 * The record's own image test (the check in images/base/image-test.yaml) runs against child.
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
    entry.options = { ...entry.options, repository: REPO };
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
      name: 'an unreachable registry',
      refs: () => ['127.0.0.1:5999/nothing/here:base', `${REPO}:base-${first}`],
      says: () => '127.0.0.1:5999',
      fix: 'fix:',
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
