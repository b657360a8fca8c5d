import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT, TARGET_AUTH, TARGET_PASSWORD, TARGET_REGISTRY, TARGET_USER } from '../../test-env/env';
import { manifestDigest } from '../../test-env/registry-api';
import {
  childDockerfile as childDockerfileFrom,
  helloScript,
  runInWorkspace,
  twoImageFamily,
  type Run,
} from './ci-workspace';
import { FakeGitHubReleases, type FakeRelease } from './fake-github';
import { FaultyRegistry } from './faults/registry-proxy';
import { ScratchWorkspace, WORKSPACE } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * The CI commands as the workflows run them, for real: a scratch git workspace with a two-image
 * family (base FROM debian:trixie-slim with a bind-mounted script; child FROM base), real Nx, the
 * real engine (QEMU for arm64) and the password registry on 127.0.0.1:5000.
 *
 *   plan (push / pull_request / workflow_dispatch) -> per-platform image-build --pushByDigest ->
 *   merge -> publish (all or nothing) -> release (the semver sequence, GitHub API on a local server)
 *
 * Tests run in order and build on each other.
 */

const NAMESPACE = `ci-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/images`;
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const IMAGES = ['base', 'child'] as const;
const LEVELS = [['base'], ['child']];
const TIMEOUT = 420_000;

const childDockerfile = (instruction: string) => childDockerfileFrom(REPO, instruction);
const hello = helloScript;
const FAMILY = twoImageFamily(REPO, 'first\n');

let ws: ScratchWorkspace;
let outputDir = '';

async function run(file: string, args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return runInWorkspace(ws, file, args, {
    extra,
    timeout: TIMEOUT,
    onRegistryRetry: (what) => console.warn(`registry 500, running again: ${what}`),
  });
}
const images = (args: string[], extra: Record<string, string> = {}) =>
  run('npx', ['--no-install', 'images', ...args], extra);
const nx = (args: string[], extra: Record<string, string> = {}) =>
  run('npx', ['--no-install', 'nx', ...args], { NX_DAEMON: 'false', ...extra });
const ok = (r: Run, what: string) => expect(r.code, `${what} failed:\n${r.all}`).toBe(0);
const git = (...args: string[]) => ws.git(...args).trim();
const head = () => git('rev-parse', 'HEAD');

/** A tag's digest in the registry (HEAD on the manifest), or null when it is not there. */
const digestOf = (tag: string) => manifestDigest(`${NAMESPACE}/images`, tag);
/** The image platforms of an index tag (attestation manifests, unknown/unknown, left out). */
/** Points `tag` at `digest` through the registry API, byte for byte (no new index is made). */
async function putTag(tag: string, digest: string): Promise<void> {
  const base = `http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/manifests`;
  const got = await fetch(`${base}/${digest}`, { headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT } });
  expect(got.status).toBe(200);
  const put = await fetch(`${base}/${tag}`, {
    method: 'PUT',
    headers: { Authorization: TARGET_AUTH, 'Content-Type': got.headers.get('content-type') ?? '' },
    body: Buffer.from(await got.arrayBuffer()),
  });
  expect(put.status).toBe(201);
}

async function platformsOf(tag: string): Promise<string[]> {
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/manifests/${tag}`, {
    headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
  });
  expect(res.status, `GET ${tag}`).toBe(200);
  const index = (await res.json()) as { manifests?: Array<{ platform?: { os: string; architecture: string } }> };
  return (index.manifests ?? [])
    .map((m) => m.platform)
    .filter((p): p is { os: string; architecture: string } => !!p && p.os !== 'unknown')
    .map((p) => `${p.os}/${p.architecture}`)
    .sort();
}

/** `images plan`'s JSON (stdout), and what it appended to $GITHUB_OUTPUT. */
async function plan(
  args: string[],
  extra: Record<string, string>,
): Promise<{ plan: Plan; outputs: Record<string, string>; run: Run }> {
  // Outside the workspace, as on a runner: a file in the work tree would make it dirty.
  const output = join(outputDir, `github-output-${randomBytes(3).toString('hex')}`);
  writeFileSync(output, '');
  const r = await images(['plan', '--max-levels', '4', '--workflow', '.github/workflows/images.yml', ...args], {
    ...extra,
    GITHUB_OUTPUT: output,
  });
  ok(r, 'images plan');
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { plan: JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Plan, outputs, run: r };
}
interface Plan {
  levels: Array<{
    level: number;
    images: string[];
    matrix: { include: Array<{ image: string; platform: string; slug: string; runner: string }> };
  }>;
  unaffected: string[];
  affected: string[];
  notInRegistry: string[];
  platforms: string[];
}
const matrix = (
  imgs: string[],
  runners: Record<string, string> = { 'linux/amd64': 'ubuntu-24.04', 'linux/arm64': 'ubuntu-24.04-arm' },
) =>
  imgs.flatMap((image) =>
    PLATFORMS.map((platform) => ({ image, platform, slug: platform.replace('/', '-'), runner: runners[platform] })),
  );

/** The per-platform flow of build-level.yml: each level, each platform by digest, then merge. */
async function buildLevels(levels: string[][]): Promise<Run[]> {
  const runs: Run[] = [];
  for (const level of levels) {
    for (const image of level) {
      for (const platform of PLATFORMS) {
        const r = await nx([
          'run',
          `${image}:image-build`,
          '--push',
          '--pushByDigest',
          `--platforms=${platform}`,
          `--indexPlatforms=${PLATFORMS.join(',')}`,
          '--sbom=false',
        ]);
        runs.push(r);
        if (r.code !== 0) return runs;
      }
      const m = await images(['merge', image, '--platforms', PLATFORMS.join(',')]);
      runs.push(m);
      if (m.code !== 0) return runs;
    }
  }
  return runs;
}

// ---- the fake GitHub API --------------------------------------------------------------------------
const github = new FakeGitHubReleases();
/** The SHA length a workspace keeps from before 12 became the default (`build.shaLength: 7`). */
const KEPT_SHA_LENGTH = 7;
const requests = github.requests;
const GITHUB = () => github.env();
const mark = () => requests.length;
const since = (i: number) => requests.slice(i);

// ---------------------------------------------------------------------------------------------------

beforeAll(async () => {
  ws = new ScratchWorkspace('ci-commands-');
  const nxJson = JSON.parse(readFileSync(join(WORKSPACE, 'nx.json'), 'utf8')) as {
    plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
  };
  const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin'));
  if (!entry) throw new Error('nx.json has no image plugin entry');
  entry.options = { ...entry.options, repository: REPO };
  ws.write({ 'nx.json': `${JSON.stringify(nxJson, null, 2)}\n`, ...FAMILY });
  ws.initGit();
  outputDir = mkdtempSync(join(tmpdir(), 'ci-commands-output-'));
  await github.start();
});

afterAll(async () => {
  await github.stop();
  ws?.dispose();
  if (outputDir) rmSync(outputDir, { recursive: true, force: true });
});

describe.sequential('CI commands end to end', () => {
  let initial = '';

  it('plan on a push to main after a commit touching only child: child at level 1, one entry per platform', async () => {
    initial = head();
    ws.write({ 'images/child/notes.txt': 'second\n' });
    ws.commitAll('child only');
    const { plan: p, outputs } = await plan([], {
      NX_BASE: initial,
      NX_HEAD: 'HEAD',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
    });
    expect(p.levels.map((l) => l.images)).toEqual([[], ['child'], [], []]);
    expect(p.levels[0].matrix.include).toEqual([]);
    expect(p.levels[1].matrix.include).toEqual(matrix(['child']));
    expect(p.unaffected).toEqual(['base']);
    expect(p.affected).toEqual(['child']);
    expect(outputs).toMatchObject({
      'matrix-0': '{"include":[]}',
      'has-0': 'false',
      'matrix-1': JSON.stringify({ include: matrix(['child']) }),
      'has-1': 'true',
      'images-1': 'child',
      'has-2': 'false',
      'has-3': 'false',
      unaffected: 'base',
      'has-unaffected': 'true',
      platforms: 'linux/amd64,linux/arm64',
    });
    expect(JSON.parse(outputs.plan)).toEqual(p);
  });

  it('plan with custom runner labels', async () => {
    const { plan: p } = await plan(['--runner', 'linux/arm64=arm-box', '--runner', 'linux/amd64=x86-box'], {
      NX_BASE: initial,
      NX_HEAD: 'HEAD',
    });
    expect(p.levels[1].matrix.include).toEqual(
      matrix(['child'], { 'linux/amd64': 'x86-box', 'linux/arm64': 'arm-box' }),
    );
  });

  it('plan on a pull_request (NX_BASE = the merge base): the branch only', async () => {
    git('checkout', '-q', '-b', 'feature');
    ws.write({ 'images/child/pr.txt': 'pr\n' });
    ws.commitAll('pr: child');
    const base = git('merge-base', 'main', 'HEAD');
    const pr = { NX_BASE: base, NX_HEAD: 'HEAD', GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/1/merge' };
    let { plan: p } = await plan([], pr);
    expect(p.levels.map((l) => l.images)).toEqual([[], ['child'], [], []]);
    expect(p.levels[1].matrix.include).toEqual(matrix(['child']));
    expect(p.unaffected).toEqual(['base']);

    ws.write({ 'scripts/hello/install.sh': hello('hello from the pr') });
    ws.commitAll('pr: the script base mounts');
    ({ plan: p } = await plan([], pr));
    expect(p.levels.map((l) => l.images)).toEqual([['base'], ['child'], [], []]);
    expect(p.levels[0].matrix.include).toEqual(matrix(['base']));
    expect(p.unaffected).toEqual([]);
    git('checkout', '-q', 'main');
    git('branch', '-q', '-D', 'feature');
  });

  it('plan on workflow_dispatch with --all: every image', async () => {
    const { plan: p, outputs } = await plan(['--all'], {
      NX_BASE: 'HEAD',
      NX_HEAD: 'HEAD',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_REF: 'refs/heads/main',
    });
    expect(p.levels.map((l) => l.images)).toEqual([['base'], ['child'], [], []]);
    expect(p.levels[0].matrix.include).toEqual(matrix(['base']));
    expect(p.levels[1].matrix.include).toEqual(matrix(['child']));
    expect(p.unaffected).toEqual([]);
    expect(outputs).toMatchObject({
      'has-0': 'true',
      'has-1': 'true',
      'has-2': 'false',
      'has-unaffected': 'false',
      unaffected: '',
    });
  });

  it('plan for a tag that is not a release tag stops in the plan job, before any build', async () => {
    const r = await images(['plan', '--max-levels', '4'], {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/tags/v1.2',
      NX_BASE: 'HEAD',
      NX_HEAD: 'HEAD',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('release: the tag "refs/tags/v1.2" is not a release tag');
    expect(r.stdout).not.toContain('"levels"');
  });

  it('plan with fewer level jobs than levels fails naming the workflow file', async () => {
    const r = await images(['plan', '--all', '--max-levels', '1', '--workflow', '.github/workflows/images.yml']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('.github/workflows/images.yml');
    expect(r.stderr).toContain('--max-levels 2');
  });

  const digests: Record<string, string> = {};

  it('per platform, level by level, then merge: each SHA tag is an index of both platforms', async () => {
    const runs = await buildLevels(LEVELS);
    for (const r of runs) ok(r, 'build-level');
    expect(runs).toHaveLength(6);
    const sha = tagSha(head());
    for (const image of IMAGES) {
      expect(await platformsOf(`${image}-${sha}`), image).toEqual(PLATFORMS);
      digests[image] = (await digestOf(`${image}-${sha}`)) as string;
      const result = JSON.parse(readFileSync(join(ws.root, 'dist/images', `${image}.json`), 'utf8')) as {
        digest: string;
        platforms: string[];
        tags: string[];
      };
      expect(result.digest).toBe(digests[image]);
      expect([...result.platforms].sort()).toEqual(PLATFORMS);
      expect(result.tags).toContain(`${REPO}:${image}-${sha}`);
      // Not published yet: builds push only immutable tags.
      expect(await digestOf(image)).toBeNull();
      expect(await digestOf(`${image}-edge`)).toBeNull();
    }
    const child = JSON.parse(readFileSync(join(ws.root, 'dist/images/child.json'), 'utf8')) as { parentDigest: string };
    expect(child.parentDigest).toBe(digests.base);
  });

  it('merge with a planned platform missing fails naming it', async () => {
    const r = await images(['merge', 'child', '--platforms', [...PLATFORMS, 'linux/riscv64'].join(',')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('child has no build for linux/riscv64 (planned');
    const r2 = await images(['merge', 'base', '--platforms', 'linux/s390x,linux/amd64,linux/riscv64']);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain('base has no build for linux/s390x, linux/riscv64 (planned');
  });

  // child's platform results are its own builds (base's were since rewritten as reused by child's jobs), so
  // a merge of child makes the index again: from the same sources it is the same index, byte for byte.
  it('merge again: the SHA and content tags name the index already, so nothing moves', async () => {
    const r = await images(['merge', 'child', '--platforms', PLATFORMS.join(',')]);
    ok(r, 'merge');
    expect(await digestOf(`child-${tagSha(head())}`)).toBe(digests.child);
  });

  // Write-once: another run of this commit (or a hand) pointed child-<sha> elsewhere; a merge never re-points it.
  it('merge after another digest took the SHA tag: refused naming the tag and both digests, nothing moved', async () => {
    const tag = `child-${tagSha(head())}`;
    await putTag(tag, digests.base);
    try {
      const r = await images(['merge', 'child', '--platforms', PLATFORMS.join(',')]);
      expect(r.code, r.all).not.toBe(0);
      expect(r.stderr).toContain(
        `${REPO}:${tag}: ${REPO}:${tag} already names ${digests.base}; this run would point it at ${digests.child}. Nothing was moved`,
      );
      expect(r.stderr).toContain('fix: a tag that names a commit, a content hash or a version is never moved');
      expect(await digestOf(tag)).toBe(digests.base);
    } finally {
      await putTag(tag, digests.child); // as the build left it, for the tests after this one
    }
  });

  // The weekly schedule and tag runs of a commit that was built: its SHA tags are final, so other inputs
  // (here another platform list, as a moved debian:trixie-slim would be) plan nothing.
  it('plan --check-registry on a commit whose SHA tags exist: nothing planned, whatever the inputs hash to now', async () => {
    const same = { NX_BASE: 'HEAD', NX_HEAD: 'HEAD', GITHUB_EVENT_NAME: 'schedule', GITHUB_REF: 'refs/heads/main' };
    const { plan: p, run: r } = await plan(['--check-registry', '--platforms', 'linux/amd64'], same);
    expect(p.levels.map((l) => l.images)).toEqual([[], [], [], []]);
    expect(p.notInRegistry).toEqual([]);
    expect(r.stderr).not.toContain('is planned');
  });

  it('publish moves every edge tag to its SHA tag digest; the bare tag is left to releases', async () => {
    const r = await images(['publish']);
    ok(r, 'publish');
    for (const image of IMAGES) expect(await digestOf(`${image}-edge`), `${image}-edge`).toBe(digests[image]);
    for (const image of IMAGES) expect(await digestOf(image), image).toBeNull();
  });

  it('plan --check-registry: nothing more while every content tag is there; content never pushed is planned, children too', async () => {
    ws.write({ 'docs/notes.md': 'docs only\n' });
    ws.commitAll('docs only');
    const push = { NX_BASE: 'HEAD~1', NX_HEAD: 'HEAD', GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' };
    let { plan: p, run: r } = await plan(['--check-registry'], push);
    // The executor and the plan hash alike: every content tag the level builds pushed is found.
    expect(p.levels.map((l) => l.images)).toEqual([[], [], [], []]);
    expect(p.notInRegistry).toEqual([]);
    expect(p.unaffected).toEqual(['base', 'child']);
    expect(r.stderr).not.toContain('is planned');

    // linux/amd64 alone is other content (platforms are hashed, as a new debian:trixie-slim digest
    // is): no file changed, so Nx affects nothing, but the registry has no such content tag.
    ({ plan: p, run: r } = await plan(['--check-registry', '--platforms', 'linux/amd64'], push));
    expect(p.levels.map((l) => l.images)).toEqual([['base'], ['child'], [], []]);
    expect(p.notInRegistry).toEqual(['base', 'child']);
    expect(p.unaffected).toEqual([]);
    expect(r.stderr).toMatch(
      new RegExp(`plan: base is planned: ${REPO}:base-content-[0-9a-f]{16} is not in the registry`),
    );

    // Without the check the plan is the change alone.
    ({ plan: p } = await plan(['--platforms', 'linux/amd64'], push));
    expect(p.levels.map((l) => l.images)).toEqual([[], [], [], []]);
    expect(p.notInRegistry).toEqual([]);
  });

  // Sign before tag makes a signature part of "done": with --signed, content without one (pushed before
  // merges signed, or by hand) is planned again, so its level job tests it and merge --sign signs it.
  it('plan --check-registry --signed: content without a signature is planned; once signed it is reused', async () => {
    const push = { NX_BASE: 'HEAD~1', NX_HEAD: 'HEAD', GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' };
    let { plan: p, run: r } = await plan(['--check-registry', '--signed'], push);
    expect(p.levels.map((l) => l.images)).toEqual([['base'], ['child'], [], []]);
    expect(p.notInRegistry).toEqual(['base', 'child']);
    expect(p.unaffected).toEqual([]);
    for (const image of IMAGES) expect(r.stderr).toContain(`plan: ${image} is planned: ${REPO}:${image}-content-`);
    expect(r.stderr).toContain(`names ${digests.base}, which has no signature (it is tested and signed again)`);

    // cosign 2 (the release CI pins) signs both digests: their sha256-<hex>.sig tags appear.
    const keys = mkdtempSync(join(tmpdir(), 'ci-commands-keys-'));
    try {
      const env = { ...ws.env, COSIGN_PASSWORD: '', COSIGN_YES: 'true' };
      await execa('cosign', ['generate-key-pair'], { cwd: keys, env });
      for (const image of IMAGES) {
        const signed = await execa(
          'cosign',
          ['sign', '--key', join(keys, 'cosign.key'), '--tlog-upload=false', `${REPO}@${digests[image]}`],
          { env, reject: false, all: true },
        );
        expect(signed.exitCode, String(signed.all)).toBe(0);
      }
    } finally {
      rmSync(keys, { recursive: true, force: true });
    }
    expect(await digestOf(`${digests.base.replace(':', '-')}.sig`)).toMatch(/^sha256:/);
    ({ plan: p, run: r } = await plan(['--check-registry', '--signed'], push));
    expect(p.levels.map((l) => l.images)).toEqual([[], [], [], []]);
    expect(p.notInRegistry).toEqual([]);
    expect(p.unaffected).toEqual(['base', 'child']);
    expect(r.stderr).not.toContain('is planned');
  });

  it('a failing level: base builds, child fails; publish fails naming child and moves nothing', async () => {
    const before = Object.fromEntries(
      await Promise.all(IMAGES.map(async (i) => [i, await digestOf(`${i}-edge`)] as const)),
    );
    ws.write({
      'scripts/hello/install.sh': hello('hello 2'),
      'images/child/Dockerfile': childDockerfile('RUN echo child && exit 3'),
    });
    ws.commitAll('base changes, child breaks');
    const sha = tagSha(head());
    const runs = await buildLevels(LEVELS);
    const last = runs[runs.length - 1];
    expect(runs).toHaveLength(4); // base amd64, base arm64, merge base, child amd64 (failed)
    for (const r of runs.slice(0, 3)) ok(r, 'level 0');
    expect(last.code).not.toBe(0);
    expect(last.all).toContain('images/child/Dockerfile');
    const newBase = await digestOf(`base-${sha}`);
    expect(newBase).not.toBeNull();
    expect(newBase).not.toBe(before.base);
    expect(await digestOf(`child-${sha}`)).toBeNull();

    const p = await images(['publish']);
    expect(p.code).not.toBe(0);
    expect(p.stderr).toContain(`child (${REPO}:child-${sha} is missing)`);
    expect(p.stderr).not.toContain('base (');
    expect(p.stderr).toContain('no edge tag was moved');
    for (const image of IMAGES) expect(await digestOf(`${image}-edge`), image).toBe(before[image]);

    // Fix child again for what follows.
    ws.write({ 'images/child/Dockerfile': FAMILY['images/child/Dockerfile'] });
    ws.commitAll('child fixed');
  });

  /**
   * The release sequence. Each version is its own commit with its own child (and for 1.1.0 also a new
   * base), built and pushed as the single-job CI path does; `state` maps each tag suffix
   * ('' = the bare image tag) to the version it must point at after the release.
   */
  const SEQUENCE: Array<{ tag: string; baseChange?: boolean; state: Record<string, string> }> = [
    { tag: 'v1.0.0', state: { '1.0.0': 'v1.0.0', '1.0': 'v1.0.0', '1': 'v1.0.0', '': 'v1.0.0' } },
    {
      tag: 'v1.1.0',
      baseChange: true,
      state: { '1.0.0': 'v1.0.0', '1.0': 'v1.0.0', '1.1.0': 'v1.1.0', '1.1': 'v1.1.0', '1': 'v1.1.0', '': 'v1.1.0' },
    },
    {
      tag: 'v1.0.1',
      state: {
        '1.0.0': 'v1.0.0',
        '1.0.1': 'v1.0.1',
        '1.0': 'v1.0.1',
        '1.1.0': 'v1.1.0',
        '1.1': 'v1.1.0',
        '1': 'v1.1.0',
        '': 'v1.1.0',
      },
    },
    {
      tag: 'v1.2.0-rc.1',
      state: {
        '1.0.0': 'v1.0.0',
        '1.0.1': 'v1.0.1',
        '1.0': 'v1.0.1',
        '1.1.0': 'v1.1.0',
        '1.1': 'v1.1.0',
        '1': 'v1.1.0',
        '': 'v1.1.0',
        '1.2.0-rc.1': 'v1.2.0-rc.1',
      },
    },
    {
      tag: 'v1.2.0',
      state: {
        '1.0.0': 'v1.0.0',
        '1.0.1': 'v1.0.1',
        '1.0': 'v1.0.1',
        '1.1.0': 'v1.1.0',
        '1.1': 'v1.1.0',
        '1.2.0-rc.1': 'v1.2.0-rc.1',
        '1.2.0': 'v1.2.0',
        '1.2': 'v1.2.0',
        '1': 'v1.2.0',
        '': 'v1.2.0',
      },
    },
    {
      tag: 'v1.1.5',
      state: {
        '1.0.0': 'v1.0.0',
        '1.0.1': 'v1.0.1',
        '1.0': 'v1.0.1',
        '1.1.0': 'v1.1.0',
        '1.1.5': 'v1.1.5',
        '1.1': 'v1.1.5',
        '1.2.0-rc.1': 'v1.2.0-rc.1',
        '1.2.0': 'v1.2.0',
        '1.2': 'v1.2.0',
        '1': 'v1.2.0',
        '': 'v1.2.0',
      },
    },
  ];
  const SUFFIXES = [...new Set(SEQUENCE.flatMap((s) => Object.keys(s.state)))];
  const tagOf = (image: string, suffix: string) => (suffix ? `${image}-${suffix}` : image);
  /** version tag -> image -> the digest of that commit's SHA tag. */
  const built: Record<string, Record<string, string>> = {};
  const snapshot = async () => {
    const all: Record<string, string | null> = {};
    for (const image of IMAGES) for (const s of SUFFIXES) all[tagOf(image, s)] = await digestOf(tagOf(image, s));
    return all;
  };

  for (const [n, step] of SEQUENCE.entries()) {
    it(`release ${step.tag}: the floating tags of every image after it`, async () => {
      ws.write({
        'images/child/notes.txt': `${step.tag}\n`,
        ...(step.baseChange ? { 'scripts/hello/install.sh': hello(`hello ${step.tag}`) } : {}),
      });
      ws.commitAll(`release ${step.tag}`);
      const b = await nx([
        'run-many',
        '-t',
        'image-build',
        '--push',
        `--platforms=${PLATFORMS.join(',')}`,
        '--sbom=false',
      ]);
      ok(b, `build for ${step.tag}`);
      git('tag', step.tag);
      const sha = tagSha(head());
      built[step.tag] = {};
      for (const image of IMAGES) built[step.tag][image] = (await digestOf(`${image}-${sha}`)) as string;
      if (n > 0) expect(built[step.tag].child).not.toBe(built[SEQUENCE[n - 1].tag].child);
      if (step.baseChange) expect(built[step.tag].base).not.toBe(built[SEQUENCE[n - 1].tag].base);

      const i = mark();
      // As a v* tag push sets the environment; every other step relies on GITHUB_REF_NAME alone.
      const tagPush = {
        ...GITHUB(),
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: `refs/tags/${step.tag}`,
        GITHUB_REF_NAME: step.tag,
      };
      const r = await images(n % 2 ? ['release'] : ['release', '--tag', step.tag], tagPush);
      ok(r, `release ${step.tag}`);
      for (const image of IMAGES) {
        for (const s of SUFFIXES) {
          const expected = step.state[s] ? built[step.state[s]][image] : null;
          expect(await digestOf(tagOf(image, s)), `${tagOf(image, s)} after ${step.tag}`).toBe(expected);
        }
      }

      // The GitHub release: looked up by tag (404), created as a draft with the image table before any
      // tag moved (proving the token may), published once every tag is in place.
      const sent = since(i);
      const draft = github.release(step.tag) as FakeRelease;
      expect(sent.map((q) => `${q.method} ${q.path}`)).toEqual([
        `GET /repos/acme/images/releases/tags/${step.tag}`,
        'POST /repos/acme/images/releases',
        `PATCH /repos/acme/images/releases/${draft.id}`,
      ]);
      for (const q of sent) expect(q.authorization).toMatch(/^(token|bearer) test-token$/i);
      expect(sent[1].body).toMatchObject({ tag_name: step.tag, draft: true });
      expect(sent[2].body).toMatchObject({ draft: false });
      const body = { ...sent[1].body, ...sent[2].body } as {
        tag_name: string;
        name: string;
        body: string;
        prerelease: boolean;
      };
      expect(body.tag_name).toBe(step.tag);
      expect(body.name).toBe(step.tag);
      expect(body.prerelease).toBe(step.tag.includes('-'));
      expect(draft.draft, 'published').toBe(false);
      // The repository's latest release is the one holding the bare tag: never a hotfix of an older line.
      expect((body as { make_latest?: string }).make_latest, 'make_latest').toBe(
        step.state[''] === step.tag ? 'true' : 'false',
      );
      for (const image of IMAGES) {
        const row = body.body.split('\n').find((l) => l.startsWith(`| ${image} |`));
        expect(row, `${image} row`).toBeDefined();
        expect(row).toContain(`\`${built[step.tag][image]}\``);
        expect(row).toContain('linux/amd64, linux/arm64');
        expect(row).toContain(`\`${image}-${step.tag.slice(1)}\``);
      }
    });
  }

  it('release twice changes nothing: same registry tags, only a GET to GitHub', async () => {
    const before = await snapshot();
    const i = mark();
    for (const tag of ['v1.2.0', 'v1.0.1', 'v1.2.0-rc.1']) {
      ok(await images(['release', '--tag', tag], GITHUB()), `release ${tag} again`);
    }
    expect(await snapshot()).toEqual(before);
    expect(since(i).map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /repos/acme/images/releases/tags/v1.2.0',
      'GET /repos/acme/images/releases/latest', // v1.2.0 holds the bare tag: it must be the latest, and is
      'GET /repos/acme/images/releases/tags/v1.0.1',
      'GET /repos/acme/images/releases/tags/v1.2.0-rc.1',
    ]);
  });

  it('with the Coder template in the workspace, a release writes the template pinned to its digests', async () => {
    ok(await images(['coder-template']), 'coder-template');
    const pins = join(ws.root, 'dist/coder/pinned-digests.json');
    rmSync(pins, { force: true });
    const r = await images(['release', '--tag', 'v1.2.0']);
    ok(r, 'release v1.2.0 with the template');
    expect(r.all).toContain('dist/coder/pinned-digests.json: the Coder template pinned to v1.2.0');
    const written = JSON.parse(readFileSync(pins, 'utf8')) as { digests: Record<string, string> };
    expect(written.digests).toEqual(built['v1.2.0']);
    ws.remove('templates');
    ws.remove('dist/coder');
  });

  it('a release whose notes differ on GitHub is updated (PATCH), then left alone', async () => {
    const release = github.release('v1.2.0') as FakeRelease;
    const good = release.body;
    release.body = 'edited by hand';
    let i = mark();
    ok(await images(['release', '--tag', 'v1.2.0'], GITHUB()), 'release v1.2.0 (update)');
    let sent = since(i);
    // Before any tag moves, the name written back unchanged proves the token may update; then the update.
    expect(sent.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /repos/acme/images/releases/tags/v1.2.0',
      'GET /repos/acme/images/releases/latest',
      `PATCH /repos/acme/images/releases/${release.id}`,
      `PATCH /repos/acme/images/releases/${release.id}`,
    ]);
    expect(sent[2].body).toEqual({ name: 'v1.2.0' });
    expect(sent[3].authorization).toMatch(/^(token|bearer) test-token$/i);
    expect(sent[3].body).toMatchObject({ body: good, name: 'v1.2.0', prerelease: false, make_latest: 'true' });
    i = mark();
    ok(await images(['release', '--tag', 'v1.2.0'], GITHUB()), 'release v1.2.0 (unchanged)');
    sent = since(i);
    expect(sent.map((q) => q.method)).toEqual(['GET', 'GET']);

    // A release that should be the latest but is not (made by hand, or by GitHub's date rule) is made so.
    github.latestId = (github.release('v1.1.5') as FakeRelease).id;
    i = mark();
    ok(await images(['release', '--tag', 'v1.2.0'], GITHUB()), 'release v1.2.0 (latest again)');
    expect(since(i).map((q) => q.method)).toEqual(['GET', 'GET', 'PATCH', 'PATCH']);
    expect(github.latestId).toBe(release.id);
  });

  it('a workspace that keeps 7-digit SHA tags (build.shaLength 7 in nx.json): the build tags <image>-<7 hex>, publish finds them', async () => {
    const nxJson = JSON.parse(readFileSync(join(ws.root, 'nx.json'), 'utf8')) as {
      plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
    };
    const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin')) as { options: Record<string, unknown> };
    entry.options.build = { ...(entry.options.build ?? {}), shaLength: KEPT_SHA_LENGTH };
    ws.write({ 'nx.json': `${JSON.stringify(nxJson, null, 2)}\n` });
    ws.commitAll('sha tags of 7 hex digits, as before 12 became the default');
    ok(
      await nx(['run-many', '-t', 'image-build', '--push', `--platforms=${PLATFORMS.join(',')}`, '--sbom=false']),
      'build',
    );
    const sha7 = tagSha(head(), KEPT_SHA_LENGTH);
    expect(sha7).toHaveLength(7);
    const want: Record<string, string | null> = {};
    for (const image of IMAGES) {
      want[image] = await digestOf(`${image}-${sha7}`);
      expect(want[image], `${image}-${sha7}`).not.toBeNull();
      expect(await digestOf(`${image}-${tagSha(head())}`), 'no tag at the default length').toBeNull();
    }
    const r = await images(['publish']);
    ok(r, 'publish with shaLength 7');
    for (const image of IMAGES) expect(await digestOf(`${image}-edge`), `${image}-edge`).toBe(want[image]);
  });

  it('a tag that is not semver is refused before anything moves', async () => {
    const before = await snapshot();
    git('tag', 'v1.3');
    const i = mark();
    const r = await images(['release', '--tag', 'v1.3'], GITHUB());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('the tag "v1.3" is not a release tag');
    expect(since(i)).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('a registry that refuses the last floating tag mid-release: every tag it had moved goes back', async () => {
    ws.write({ 'images/child/notes.txt': 'v1.3.0\n', 'scripts/hello/install.sh': hello('hello v1.3.0') });
    ws.commitAll('release v1.3.0');
    ok(
      await nx(['run-many', '-t', 'image-build', '--push', `--platforms=${PLATFORMS.join(',')}`, '--sbom=false']),
      'build for v1.3.0',
    );
    git('tag', 'v1.3.0');
    const sha = tagSha(head(), KEPT_SHA_LENGTH); // the previous test set build.shaLength to 7
    const want = Object.fromEntries(
      await Promise.all(IMAGES.map(async (i) => [i, (await digestOf(`${i}-${sha}`)) as string] as const)),
    );
    const before = await snapshot();
    // The release moves exact tags of every image first and the bare tags last: child's bare tag is
    // the last move, so base-1 / child-1 / base have moved (and must go back) when it is refused.
    expect(before.base).not.toBe(want.base);

    const proxy = (await FaultyRegistry.start()).failOn({
      fault: 'denied',
      method: 'PUT',
      path: new RegExp(`^/v2/${NAMESPACE}/images/manifests/child$`),
    });
    const config = mkdtempSync(join(tmpdir(), 'ci-commands-docker-config-'));
    try {
      const auth = Buffer.from(`${TARGET_USER}:${TARGET_PASSWORD}`).toString('base64');
      writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [proxy.host]: { auth } } }));
      const i = mark();
      const r = await images(['release', '--tag', 'v1.3.0', '--repository', `${proxy.host}/${NAMESPACE}/images`], {
        ...GITHUB(),
        DOCKER_CONFIG: config,
      });
      expect(r.code, r.all).not.toBe(0);
      expect(proxy.faulted.length).toBeGreaterThan(0);
      expect(r.stderr).toContain(`moving ${proxy.host}/${NAMESPACE}/images:child failed`);
      expect(r.stderr).toContain(
        `put back ${['base', 'child-1', 'base-1'].map((t) => `${proxy.host}/${NAMESPACE}/images:${t}`).join(', ')} where they were`,
      );
      expect(r.stderr).toContain('fix: fix the registry error, then run release again');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      // The draft made before the moves (proving the token may create the release) is deleted again.
      expect(
        since(i).map((q) => q.method),
        'no GitHub release for a failed retag',
      ).toEqual(['GET', 'POST', 'DELETE']);
      expect(Boolean(github.release('v1.3.0')), 'no release or draft v1.3.0').toBe(false);
    } finally {
      await proxy.close();
      rmSync(config, { recursive: true, force: true });
    }
    // Every tag that existed points where it did; the new exact and minor tags name this release.
    expect(await snapshot()).toEqual(before);
    for (const image of IMAGES) {
      expect(await digestOf(`${image}-1.3.0`), `${image}-1.3.0`).toBe(want[image]);
      expect(await digestOf(`${image}-1.3`), `${image}-1.3`).toBe(want[image]);
    }

    // With the registry well again, the same command finishes the release.
    const again = await images(['release', '--tag', 'v1.3.0'], GITHUB());
    ok(again, 'release v1.3.0 again');
    for (const image of IMAGES) {
      for (const tag of [`${image}-1`, image]) expect(await digestOf(tag), tag).toBe(want[image]);
    }
  });
  // GitHub starts no workflow for tags when more than three are pushed at once: the reconciliation (the
  // scheduled run and every push to main) releases each release tag without a GitHub release whose
  // images are there, and names every other one.
  it('release --reconcile: a tag whose images exist is released; one whose images were never built is named', async () => {
    git('tag', 'v1.4.0'); // v1.3.0's commit: its images are there
    const built = tagSha(head(), KEPT_SHA_LENGTH); // build.shaLength 7 since the test above
    ws.write({ 'docs/unbuilt.md': 'never built\n' });
    ws.commitAll('never built');
    git('tag', 'v1.4.1');
    const i = mark();
    const r = await images(['release', '--reconcile'], GITHUB());
    expect(r.code, r.all).toBe(1);
    expect(r.stdout).toContain('release --reconcile: no GitHub release for v1.4.0, v1.4.1: releasing them');
    expect(r.stderr).toContain(
      'release --reconcile: 1 release tag has no GitHub release and could not be released: v1.4.1 (',
    );
    expect(r.stderr).toContain('released now: v1.4.0');
    expect(r.stderr).toContain('fix: run the images workflow on each tag');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(github.published()['v1.4.0']?.tag_name).toBe('v1.4.0');
    expect(Boolean(github.release('v1.4.1')), 'no release or draft for v1.4.1').toBe(false);
    for (const image of IMAGES) expect(await digestOf(`${image}-1.4.0`)).toBe(await digestOf(`${image}-${built}`));
    // Only v1.4.0's release was asked about or written: v1.4.1 stopped at its missing images, before GitHub.
    const byTag = since(i).filter((q) => q.path.includes('/releases/tags/'));
    expect(byTag.map((q) => q.path.split('/').pop())).toEqual(['v1.4.0']);

    // The unbuilt tag deleted: nothing left to do, and nothing is written.
    git('tag', '-d', 'v1.4.1');
    const j = mark();
    const again = await images(['release', '--reconcile'], GITHUB());
    ok(again, 'release --reconcile');
    expect(again.stdout).toMatch(/release --reconcile: every release tag \(\d+\) has a GitHub release/);
    expect(since(j).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /repos/acme/images/releases']);
  });
});
