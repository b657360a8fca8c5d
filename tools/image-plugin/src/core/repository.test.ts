import { describe, expect, it } from 'vitest';
import { normalizeRepository } from './repository';

describe('normalizeRepository', () => {
  it.each([
    ['ghcr.io/acme/images', 'ghcr.io/acme/images'],
    ['GHCR.io/Acme/Workspace-Images', 'ghcr.io/acme/workspace-images'],
    ['ghcr.io/acme/images/', 'ghcr.io/acme/images'],
    ['ghcr.io/acme/images//', 'ghcr.io/acme/images'],
    ['  127.0.0.1:5000/ci/images ', '127.0.0.1:5000/ci/images'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeRepository(input)).toBe(expected);
  });
});
