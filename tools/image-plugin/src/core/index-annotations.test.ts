import { describe, expect, it } from 'vitest';
import { annotationFlags, indexAnnotations } from './index-annotations';

describe('indexAnnotations: the OCI labels of the image, for its index', () => {
  it.each<{ labels: Record<string, string> | undefined; want: Record<string, string> }>([
    { labels: undefined, want: {} },
    { labels: {}, want: {} },
    {
      labels: {
        'org.opencontainers.image.title': 'workspace-images base',
        'org.opencontainers.image.description': 'Debian trixie workspace base',
        maintainer: 'someone',
        'com.example.other': 'x',
        'org.opencontainers.image.source': '',
      },
      want: {
        'org.opencontainers.image.description': 'Debian trixie workspace base',
        'org.opencontainers.image.title': 'workspace-images base',
      },
    },
  ])('$labels', ({ labels, want }) => {
    expect(indexAnnotations(labels)).toEqual(want);
    // Key order is fixed (sorted): the same labels make the same index.
    expect(Object.keys(indexAnnotations(labels))).toEqual(Object.keys(want).sort());
  });

  it('as imagetools flags, on the index only', () => {
    expect(annotationFlags({ 'org.opencontainers.image.description': 'a b, c=d' })).toEqual([
      '--annotation',
      'index:org.opencontainers.image.description=a b, c=d',
    ]);
  });
});
