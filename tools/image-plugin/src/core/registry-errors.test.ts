import { describe, expect, it } from 'vitest';
import { REGISTRY_ATTEMPTS } from './defaults';
import { isImageError } from './errors';
import {
  isTransientRegistryError,
  isTransientStatus,
  retryAfterFailure,
  retryDelayMs,
  refusedCredentials,
  registryError,
  registryFailed,
  registryUnreachable,
} from './registry-errors';

describe('registry answers', () => {
  it.each([
    ['unexpected status from HEAD request: 500 Internal Server Error', true],
    ['503 Service Unavailable', true],
    ['429 Too Many Requests', true],
    ['401 Unauthorized', false],
    ['not found', false],
  ])('isTransientRegistryError(%j) is %s', (output, expected) =>
    expect(isTransientRegistryError(output)).toBe(expected),
  );

  it('a refused login names the registry and the login command', () => {
    const e = registryError('127.0.0.1:5000/acme/images:base-1', 'failed to authorize: 401 Unauthorized');
    expect(e?.message).toContain('127.0.0.1:5000 refused the credentials');
    expect(e?.message).toContain('fix: log in with `docker login 127.0.0.1:5000`');
  });

  it('an unreachable registry says so and where to look', () => {
    const e = registryError(
      '127.0.0.1:5999/acme/images:base-1',
      'dial tcp 127.0.0.1:5999: connect: connection refused',
    );
    expect(e?.message).toContain('127.0.0.1:5999 cannot be reached');
    expect(e?.message).toContain('fix:');
  });

  it('an unknown failure is left to the caller', () => {
    expect(registryError('r/x:y', 'something else entirely')).toBeUndefined();
  });
});

describe('a registry that fails while pushing', () => {
  it('says the registry failed, not the Dockerfile, and that a re-run resumes', () => {
    const e = registryError(
      '127.0.0.1:5000/x/images:left-1',
      'ERROR: unexpected status from HEAD request to http://127.0.0.1:5000/v2/x/images/manifests/left-1: 500 Internal Server Error',
    );
    expect(e?.message).toContain('the registry 127.0.0.1:5000 failed while handling');
    expect(e?.message).toContain('fix: run again');
  });
});

describe('registry errors are of the registry kind and name the registry', () => {
  it.each([
    ['refused', refusedCredentials('127.0.0.1:5000/a/b:c'), /refused the credentials for 127\.0\.0\.1:5000\/a\/b:c/],
    [
      'failed',
      registryFailed('127.0.0.1:5000/a/b:c', '500 Internal Server Error'),
      /failed while handling .*500 Internal Server Error/,
    ],
    [
      'unreachable',
      registryUnreachable('127.0.0.1:5999/a/b:c', 'connect ECONNREFUSED'),
      /127\.0\.0\.1:5999 cannot be reached/,
    ],
  ])('%s', (_name, error, says) => {
    expect(isImageError(error) && error.kind).toBe('registry');
    expect(error.message).toMatch(says);
    expect(error.message).toContain('\n  fix: ');
  });

  it.each([
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [429, true],
    [401, false],
    [404, false],
    [501, false],
    [505, false],
  ])('status %d is worth another try: %s', (status, expected) => expect(isTransientStatus(status)).toBe(expected));
});

describe("retryDelayMs: the registry's Retry-After, else the back-off", () => {
  const NOW = Date.parse('2026-12-07T12:00:00Z');
  it.each([
    { name: 'no header: the back-off times the attempt', header: null, attempt: 2, ms: 1000 },
    { name: 'seconds', header: '3', attempt: 1, ms: 3000 },
    { name: 'zero seconds', header: '0', attempt: 1, ms: 0 },
    { name: 'an HTTP date', header: 'Mon, 07 Dec 2026 12:00:05 GMT', attempt: 1, ms: 5000 },
    { name: 'a date in the past', header: 'Mon, 07 Dec 2026 11:00:00 GMT', attempt: 1, ms: 0 },
    { name: 'longer than the cap: the cap', header: '3600', attempt: 1, ms: 30_000 },
    { name: 'unreadable: the back-off', header: 'soon', attempt: 3, ms: 1500 },
  ])('$name', ({ header, attempt, ms }) => {
    expect(retryDelayMs(header, attempt, 500, NOW)).toBe(ms);
  });
});

describe('retryAfterFailure: the one retry rule (registry requests, buildx pushes, imagetools)', () => {
  const NOW = Date.parse('2026-12-07T12:00:00Z');
  it.each([
    { name: 'a transient failure, first try: the back-off', attempt: 1, transient: true, header: null, wait: 500 },
    {
      name: 'a transient failure, second try: twice the back-off',
      attempt: 2,
      transient: true,
      header: null,
      wait: 1000,
    },
    { name: "the registry's Retry-After", attempt: 1, transient: true, header: '2', wait: 2000 },
    { name: 'the last try: give up', attempt: REGISTRY_ATTEMPTS, transient: true, header: null, wait: null },
    { name: 'not transient (refused, not found): never again', attempt: 1, transient: false, header: '1', wait: null },
  ])('$name', ({ attempt, transient, header, wait }) => {
    expect(retryAfterFailure(attempt, transient, header, NOW)).toBe(wait);
  });

  it('REGISTRY_ATTEMPTS tries in all', () => {
    let tries = 1;
    while (retryAfterFailure(tries, true) !== null) tries++;
    expect(tries).toBe(REGISTRY_ATTEMPTS);
  });
});
