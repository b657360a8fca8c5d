import { describe, expect, it } from 'vitest';
import { reconcileError, unreleasedTags } from './reconcile';
import { readReleaseTags } from './release-tags';

describe('unreleasedTags: every release tag without a published GitHub release, lowest first', () => {
  it.each([
    { tags: ['v1.0.0', 'v1.1.0'], published: ['v1.0.0', 'v1.1.0'], want: [] },
    {
      tags: ['v1.0.0', 'v1.1.0', 'v1.0.1', 'v2.0.0-rc.1'],
      published: ['v1.0.0'],
      want: ['v1.0.1', 'v1.1.0', 'v2.0.0-rc.1'],
    },
    // Four tags pushed at once: GitHub ran no workflow for any of them.
    { tags: ['v3.0.0', 'v3.0.1', 'v3.1.0', 'v3.2.0'], published: [], want: ['v3.0.0', 'v3.0.1', 'v3.1.0', 'v3.2.0'] },
    // Not release tags: never reconciled.
    { tags: ['vv9.9.9', 'v1.3', 'v1.2.0'], published: [], want: ['v1.2.0'] },
    { tags: ['v10.0.0', 'v9.0.0'], published: [], want: ['v9.0.0', 'v10.0.0'] },
  ])('$tags with releases $published: $want', ({ tags, published, want }) => {
    expect(unreleasedTags(readReleaseTags(tags).releases, published)).toEqual(want);
  });
});

describe('reconcileError: one message naming every tag left, why, and the fix', () => {
  it('names each tag with its problem and what was released', () => {
    const e = reconcileError(
      [
        { tag: 'v1.4.1', problem: 'no SHA tags for base, child' },
        { tag: 'v1.5.0', problem: 'the registry refused' },
      ],
      ['v1.4.0'],
    );
    expect(e.message).toBe(
      'release --reconcile: 2 release tags have no GitHub release and could not be released: v1.4.1 (no SHA tags for base, child); v1.5.0 (the registry refused); released now: v1.4.0\n' +
        '  fix: run the images workflow on each tag (Actions > images > Run workflow, "Use workflow from" v1.4.1): it builds and tests what the tag\'s commit lacks and releases it; or delete a tag that is not meant to be a release (git push --delete origin <tag>)',
    );
  });
});
