import { ImageConfigError } from './errors';
import type { ExternalRef } from './image-spec';
import { parseReference } from './references';

/**
 * External bases (`FROM debian:trixie-slim@sha256:...`, outside the family) are pinned by digest in the
 * Dockerfile: the content hash and the build use the pin, never what the registry answers for the tag
 * today, so a base refresh is a commit that bumps the pin. An environment whose registry serves other
 * bytes under the same name (a test mirror, an air-gapped copy) replaces pins visibly with a file named
 * by IMAGE_BASE_PINS, without editing tracked files.
 */
export interface BasePin {
  /** The reference as the Dockerfile writes it (after build-arg expansion). */
  ref: string;
  /** The Dockerfile line of its (first) FROM. */
  line: number;
  /** The digest the content hash uses and the build resolves. */
  digest: string;
  /** Set when IMAGE_BASE_PINS replaced the Dockerfile's pin: what the build gets instead, and from where. */
  replaced?: { reference: string; file: string };
}

/** IMAGE_BASE_PINS: `{ "<name>:<tag>": "sha256:<digest>" }`, read from `file`. */
export interface PinReplacements {
  file: string;
  pins: Readonly<Record<string, string>>;
}

/** The environment variable that names the pin replacement file. */
export const BASE_PINS_ENV = 'IMAGE_BASE_PINS';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `debian:trixie-slim@sha256:...` -> `debian:trixie-slim`: the key of a replacement. */
export function unpinnedName(ref: string): string {
  const { repository, tag } = parseReference(ref);
  return tag ? `${repository}:${tag}` : repository;
}

/**
 * The pin of one external base of `dockerfile`: the replacement IMAGE_BASE_PINS gives for its name, else
 * the digest the Dockerfile pins. Null for `scratch` (no image at all). An unpinned base is refused with
 * the line and the fix.
 */
export function basePin(base: ExternalRef, dockerfile: string, replacements: PinReplacements | null): BasePin | null {
  if (base.ref.toLowerCase() === 'scratch') return null;
  const { repository, digest } = parseReference(base.ref);
  const name = unpinnedName(base.ref);
  const replacement = replacements?.pins[name];
  if (replacement !== undefined) {
    return {
      ref: base.ref,
      line: base.line,
      digest: replacement,
      replaced: { reference: `${repository}@${replacement}`, file: replacements!.file },
    };
  }
  if (digest && DIGEST.test(digest)) return { ref: base.ref, line: base.line, digest };
  if (digest) {
    throw new ImageConfigError(
      `\`${base.ref}\` pins the digest "${digest}", which is not a sha256 digest`,
      `write the pin as ${name}@sha256:<64 hex digits> (docker buildx imagetools inspect ${name} shows the index digest)`,
      dockerfile,
      base.line,
    );
  }
  throw new ImageConfigError(
    `the external base \`${base.ref}\` is not pinned by digest: the image's bytes would change whenever its registry moves the tag, under tags that must not move`,
    `pin it in the Dockerfile: npx images pin-bases writes ${name}@sha256:<index digest> (or by hand: docker buildx imagetools inspect ${name} shows it as Digest); a refresh is then a commit that bumps the pin. In a test environment whose mirror serves other bytes, name a replacement file in ${BASE_PINS_ENV}`,
    dockerfile,
    base.line,
  );
}

/** The replacement file's JSON, checked: an object of `<name>[:<tag>]` to `sha256:` digests. */
export function parsePinReplacements(file: string, text: string): PinReplacements {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ImageConfigError(
      `the base pin replacements are not JSON (${(e as Error).message})`,
      `write {"<name>:<tag>": "sha256:<digest>"} to ${file}, or unset ${BASE_PINS_ENV}`,
      file,
    );
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ImageConfigError(
      'the base pin replacements are not a JSON object',
      `write {"<name>:<tag>": "sha256:<digest>"} to ${file}, or unset ${BASE_PINS_ENV}`,
      file,
    );
  }
  const pins: Record<string, string> = {};
  for (const [name, digest] of Object.entries(data)) {
    if (typeof digest !== 'string' || !DIGEST.test(digest)) {
      throw new ImageConfigError(
        `the replacement of ${name} is ${JSON.stringify(digest)}, not a sha256 digest`,
        `give "${name}" a digest of the form sha256:<64 hex digits>`,
        file,
      );
    }
    pins[unpinnedName(name)] = digest;
  }
  return { file, pins };
}

/** The line a run prints once for each replaced pin: which pin, by what, from where. */
export function replacementNote(pin: BasePin): string | null {
  if (!pin.replaced) return null;
  return `base pin replaced: ${pin.ref} -> ${pin.replaced.reference} (${BASE_PINS_ENV}=${pin.replaced.file})`;
}
