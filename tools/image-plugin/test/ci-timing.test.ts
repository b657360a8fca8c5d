import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_PASSWORD, TARGET_REGISTRY, TARGET_USER } from '../../test-env/env';
import { manifestDigest } from '../../test-env/registry-api';
import {
  childDockerfile as childDockerfileFrom,
  helloScript,
  runInWorkspace,
  twoImageFamily,
  type Run,
} from './ci-workspace';
import { FakeGitHubReleases } from './fake-github';
import { FaultyRegistry } from './faults/registry-proxy';
import { ScratchWorkspace, WORKSPACE } from './scratch-workspace';
import { shortSha } from '../src/core/tags';
import { tagSha } from './sha-tag';

/**
 * Real-world timing, for real: the CI commands (image-build --push, image-test, merge, publish,
 * release) of several runs, interleaved in the orders GitHub can finish them, in a scratch git
 * repository with several commits of main, a maintenance branch and tags, against the password
 * registry. Each "run" is what images.yml does for one push: check out its commit, build (reusing
 * what exists), then publish (main) or release (a tag). After every step the test reads where each
 * edge, release and SHA tag points.
 *
 * GitHub serializes publish jobs in one group and may cancel a pending one; release jobs are never
 * cancelled. So runs here are sequential and some publishes never run at all.
 */

const NAMESPACE = `timing-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/images`;
const PLATFORM = 'linux/amd64';
const IMAGES = ['base', 'child'] as const;
const TIMEOUT = 420_000;

const childDockerfile = (instruction: string) => childDockerfileFrom(REPO, instruction);
const hello = helloScript;
const baseTest = (expected: string) =>
  [
    'checks:',
    '  - name: hello',
    '    run: cat /usr/local/share/hello.txt',
    `    expect: { stdout: '${expected}' }`,
    '',
  ].join('\n');
const FAMILY: Record<string, string> = {
  ...twoImageFamily(REPO, 'c1\n'),
  'images/base/image-test.yaml': baseTest('^hello'),
};

let ws: ScratchWorkspace;
let outputDir = '';

async function run(file: string, args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return runInWorkspace(ws, file, args, { extra, timeout: TIMEOUT });
}
const images = (args: string[], extra: Record<string, string> = {}) =>
  run('npx', ['--no-install', 'images', ...args], extra);
const nx = (args: string[], extra: Record<string, string> = {}) =>
  run('npx', ['--no-install', 'nx', ...args], { NX_DAEMON: 'false', ...extra });
const ok = (r: Run, what: string) => expect(r.code, `${what} failed:\n${r.all}`).toBe(0);
const git = (...args: string[]) => ws.git(...args).trim();
const digestOf = (tag: string) => manifestDigest(`${NAMESPACE}/images`, tag);

// ---- a minimal GitHub releases API: records what release asks for ------------------------------------
const github = new FakeGitHubReleases();
const GITHUB = () => github.env();
const posted = () => github.created() as Array<{ tag_name: string; make_latest?: string }>;

// ---- the runs --------------------------------------------------------------------------------------

/** sha -> image -> the digest of its SHA tag, as the run left it. */
const built: Record<string, Record<string, string>> = {};
/** Commits by name (c1, c2, ..., h1). */
const commits: Record<string, string> = {};

/** A commit on `branch` (main unless said). */
function commit(name: string, files: Record<string, string>, branch = 'main'): string {
  git('checkout', '-q', branch);
  ws.write(files);
  ws.commitAll(name);
  commits[name] = git('rev-parse', 'HEAD');
  return commits[name];
}

/** The build part of one images.yml run for a commit: check it out, build and push what is missing, tag the rest. */
async function build(name: string): Promise<Run> {
  git('checkout', '-q', '--detach', commits[name]);
  const r = await nx(['run-many', '-t', 'image-build', '--push', `--platforms=${PLATFORM}`, '--sbom=false']);
  if (r.code === 0) {
    built[name] = {};
    for (const image of IMAGES) built[name][image] = (await digestOf(`${image}-${tagSha(commits[name])}`)) as string;
  }
  return r;
}

/** The publish job of the run for `name` (this run's commit), with origin/main being `main`. */
const publish = (name: string, extra: Record<string, string> = {}, args: string[] = []) =>
  images(['publish', '--ref', 'main', '--revision', commits[name], ...args], extra);

/** Each image's digest under `<image>-<suffix>` (`<image>` for ''), or null. */
async function tagged(suffix: string): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const image of IMAGES) out[image] = await digestOf(suffix ? `${image}-${suffix}` : image);
  return out;
}
/**
 * Expects `<image>-<suffix>` of every image to point at what the run of commit `name` built. Children
 * differ in every commit (each changes child's folder), so `child` tells the commits apart; `base` is
 * often the same digest for many commits (reused).
 */
async function expectAt(suffix: string, name: string): Promise<void> {
  expect(await tagged(suffix), `${suffix || '<image>'} should be at ${name}`).toEqual(built[name]);
}

beforeAll(async () => {
  ws = new ScratchWorkspace('ci-timing-');
  const nxJson = JSON.parse(readFileSync(join(WORKSPACE, 'nx.json'), 'utf8')) as {
    plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
  };
  const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin'));
  if (!entry) throw new Error('nx.json has no image plugin entry');
  entry.options = { ...entry.options, repository: REPO };
  ws.write({ 'nx.json': `${JSON.stringify(nxJson, null, 2)}\n`, ...FAMILY });
  ws.initGit();
  commits.c1 = git('rev-parse', 'HEAD');
  outputDir = mkdtempSync(join(tmpdir(), 'ci-timing-output-'));
  await github.start();
});

afterAll(async () => {
  await github.stop();
  ws?.dispose();
  if (outputDir) rmSync(outputDir, { recursive: true, force: true });
});

describe.sequential('CI under real-world timing', () => {
  it('three quick pushes to main, runs finishing c1, c3, c2: every commit gets its SHA tags, edge ends on c3', async () => {
    commit('c2', { 'images/child/notes.txt': 'c2\n' });
    commit('c3', { 'images/child/notes.txt': 'c3\n' });
    ok(await build('c1'), 'build c1');
    ok(await publish('c1'), 'publish c1');
    await expectAt('edge', 'c1');
    ok(await build('c3'), 'build c3');
    ok(await build('c2'), 'build c2'); // the middle commit's run finishes last
    // c2's publish runs while c3's is pending: it publishes the newest complete commit, c3.
    const p2 = await publish('c2');
    ok(p2, 'publish c2');
    expect(p2.stdout).toContain(
      `${shortSha(commits.c3)} is newer than ${shortSha(commits.c2)} and complete: publishing it`,
    );
    await expectAt('edge', 'c3');
    ok(await publish('c3'), 'publish c3');
    await expectAt('edge', 'c3');
    // Every commit kept its own SHA tags (each child differs).
    for (const name of ['c1', 'c2', 'c3'])
      for (const image of IMAGES)
        expect(await digestOf(`${image}-${tagSha(commits[name])}`), `${image} ${name}`).toBe(built[name][image]);
    expect(new Set(['c1', 'c2', 'c3'].map((n) => built[n].child)).size).toBe(3);
  });

  it("an older commit's publish (a late re-run of c1) never moves the edge back", async () => {
    const r = await publish('c1');
    ok(r, 'publish c1 again');
    await expectAt('edge', 'c3');
    expect(r.stdout).toContain('0 moved, 2 already in place');
  });

  it('a publish GitHub cancelled while pending loses nothing: the next one publishes the newest', async () => {
    commit('c4', { 'images/child/notes.txt': 'c4\n' });
    commit('c5', { 'images/child/notes.txt': 'c5\n' });
    ok(await build('c5'), 'build c5');
    ok(await build('c4'), 'build c4');
    // c5's publish was pending when c4's entered the group: GitHub cancelled it. Only c4's runs.
    ok(await publish('c4'), 'publish c4');
    await expectAt('edge', 'c5');
  });

  it('a newer commit whose child fails: its publish moves nothing and says why; the edge stays on c5', async () => {
    commit('c6', { 'images/child/Dockerfile': childDockerfile('RUN echo child && exit 3') });
    const b = await build('c6');
    expect(b.code).not.toBe(0);
    expect(await digestOf(`base-${tagSha(commits.c6)}`)).not.toBeNull(); // base reused and tagged
    expect(await digestOf(`child-${tagSha(commits.c6)}`)).toBeNull();
    const p = await publish('c6');
    expect(p.code).not.toBe(0);
    expect(p.stderr).toContain(`child (${REPO}:child-${tagSha(commits.c6)} is missing)`);
    expect(p.stderr).toContain('no edge tag was moved');
    expect(p.stderr).toContain('fix: build the missing images');
    await expectAt('edge', 'c5');
    // c5's publish re-run now: c6 is not complete, so c5 it stays.
    ok(await publish('c5'), 'publish c5 (re-run)');
    await expectAt('edge', 'c5');
    commit('c7', { 'images/child/Dockerfile': FAMILY['images/child/Dockerfile'], 'images/child/notes.txt': 'c7\n' });
    ok(await build('c7'), 'build c7');
    ok(await publish('c7'), 'publish c7');
    await expectAt('edge', 'c7');
  });

  it('a registry that refuses the last edge move: the moved edge goes back; a re-run finishes', async () => {
    commit('c8', { 'images/child/notes.txt': 'c8\n', 'scripts/hello/install.sh': hello('hello 8') });
    ok(await build('c8'), 'build c8');
    expect(built.c8.base).not.toBe(built.c7.base);
    const proxy = (await FaultyRegistry.start()).failOn({
      fault: 'denied',
      method: 'PUT',
      path: new RegExp(`^/v2/${NAMESPACE}/images/manifests/child-edge$`),
    });
    const config = mkdtempSync(join(tmpdir(), 'ci-timing-docker-config-'));
    try {
      const auth = Buffer.from(`${TARGET_USER}:${TARGET_PASSWORD}`).toString('base64');
      writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [proxy.host]: { auth } } }));
      const r = await publish('c8', { DOCKER_CONFIG: config }, ['--repository', `${proxy.host}/${NAMESPACE}/images`]);
      expect(r.code, r.all).not.toBe(0);
      expect(proxy.faulted.length).toBeGreaterThan(0);
      expect(r.stderr).toContain(`moving ${proxy.host}/${NAMESPACE}/images:child-edge failed`);
      expect(r.stderr).toContain(`put back ${proxy.host}/${NAMESPACE}/images:base-edge where they were`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await proxy.close();
      rmSync(config, { recursive: true, force: true });
    }
    await expectAt('edge', 'c7');
    ok(await publish('c8'), 'publish c8 (re-run)');
    await expectAt('edge', 'c8');
  });

  // ---- releases ----------------------------------------------------------------------------------

  /** The run images.yml does for a pushed tag: plan what the registry lacks, build it, release. */
  async function tagRun(tag: string): Promise<{ planned: string[]; release: Run }> {
    git('checkout', '-q', '--detach', tag);
    const output = join(outputDir, `github-output-${randomBytes(3).toString('hex')}`);
    writeFileSync(output, '');
    const sha = git('rev-parse', 'HEAD');
    const p = await images(
      [
        'plan',
        '--check-registry',
        '--platforms',
        PLATFORM,
        '--max-levels',
        '4',
        '--workflow',
        '.github/workflows/images.yml',
      ],
      {
        NX_BASE: sha,
        NX_HEAD: sha,
        GITHUB_OUTPUT: output,
      },
    );
    ok(p, `plan for ${tag}`);
    const plan = JSON.parse(p.stdout.slice(p.stdout.indexOf('{'))) as { affected: string[] };
    const b = await nx(['run-many', '-t', 'image-build', '--push', `--platforms=${PLATFORM}`, '--sbom=false']);
    ok(b, `build for ${tag}`);
    const name = Object.keys(commits).find((n) => commits[n] === sha) as string;
    const before = built[name];
    built[name] = {};
    for (const image of IMAGES) built[name][image] = (await digestOf(`${image}-${tagSha(sha)}`)) as string;
    // A commit main's run already built: the tag's run reuses everything, the SHA tags stay put.
    if (before) expect(built[name], `the tag run of ${tag} changed ${name}'s SHA tags`).toEqual(before);
    return { planned: plan.affected, release: await images(['release', '--tag', tag], GITHUB()) };
  }

  it('three tags pushed at once (one on a maintenance branch never built), releases finishing highest first', async () => {
    // A maintenance branch from c2 with a fix in child: no push of it is ever built, only its tag.
    git('branch', 'release-1.0', commits.c2);
    commit('h1', { 'images/child/notes.txt': 'h1 hotfix\n' }, 'release-1.0');
    git('tag', 'v1.0.0', commits.c2);
    git('tag', 'v1.1.0', commits.c5);
    git('tag', 'v1.0.1', commits.h1);
    git('tag', 'vv9.9.9', commits.c8); // a stray tag: never a release, never blocks latest
    git('tag', '2.0.0', commits.c8); // no v: not a release either

    const r110 = await tagRun('v1.1.0');
    expect(r110.planned, 'c5 was built: nothing to build').toEqual([]);
    ok(r110.release, 'release v1.1.0');
    expect(r110.release.stdout).toContain('not release tags, left out: vv9.9.9');

    const r101 = await tagRun('v1.0.1');
    expect(r101.planned, 'the hotfix commit was never built: its child is').toEqual(['child']);
    ok(r101.release, 'release v1.0.1');

    const r100 = await tagRun('v1.0.0');
    expect(r100.planned).toEqual([]);
    ok(r100.release, 'release v1.0.0');

    await expectAt('1.0.0', 'c2');
    await expectAt('1.0.1', 'h1');
    await expectAt('1.0', 'h1');
    await expectAt('1.1.0', 'c5');
    await expectAt('1.1', 'c5');
    await expectAt('1', 'c5');
    await expectAt('', 'c5');
    expect(Object.fromEntries(posted().map((p) => [p.tag_name, p.make_latest]))).toEqual({
      'v1.1.0': 'true',
      'v1.0.1': 'false',
      'v1.0.0': 'false',
    });
    // Releases and publish never move each other's tags.
    await expectAt('edge', 'c8');
  });

  it('two more tags pushed at once, the lower (a hotfix) finishing first: the same end', async () => {
    git('branch', 'release-1.1', commits.c5);
    commit('h2', { 'images/child/notes.txt': 'h2 hotfix\n' }, 'release-1.1');
    git('tag', 'v1.1.1', commits.h2);
    git('tag', 'v1.2.0', commits.c7);
    ok((await tagRun('v1.1.1')).release, 'release v1.1.1');
    ok((await tagRun('v1.2.0')).release, 'release v1.2.0');
    await expectAt('1.1', 'h2');
    await expectAt('1.2', 'c7');
    await expectAt('1', 'c7');
    await expectAt('', 'c7');
    await expectAt('1.0', 'h1');
    expect(
      posted()
        .slice(-2)
        .map((p) => [p.tag_name, p.make_latest]),
    ).toEqual([
      ['v1.1.1', 'false'],
      ['v1.2.0', 'true'],
    ]);
    await expectAt('edge', 'c8');
  });

  it('a re-run of a release changes nothing: no tag moves, GitHub is only asked', async () => {
    const before = await Promise.all(['1.0', '1.1', '1.2', '1', ''].map((s) => tagged(s)));
    const n = posted().length;
    const r = await images(['release', '--tag', 'v1.1.0'], GITHUB());
    ok(r, 'release v1.1.0 again');
    expect(await Promise.all(['1.0', '1.1', '1.2', '1', ''].map((s) => tagged(s)))).toEqual(before);
    expect(posted().length).toBe(n);
    expect(r.stdout).toContain('(already in place)');
  });

  it('build metadata: v1.3.0+build.5 releases as base-1.3.0_build.5 and takes the floating tags; a twin v1.3.0+build.6 is refused', async () => {
    git('tag', 'v1.3.0+build.5', commits.c8);
    const r = await tagRun('v1.3.0+build.5');
    ok(r.release, 'release v1.3.0+build.5');
    await expectAt('1.3.0_build.5', 'c8');
    for (const s of ['1.3', '1', '']) await expectAt(s, 'c8');
    expect(posted()[posted().length - 1]).toMatchObject({ tag_name: 'v1.3.0+build.5', make_latest: 'true' });

    git('tag', 'v1.3.0+build.6', commits.c8);
    const n = github.requests.length;
    const twin = await images(['release', '--tag', 'v1.3.0+build.6'], GITHUB());
    expect(twin.code).not.toBe(0);
    expect(twin.stderr).toContain('v1.3.0+build.6 and v1.3.0+build.5 are the same version 1.3.0');
    expect(await digestOf('base-1.3.0_build.6')).toBeNull();
    expect(github.requests.length).toBe(n);
    git('tag', '-d', 'v1.3.0+build.6');
  });

  it('tags that are not v<semver> are refused with the fix, and nothing moves', async () => {
    const before = await tagged('');
    const n = github.requests.length;
    for (const [tag, fix] of [
      ['vv9.9.9', 'fix: tag the commit v9.9.9 instead'],
      ['2.0.0', 'fix: tag the commit v2.0.0 instead'],
    ]) {
      const r = await images(['release', '--tag', tag], GITHUB());
      expect(r.code, tag).not.toBe(0);
      expect(r.stderr).toContain(`the tag "${tag}" is not a release tag`);
      expect(r.stderr).toContain(fix);
    }
    expect(await tagged('')).toEqual(before);
    expect(github.requests.length).toBe(n);
  });

  it('a release of a commit that was never built and cannot be built: one message with a fix that works, nothing moved', async () => {
    git('branch', 'broken', commits.c8);
    commit('b1', { 'scripts/hello/install.sh': '#!/bin/sh\nexit 7\n' }, 'broken');
    git('tag', 'v1.4.0', commits.b1);
    git('checkout', '-q', '--detach', 'v1.4.0');
    const b = await nx(['run-many', '-t', 'image-build', '--push', `--platforms=${PLATFORM}`, '--sbom=false']);
    expect(b.code, "the tag run's build fails, so its release job never runs").not.toBe(0);
    const before = await Promise.all(['1.4', '1', ''].map((s) => tagged(s)));
    const n = github.requests.length;
    const r = await images(['release', '--tag', 'v1.4.0'], GITHUB());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `v1.4.0 (${shortSha(commits.b1)}) has no image for base (${REPO}:base-${tagSha(commits.b1)}), child (${REPO}:child-${tagSha(commits.b1)}); no tag was moved`,
    );
    expect(r.stderr).toContain(
      'fix: releases retag what CI built and tested for that commit: run the images workflow on the tag',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await Promise.all(['1.4', '1', ''].map((s) => tagged(s)))).toEqual(before);
    expect(await digestOf('base-1.4.0')).toBeNull();
    expect(github.requests.length).toBe(n);
    git('checkout', '-q', 'main');
  });

  // ---- image tests before the merge (build-level.yml) ------------------------------------------------

  /** One build-level job for base on its platform: build by digest, pull, test; then the merge job. */
  async function levelJob(name: string): Promise<{ build: Run; test: Run; merge: Run | null }> {
    git('checkout', '-q', '--detach', commits[name]);
    const b = await nx([
      'run',
      'base:image-build',
      '--push',
      '--pushByDigest',
      `--platforms=${PLATFORM}`,
      `--indexPlatforms=${PLATFORM}`,
      '--sbom=false',
    ]);
    ok(b, `base build for ${name}`);
    const result = JSON.parse(
      readFileSync(join(ws.root, 'dist/images', `base@${PLATFORM.replace('/', '-')}.json`), 'utf8'),
    ) as { pinnedReference: string };
    ok(await run('docker', ['pull', '--platform', PLATFORM, result.pinnedReference]), 'docker pull');
    const t = await nx([
      'run',
      'base:image-test',
      `--platform=${PLATFORM}`,
      '--excludeTaskDependencies',
      '--outputStyle=stream',
    ]);
    // The workflow stops at a failed test: no artifact, so no merge.
    const m = t.code === 0 ? await images(['merge', 'base', '--platforms', PLATFORM]) : null;
    return { build: b, test: t, merge: m };
  }

  it('image-test runs on the one-platform build, rebuilds nothing, and passes: the merge adds the SHA tag', async () => {
    commit('c9', { 'scripts/hello/install.sh': hello('hello 9') });
    const job = await levelJob('c9');
    ok(job.test, 'image-test c9');
    expect(job.test.all).toContain('✓ base › hello');
    expect(job.test.all).not.toMatch(/base: building|image-build/);
    ok(job.merge as Run, 'merge c9');
    expect(await digestOf(`base-${tagSha(commits.c9)}`)).not.toBeNull();
  });

  it('a failing image test stops the level: no SHA tag, so publish and release of that commit move nothing', async () => {
    commit('c10', { 'images/base/image-test.yaml': baseTest('^goodbye') });
    const job = await levelJob('c10');
    expect(job.test.code).not.toBe(0);
    expect(job.test.all).toMatch(/✗ base › hello .*stdout does not match/);
    expect(job.merge).toBeNull();
    expect(await digestOf(`base-${tagSha(commits.c10)}`)).toBeNull();
    const edge = await tagged('edge');
    const p = await publish('c10');
    expect(p.code).not.toBe(0);
    // No image of c10 has its SHA tag (base's test failed, child never built): publish says so, moves nothing.
    expect(p.stderr).toContain(`publish: no image was built for ${commits.c10} (${REPO}:base-${tagSha(commits.c10)}`);
    expect(p.stderr).toContain('no edge tag was moved');
    expect(await tagged('edge')).toEqual(edge);
    git('tag', 'v1.5.0', commits.c10);
    const r = await images(['release', '--tag', 'v1.5.0'], GITHUB());
    expect(r.code).not.toBe(0);
    expect(await digestOf('base-1.5.0')).toBeNull();
    git('checkout', '-q', 'main');
  });
});
