import { describe, expect, it } from 'vitest';
import { pinRefusal, resolvedReference } from './base-pin-check';
import type { BasePin } from './base-pins';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const LOCAL = `sha256:${'1'.repeat(64)}`;
const FILE = 'images/base/Dockerfile';
const PIN: BasePin = { ref: `debian:trixie-slim@${DIGEST}`, line: 4, digest: DIGEST };
const REPLACED: BasePin = {
  ...PIN,
  digest: LOCAL,
  replaced: { reference: `debian@${LOCAL}`, file: '/cache/pins.json' },
};
const INDEX = 'application/vnd.oci.image.index.v1+json';
const SINGLE = 'application/vnd.docker.distribution.manifest.v2+json';
const BOTH = ['linux/amd64', 'linux/arm64'];

describe('resolvedReference', () => {
  it.each([
    [PIN, `debian@${DIGEST}`],
    [REPLACED, `debian@${LOCAL}`],
  ])('%o -> %s', (pin, ref) => expect(resolvedReference(pin)).toBe(ref));
});

describe('pinRefusal', () => {
  it.each([
    {
      name: 'an index with every platform asked',
      pin: PIN,
      manifest: { mediaType: INDEX, platforms: BOTH },
      platforms: BOTH,
    },
    {
      name: 'arm64/v8 serves linux/arm64',
      pin: PIN,
      manifest: { mediaType: INDEX, platforms: ['linux/amd64', 'linux/arm64/v8'] },
      platforms: BOTH,
    },
    {
      name: 'a single-platform manifest for a one-platform build',
      pin: PIN,
      manifest: { mediaType: SINGLE, platforms: ['linux/amd64'] },
      platforms: ['linux/amd64'],
    },
  ])('served: $name', ({ pin, manifest, platforms }) => {
    expect(pinRefusal(pin, FILE, manifest, platforms)).toBeNull();
  });

  it.each([
    {
      name: 'a digest its registry does not have',
      pin: PIN,
      manifest: null,
      platforms: BOTH,
      problem: `${FILE}:4: the external base \`debian:trixie-slim@${DIGEST}\` is not in its registry: no manifest ${DIGEST}`,
      fix: 'run npx images pin-bases to pin the index digest debian:trixie-slim resolves to now, and commit it',
    },
    {
      name: 'a replacement its registry does not have: the fix is in the replacement file',
      pin: REPLACED,
      manifest: null,
      platforms: BOTH,
      problem: `the external base \`debian:trixie-slim@${DIGEST}, replaced by debian@${LOCAL} (IMAGE_BASE_PINS)\` is not in its registry`,
      fix: 'correct the digest of "debian:trixie-slim" in /cache/pins.json (IMAGE_BASE_PINS), or unset IMAGE_BASE_PINS',
    },
    {
      name: 'a single-platform manifest while two platforms are asked',
      pin: PIN,
      manifest: { mediaType: SINGLE, platforms: ['linux/amd64'] },
      platforms: BOTH,
      problem: `${FILE}:4: the external base \`debian:trixie-slim@${DIGEST}\` names a single-platform manifest of linux/amd64, but the build asks for linux/amd64, linux/arm64 (no linux/arm64); nothing was built or pushed`,
      fix: 'pin the multi-platform index: npx images pin-bases writes the index digest debian:trixie-slim resolves to now, and commit it (by hand: docker buildx imagetools inspect debian:trixie-slim shows it as Digest), or build only linux/amd64 (the platforms option)',
    },
    {
      name: 'an index without a platform asked',
      pin: PIN,
      manifest: { mediaType: INDEX, platforms: ['linux/amd64'] },
      platforms: BOTH,
      problem: 'names an index of linux/amd64, but the build asks for linux/amd64, linux/arm64 (no linux/arm64)',
      fix: 'or build only linux/amd64',
    },
  ])('refused: $name', ({ pin, manifest, platforms, problem, fix }) => {
    const refusal = pinRefusal(pin, FILE, manifest, platforms);
    expect(refusal?.message).toContain(problem);
    expect(refusal?.fix).toContain(fix);
    expect(refusal?.line).toBe(4);
  });
});
