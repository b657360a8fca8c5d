import { describe, expect, it } from 'vitest';
import { expandVariables } from './variables';

describe('expandVariables', () => {
  const values = new Map<string, string | undefined>([
    ['BASE_IMAGE', 'ghcr.io/acme/images:base'],
    ['EMPTY', ''],
    ['UNSET', undefined],
    ['TAG', 'trixie'],
  ]);
  it.each([
    { text: 'debian:trixie-slim', expected: { value: 'debian:trixie-slim' } },
    { text: '$BASE_IMAGE', expected: { value: 'ghcr.io/acme/images:base' } },
    { text: '${BASE_IMAGE}', expected: { value: 'ghcr.io/acme/images:base' } },
    { text: 'debian:${TAG}-slim', expected: { value: 'debian:trixie-slim' } },
    { text: 'debian:$TAG', expected: { value: 'debian:trixie' } },
    { text: '${UNSET:-debian:trixie-slim}', expected: { value: 'debian:trixie-slim' } },
    { text: '${EMPTY:-debian:trixie-slim}', expected: { value: 'debian:trixie-slim' } },
    { text: '${NEVER:-debian:trixie-slim}', expected: { value: 'debian:trixie-slim' } },
    { text: '${BASE_IMAGE:-debian:trixie-slim}', expected: { value: 'ghcr.io/acme/images:base' } },
    { text: '${TAG:+x}${UNSET:+y}', expected: { value: 'x' } },
    { text: '$EMPTY', expected: { value: '' } },
    { text: '$UNSET', expected: { missing: 'UNSET' } },
    { text: '${NEVER}', expected: { missing: 'NEVER' } },
    { text: '${A}/${B}', expected: { missing: 'A' } },
  ])('$text', ({ text, expected }) => {
    expect(expandVariables(text, values)).toEqual(expected);
  });
});
