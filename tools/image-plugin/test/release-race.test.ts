import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_REGISTRY } from '../../test-env/env';
import { FakeGitHubReleases } from './fake-github';
import { imageOf as taggedImage, tagsOf, targetRepository } from './faults/nothing-written';
import { pushTinyImage } from './faults/tiny-image';
import { SAMPLE_FAMILY, ScratchWorkspace } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * A tag's own release run and a reconciliation (`images release --reconcile`, the scheduled run) release
 * the same tag at the same moment: GitHub answers the second publication of one tag with 422
 * already_exists. The one that comes second finds the release there: the same tag and the same images
 * (the notes' table of digests) is done, and it succeeds without moving a tag back; another release
 * of the tag (other images, or notes a person wrote) fails with one message, and what this run moved
 * goes back. The real `images` command twice at once, the password registry on 127.0.0.1:5000 (images
 * pushed with the registry API, no build), and the fake GitHub API of test/fake-github.ts holding one
 * run's request until the other run has finished.
 */

const IMAGES = ['base', 'cpp', 'developer', 'node'];
const NS = `release-race-${randomBytes(3).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NS}/images`;
const repo = targetRepository(`${NS}/images`);

let ws: ScratchWorkspace;
const github = new FakeGitHubReleases();

const images = async (args: string[]) => {
  const r = await execa('npx', ['--no-install', 'images', ...args], {
    cwd: ws.root,
    env: { ...ws.env, ...github.env() },
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  return { code: r.exitCode ?? -1, output: String(r.all) };
};
type Run = Awaited<ReturnType<typeof images>>;
const ownRun = (tag: string) => images(['release', '--tag', tag, '--repository', REPO]);
const reconcileRun = () => images(['release', '--reconcile', '--repository', REPO]);

/** The image a tag of this test's repository stands for (faults/nothing-written.ts). */
const imageOf = (tag: string) => taggedImage(`${NS}/images`, tag);

/** A new commit tagged `tag`, its images pushed under their SHA tags as CI pushes them: image -> digest. */
async function builtAndTagged(tag: string): Promise<Record<string, string>> {
  ws.write({ 'images/node/notes.txt': `${tag}\n` });
  ws.commitAll(tag);
  const sha = ws.git('rev-parse', 'HEAD').trim();
  ws.git('tag', tag);
  const digests: Record<string, string> = {};
  for (const image of IMAGES) digests[image] = await pushTinyImage(repo, `${image}-${tagSha(sha)}`, `${image} ${tag}`);
  return digests;
}

/** Every tag of the release on its image: exact, minor, major and the bare tag (each release here is the highest). */
async function expectReleased(tag: string, digests: Record<string, string>): Promise<void> {
  const [major, minor] = tag.slice(1).split('.');
  for (const image of IMAGES) {
    for (const t of [`${image}-${tag.slice(1)}`, `${image}-${major}.${minor}`, `${image}-${major}`, image])
      expect(await imageOf(t), t).toBe(digests[image]);
  }
}

/** One release of the tag on GitHub, published, no draft left behind. */
function expectOneRelease(tag: string): void {
  const all = github.releasesOf(tag);
  expect(
    all.map((r) => ({ tag: r.tag_name, draft: r.draft })),
    'one published release, no draft',
  ).toEqual([{ tag, draft: false }]);
}

/** Starts `first`, holds its request `method path` at GitHub, runs `second` to its end, then lets `first` go on. */
async function meet(
  hold: { method: string; path: RegExp },
  first: () => Promise<Run>,
  second: () => Promise<Run>,
): Promise<{ first: Run; second: Run }> {
  const held = github.hold(hold.method, hold.path);
  const running = first();
  const which = await Promise.race([held.arrived.then(() => 'held'), running.then(() => 'ended')]);
  if (which === 'ended') throw new Error(`the first run ended before GitHub held it:\n${(await running).output}`);
  const done = await second();
  held.letGo();
  return { first: await running, second: done };
}

const PUBLISH = { method: 'PATCH', path: /\/releases\/\d+$/ };
const CREATE = { method: 'POST', path: /\/releases$/ };

beforeAll(async () => {
  ws = new ScratchWorkspace('release-race-');
  ws.write(SAMPLE_FAMILY);
  ws.initGit();
  await github.start();
  const digests = await builtAndTagged('v1.0.0');
  const r = await ownRun('v1.0.0');
  expect(r.code, r.output).toBe(0);
  await expectReleased('v1.0.0', digests);
});

afterAll(async () => {
  await github.stop();
  ws?.dispose();
});

describe.sequential("a reconciliation and a tag's own run release one tag at once", () => {
  // The run held at GitHub publishes second and finds this very release there: both succeed, one release.
  it.each([
    {
      name: "the tag's own run publishes second (GitHub: 422 already_exists): the release is there, its moves stay",
      tag: 'v1.1.0',
      at: PUBLISH,
      held: 'own',
    },
    {
      name: 'the reconciliation publishes second: the same, the other way round',
      tag: 'v1.2.0',
      at: PUBLISH,
      held: 'reconcile',
    },
    {
      name: 'the release appears between reading it and creating it (422 on create): done, the run goes on',
      tag: 'v1.3.0',
      at: CREATE,
      held: 'reconcile',
    },
  ] as const)('$name', async ({ tag, at, held }) => {
    const digests = await builtAndTagged(tag);
    const runs = { own: () => ownRun(tag), reconcile: reconcileRun };
    const { first: late, second: other } = await meet(at, runs[held], runs[held === 'own' ? 'reconcile' : 'own']);
    expect(other.code, other.output).toBe(0);
    expect(late.code, late.output).toBe(0);
    expect(late.output).toContain(`GitHub release ${tag}: published meanwhile by another run, with the same images`);
    await expectReleased(tag, digests);
    expectOneRelease(tag);
  });

  it('another release of the tag (notes a person wrote) published meanwhile: one message, the moves go back', async () => {
    await builtAndTagged('v1.4.0');
    const before = await tagsOf(repo);
    const byHand = {
      id: 1,
      tag_name: 'v1.4.0',
      name: 'v1.4.0',
      body: 'written by hand',
      prerelease: false,
      draft: false,
    };
    const { first: own } = await meet(
      PUBLISH,
      () => ownRun('v1.4.0'),
      async () => {
        github.add(byHand);
        return { code: 0, output: '' };
      },
    );
    expect(own.code, own.output).toBe(1);
    expect(own.output).toContain(
      'release: v1.4.0 was published on GitHub meanwhile with other images or notes than this release (not by a run of images release for these digests)',
    );
    expect(own.output).toMatch(/so the tags it had moved went back: /);
    expect(own.output).toMatch(/\n {2}fix: .*compare the release v1\.4\.0 on GitHub/);
    expect(own.output, 'no stack trace').not.toMatch(/^\s+at .+[:(]\d+/m);
    const after = await tagsOf(repo);
    for (const [tag, digest] of Object.entries(before)) expect(after[tag], tag).toBe(digest);
    expect(github.releasesOf('v1.4.0'), 'the hand-written release untouched, the draft deleted').toEqual([byHand]);
  });
});
