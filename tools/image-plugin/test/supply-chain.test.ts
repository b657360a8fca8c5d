import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT, TARGET_AUTH, TARGET_REGISTRY } from '../../test-env/env';
import { unusedPort } from './faults/unused-port';
import { ScratchWorkspace, WORKSPACE } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * The supply chain of the CI flow, for real: per-platform builds (amd64 native, arm64 under QEMU)
 * with provenance and SBOM attestations, `images merge` into the multi-arch index (the attestation
 * manifests must survive it), and `images sign` with a cosign key pair against the password registry,
 * verified with `cosign verify` (Debian's cosign, installed by tools/test-env/setup.sh). In CI the same
 * command signs keyless with GitHub's OIDC token.
 */

const NAMESPACE = `supply-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/images`;
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const SBOM_GENERATOR = 'workspace-images/sbom-scanner:1';

/** An unsigned JWT of GitHub's issuer: cosign reads the subject from it before it asks Fulcio for a certificate. */
const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const FAKE_ID_TOKEN = `${b64url({ alg: 'RS256' })}.${b64url({
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/workspace-images:ref:refs/heads/main',
  aud: 'sigstore',
  exp: 4_102_444_800,
  iat: 1,
})}.c2ln`;

let ws: ScratchWorkspace;
let keys = '';

async function run(file: string, args: string[], extra: Record<string, string> = {}) {
  const r = await execa(file, args, {
    cwd: ws.root,
    env: { ...(ws.env as Record<string, string>), ...extra },
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: 420_000,
  });
  return { code: r.exitCode ?? 1, all: String(r.all), stderr: String(r.stderr) };
}
const ok = (r: { code: number; all: string }, what: string) => expect(r.code, `${what} failed:\n${r.all}`).toBe(0);

interface Descriptor {
  digest: string;
  mediaType: string;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}
async function manifest(ref: string): Promise<{ manifests?: Descriptor[]; layers?: Descriptor[] }> {
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/manifests/${ref}`, {
    headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
  });
  expect(res.status, `GET ${ref}`).toBe(200);
  return (await res.json()) as { manifests?: Descriptor[]; layers?: Descriptor[] };
}
/** One platform of base pushed by digest (a CI level job), for the merge to make the index of `index`. */
const buildPlatform = (platform: string, index: string[], ...extra: string[]) =>
  run('npx', [
    '--no-install',
    'nx',
    'run',
    'base:image-build',
    '--push',
    '--pushByDigest',
    `--platforms=${platform}`,
    `--indexPlatforms=${index.join(',')}`,
    `--sbomGenerator=${SBOM_GENERATOR}`,
    ...extra,
  ]);
const verify = (ref: string) =>
  run('cosign', ['verify', '--key', join(keys, 'cosign.pub'), '--insecure-ignore-tlog=true', ref]);

beforeAll(async () => {
  ws = new ScratchWorkspace('supply-chain-');
  const nxJson = JSON.parse(readFileSync(join(WORKSPACE, 'nx.json'), 'utf8')) as {
    plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
  };
  const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin'));
  if (!entry) throw new Error('nx.json has no image plugin entry');
  entry.options = { ...entry.options, repository: REPO };
  ws.write({
    'nx.json': `${JSON.stringify(nxJson, null, 2)}\n`,
    'images/base/Dockerfile': ['FROM debian:trixie-slim', 'RUN echo signed > /etc/signed', ''].join('\n'),
    '.dockerignore': '*\n!images/\n',
  });
  ws.initGit();
  keys = mkdtempSync(join(tmpdir(), 'supply-chain-keys-'));
  const generated = await execa('cosign', ['generate-key-pair'], {
    cwd: keys,
    env: { ...process.env, COSIGN_PASSWORD: '' },
    reject: false,
    all: true,
  });
  expect(generated.exitCode, String(generated.all)).toBe(0);
});

afterAll(() => {
  ws?.dispose();
  if (keys) rmSync(keys, { recursive: true, force: true });
});

describe.sequential('supply chain: attestations kept by the merge, every pushed digest signed', () => {
  let index = '';
  const platformDigests: string[] = [];

  it('per-platform builds with provenance and SBOM, merged: the index keeps every attestation manifest', async () => {
    for (const platform of PLATFORMS) {
      const r = await buildPlatform(platform, PLATFORMS, '--provenance');
      ok(r, `build ${platform}`);
    }
    ok(await run('npx', ['--no-install', 'images', 'merge', 'base', '--platforms', PLATFORMS.join(',')]), 'merge');
    const result = JSON.parse(readFileSync(join(ws.root, 'dist/images/base.json'), 'utf8')) as {
      digest: string;
      tags: string[];
    };
    index = `${REPO}@${result.digest}`;
    const list = (await manifest(result.digest)).manifests ?? [];
    const images = list.filter((m) => m.platform && m.platform.os !== 'unknown');
    const attestations = list.filter((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
    expect(images.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort()).toEqual(PLATFORMS);
    // One attestation manifest per platform image, naming it.
    expect(attestations.map((a) => a.annotations?.['vnd.docker.reference.digest']).sort()).toEqual(
      images.map((m) => m.digest).sort(),
    );
    for (const a of attestations) {
      const predicates = ((await manifest(a.digest)).layers ?? []).map(
        (l) => l.annotations?.['in-toto.io/predicate-type'] ?? '',
      );
      expect(
        predicates.some((p) => p.startsWith('https://slsa.dev/provenance/')),
        `provenance in ${a.digest}`,
      ).toBe(true);
      expect(predicates, `SBOM in ${a.digest}`).toContain('https://spdx.dev/Document');
    }
    platformDigests.push(...images.map((m) => m.digest));
  });

  it('before signing, cosign verify fails (so the check below can fail)', async () => {
    const r = await verify(index);
    expect(r.code).not.toBe(0);
    expect(r.all).toMatch(/no signatures found|no matching signatures/i);
  });

  it('images sign signs the index and every manifest in it; cosign verify accepts each with the public key', async () => {
    const r = await run(
      'npx',
      ['--no-install', 'images', 'sign', 'base', '--key', join(keys, 'cosign.key'), '--no-tlog'],
      { COSIGN_PASSWORD: '' },
    );
    ok(r, 'images sign');
    expect(r.all).toContain(`base: signed ${index}`);
    ok(await verify(index), 'verify the index');
    for (const digest of platformDigests) ok(await verify(`${REPO}@${digest}`), `verify ${digest}`);
  });

  it('a digest that was not signed still fails verification, and another key fails too', async () => {
    // The per-platform content tag is another manifest (the one-platform index the build pushed).
    const perPlatform = JSON.parse(readFileSync(join(ws.root, 'dist/images/base@linux-amd64.json'), 'utf8')) as {
      digest: string;
    };
    expect(perPlatform.digest).not.toBe(index.split('@')[1]);
    expect((await verify(`${REPO}@${perPlatform.digest}`)).code).not.toBe(0);
    const other = mkdtempSync(join(tmpdir(), 'supply-chain-other-'));
    try {
      await execa('cosign', ['generate-key-pair'], { cwd: other, env: { ...process.env, COSIGN_PASSWORD: '' } });
      const r = await run('cosign', [
        'verify',
        '--key',
        join(other, 'cosign.pub'),
        '--insecure-ignore-tlog=true',
        index,
      ]);
      expect(r.code).not.toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('signing an image with no pushed result: one message naming the file and the fix', async () => {
    const r = await run(
      'npx',
      ['--no-install', 'images', 'sign', 'nothing', '--key', join(keys, 'cosign.key'), '--no-tlog'],
      { COSIGN_PASSWORD: '' },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('dist/images/nothing.json: nothing has no pushed result in dist/images');
    expect(r.stderr).toContain('fix: build and push it first');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  // Sign before tag: the merged index is pushed by digest, signed, and only then tagged, so no tag ever
  // names an unsigned digest. A new commit with new content gives a platform build to merge.
  describe.sequential('images merge --sign', () => {
    const AMD64 = 'linux/amd64';
    const shaTag = () => `${REPO}:base-${tagSha(ws.git('rev-parse', 'HEAD').trim())}`;
    const tagDigest = async (ref: string) => {
      const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/manifests/${ref.split(':').pop()}`, {
        method: 'HEAD',
        headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
      });
      return res.status === 200 ? res.headers.get('docker-content-digest') : null;
    };
    const merge = (...extra: string[]) =>
      run('npx', ['--no-install', 'images', 'merge', 'base', '--platforms', AMD64, '--sign', ...extra], {
        COSIGN_PASSWORD: '',
      });

    it('a platform build of new content, to merge', async () => {
      ws.write({
        'images/base/Dockerfile': [
          'FROM debian:trixie-slim',
          'LABEL org.opencontainers.image.description="signed twice" org.opencontainers.image.title="base" other.label="x"',
          'RUN echo signed twice > /etc/signed',
          '',
        ].join('\n'),
      });
      ws.commitAll('new content');
      ok(await buildPlatform(AMD64, [AMD64]), 'build');
    });

    it('a key that cannot sign: the merge fails and no tag names the index', async () => {
      const r = await merge('--key', join(keys, 'no-such.key'), '--no-tlog');
      expect(r.code).not.toBe(0);
      // cosign was asked to sign the index by digest, and failed: the tags were never written.
      expect(r.stderr).toContain(`cosign sign ${REPO}@sha256:`);
      expect(r.stderr).toContain('fix:');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await tagDigest(shaTag())).toBeNull();
    });

    const tagList = async () => {
      const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/tags/list`, {
        headers: { Authorization: TARGET_AUTH },
      });
      return ((await res.json()) as { tags: string[] }).tags.sort();
    };

    it('a key with another password: one message with the fix, and no tag written', async () => {
      const other = mkdtempSync(join(tmpdir(), 'supply-chain-password-'));
      try {
        await execa('cosign', ['generate-key-pair'], { cwd: other, env: { ...process.env, COSIGN_PASSWORD: 'right' } });
        const before = await tagList();
        const key = join(other, 'cosign.key');
        const r = await run(
          'npx',
          ['--no-install', 'images', 'merge', 'base', '--platforms', AMD64, '--sign', '--key', key, '--no-tlog'],
          {
            COSIGN_PASSWORD: 'wrong',
          },
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`${key}: cosign sign ${REPO}@sha256:`);
        expect(r.stderr).toContain(`the key ${key} does not open with the password in COSIGN_PASSWORD`);
        expect(r.stderr).toContain('fix: set COSIGN_PASSWORD to the password the key was made with');
        expect(r.stderr.trim().split('\n')).toHaveLength(2);
        expect(await tagList()).toEqual(before);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    it('keyless with Sigstore unreachable (Fulcio and Rekor on a closed port): one message, no tag written', async () => {
      const closed = await unusedPort(); // Sigstore "down"
      const before = await tagList();
      const r = await run('npx', ['--no-install', 'images', 'merge', 'base', '--platforms', AMD64, '--sign'], {
        SIGSTORE_ID_TOKEN: FAKE_ID_TOKEN,
        SIGSTORE_FULCIO_URL: `http://127.0.0.1:${closed}`,
        SIGSTORE_REKOR_URL: `http://127.0.0.1:${closed}`,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Sigstore's Fulcio at http://127.0.0.1:${closed} failed or cannot be reached`);
      expect(r.stderr).toContain('fix: run the job again once Sigstore answers');
      expect(r.stderr.trim().split('\n')).toHaveLength(2);
      expect(await tagList()).toEqual(before);
    });

    it('with the key: signed by digest, then tagged; cosign verify accepts what the SHA tag names', async () => {
      const r = await merge('--key', join(keys, 'cosign.key'), '--no-tlog');
      ok(r, 'merge --sign');
      const digest = await tagDigest(shaTag());
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const result = JSON.parse(readFileSync(join(ws.root, 'dist/images/base.json'), 'utf8')) as { digest: string };
      expect(result.digest).toBe(digest);
      ok(await verify(`${REPO}@${digest}`), 'cosign verify');
      // The image's OCI labels are on the index too (GHCR shows a multi-platform package's description from there).
      const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/manifests/${digest}`, {
        headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
      });
      const annotations = ((await res.json()) as { annotations?: Record<string, string> }).annotations ?? {};
      expect(annotations).toMatchObject({
        'org.opencontainers.image.description': 'signed twice',
        'org.opencontainers.image.title': 'base',
      });
      // Only the OCI labels (the build's own revision and source among them), never another label.
      expect(Object.keys(annotations).every((k) => k.startsWith('org.opencontainers.image.'))).toBe(true);
      expect(annotations['org.opencontainers.image.revision']).toBe(ws.git('rev-parse', 'HEAD').trim());
    });
  });
});
