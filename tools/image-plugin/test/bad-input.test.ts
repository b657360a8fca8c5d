import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_PASSWORD, TARGET_REGISTRY, TARGET_USER } from '../../test-env/env';
import { targetRepository, Witness, type WatchedRepository } from './faults/nothing-written';
import { startPrivateEngine, type PrivateEngine } from './faults/private-engine';
import { FaultyRegistry } from './faults/registry-proxy';
import { startSmallRegistry, type SmallRegistry } from './faults/small-registry';
import { pushTinyImage } from './faults/tiny-image';
import { unusedPort } from './faults/unused-port';
import { SAMPLE_FAMILY, ScratchWorkspace } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * Every bad input is refused up front with one message naming the place (file:line, or the argument)
 * and the fix, a non-zero exit (2 for command-line usage, 1 otherwise), no stack trace, and nothing
 * written or pushed. One row per bad input, grouped: graph, image tests, CLI, registry, engine, options.
 * Real Nx, the real `images` command, the real engine and registry; faults come from test/faults/.
 */

interface Outcome {
  code: number;
  output: string;
}

/** One refusal: the exit code, the place, what it says, a fix, and no stack trace. */
function expectRefusal(outcome: Outcome, exit: number, where: string, says: string | RegExp): void {
  const { code, output } = outcome;
  expect(code, output).toBe(exit);
  expect(output).toContain(where);
  if (typeof says === 'string') expect(output).toContain(says);
  else expect(output).toMatch(says);
  expect(output).toMatch(/fix: \S/);
  expect(output, 'no stack trace').not.toMatch(/^\s+at .+[:(]\d+/m);
  expect(output).not.toMatch(/UnhandledPromiseRejection|TypeError|ReferenceError/);
}

// ---- graph and image tests: `nx show projects` on a scratch workspace --------------------------------

interface GraphRow {
  name: string;
  files?: Record<string, string>;
  /** path -> link target */
  links?: Record<string, string>;
  /** `file:line: ` or `file: ` as the message starts */
  where: string;
  says: string | RegExp;
}

const child = (...lines: string[]) => [...lines, ''].join('\n');
const BASE_REF = 'ghcr.io/acme/workspace-images:base';

const GRAPH_ROWS: GraphRow[] = [
  // An unknown parent image, a missing scripts folder and a cycle are rows of graph-refusals.test.ts, which
  // runs each through every entry point (nx show projects among them) and checks the whole message.
  {
    name: 'ARG without a value',
    files: { 'images/developer/Dockerfile': child('# developer', 'ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}') },
    where: 'images/developer/Dockerfile:3: ',
    says: 'expands to an empty image reference',
  },
  {
    name: 'no FROM',
    files: { 'images/node/Dockerfile': child('RUN echo hi') },
    where: 'images/node/Dockerfile: ',
    says: 'no FROM',
  },
  {
    name: 'undeclared variable (typo)',
    files: { 'images/node/Dockerfile': child(`ARG BASE_IMAGE=${BASE_REF}`, 'FROM ${BASE_IMGE}') },
    where: 'images/node/Dockerfile:2: ',
    says: 'uses the variable BASE_IMGE, which is not declared',
  },
  {
    name: 'variable in single quotes',
    files: { 'images/node/Dockerfile': child(`ARG BASE_IMAGE=${BASE_REF}`, "FROM '${BASE_IMAGE}'") },
    where: 'images/node/Dockerfile:2: ',
    says: 'which still holds a `$`',
  },
  {
    name: 'escaped variable',
    files: { 'images/node/Dockerfile': child(`ARG BASE_IMAGE=${BASE_REF}`, 'FROM \\$BASE_IMAGE') },
    where: 'images/node/Dockerfile:2: ',
    says: 'which still holds a `$`',
  },
  {
    name: 'ARG default in single quotes',
    files: {
      'images/node/Dockerfile': child(
        'ARG R=ghcr.io',
        "ARG BASE_IMAGE='$R/acme/workspace-images:base'",
        'FROM $BASE_IMAGE',
      ),
    },
    where: 'images/node/Dockerfile:3: ',
    says: 'which still holds a `$`',
  },
  {
    name: 'platform ARG in FROM',
    files: { 'images/base/Dockerfile': child('FROM debian:trixie-${TARGETARCH}') },
    where: 'images/base/Dockerfile:1: ',
    says: 'depends on TARGETARCH',
  },
  {
    name: 'upper-case repository',
    files: {
      'images/node/Dockerfile': child('ARG BASE_IMAGE=ghcr.io/Acme/workspace-images:base', 'FROM ${BASE_IMAGE}'),
    },
    where: 'images/node/Dockerfile:2: ',
    says: 'repository name must be lowercase',
  },
  {
    name: 'required variable unset',
    files: { 'images/node/Dockerfile': child('ARG BASE_IMAGE', 'FROM ${BASE_IMAGE:?set-BASE_IMAGE}') },
    where: 'images/node/Dockerfile:2: ',
    says: 'cannot be expanded: BASE_IMAGE: set-BASE_IMAGE',
  },
  {
    name: 'unsupported modifier',
    files: { 'images/node/Dockerfile': child(`ARG BASE_IMAGE=${BASE_REF}`, 'FROM ${BASE_IMAGE:0:20}') },
    where: 'images/node/Dockerfile:2: ',
    says: 'unsupported modifier (:0)',
  },
  {
    name: 'unclosed ${ in an ARG default',
    files: { 'images/node/Dockerfile': child('ARG R=${REGISTRY', 'FROM debian:trixie-slim') },
    where: 'images/node/Dockerfile:1: ',
    says: "missing '}'",
  },
  {
    name: 'empty tag',
    files: { 'images/base/Dockerfile': child('ARG TAG', 'FROM debian:${TAG}') },
    where: 'images/base/Dockerfile:2: ',
    says: 'is not an image reference Docker accepts',
  },
  {
    name: 'bind mount out of the repository',
    files: {
      'images/cpp/Dockerfile': child(
        'FROM debian:trixie-slim',
        'RUN --mount=type=bind,source=../../etc,target=/e cat /e/passwd',
      ),
    },
    where: 'images/cpp/Dockerfile:2: ',
    says: '"../../etc", which leaves the build context',
  },
  {
    name: 'Dockerfile symlinked out of its folder',
    links: { 'images/node/Dockerfile': '../../docs/Dockerfile.node' },
    files: { 'docs/Dockerfile.node': child('FROM debian') },
    where: 'images/node/Dockerfile: ',
    says: 'the Dockerfile is a symlink to ../../docs/Dockerfile.node',
  },
  {
    name: 'image FROM itself',
    files: { 'images/base/Dockerfile': child('FROM ghcr.io/acme/workspace-images:base') },
    where: 'images/base/Dockerfile:1: ',
    says: 'builds FROM itself',
  },
  {
    name: 'our image under another owner',
    files: {
      'images/node/Dockerfile': child('ARG BASE_IMAGE=ghcr.io/alice/workspace-images:base', 'FROM ${BASE_IMAGE}'),
    },
    where: 'images/node/Dockerfile:2: ',
    says: "not the plugin's repository ghcr.io/acme/workspace-images",
  },
  {
    name: 'two images with one name',
    files: { 'images/Base/Dockerfile': child('FROM debian:trixie-slim') },
    where: 'images/',
    says: 'two images are named "base"',
  },
  {
    name: 'COPY --from an unknown image of ours',
    files: {
      'images/node/Dockerfile': child(
        'FROM debian:trixie-slim',
        'COPY --from=ghcr.io/acme/workspace-images:nope /a /a',
      ),
    },
    where: 'images/node/Dockerfile:2: ',
    says: '"nope"',
  },
  {
    name: 'our repository without an image name',
    files: { 'images/node/Dockerfile': child('FROM ghcr.io/acme/workspace-images') },
    where: 'images/node/Dockerfile:1: ',
    says: 'names the image ""',
  },
  {
    name: 'devcontainer-metadata.json that is not valid JSON (a trailing comma)',
    files: { 'images/base/devcontainer-metadata.json': child('{', '  "remoteUser": "coder",', '}') },
    where: 'images/base/devcontainer-metadata.json:3: ',
    says: 'not valid JSON',
  },
  {
    name: 'devcontainer-metadata.json with a property the CLI ignores in a label',
    files: { 'images/base/devcontainer-metadata.json': child('{', '  "runArgs": ["--init"]', '}') },
    where: 'images/base/devcontainer-metadata.json:2: ',
    says: '"runArgs" is not a property the dev containers CLI reads',
  },
  {
    name: "a child's devcontainer-metadata.json repeating its parent's",
    files: {
      'images/base/devcontainer-metadata.json': child('{ "remoteUser": "coder" }'),
      'images/node/devcontainer-metadata.json': child('{', '  "remoteUser": "coder"', '}'),
    },
    where: 'images/node/devcontainer-metadata.json:2: ',
    says: 'images/base/devcontainer-metadata.json (base, an ancestor) already sets',
  },
];

const spec = (...lines: string[]) => ({ 'images/base/image-test.yaml': [...lines, ''].join('\n') });
const check = (...lines: string[]) =>
  spec('checks:', '  - name: a', '    run: echo a', ...lines.map((l) => `    ${l}`));
const TEST_SPEC_ROWS: GraphRow[] = [
  {
    name: 'exitCode: "one"',
    files: check('expect: { exitCode: "one" }'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'expect.exitCode is "one", not an exit code',
  },
  {
    name: 'timeout: "5m"',
    files: check('timeout: "5m"'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'timeout is "5m", not a number of seconds',
  },
  {
    name: 'user: 3',
    files: check('user: 3'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'user must be a user name or id as text',
  },
  {
    name: 'env a list',
    files: check('env: [A=1]'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'env must be a map',
  },
  {
    name: 'env without a value',
    files: check('env:', '  A:'),
    where: 'images/base/image-test.yaml:5: ',
    says: 'env.A has no text value',
  },
  {
    name: 'privileged: "yes"',
    files: check('privileged: "yes"'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'privileged must be true or false',
  },
  {
    name: 'volumes a string',
    files: check('volumes: /var/lib/docker'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'volumes must be a list of paths',
  },
  {
    name: 'socket gid a name',
    files: check('socket: { gid: docker, target: /var/run/docker.sock }'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'socket needs gid',
  },
  {
    name: 'unknown key',
    files: check('command: echo'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'unknown key "command"',
  },
  {
    name: 'unknown expect key',
    files: check('expect: { exit: 1 }'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'expect has the unknown key "exit"',
  },
  {
    name: 'bad regular expression',
    files: check("expect: { stdout: '(' }"),
    where: 'images/base/image-test.yaml:4: ',
    says: 'expect.stdout is not a regular expression',
  },
  {
    name: 'not YAML',
    files: spec('checks: [', '  - name'),
    where: 'images/base/image-test.yaml',
    says: 'not valid YAML',
  },
  {
    name: 'no checks list',
    files: spec('check:', '  - name: a'),
    where: 'images/base/image-test.yaml:1: ',
    says: 'no `checks:` list',
  },
  {
    name: 'two checks with one name',
    files: spec('checks:', '  - name: a', '    run: echo', '  - name: a', '    run: echo'),
    where: 'images/base/image-test.yaml:4: ',
    says: 'same name as the check on line 2',
  },
];

describe('bad input refused at graph time (`nx show projects`)', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('bad-input-graph-');
    ws.write(SAMPLE_FAMILY);
    ws.write({ 'images/base/image-test.yaml': 'checks:\n  - name: ok\n    run: "true"\n' });
  });
  afterAll(() => ws?.dispose());

  it('the scratch workspace is good before each row breaks it', () => {
    expect(ws.showProjects('--with-target', 'image-test')).toEqual(['base', 'cpp', 'developer', 'node']);
  });

  const refusedAtGraphTime = async (row: GraphRow) => {
    const witness = await Witness.take(join(ws.root, 'dist/images'));
    const touched = [...Object.keys(row.files ?? {}), ...Object.keys(row.links ?? {})];
    const originals = Object.fromEntries(touched.map((f) => [f, SAMPLE_FAMILY[f]]));
    try {
      for (const path of Object.keys(row.links ?? {})) ws.remove(path);
      ws.write(row.files ?? {});
      for (const [path, target] of Object.entries(row.links ?? {})) symlinkSync(target, join(ws.root, path));
      const started = Date.now();
      const r = ws.nx('show', 'projects');
      expectRefusal({ code: r.status ?? -1, output: `${r.stdout}\n${r.stderr}` }, 1, row.where, row.says);
      expect(Date.now() - started, 'refused in seconds, before any build').toBeLessThan(60_000);
    } finally {
      for (const [path, original] of Object.entries(originals)) {
        ws.remove(path);
        if (original !== undefined) ws.write({ [path]: original });
      }
      ws.write({ 'images/base/image-test.yaml': 'checks:\n  - name: ok\n    run: "true"\n' });
    }
    await witness.expectNothingWritten();
  };

  describe('graph', () => {
    it.each(GRAPH_ROWS)('$name', refusedAtGraphTime);
  });
  describe('image tests', () => {
    it.each(TEST_SPEC_ROWS)('$name', refusedAtGraphTime);
  });
});

// ---- the `images` command line -------------------------------------------------------------------

interface CliRow {
  args: string[];
  /** the argument the message names */
  argument: string;
  says: string;
}
const CLI_ROWS: CliRow[] = [
  { args: ['publish', 'base'], argument: '"base"', says: 'images publish --images base' },
  { args: ['publish', '--imgs', 'base'], argument: '--imgs', says: 'did you mean --images?' },
  { args: ['publish', '--images='], argument: '--images', says: '--images is empty' },
  { args: ['publish', '--images', 'base,,node'], argument: '--images', says: 'has an empty entry' },
  { args: ['publish', '--revision', 'not-a-sha'], argument: '--revision "not-a-sha"', says: 'is not a commit SHA' },
  { args: ['publish', '--repository', ''], argument: '--repository', says: '--repository is empty' },
  { args: ['plan', '--max-levels', 'abc'], argument: '--max-levels "abc"', says: 'not a whole number' },
  { args: ['plan', '--max-levels', '0'], argument: '--max-levels "0"', says: 'not a whole number of 1 or more' },
  { args: ['plan', '--max-levels'], argument: '--max-levels', says: 'needs a value' },
  {
    args: ['plan', '--runner', 'linux/arm64'],
    argument: '--runner "linux/arm64"',
    says: 'is not <platform>=<runner label>',
  },
  { args: ['plan', '--platforms', ''], argument: '--platforms', says: '--platforms is empty' },
  { args: ['plan', '--all=yes'], argument: '--all', says: 'takes no value' },
  { args: ['plan', 'base'], argument: '"base"', says: 'unexpected argument' },
  { args: ['plan', '--images', 'base'], argument: '--images', says: 'belongs to another command' },
  { args: ['merge', '--platforms', 'linux/amd64'], argument: 'no image given', says: 'images merge <image>' },
  { args: ['merge', 'base'], argument: '--platforms', says: 'is required' },
  { args: ['merge', 'base', 'node', '--platforms', 'linux/amd64'], argument: '"node"', says: 'one image at a time' },
  { args: ['release', 'v1.2.3'], argument: '"v1.2.3"', says: 'images release --tag v1.2.3' },
  { args: ['release', '--tag='], argument: '--tag', says: '--tag is empty' },
  { args: ['pubish'], argument: '"pubish"', says: 'did you mean publish?' },
  { args: [], argument: 'no command given', says: 'plan, release, publish, merge' },
];

describe('bad command lines: exit 2, the problem and the fix naming the argument, nothing written or moved', () => {
  const NS = `bad-cli-${randomBytes(3).toString('hex')}`;
  const repo = targetRepository(`${NS}/images`);
  /** The commit a finished CI run built and pushed, and a later one no run built. */
  let sha = '';
  let UNBUILT = '';
  let ws: ScratchWorkspace;
  const images = async (args: string[]) => {
    const r = await execa('npx', ['--no-install', 'images', ...args], {
      cwd: ws.root,
      env: ws.env,
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    return { code: r.exitCode ?? -1, output: String(r.all), stderr: String(r.stderr) };
  };

  beforeAll(async () => {
    ws = new ScratchWorkspace('bad-input-cli-');
    ws.write(SAMPLE_FAMILY);
    ws.initGit();
    sha = ws.git('rev-parse', 'HEAD').trim();
    // The registry as a finished CI run leaves it: this commit's images, and edge tags elsewhere.
    for (const image of ['base', 'node']) {
      await pushTinyImage(repo, `${image}-${tagSha(sha)}`, `${image} at ${sha}`);
      await pushTinyImage(repo, `${image}-edge`, `${image} before`);
    }
    ws.commitAll('a commit no run built');
    UNBUILT = ws.git('rev-parse', 'HEAD').trim();
  });
  afterAll(() => ws?.dispose());

  it.each(CLI_ROWS)('images $args', async ({ args, argument, says }) => {
    const witness = await Witness.take(join(ws.root, 'dist/images'), [repo]);
    const r = await images(args);
    expectRefusal(r, 2, argument, says);
    // The shape of every error: `images <command>: <problem>`, then `  fix: <fix>`, nothing else.
    expect(r.stderr.trim()).toMatch(/^images( \w+)?: [^\n]+\n {2}fix: [^\n]+$/);
    await witness.expectNothingWritten();
  });

  it('--help per command, exit 0', async () => {
    for (const command of ['plan', 'release', 'publish', 'merge']) {
      const r = await images([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.output).toMatch(new RegExp(`^usage: images ${command} `));
    }
  });

  it('`images merge nope`: exit 1, the workspace has no such image, naming the ones it has (not "build it first")', async () => {
    const witness = await Witness.take(join(ws.root, 'dist/images'), [repo]);
    const r = await images(['merge', 'nope', '--platforms', 'linux/amd64']);
    expectRefusal(r, 1, 'merge: the workspace has no image nope', 'name one of base, cpp, developer, node');
    expect(r.output).not.toContain('pushByDigest');
    await witness.expectNothingWritten();
  });

  it('`images publish --revision <a commit without images>`: exit 1 naming the revision, not "build the missing images"', async () => {
    const other = UNBUILT;
    const witness = await Witness.take(join(ws.root, 'dist/images'), [repo]);
    const r = await images(['publish', '--revision', other, '--repository', `${TARGET_REGISTRY}/${NS}/images`]);
    expectRefusal(r, 1, `publish: no image was built for ${other}`, 'fix: check --revision');
    expect(r.output).not.toContain('build the missing images');
    await witness.expectNothingWritten();
  });

  it('the witness sees what a good publish moves (so the rows above could fail)', async () => {
    const witness = await Witness.take(join(ws.root, 'dist/images'), [repo]);
    const r = await images([
      'publish',
      '--images',
      'base',
      '--revision',
      sha,
      '--repository',
      `${TARGET_REGISTRY}/${NS}/images`,
    ]);
    expect(r.code, r.output).toBe(0);
    const changes = await witness.changes();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatch(
      new RegExp(`^${TARGET_REGISTRY}/${NS}/images:base-edge moved sha256:\\w+ -> sha256:\\w+$`),
    );
  });
});

// ---- registry and engine faults: real builds with nx, faults from test/faults/ -------------------------

describe('registry and engine faults in image-build: exit 1, the registry or engine, the fix, nothing pushed', () => {
  const NS = `bad-reg-${randomBytes(3).toString('hex')}`;
  let ws: ScratchWorkspace;
  let config = '';
  let proxy: FaultyRegistry;
  let small: SmallRegistry | undefined;
  let engine: PrivateEngine | undefined;

  /** A DOCKER_CONFIG of the test's own, logged in to `host` with `password` (the shared login is not touched). */
  const configDirs: string[] = [];
  const dockerConfig = (host: string, password = TARGET_PASSWORD) => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-input-docker-config-'));
    configDirs.push(dir);
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${TARGET_USER}:${password}`).toString('base64') } } }),
    );
    return dir;
  };
  const build = async (
    repository: string,
    extra: Record<string, string> = {},
    args: string[] = ['--push'],
    image = 'base',
  ) => {
    const env = { ...ws.env, NX_DAEMON: 'false', DOCKER_CONFIG: config, ...extra };
    const r = await execa(
      'npx',
      ['--no-install', 'nx', 'run', `${image}:image-build`, ...args, '--sbom=false', `--repository=${repository}`],
      {
        cwd: ws.root,
        env,
        reject: false,
        all: true,
        stdin: 'ignore',
        timeout: 600_000,
      },
    );
    return { code: r.exitCode ?? -1, output: String(r.all) };
  };

  beforeAll(async () => {
    ws = new ScratchWorkspace('bad-input-registry-');
    ws.write({
      'images/base/Dockerfile': child('FROM debian:trixie-slim', `RUN echo ${NS} > /bad-input.txt`),
      // base -> mid -> leaf, for the lookups of every level in one pass (the rows build base only).
      'images/mid/Dockerfile': child(`ARG BASE_IMAGE=${BASE_REF}`, 'FROM ${BASE_IMAGE}', 'RUN echo mid > /mid.txt'),
      'images/leaf/Dockerfile': child(
        'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:mid',
        'FROM ${BASE_IMAGE}',
        'RUN echo leaf > /leaf.txt',
      ),
      '.dockerignore': '*\n!images/\n',
    });
    ws.initGit();
    proxy = await FaultyRegistry.start();
  });
  afterAll(async () => {
    for (const dir of configDirs) rmSync(dir, { recursive: true, force: true });
    await proxy?.close();
    await small?.stop();
    await engine?.dispose();
    ws?.dispose();
  });

  const rows: Array<{
    name: string;
    /** Sets the fault up; returns the repository to push to and the one to watch. */
    fault: () => Promise<{ repository: string; watch: WatchedRepository; env?: Record<string, string> }>;
    where: string;
    says: string | RegExp;
  }> = [
    {
      name: 'wrong password',
      fault: async () => {
        config = dockerConfig(TARGET_REGISTRY, 'wrong-password');
        return { repository: `${TARGET_REGISTRY}/${NS}/a`, watch: targetRepository(`${NS}/a`) };
      },
      where: `the registry ${TARGET_REGISTRY} refused the credentials`,
      says: `docker login ${TARGET_REGISTRY}`,
    },
    {
      name: 'a token that may read but not write (401 on every upload)',
      fault: async () => {
        config = dockerConfig(proxy.host);
        proxy.failOn({ fault: 'unauthorized', method: 'POST' }).failOn({ fault: 'unauthorized', method: 'PUT' });
        return { repository: `${proxy.host}/${NS}/b`, watch: targetRepository(`${NS}/b`) };
      },
      where: `the registry ${'127.0.0.1:'}`,
      says: 'refused the credentials',
    },
    {
      name: 'the registry answers 500 to every lookup',
      fault: async () => {
        config = dockerConfig(proxy.host);
        proxy
          .failOn({ fault: 'server-error', method: 'GET', path: /\/manifests\// })
          .failOn({ fault: 'server-error', method: 'HEAD', path: /\/manifests\// });
        return { repository: `${proxy.host}/${NS}/c`, watch: targetRepository(`${NS}/c`) };
      },
      where: 'failed while handling',
      says: 'also when tried again',
    },
    {
      name: 'the registry answers 500 to every upload',
      fault: async () => {
        config = dockerConfig(proxy.host);
        proxy
          .failOn({ fault: 'server-error', method: 'POST' })
          .failOn({ fault: 'server-error', method: 'PATCH' })
          .failOn({ fault: 'server-error', method: 'PUT' });
        return { repository: `${proxy.host}/${NS}/d`, watch: targetRepository(`${NS}/d`) };
      },
      where: 'failed while handling',
      says: /500 Internal Server Error\), also when tried again\n\s+fix: run again .* health of 127\.0\.0\.1:/,
    },
    {
      name: 'the registry resets every connection',
      fault: async () => {
        config = dockerConfig(proxy.host);
        proxy.failOn({ fault: 'reset' });
        return { repository: `${proxy.host}/${NS}/e`, watch: targetRepository(`${NS}/e`) };
      },
      where: 'cannot be reached',
      says: 'check that 127.0.0.1:',
    },
    {
      name: 'the registry is down',
      fault: async () => {
        const host = `127.0.0.1:${await unusedPort()}`;
        config = dockerConfig(host);
        return { repository: `${host}/${NS}/f`, watch: targetRepository(`${NS}/f`) };
      },
      where: 'cannot be reached',
      says: /ECONNREFUSED|connection refused/,
    },
    {
      name: 'disk full during the push',
      fault: async () => {
        small = await startSmallRegistry(4);
        config = dockerConfig(small.host);
        return { repository: `${small.host}/${NS}/g`, watch: { registry: small.host, path: `${NS}/g` } };
      },
      // A full disk reaches buildx as a 500 from the registry: the message names the registry, not the disk.
      where: 'failed while handling',
      says: /also when tried again\n\s+fix: .*check the health of 127\.0\.0\.1:/,
    },
    {
      name: 'the registry takes the connection and never answers (hangs)',
      fault: async () => {
        config = dockerConfig(proxy.host);
        proxy.failOn({ fault: 'hang' });
        return {
          repository: `${proxy.host}/${NS}/j`,
          watch: targetRepository(`${NS}/j`),
          env: { IMAGE_REGISTRY_TIMEOUT: '3' },
        };
      },
      where: 'the registry did not answer in 3 s',
      says: /fix: check that 127\.0\.0\.1:\d+ is up .*IMAGE_REGISTRY_TIMEOUT \(seconds, default 60\)/,
    },
  ];

  it.each(rows)('$name', async ({ fault, where, says }) => {
    proxy.clear();
    const { repository, watch, env } = await fault();
    const witness = await Witness.take(join(ws.root, 'dist/images'), [watch]);
    try {
      const r = await build(repository, env);
      expectRefusal(r, 1, where, says);
      await witness.expectNothingWritten();
    } finally {
      await small?.stop();
      small = undefined;
    }
  });

  it("a parent's lookup that never answers holds up no child's lookup: every level is looked up in one pass", async () => {
    proxy.clear();
    config = dockerConfig(proxy.host);
    proxy.failOn({ fault: 'hang', path: /\/manifests\/base-content-/ });
    const watch = targetRepository(`${NS}/one-pass`);
    const witness = await Witness.take(join(ws.root, 'dist/images'), [watch]);
    const r = await build(`${proxy.host}/${NS}/one-pass`, { IMAGE_REGISTRY_TIMEOUT: '3' }, ['--push'], 'leaf');
    expectRefusal(r, 1, 'the registry did not answer in 3 s', /IMAGE_REGISTRY_TIMEOUT/);
    expect(r.output).toMatch(/mid: skipped/);
    expect(r.output).toMatch(/leaf: skipped/);
    // The children's content tags were asked for while base's lookup hung: their hashes need base's
    // hash only, not its lookup.
    const asked = new Set(
      proxy.requests.flatMap((q) => /\/manifests\/(base|mid|leaf)-content-/.exec(q.path)?.[1] ?? []),
    );
    expect([...asked].sort()).toEqual(['base', 'leaf', 'mid']);
    await witness.expectNothingWritten();
  });

  it('the Docker engine is not running', async () => {
    config = dockerConfig(TARGET_REGISTRY);
    const witness = await Witness.take(join(ws.root, 'dist/images'));
    const r = await build(`${TARGET_REGISTRY}/${NS}/h`, { DOCKER_HOST: `unix:///tmp/no-engine-${NS}.sock` }, []);
    expectRefusal(r, 1, 'docker engine: the Docker engine cannot be reached', 'start Docker (or set DOCKER_HOST)');
    await witness.expectNothingWritten();
  });

  it('the Docker engine stops in the middle of a build', async () => {
    config = dockerConfig(TARGET_REGISTRY);
    engine = await startPrivateEngine();
    ws.write({ 'images/base/Dockerfile': child('FROM debian:trixie-slim', `RUN sleep 120 && echo ${NS} > /slow.txt`) });
    ws.commitAll('a slow build');
    const witness = await Witness.take(join(ws.root, 'dist/images'));
    const run = execa(
      'npx',
      ['--no-install', 'nx', 'run', 'base:image-build', '--sbom=false', `--repository=${TARGET_REGISTRY}/${NS}/i`],
      {
        cwd: ws.root,
        env: { ...ws.env, NX_DAEMON: 'false', DOCKER_CONFIG: config, DOCKER_HOST: engine.host },
        reject: false,
        all: true,
        stdin: 'ignore',
        timeout: 600_000,
      },
    );
    let output = '';
    run.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 300_000;
    while (!/RUN sleep 120/.test(output) && Date.now() < deadline && run.exitCode === null)
      await new Promise((done) => setTimeout(done, 250));
    expect(output, `the build never reached its RUN step:\n${output}\n${engine.log().slice(-2000)}`).toMatch(
      /RUN sleep 120/,
    );
    await engine.stop();
    const r = await run;
    // The engine, not the Dockerfile: the build did not fail, the engine went away under it.
    expectRefusal(
      { code: r.exitCode ?? -1, output: String(r.all) },
      1,
      'docker engine: the Docker engine stopped during the build of base',
      'fix: start it again and re-run (what was built is cached)',
    );
    expect(String(r.all)).not.toMatch(/images\/base\/Dockerfile(:\d+)?: building base failed/);
    await witness.expectNothingWritten();
  });

  it('buildx ends without an ERROR line (killed): reported by its last lines, not its last character', async () => {
    config = dockerConfig(TARGET_REGISTRY);
    // A real buildx, killed mid-build as the OOM killer would: a `docker` first on PATH that runs the real
    // one and kills `docker buildx build` after a few seconds. Every other docker command passes through.
    const shims = mkdtempSync(join(tmpdir(), 'bad-input-shim-'));
    const docker = (await execa('sh', ['-c', 'command -v docker'])).stdout.trim();
    writeFileSync(
      join(shims, 'docker'),
      [
        '#!/bin/sh',
        `if [ "$1" = buildx ] && [ "$2" = build ]; then exec timeout -s KILL 6 ${docker} "$@"; fi`,
        `exec ${docker} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(join(shims, 'docker'), 0o755);
    ws.write({ 'images/base/Dockerfile': child('FROM debian:trixie-slim', `RUN echo ${NS}-killed && sleep 60`) });
    ws.commitAll('a build buildx does not finish');
    const witness = await Witness.take(join(ws.root, 'dist/images'));
    try {
      const r = await build(`${TARGET_REGISTRY}/${NS}/k`, { PATH: `${shims}:${process.env.PATH}` }, []);
      expectRefusal(
        r,
        1,
        'images/base/Dockerfile: building base failed',
        /buildx printed no error; its last lines:\n( {4}\S.*\n){1,5}/,
      );
      const said = r.output.slice(r.output.indexOf('its last lines:'));
      expect(said.split('\n').slice(1, 6).join('\n')).toMatch(/#\d+ /); // buildx's own progress lines
      await witness.expectNothingWritten();
    } finally {
      rmSync(shims, { recursive: true, force: true });
    }
  });

  it('`--push` where BuildKit cannot pull its SBOM scanner: names the sbomGenerator option and --sbom=false', async () => {
    config = dockerConfig(TARGET_REGISTRY);
    ws.write({ 'images/base/Dockerfile': child('FROM debian:trixie-slim', `RUN echo ${NS}-sbom > /sbom.txt`) });
    ws.commitAll('an image with an SBOM');
    const watch = targetRepository(`${NS}/l`);
    const witness = await Witness.take(join(ws.root, 'dist/images'), [watch]);
    // Docker Hub is out of reach here, as on many company networks: BuildKit's default scanner cannot be pulled.
    const env: NodeJS.ProcessEnv = { ...ws.env, NX_DAEMON: 'false', DOCKER_CONFIG: config };
    delete env.IMAGE_BUILD_SBOM_GENERATOR;
    const r = await execa(
      'npx',
      ['--no-install', 'nx', 'run', 'base:image-build', '--push', `--repository=${TARGET_REGISTRY}/${NS}/l`],
      { cwd: ws.root, env, reject: false, all: true, stdin: 'ignore', timeout: 600_000 },
    );
    const outcome = { code: r.exitCode ?? -1, output: String(r.all) };
    expectRefusal(
      outcome,
      1,
      'image-build option sbomGenerator: building base failed: BuildKit cannot pull the SBOM scanner docker/buildkit-syft-scanner',
      /fix: set the sbomGenerator option .* or pass --sbom=false/,
    );
    await witness.expectNothingWritten();
  });
});

// ---- options: nx.json's plugin options and image-build's target options and flags ---------------------

describe('bad options refused before any work: exit 1, the option, its allowed values, nothing written or pushed', () => {
  const NS = `bad-opt-${randomBytes(3).toString('hex')}`;
  let ws: ScratchWorkspace;
  let nxJson = '';
  beforeAll(() => {
    ws = new ScratchWorkspace('bad-input-options-');
    ws.write(SAMPLE_FAMILY);
    ws.initGit();
    nxJson = readFileSync(join(ws.root, 'nx.json'), 'utf8');
  });
  afterAll(() => ws?.dispose());

  /** nx.json with the image plugin's options changed; returns the text written. */
  const pluginOptions = (change: (options: Record<string, unknown>) => void): string => {
    const json = JSON.parse(nxJson) as { plugins: Array<{ plugin: string; options: Record<string, unknown> }> };
    const entry = json.plugins.find((p) => p.plugin.includes('image-plugin'));
    if (!entry) throw new Error('nx.json has no image plugin entry');
    change(entry.options);
    return `${JSON.stringify(json, null, 2)}\n`;
  };
  /** The line of `"key":` in a JSON text, counted here by hand (not by the plugin's code). */
  const lineOf = (text: string, key: string) => text.split('\n').findIndex((l) => l.includes(`"${key}":`)) + 1;

  const NX_JSON_ROWS: Array<{
    name: string;
    change: (o: Record<string, unknown>) => void;
    key?: string;
    says: string;
    fix: string;
  }> = [
    {
      name: '"layout": "flat"',
      change: (o) => (o.layout = 'flat'),
      key: 'layout',
      says: 'plugins[image-plugin].options.layout "flat" is not one of single, per-image',
      fix: 'fix: use single or per-image',
    },
    {
      name: '"dockerfileGlobs" (a typo)',
      change: (o) => (o.dockerfileGlobs = 'images/*/Dockerfile'),
      key: 'dockerfileGlobs',
      says: 'unknown image plugin option dockerfileGlobs',
      fix: 'fix: did you mean dockerfileGlob?',
    },
    {
      name: '"dockerfileGlob": "imgs/*/Dockerfile" (matches nothing)',
      change: (o) => (o.dockerfileGlob = 'imgs/*/Dockerfile'),
      says: 'dockerfileGlob imgs/*/Dockerfile matches no Dockerfile (the workspace has images/base/Dockerfile',
      fix: 'fix: write a glob that matches the images\' Dockerfiles, e.g. "dockerfileGlob": "images/*/Dockerfile"',
    },
    {
      name: '"repository": "ghcr.io/"',
      change: (o) => (o.repository = 'ghcr.io/'),
      key: 'repository',
      says: 'plugins[image-plugin].options.repository "ghcr.io/" has no owner and name',
      fix: 'fix: ghcr.io/<owner>/<repo>',
    },
    {
      name: '"repository": "ghcr.io/Acme/images"',
      change: (o) => (o.repository = 'ghcr.io/Acme/images'),
      key: 'repository',
      says: 'plugins[image-plugin].options.repository "ghcr.io/Acme/images" must be lower case',
      fix: 'fix: write ghcr.io/acme/images',
    },
    {
      name: '"repository": "ghcr.io/acme/images/" (a trailing slash)',
      change: (o) => (o.repository = 'ghcr.io/acme/images/'),
      key: 'repository',
      says: 'plugins[image-plugin].options.repository "ghcr.io/acme/images/" ends with a slash',
      fix: 'fix: write ghcr.io/acme/images',
    },
    {
      name: '"repository": "acme images" (a space)',
      change: (o) => (o.repository = 'acme images'),
      key: 'repository',
      says: 'plugins[image-plugin].options.repository "acme images" is not a repository name',
      fix: 'fix: write it as <registry>/<owner>/<name>',
    },
    {
      name: '"repository": "ghcr.io" (no owner)',
      change: (o) => (o.repository = 'ghcr.io'),
      key: 'repository',
      says: 'plugins[image-plugin].options.repository "ghcr.io" names no owner',
      fix: 'fix: ghcr.io/<owner>/<repo>',
    },
    {
      name: '"build": { "platforms": "linux/amd64,bogus/arch" }',
      change: (o) => (o.build = { platforms: 'linux/amd64,bogus/arch' }),
      key: 'platforms',
      says: 'plugins[image-plugin].options.build.platforms "bogus/arch" is not a platform',
      fix: 'fix: write platforms as os/arch[/variant], e.g. linux/amd64, linux/arm64',
    },
    {
      name: '"build": { "push": "yes" }',
      change: (o) => (o.build = { push: 'yes' }),
      key: 'push',
      says: 'plugins[image-plugin].options.build.push "yes" is not true or false',
      fix: 'fix: set push to true or false',
    },
    {
      name: '"build": { "compression": "zstandard" }',
      change: (o) => (o.build = { compression: 'zstandard' }),
      key: 'compression',
      says: 'plugins[image-plugin].options.build.compression "zstandard" is not one of gzip, zstd',
      fix: 'fix: use gzip or zstd',
    },
  ];

  it.each(NX_JSON_ROWS)('nx.json $name: `nx show projects` refuses it', async ({ change, key, says, fix }) => {
    const witness = await Witness.take(join(ws.root, 'dist/images'));
    const text = pluginOptions(change);
    try {
      ws.write({ 'nx.json': text });
      const r = ws.nx('show', 'projects');
      const where = key ? `nx.json:${lineOf(text, key)}: ` : 'nx.json: ';
      expectRefusal({ code: r.status ?? -1, output: `${r.stdout}\n${r.stderr}` }, 1, where + says, fix);
    } finally {
      ws.write({ 'nx.json': nxJson });
    }
    await witness.expectNothingWritten();
  });

  it('nx.json as it was: the workspace is good (so the rows above could pass)', () => {
    expect(ws.showProjects('--with-target', 'image-build')).toEqual(['base', 'cpp', 'developer', 'node']);
  });

  const nx = async (args: string[], env: Record<string, string> = {}) => {
    const r = await execa('npx', ['--no-install', 'nx', ...args], {
      cwd: ws.root,
      env: { ...ws.env, ...env },
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: 600_000,
    });
    return { code: r.exitCode ?? -1, output: String(r.all) };
  };
  const pushTo = (path: string) => [`--repository=${TARGET_REGISTRY}/${NS}/${path}`, '--push', '--sbom=false'];

  const TASK_ROWS: Array<{
    name: string;
    args: string[];
    env?: Record<string, string>;
    watch?: string;
    where: string;
    says: string | RegExp;
  }> = [
    {
      name: '`nx run-many -t image-build --buildArgs=FOO --push` (batch mode)',
      args: ['run-many', '-t', 'image-build', '--buildArgs=FOO', ...pushTo('a')],
      watch: 'a',
      where: 'image-build option buildArgs: FOO is not NAME=value',
      says: 'fix: --buildArgs.FOO=<value>',
    },
    {
      name: '`nx run base:image-build --bogus --push`',
      args: ['run', 'base:image-build', '--bogus', ...pushTo('b')],
      watch: 'b',
      where: 'image-build: unknown option --bogus',
      says: 'fix: use one of push, platforms, repository, layout',
    },
    {
      name: '`nx run base:image-build --dryRun --platforms=linux/amd64,bogus/arch`',
      args: ['run', 'base:image-build', '--dryRun', '--platforms=linux/amd64,bogus/arch'],
      where: 'image-build option platforms: "bogus/arch" is not a platform',
      says: 'fix: write platforms as os/arch[/variant], e.g. linux/amd64, linux/arm64',
    },
    {
      name: '`nx run base:image-build --caBundle=/no/such.pem --push`',
      args: ['run', 'base:image-build', '--caBundle=/no/such.pem', ...pushTo('c')],
      watch: 'c',
      where: 'image-build option caBundle: "/no/such.pem" does not exist',
      says: 'fix: give the path of a PEM file of CA certificates',
    },
    {
      name: '`nx run-many -t image-build --layout=flat --push`',
      args: ['run-many', '-t', 'image-build', '--layout=flat', ...pushTo('d')],
      watch: 'd',
      where: 'image-build option layout: "flat" is not one of single, per-image',
      says: 'fix: use single or per-image',
    },
    {
      name: '`nx run base:image-build --shaLength=abc --push`',
      args: ['run', 'base:image-build', '--shaLength=abc', ...pushTo('e')],
      watch: 'e',
      where: 'image-build option shaLength: "abc" is not a number',
      says: 'fix: write shaLength as a number, e.g. 12',
    },
    {
      name: '`nx run-many -t image-build --compression=xz --push`',
      args: ['run-many', '-t', 'image-build', '--compression=xz', ...pushTo('g')],
      watch: 'g',
      where: 'image-build option compression: "xz" is not one of gzip, zstd',
      says: 'fix: use gzip or zstd',
    },
    {
      name: 'IMAGE_BUILD_PARALLEL=abc `nx run-many -t image-build --push`',
      args: ['run-many', '-t', 'image-build', ...pushTo('f')],
      env: { IMAGE_BUILD_PARALLEL: 'abc' },
      watch: 'f',
      where: 'IMAGE_BUILD_PARALLEL: "abc" is not a whole number above 0',
      says: 'fix: set it to how many builds may run at once, e.g. IMAGE_BUILD_PARALLEL=3, or unset it',
    },
  ];

  it.each(TASK_ROWS)('$name', async ({ args, env, watch, where, says }) => {
    const witness = await Witness.take(join(ws.root, 'dist/images'), watch ? [targetRepository(`${NS}/${watch}`)] : []);
    const r = await nx(args, env);
    expectRefusal(r, 1, where, says);
    expect(r.output).not.toMatch(/building linux\//);
    await witness.expectNothingWritten();
  });

  it('a successful `--dryRun` does not end with a summary listing every image as failed', async () => {
    const r = await nx(['run-many', '-t', 'image-build', '--dryRun']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/base \(dry run, nothing built\)/);
    expect(r.output).not.toMatch(/^\S+\s+failed\s*$/m);
    expect(r.output).not.toMatch(/not done\)/);
  });

  it('a failed parent ends the run with exit 1, not 130; its children are shown skipped', async () => {
    ws.write({ 'images/base/Dockerfile': child('FROM debian:trixie-slim', `RUN echo ${NS} && exit 3`) });
    try {
      const witness = await Witness.take(join(ws.root, 'dist/images'));
      const r = await nx(['run-many', '-t', 'image-build', '--sbom=false']);
      expectRefusal(r, 1, 'images/base/Dockerfile:2: building base failed', 'exit code: 3');
      for (const image of ['node', 'cpp', 'developer']) {
        expect(r.output).toContain(`${image}: skipped, a parent image failed`);
        expect(r.output).toMatch(new RegExp(`^${image}\\s+skipped\\s*$`, 'm'));
      }
      expect(r.output).toMatch(/^base\s+failed\s*$/m);
      await witness.expectNothingWritten();
    } finally {
      ws.write({ 'images/base/Dockerfile': SAMPLE_FAMILY['images/base/Dockerfile'] });
    }
  });
});
