import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_REGISTRY } from '../../test-env/env';
import { FakeGitHubReleases } from './fake-github';
import { imageOf as taggedImage, tagsOf, targetRepository, Witness } from './faults/nothing-written';
import { pushTinyImage } from './faults/tiny-image';
import { SAMPLE_FAMILY, ScratchWorkspace } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * `images release` is all or nothing: every failure it can meet is met before a tag moves (the GitHub
 * token's right to write the release, the pins file written aside, exact version tags write-once), and
 * a failure after the moves puts them back. One row per failure: the real `images release` command, the
 * password registry on 127.0.0.1:5000 (images pushed with the registry API, no build), the fake GitHub
 * API of test/fake-github.ts. Each row checks the exit code, the message with its fix, no stack trace, no
 * Octokit request log, no tag moved, no file written under dist/ and no release (or draft) left on GitHub.
 */

const IMAGES = ['base', 'cpp', 'developer', 'node'];
const NS = `release-aon-${randomBytes(3).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NS}/images`;
const repo = targetRepository(`${NS}/images`);
const PINS = 'dist/coder/pinned-digests.json';

let ws: ScratchWorkspace;
const github = new FakeGitHubReleases();
/** image -> the digest of its SHA tag at the commit v1.2.3 names, and at the one v1.2.2 named. */
const at: Record<'v1.2.2' | 'v1.2.3', Record<string, string>> = { 'v1.2.2': {}, 'v1.2.3': {} };

const images = async (args: string[], extra: Record<string, string> = {}) => {
  const r = await execa('npx', ['--no-install', 'images', ...args], {
    cwd: ws.root,
    env: { ...ws.env, ...github.env(), ...extra },
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  return { code: r.exitCode ?? -1, output: String(r.all), stderr: String(r.stderr) };
};
const release = (tag = 'v1.2.3') => images(['release', '--tag', tag, '--repository', REPO]);

/** One refusal: exit 1, the place and what it says, a fix, no stack trace, no Octokit request log. */
function expectRefusal(r: { code: number; output: string }, says: Array<string | RegExp>): void {
  expect(r.code, r.output).toBe(1);
  for (const s of says) {
    if (typeof s === 'string') expect(r.output).toContain(s);
    else expect(r.output).toMatch(s);
  }
  expect(r.output).toMatch(/\n {2}fix: \S/);
  expect(r.output, 'no stack trace').not.toMatch(/^\s+at .+[:(]\d+/m);
  expect(r.output, 'no Octokit request log').not.toMatch(/(GET|POST|PATCH|DELETE) \/repos\/\S+ - \d{3}/);
  expect(r.output).not.toMatch(/UnhandledPromiseRejection|TypeError|ReferenceError|RequestError/);
}

/** No release and no draft on GitHub for the version. */
const expectNoRelease = (tag = 'v1.2.3') => expect(github.release(tag), `a release ${tag} on GitHub`).toBeUndefined();

/** No partial pins file (`.pinned-digests.json.partial`) and no empty file left in dist/coder. */
function expectNoPartialFile(): void {
  const dir = join(ws.root, 'dist/coder');
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  const left = readdirSync(dir).filter(
    (f) => f.endsWith('.partial') || (f !== 'fill' && statSync(join(dir, f)).size === 0), // fill: the full disk's
  );
  expect(left, 'a partial or empty file left in dist/coder').toEqual([]);
}

/** The image a tag of this test's repository stands for (faults/nothing-written.ts). */
const imageOf = (tag: string) => taggedImage(`${NS}/images`, tag);

const sh = (command: string) => execFileSync('sh', ['-c', command], { cwd: ws.root, encoding: 'utf8' });

beforeAll(async () => {
  ws = new ScratchWorkspace('release-aon-');
  ws.write(SAMPLE_FAMILY);
  ws.initGit();
  await github.start();
  // The Coder template in the workspace: a release writes dist/coder/pinned-digests.json.
  const t = await images(['coder-template']);
  expect(t.code, t.output).toBe(0);
  // v1.2.2, built by CI (plain manifests under its SHA tags, as a one-platform build pushes them) and released.
  const released = ws.git('rev-parse', 'HEAD').trim();
  ws.git('tag', 'v1.2.2');
  for (const image of IMAGES)
    at['v1.2.2'][image] = await pushTinyImage(repo, `${image}-${tagSha(released)}`, `${image} v1.2.2`);
  const r = await release('v1.2.2');
  expect(r.code, r.output).toBe(0);
  // v1.2.3, built by CI and not released yet.
  ws.write({ 'images/node/notes.txt': 'v1.2.3\n' });
  ws.commitAll('v1.2.3');
  const sha = ws.git('rev-parse', 'HEAD').trim();
  ws.git('tag', 'v1.2.3');
  for (const image of IMAGES)
    at['v1.2.3'][image] = await pushTinyImage(repo, `${image}-${tagSha(sha)}`, `${image} v1.2.3`);
});

afterAll(async () => {
  await github.stop();
  if (ws) sh('umount dist/coder 2>/dev/null || true');
  ws?.dispose();
});

interface Row {
  name: string;
  /** Sets the fault up; returns how to take it away again. */
  fault: () => (() => void) | 'skip';
  says: Array<string | RegExp>;
}

const ROWS: Row[] = [
  {
    name: 'a GITHUB_TOKEN that may not create releases (403 on create)',
    fault: () => {
      github.refuse({ method: 'POST' });
      return () => github.clearRefusals();
    },
    says: [
      'release: creating the release v1.2.3 of acme/images failed: GitHub answered 403: Resource not accessible by integration',
      'fix: the token may not write releases of acme/images: give the release job `permissions: contents: write`',
    ],
  },
  {
    name: 'a GITHUB_TOKEN that may not update the existing release (403 on update)',
    fault: () => {
      github.add({
        id: 1,
        tag_name: 'v1.2.3',
        name: 'v1.2.3',
        body: 'old notes',
        prerelease: false,
        draft: false,
      });
      github.refuse({ method: 'PATCH' });
      return () => {
        github.clearRefusals();
        github.remove('v1.2.3');
      };
    },
    says: ['release: updating the release v1.2.3 of acme/images failed: GitHub answered 403', 'contents: write'],
  },
  {
    name: 'a GITHUB_TOKEN that is not valid (401)',
    fault: () => {
      github.refuse({ method: 'GET', status: 401, message: 'Bad credentials' });
      return () => github.clearRefusals();
    },
    says: [
      'release: reading the release v1.2.3 of acme/images failed: GitHub answered 401: Bad credentials',
      'fix: GITHUB_TOKEN is not a valid token',
    ],
  },
  {
    name: 'dist/coder is a file',
    fault: () => {
      const pins = readFileSync(join(ws.root, PINS), 'utf8');
      ws.remove('dist/coder');
      ws.write({ 'dist/coder': 'not a folder\n' });
      return () => {
        ws.remove('dist/coder');
        ws.write({ [PINS]: pins });
      };
    },
    says: [
      `${PINS}: cannot be written: EEXIST: file already exists (at dist/coder); no tag was moved`,
      'fix: dist/coder is a file where a folder must be: move it away (rm dist/coder), then run the command again',
    ],
  },
  {
    name: `${PINS} is a folder`,
    fault: () => {
      const pins = readFileSync(join(ws.root, PINS), 'utf8');
      ws.remove(PINS);
      mkdirSync(join(ws.root, PINS), { recursive: true });
      return () => {
        ws.remove(PINS);
        ws.write({ [PINS]: pins });
      };
    },
    says: [
      `${PINS}: cannot be written: it is a folder; no tag was moved`,
      `fix: ${PINS} is a folder where the file must be`,
    ],
  },
  {
    name: 'dist/coder on a full disk (ENOSPC)',
    fault: () => {
      const pins = readFileSync(join(ws.root, PINS), 'utf8');
      try {
        sh('mount -t tmpfs -o size=4k tmpfs dist/coder');
      } catch {
        return 'skip'; // mounting needs root (CAP_SYS_ADMIN)
      }
      // The disk is full: the v1.2.2 pins file as it was, and a file that takes the rest.
      ws.write({ [PINS]: pins });
      sh('head -c 1M /dev/zero > dist/coder/fill 2>/dev/null || true');
      return () => {
        sh('umount dist/coder');
        ws.write({ [PINS]: pins });
      };
    },
    says: [
      `${PINS}: cannot be written: ENOSPC: no space left on device; no tag was moved`,
      'fix: free space on the disk that holds dist/coder (df -h dist/coder)',
    ],
  },
];

describe('images release: a failure before the moves moves no tag, writes no file, leaves no release', () => {
  it.for(ROWS.map((row) => [row.name, row] as const))('%s', async ([, { fault, says }], ctx) => {
    const undo = fault();
    if (undo === 'skip') return ctx.skip();
    try {
      const witness = await Witness.take(join(ws.root, 'dist'), [repo]);
      const releases = github.snapshot();
      const r = await release();
      await witness.expectNothingWritten();
      expectRefusal(r, says);
      expectNoPartialFile();
      expect(github.snapshot(), 'no release created, changed or left as a draft').toBe(releases);
    } finally {
      undo();
    }
  });
});

describe.sequential('images release: after the moves, and write-once version tags', () => {
  it('GitHub refuses to publish the release after the tags moved: they go back, the draft is deleted, the pins file too', async () => {
    const before = await tagsOf(repo);
    const pins = readFileSync(join(ws.root, PINS), 'utf8');
    github.refuse({ method: 'PATCH' });
    try {
      const r = await release();
      expectRefusal(r, [
        'release: publishing the release v1.2.3 of acme/images failed: GitHub answered 403',
        `so the tags it had moved went back: ${REPO}:`,
        `new tag(s) ${REPO}:`,
        'fix: the token may not write releases of acme/images',
      ]);
    } finally {
      github.clearRefusals();
    }
    const after = await tagsOf(repo);
    // Every tag that existed is where it was; the new exact tags stay on this release's images.
    for (const [tag, digest] of Object.entries(before)) expect(after[tag], tag).toBe(digest);
    for (const image of IMAGES) expect(await imageOf(`${image}-1.2.3`), `${image}-1.2.3`).toBe(at['v1.2.3'][image]);
    expect(Object.keys(after).sort()).toEqual([...Object.keys(before), ...IMAGES.map((i) => `${i}-1.2.3`)].sort());
    expectNoRelease();
    expect(readFileSync(join(ws.root, PINS), 'utf8'), `${PINS} as it was`).toBe(pins);
    expectNoPartialFile();
  });

  it('the release itself (so the rows above could fail): every tag moves, the pins file and the release are there', async () => {
    const witness = await Witness.take(join(ws.root, 'dist'), [repo]);
    const r = await release();
    expect(r.code, r.output).toBe(0);
    const changes = await witness.changes();
    expect(changes).toContain(`${join(ws.root, 'dist')}/coder/pinned-digests.json was changed`);
    const moved = changes.filter((c) => c.startsWith(REPO)).map((c) => c.slice(REPO.length + 1, c.indexOf(' ')));
    expect(moved.sort()).toEqual(IMAGES.flatMap((i) => [`${i}-1.2`, `${i}-1`, i]).sort());
    for (const image of IMAGES) {
      for (const tag of [`${image}-1.2.3`, `${image}-1.2`, `${image}-1`, image])
        expect(await imageOf(tag), tag).toBe(at['v1.2.3'][image]);
    }
    const pins = JSON.parse(readFileSync(join(ws.root, PINS), 'utf8')) as { digests: Record<string, string> };
    expect(pins.digests).toEqual(at['v1.2.3']);
    expect(github.published()['v1.2.3']).toMatchObject({ tag_name: 'v1.2.3', draft: false });
    expect(github.latestId).toBe(github.release('v1.2.3')?.id);
    // Run again: nothing changes, and the exact tags (one-entry indexes of plain manifests) are its own.
    const again = await Witness.take(join(ws.root, 'dist'), [repo]);
    expect((await release()).code).toBe(0);
    await again.expectNothingWritten();
  });

  it('the git tag v1.2.3 moved to another commit: its exact tags name other images, refused, nothing moved', async () => {
    ws.write({ 'images/node/notes.txt': 'v1.2.3, again\n' });
    ws.commitAll('v1.2.3 moved');
    const sha = ws.git('rev-parse', 'HEAD').trim();
    ws.git('tag', '-f', 'v1.2.3');
    const other: Record<string, string> = {};
    for (const image of IMAGES)
      other[image] = await pushTinyImage(repo, `${image}-${tagSha(sha)}`, `${image} v1.2.3 again`);
    const witness = await Witness.take(join(ws.root, 'dist'), [repo]);
    const requests = github.requests.length;
    const r = await release();
    expectRefusal(r, [
      'release: v1.2.3 was released before with other images: ',
      ...IMAGES.map((i) => `${REPO}:${i}-1.2.3 names ${at['v1.2.3'][i]}, but ${i} at this commit is ${other[i]}`),
      'exact version tags are write-once',
      'no tag was moved',
      /fix: .*git tag -f v1\.2\.3 <the released commit>.*release the next version/,
    ]);
    await witness.expectNothingWritten();
    expect(github.requests.slice(requests), 'nothing asked of GitHub').toEqual([]);
  });
});
