import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { gitHubError, otherReleaseError, releaseAction, sameRelease, type ReleaseFields } from './github-release';

const fields: ReleaseFields = { tag: 'v1.2.0', name: 'v1.2.0', body: 'notes', prerelease: false, makeLatest: 'true' };
const published = { id: 7, name: 'v1.2.0', body: 'notes', prerelease: false };

describe('releaseAction', () => {
  it.each([
    { name: 'no release yet', existing: null, fields, latestId: null, action: 'create' },
    { name: 'the same, and the latest', existing: published, fields, latestId: 7, action: 'unchanged' },
    { name: 'the same, but another is the latest', existing: published, fields, latestId: 3, action: 'update' },
    {
      name: 'the same, not to be the latest',
      existing: published,
      fields: { ...fields, makeLatest: 'false' as const },
      latestId: null,
      action: 'unchanged',
    },
    { name: 'body edited by hand', existing: { ...published, body: 'edited' }, fields, latestId: 7, action: 'update' },
    { name: 'no body on GitHub', existing: { ...published, body: undefined }, fields, latestId: 7, action: 'update' },
    { name: 'name differs', existing: { ...published, name: null }, fields, latestId: 7, action: 'update' },
    {
      name: 'pre-release flag differs',
      existing: { ...published, prerelease: true },
      fields,
      latestId: 7,
      action: 'update',
    },
  ])('$name: $action', ({ existing, fields: f, latestId, action }) => {
    expect(releaseAction(existing, f, latestId)).toBe(action);
  });
});

describe('gitHubError: one message per status, with its fix', () => {
  it.each([
    { status: 401, says: 'GitHub answered 401: Bad credentials', fix: 'GITHUB_TOKEN is not a valid token' },
    {
      status: 403,
      says: 'GitHub answered 403: Resource not accessible by integration',
      fix: 'give the release job `permissions: contents: write`',
    },
    { status: 404, says: 'GitHub answered 404: Not Found', fix: 'check GITHUB_REPOSITORY (owner/name)' },
    { status: 502, says: 'GitHub answered 502: Bad Gateway', fix: 'release again in a few minutes' },
    {
      status: undefined,
      says: 'GitHub cannot be reached (connect ECONNREFUSED 127.0.0.1:9)',
      fix: 'check that http://127.0.0.1:9 is reachable (GITHUB_API_URL, HTTPS_PROXY)',
    },
  ])('$status', ({ status, says, fix }) => {
    const message = {
      401: 'Bad credentials',
      403: 'Resource not accessible by integration',
      404: 'Not Found',
      502: 'Bad Gateway',
    }[status ?? 0];
    const e = gitHubError({
      step: 'creating the release v1.2.0',
      repository: 'acme/images',
      status,
      message: message ?? 'connect ECONNREFUSED 127.0.0.1:9',
      apiUrl: 'http://127.0.0.1:9',
    });
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toMatch(/^release: creating the release v1\.2\.0 of acme\/images failed: /);
    expect(e.message).toContain(says);
    expect(e.fix).toContain(fix);
    expect(e.stack).toBe(e.message);
  });
});

describe('sameRelease: a release published meanwhile (422 already_exists) is this one or another', () => {
  const TABLE = '<!-- images-release-table -->\n| base | `sha256:b` |\n';
  const ours = { ...fields, body: `${TABLE}changes` };
  const found = { id: 9, tag_name: 'v1.2.0', name: 'v1.2.0', body: `${TABLE}changes`, prerelease: false };
  it.each([
    { name: 'the same tag, images and notes', existing: found, same: true },
    {
      name: 'the same images, other changes below the table',
      existing: { ...found, body: `${TABLE}other` },
      same: true,
    },
    { name: 'notes a person wrote', existing: { ...found, body: 'written by hand' }, same: false },
    { name: 'other digests', existing: { ...found, body: found.body.replace('sha256:b', 'sha256:c') }, same: false },
    { name: 'no body', existing: { ...found, body: null }, same: false },
    { name: 'a pre-release', existing: { ...found, prerelease: true }, same: false },
    { name: 'another tag', existing: { ...found, tag_name: 'v1.2.1' }, same: false },
  ])('$name: $same', ({ existing, same }) => {
    expect(sameRelease(existing, ours, TABLE)).toBe(same);
  });

  it('another release: one error naming the tag, with the fix', () => {
    const e = otherReleaseError('v1.2.0');
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toMatch(/^release: v1\.2\.0 was published on GitHub meanwhile with other images or notes/);
    expect(e.fix).toContain('gh release delete v1.2.0');
  });
});
