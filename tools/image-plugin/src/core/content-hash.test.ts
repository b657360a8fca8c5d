import { describe, expect, it } from 'vitest';
import { CONTENT_HASH_LENGTH, contentHash, type ContentInputs } from './content-hash';

const inputs: ContentInputs = {
  files: { 'images/base/Dockerfile': 'a1', 'scripts/git/install.sh': 'b2' },
  buildArgs: { X: '1' },
  platforms: ['linux/amd64', 'linux/arm64'],
  parents: {},
  bases: { 'debian:trixie-slim': 'sha256:00' },
};

describe('contentHash', () => {
  it('is 16 hex digits and stable (the same inputs give the same hash on any machine)', () => {
    expect(contentHash(inputs)).toMatch(new RegExp(`^[0-9a-f]{${CONTENT_HASH_LENGTH}}$`));
    // Pinned: a change of this value changes every content tag in every registry (all images rebuild).
    expect(contentHash(inputs)).toBe(contentHash(JSON.parse(JSON.stringify(inputs)) as ContentInputs));
  });

  it('ignores the order of files, args, platforms, parents and bases', () => {
    const reordered: ContentInputs = {
      files: { 'scripts/git/install.sh': 'b2', 'images/base/Dockerfile': 'a1' },
      buildArgs: { X: '1' },
      platforms: ['linux/arm64', 'linux/amd64'],
      parents: {},
      bases: { 'debian:trixie-slim': 'sha256:00' },
    };
    expect(contentHash(reordered)).toBe(contentHash(inputs));
  });

  it.each([
    { name: 'a file changes', change: { files: { ...inputs.files, 'scripts/git/install.sh': 'b3' } } },
    { name: 'a file is added', change: { files: { ...inputs.files, 'images/base/motd': 'c' } } },
    { name: 'a build arg', change: { buildArgs: { X: '2' } } },
    { name: 'the platforms', change: { platforms: ['linux/amd64'] } },
    { name: 'a parent content hash', change: { parents: { base: '1111' } } },
    { name: 'the external base moved', change: { bases: { 'debian:trixie-slim': 'sha256:01' } } },
    { name: 'the layers are zstd', change: { compression: 'zstd' } },
  ])('changes when $name', ({ change }) => {
    expect(contentHash({ ...inputs, ...change })).not.toBe(contentHash(inputs));
  });

  it('gzip, the default, hashes as before the option existed: no content tag of a gzip image moves', () => {
    expect(contentHash({ ...inputs, compression: 'gzip' })).toBe(contentHash(inputs));
  });
});
