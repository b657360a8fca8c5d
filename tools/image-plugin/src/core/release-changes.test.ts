import { describe, expect, it } from 'vitest';
import { previousRelease, releaseChangesSection } from './release-changes';

describe('previousRelease', () => {
  it.each([
    { version: '1.3.0', released: ['1.2.0', '1.1.0', '1.3.0'], want: '1.2.0' },
    { version: '1.3.0', released: ['1.2.0', '1.3.0-rc.1', '1.4.0'], want: '1.2.0' },
    { version: '1.3.0-rc.2', released: ['1.2.0', '1.3.0-rc.1'], want: '1.3.0-rc.1' },
    { version: '1.0.0', released: [], want: null },
    { version: '1.0.0', released: ['1.0.1', '2.0.0'], want: null },
    { version: '1.2.1', released: ['1.10.0', '1.2.0', '1.9.9'], want: '1.2.0' },
  ])('$version after $released: $want', ({ version, released, want }) => {
    expect(previousRelease(version, released)).toBe(want);
  });
});

describe('releaseChangesSection', () => {
  it('each image sorted, a diff folded under its name, an image without one with its reason', () => {
    expect(
      releaseChangesSection('1.2.0', [
        { image: 'node', markdown: '### a → b\n\ntable\n' },
        { image: 'base', missing: 'r:base-1.2.0 has no contents record' },
      ]),
    ).toBe(
      [
        '',
        '## What changed since 1.2.0',
        '',
        '- base: no comparison (r:base-1.2.0 has no contents record)',
        '',
        '<details><summary>node</summary>',
        '',
        '### a → b',
        '',
        'table',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('the first release says so', () => {
    expect(releaseChangesSection(null, [])).toContain('The first release: nothing earlier to compare with.');
  });
});
