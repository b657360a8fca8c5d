import { describe, expect, it } from 'vitest';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
  digestOf,
  isIndexMediaType,
  normalizedPlatform,
  taggedImage,
  wrapInIndex,
} from './image-index';

describe('wrapInIndex: the one-entry index of a plain manifest', () => {
  it('a Docker manifest gets a Docker manifest list, written as imagetools writes it', () => {
    const blob = wrapInIndex({
      mediaType: DOCKER_MANIFEST,
      digest: 'sha256:55',
      size: 696,
      platform: { architecture: 'arm64', os: 'linux' },
    });
    expect(blob.mediaType).toBe(DOCKER_MANIFEST_LIST);
    expect(blob.bytes.toString()).toBe(
      [
        '{',
        '  "schemaVersion": 2,',
        `  "mediaType": "${DOCKER_MANIFEST_LIST}",`,
        '  "manifests": [',
        '    {',
        `      "mediaType": "${DOCKER_MANIFEST}",`,
        '      "digest": "sha256:55",',
        '      "size": 696,',
        '      "platform": {',
        '        "architecture": "arm64",',
        '        "os": "linux"',
        '      }',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(blob.digest).toBe(digestOf(blob.bytes));
  });

  it('an OCI manifest gets an OCI index', () => {
    expect(
      wrapInIndex({
        mediaType: OCI_MANIFEST,
        digest: 'sha256:55',
        size: 1,
        platform: { architecture: 'amd64', os: 'linux' },
      }).mediaType,
    ).toBe(OCI_INDEX);
  });

  it.each([
    {
      platform: { architecture: 'aarch64', os: 'linux', variant: 'v8' },
      expected: { architecture: 'arm64', os: 'linux' },
    },
    {
      platform: { architecture: 'arm64', os: 'linux', variant: '8' },
      expected: { architecture: 'arm64', os: 'linux' },
    },
    {
      platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
      expected: { architecture: 'arm', os: 'linux', variant: 'v7' },
    },
    { platform: { architecture: 'x86_64', os: 'linux' }, expected: { architecture: 'amd64', os: 'linux' } },
    {
      platform: { variant: 'v2', os: 'windows', architecture: 'amd64', 'os.version': '10.0' },
      expected: { architecture: 'amd64', os: 'windows', 'os.version': '10.0', variant: 'v2' },
    },
  ])('normalizedPlatform($platform.architecture)', ({ platform, expected }) => {
    const p = normalizedPlatform(platform);
    expect(p).toEqual(expected);
    expect(Object.keys(p)).toEqual(Object.keys(expected));
  });

  it.each([
    [OCI_INDEX, true],
    [DOCKER_MANIFEST_LIST, true],
    [OCI_MANIFEST, false],
    [DOCKER_MANIFEST, false],
  ])('isIndexMediaType(%s) = %s', (mediaType, expected) => expect(isIndexMediaType(mediaType)).toBe(expected));
});

describe('taggedImage: the image a tag stands for', () => {
  const entry = (digest: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest });
  it.each([
    { name: 'a plain manifest', manifest: { layers: [] }, image: 'sha256:tag' },
    {
      name: 'a one-entry index (a plain manifest as tagged)',
      manifest: { manifests: [entry('sha256:m')] },
      image: 'sha256:m',
    },
    {
      name: 'a multi-platform index',
      manifest: { manifests: [entry('sha256:amd64'), entry('sha256:arm64')] },
      image: 'sha256:tag',
    },
    { name: 'an empty index', manifest: { manifests: [] }, image: 'sha256:tag' },
    { name: 'not read', manifest: null, image: 'sha256:tag' },
  ])('$name', ({ manifest, image }) => {
    expect(taggedImage('sha256:tag', manifest)).toBe(image);
  });
});
