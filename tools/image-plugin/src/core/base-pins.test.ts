import { describe, expect, it } from 'vitest';
import { basePin, parsePinReplacements, replacementNote, unpinnedName, type PinReplacements } from './base-pins';

const PUBLIC = `sha256:${'d'.repeat(64)}`;
const LOCAL = `sha256:${'1'.repeat(64)}`;
const DOCKERFILE = 'images/base/Dockerfile';
const MIRROR: PinReplacements = { file: '/cache/base-pins.json', pins: { 'debian:trixie-slim': LOCAL } };

describe('unpinnedName', () => {
  it.each([
    ['debian:trixie-slim', 'debian:trixie-slim'],
    [`debian:trixie-slim@${PUBLIC}`, 'debian:trixie-slim'],
    [`debian@${PUBLIC}`, 'debian'],
    ['Ghcr.io/Acme/tool:1', 'ghcr.io/acme/tool:1'],
  ])('%s -> %s', (ref, name) => expect(unpinnedName(ref)).toBe(name));
});

describe('basePin', () => {
  it.each([
    {
      name: 'pinned in the Dockerfile: the pin',
      ref: `debian:trixie-slim@${PUBLIC}`,
      replacements: null,
      pin: { ref: `debian:trixie-slim@${PUBLIC}`, digest: PUBLIC },
    },
    {
      name: 'pinned, and replaced by IMAGE_BASE_PINS: the replacement, said where it came from',
      ref: `debian:trixie-slim@${PUBLIC}`,
      replacements: MIRROR,
      pin: {
        ref: `debian:trixie-slim@${PUBLIC}`,
        digest: LOCAL,
        replaced: { reference: `debian@${LOCAL}`, file: MIRROR.file },
      },
    },
    {
      name: 'unpinned, but replaced (a test fixture): the replacement',
      ref: 'debian:trixie-slim',
      replacements: MIRROR,
      pin: { ref: 'debian:trixie-slim', digest: LOCAL, replaced: { reference: `debian@${LOCAL}`, file: MIRROR.file } },
    },
    {
      name: 'pinned, a replacement file for other names: the pin',
      ref: `alpine:3@${PUBLIC}`,
      replacements: MIRROR,
      pin: { ref: `alpine:3@${PUBLIC}`, digest: PUBLIC },
    },
    { name: 'scratch: no image, no pin', ref: 'scratch', replacements: null, pin: null },
  ])('$name', ({ ref, replacements, pin }) => {
    expect(basePin({ ref, line: 3 }, DOCKERFILE, replacements)).toEqual(pin && { ...pin, line: 3 });
  });

  it.each([
    {
      name: 'an unpinned base',
      ref: 'debian:trixie-slim',
      message:
        "images/base/Dockerfile:3: the external base `debian:trixie-slim` is not pinned by digest: the image's bytes would change whenever its registry moves the tag, under tags that must not move\n  fix: pin it in the Dockerfile: npx images pin-bases writes debian:trixie-slim@sha256:<index digest> (or by hand: docker buildx imagetools inspect debian:trixie-slim shows it as Digest)",
    },
    {
      name: 'a pin that is no sha256 digest',
      ref: 'debian:trixie-slim@sha256:abc',
      message:
        'images/base/Dockerfile:3: `debian:trixie-slim@sha256:abc` pins the digest "sha256:abc", which is not a sha256 digest',
    },
  ])('refused, with the line and the fix: $name', ({ ref, message }) => {
    expect(() => basePin({ ref, line: 3 }, DOCKERFILE, null)).toThrow(message);
  });
});

describe('parsePinReplacements', () => {
  it('reads names (a pinned one too) to digests', () => {
    const text = JSON.stringify({ 'debian:trixie-slim': LOCAL, [`alpine:3@${PUBLIC}`]: LOCAL });
    expect(parsePinReplacements('/p.json', text)).toEqual({
      file: '/p.json',
      pins: { 'debian:trixie-slim': LOCAL, 'alpine:3': LOCAL },
    });
  });

  it.each([
    { name: 'not JSON', text: '{', message: /^\/p\.json: the base pin replacements are not JSON/ },
    { name: 'an array', text: '[]', message: /^\/p\.json: the base pin replacements are not a JSON object/ },
    {
      name: 'a value that is no digest',
      text: '{"debian:trixie-slim": "latest"}',
      message: /^\/p\.json: the replacement of debian:trixie-slim is "latest", not a sha256 digest/,
    },
  ])('refused naming the file: $name', ({ text, message }) => {
    expect(() => parsePinReplacements('/p.json', text)).toThrow(message);
  });
});

describe('replacementNote', () => {
  it('says which pin, by what, from where; nothing for a pin kept', () => {
    const pin = basePin({ ref: `debian:trixie-slim@${PUBLIC}`, line: 1 }, DOCKERFILE, MIRROR)!;
    expect(replacementNote(pin)).toBe(
      `base pin replaced: debian:trixie-slim@${PUBLIC} -> debian@${LOCAL} (IMAGE_BASE_PINS=/cache/base-pins.json)`,
    );
    expect(replacementNote({ ref: 'x@' + PUBLIC, line: 1, digest: PUBLIC })).toBeNull();
  });
});
