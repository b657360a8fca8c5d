import { afterEach, describe, expect, it } from 'vitest';
import { isImageConfigError } from '../core/errors';
import { signDigest } from './cosign';

describe('signDigest without cosign on the PATH', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('one message saying how to install it', async () => {
    process.env.PATH = '/nonexistent';
    const error = await signDigest('127.0.0.1:5000/x/y@sha256:0000', { tlog: false }).catch((e: unknown) => e);
    expect(isImageConfigError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'cosign is not installed\n  fix: install it: apt-get install cosign (Debian 13) or, in GitHub Actions, the sigstore/cosign-installer action',
    );
  });
});
