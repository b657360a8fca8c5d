import { BASE_PINS_ENV, unpinnedName, type BasePin } from './base-pins';
import { ImageConfigError } from './errors';
import { parseReference } from './references';

/**
 * Before an image builds, each external base's pin is read once from its registry: the digest must be there,
 * and it must have an image for every platform the build asks (a single-platform manifest pinned where two
 * platforms are built would otherwise fail mid-build, or, through emulation, give the wrong bytes). Pure:
 * the pin and the registry's answer in, the refusal (file, line, fix) or null out.
 */

/** What the registry answers for the pinned digest: its media type and the platforms of its images. */
export interface PinnedManifest {
  mediaType: string;
  platforms: string[];
}

/** The reference the build resolves for a pin: the IMAGE_BASE_PINS replacement, or the pin as written. */
export const resolvedReference = (pin: BasePin): string =>
  pin.replaced?.reference ?? `${parseReference(pin.ref).repository}@${pin.digest}`;

/** `linux/arm64` is served by `linux/arm64/v8`; a variant asked for must be the same. */
const serves = (has: string, wanted: string) =>
  has === wanted || (wanted.split('/').length === 2 && has.startsWith(`${wanted}/`));

/** The refusal of one pin of `dockerfile` for a build of `platforms`, or null when the pin serves it. */
export function pinRefusal(
  pin: BasePin,
  dockerfile: string,
  manifest: PinnedManifest | null,
  platforms: readonly string[],
): ImageConfigError | null {
  const name = unpinnedName(pin.ref);
  const repin = pin.replaced
    ? `correct the digest of "${name}" in ${pin.replaced.file} (${BASE_PINS_ENV}), or unset ${BASE_PINS_ENV}`
    : `run npx images pin-bases to pin the index digest ${name} resolves to now, and commit it (by hand: docker buildx imagetools inspect ${name} shows it as Digest)`;
  const what = pin.replaced ? `${pin.ref}, replaced by ${pin.replaced.reference} (${BASE_PINS_ENV})` : pin.ref;
  if (!manifest) {
    return new ImageConfigError(
      `the external base \`${what}\` is not in its registry: no manifest ${pin.digest} (a digest never pushed there, or deleted); nothing was built or pushed`,
      repin,
      dockerfile,
      pin.line,
    );
  }
  const missing = platforms.filter((wanted) => !manifest.platforms.some((has) => serves(has, wanted)));
  if (!missing.length) return null;
  const single = !/index|manifest\.list/.test(manifest.mediaType);
  const kind = single ? 'a single-platform manifest' : 'an index';
  return new ImageConfigError(
    `the external base \`${what}\` names ${kind} of ${manifest.platforms.join(', ') || 'no platform'}, but the build asks for ${platforms.join(', ')} (no ${missing.join(', ')}); nothing was built or pushed`,
    `${repin.replace(/^run npx images pin-bases to pin/, 'pin the multi-platform index: npx images pin-bases writes')}, or build only ${manifest.platforms.join(',') || 'the platforms it has'} (the platforms option)`,
    dockerfile,
    pin.line,
  );
}
