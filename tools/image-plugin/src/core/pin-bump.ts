import { ImageConfigError } from './errors';
import { unpinnedName } from './base-pins';
import { parseReference } from './references';

/**
 * `images pin-bases`: each external base pinned in a Dockerfile `FROM` line (`FROM <name>@sha256:...`)
 * against the digest its name resolves to now. Pure: the pins found and the digests resolved in, the
 * moves and the rewritten Dockerfile text out.
 */
export interface PinnedBase {
  dockerfile: string;
  line: number;
  /** The reference as the Dockerfile writes it: `debian:trixie-slim@sha256:...` or `debian:trixie-slim`. */
  ref: string;
  /** The name the registry resolves: `debian:trixie-slim`. */
  name: string;
  /** The digest pinned now (null: not pinned yet). */
  pinned: string | null;
  /** A base named through a build arg: its text is on the ARG line, rewritten by hand. */
  viaArg?: string;
}

export interface PinMove extends PinnedBase {
  /** The digest the name resolves to now. */
  current: string;
}

/**
 * One PinnedBase per FROM line that names one of the image's external bases (the spec keeps each base
 * once, at its first line; a Dockerfile may name the same pin on several lines, and all of them move).
 */
export function pinnedBasesOf(
  dockerfile: string,
  bases: ReadonlyArray<{ ref: string; line: number; arg?: string }>,
  froms: ReadonlyArray<{ ref: string; line: number; arg?: string }>,
): PinnedBase[] {
  return bases
    .filter((base) => base.ref.toLowerCase() !== 'scratch')
    .flatMap((base) => {
      const lines = froms.filter((from) => from.ref === base.ref && from.arg === base.arg);
      return (lines.length ? lines : [base]).map((from) => pinnedBase(dockerfile, from.line, base.ref, base.arg));
    });
}

/** The pins that differ from what their names resolve to now (`resolved`: name -> digest). */
export function pinMoves(bases: readonly PinnedBase[], resolved: ReadonlyMap<string, string>): PinMove[] {
  return bases
    .map((base) => ({ ...base, current: resolved.get(base.name) as string }))
    .filter((move) => move.current && move.current !== move.pinned);
}

export const pinnedBase = (dockerfile: string, line: number, ref: string, viaArg?: string): PinnedBase => ({
  dockerfile,
  line,
  ref,
  name: unpinnedName(ref),
  pinned: parseReference(ref).digest ?? null,
  ...(viaArg ? { viaArg } : {}),
});

/** `debian:trixie-slim@sha256:old` moved to `new` -> `debian:trixie-slim@sha256:new`. */
const movedReference = (move: PinMove) => `${move.name}@${move.current}`;

/**
 * The Dockerfile with each move applied on its line (the reference as written, replaced by the new pin).
 * A base named through a build arg is refused: its reference is not on its FROM line.
 */
export function rewritePins(text: string, moves: readonly PinMove[]): string {
  const lines = text.split('\n');
  for (const move of moves) {
    if (move.viaArg) {
      throw new ImageConfigError(
        `\`${move.ref}\` comes from the build arg ${move.viaArg}, so its pin is not on the FROM line`,
        `set the ARG ${move.viaArg} default to ${movedReference(move)} by hand`,
        move.dockerfile,
        move.line,
      );
    }
    const at = lines[move.line - 1]?.indexOf(move.ref) ?? -1;
    if (at < 0) {
      throw new ImageConfigError(
        `line ${move.line} does not hold \`${move.ref}\` any more`,
        'run images pin-bases again on the committed Dockerfile',
        move.dockerfile,
        move.line,
      );
    }
    const line = lines[move.line - 1];
    lines[move.line - 1] = `${line.slice(0, at)}${movedReference(move)}${line.slice(at + move.ref.length)}`;
  }
  return lines.join('\n');
}

/** What `images pin-bases` prints for one move. */
export const moveLine = (move: PinMove) =>
  `${move.dockerfile}:${move.line}: ${move.name} ${move.pinned ?? '(not pinned)'} -> ${move.current}`;
