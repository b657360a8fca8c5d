import { describe, expect, it } from 'vitest';
import {
  cacheTag,
  contentTag,
  floatingTag,
  imageRepository,
  imageTags,
  pinnedReference,
  platformTag,
  revisionTag,
  shaTag,
  tagOf,
} from './tags';

describe('tag rules, per layout', () => {
  it.each([
    {
      layout: 'single' as const,
      repository: 'ghcr.io/acme/images',
      sha: 'ghcr.io/acme/images:base-1a2b3c4',
      content: 'ghcr.io/acme/images:base-content-00ff',
      floating: 'ghcr.io/acme/images:base',
      cache: 'ghcr.io/acme/images:base-buildcache',
    },
    {
      layout: 'per-image' as const,
      repository: 'ghcr.io/acme/images/base',
      sha: 'ghcr.io/acme/images/base:1a2b3c4',
      content: 'ghcr.io/acme/images/base:content-00ff',
      floating: 'ghcr.io/acme/images/base:latest',
      cache: 'ghcr.io/acme/images/base:buildcache',
    },
  ])('$layout', ({ layout, repository, sha, content, floating, cache }) => {
    const repo = 'ghcr.io/acme/images';
    expect(imageRepository(repo, layout, 'base')).toBe(repository);
    expect(shaTag(repo, layout, 'base', '1a2b3c4')).toBe(sha);
    expect(contentTag(repo, layout, 'base', '00ff')).toBe(content);
    expect(floatingTag(repo, layout, 'base')).toBe(floating);
    expect(cacheTag(repo, layout, 'base')).toBe(cache);
    expect(imageTags({ repository: repo, layout, image: 'base', revision: '1a2b3c4', contentHash: '00ff' })).toEqual({
      repository,
      sha,
      content,
    });
  });

  it.each([
    { sha: 'abcdef0123456789abcdef0123456789abcdef01', length: 7, dirty: false, tag: 'abcdef0' },
    { sha: 'abcdef0123456789abcdef0123456789abcdef01', length: 12, dirty: false, tag: 'abcdef012345' },
    { sha: 'abcdef0123456789abcdef0123456789abcdef01', length: 7, dirty: true, tag: 'abcdef0-dirty' },
  ])('revisionTag($length, dirty $dirty) = $tag', ({ sha, length, dirty, tag }) => {
    expect(revisionTag(sha, length, dirty)).toBe(tag);
  });

  it.each([
    ['r/images:base-content-00ff', 'linux/arm64', 'r/images:base-content-00ff-linux-arm64'],
    ['r/images/base:content-00ff', 'linux/arm/v7', 'r/images/base:content-00ff-linux-arm-v7'],
  ])('platformTag(%s, %s)', (tag, platform, expected) => expect(platformTag(tag, platform)).toBe(expected));

  it('pinnedReference and tagOf', () => {
    expect(pinnedReference('127.0.0.1:5000/a/images', 'sha256:00')).toBe('127.0.0.1:5000/a/images@sha256:00');
    expect(tagOf('127.0.0.1:5000/a/images:base-1a2b3c4')).toBe('base-1a2b3c4');
  });
});
