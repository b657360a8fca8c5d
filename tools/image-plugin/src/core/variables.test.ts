import { describe, expect, it } from 'vitest';
import { expandWord, ExpansionError } from './variables';

/**
 * Each row is what BuildKit (Docker 26.1's Dockerfile frontend) made of the same word; the engine test
 * test/dockerfile-expansion.test.ts checks a sample of them against the real engine.
 */
describe('expandWord', () => {
  const values = new Map<string, string>([
    ['BASE_IMAGE', 'ghcr.io/acme/images:base'],
    ['EMPTY', ''],
    ['TAG', 'trixie'],
    ['V', 'img-v1.2.3'],
    ['AA', 'a-a-a'],
    ['STAR', 'p*'],
  ]);
  it.each([
    { text: 'debian:trixie-slim', value: 'debian:trixie-slim' },
    { text: '$BASE_IMAGE', value: 'ghcr.io/acme/images:base' },
    { text: '${BASE_IMAGE}', value: 'ghcr.io/acme/images:base' },
    { text: 'debian:${TAG}-slim', value: 'debian:trixie-slim' },
    { text: 'debian:$TAG', value: 'debian:trixie' },
    // unset and empty, with and without the colon
    { text: '${UNSET:-debian:trixie-slim}', value: 'debian:trixie-slim' },
    { text: '${UNSET-x}', value: 'x' },
    { text: '${EMPTY-x}', value: '' },
    { text: '${EMPTY:-x}', value: 'x' },
    { text: '${BASE_IMAGE:-debian:trixie-slim}', value: 'ghcr.io/acme/images:base' },
    { text: '${TAG:+x}${UNSET:+y}${EMPTY:+z}${EMPTY+w}', value: 'xw' },
    { text: '${TAG:?oops}', value: 'trixie' },
    { text: '$EMPTY', value: '' },
    { text: '${UNSET:-${NESTED:-nest}}', value: 'nest' },
    // an unset variable is empty, and reported
    { text: 'a${UNSET}b', value: 'ab', unset: ['UNSET'] },
    { text: '$1x', value: 'x', unset: ['1'] },
    { text: '${base_image}', value: '', unset: ['base_image'] },
    // patterns
    { text: '${V%.*}', value: 'img-v1.2' },
    { text: '${V%%.*}', value: 'img-v1' },
    { text: '${V#*-}', value: 'v1.2.3' },
    { text: '${V##*.}', value: '3' },
    { text: '${AA/a/b}', value: 'b-a-a' },
    { text: '${AA//a/b}', value: 'b-b-b' },
    { text: '${BASE_IMAGE/\\//-}', value: 'ghcr.io-acme/images:base' },
    { text: '${STAR%\\*}', value: 'p' },
    // quotes and escapes
    { text: '"$TAG"', value: 'trixie' },
    { text: "'$TAG'", value: '$TAG' },
    { text: '\\$TAG', value: '$TAG' },
    { text: '"a\\"b\\$c\\d"', value: 'a"b$c\\d' },
    { text: 'x$', value: 'x$' },
  ])('$text -> $value', ({ text, value, unset }) => {
    expect(expandWord(text, values)).toEqual({ value, unset: unset ?? [] });
  });

  it('the escape directive changes the escape character', () => {
    expect(expandWord('a`$TAG\\$TAG', values, '`')).toEqual({ value: 'a$TAG\\trixie', unset: [] });
  });

  it.each([
    { text: '${UNSET:?must be set}', message: 'UNSET: must be set' },
    { text: '${EMPTY:?}', message: 'EMPTY: is not allowed to be empty' },
    { text: '${UNSET?}', message: 'UNSET: is not allowed to be unset' },
    { text: '${V:0:3}', message: 'unsupported modifier (:0) in substitution' },
    { text: '${V', message: "syntax error: missing '}'" },
    { text: '${}', message: 'syntax error: bad substitution' },
    { text: "'open", message: 'matching single-quote' },
    { text: '"open', message: 'matching double-quote' },
    { text: '${V%\\x}', message: 'invalid escape' },
  ])('$text fails as in BuildKit: $message', ({ text, message }) => {
    expect(() => expandWord(text, values)).toThrow(ExpansionError);
    expect(() => expandWord(text, values)).toThrow(message);
  });
});
