import { ImageConfigError, RegistryError } from './errors';

/** One tag to point at one manifest of its repository (`<repo>:base-1.2` -> `<repo>@sha256:...`). */
export interface TagMove {
  image: string;
  /** The full reference of the tag: `ghcr.io/acme/images:base-1.2`. */
  tag: string;
  /** The repository the digest lives in: `ghcr.io/acme/images`. */
  repository: string;
  digest: string;
}

/** A move with what the tag pointed at before it: a digest, or null when the tag did not exist. */
export interface PendingMove extends TagMove {
  previous: string | null;
}

/**
 * The moves still to make, in the order given: a tag already at its digest is left alone, so running
 * a command twice moves nothing. `current` maps each tag to its digest now (null: not there).
 */
export function pendingMoves(moves: readonly TagMove[], current: ReadonlyMap<string, string | null>): PendingMove[] {
  return moves
    .filter((m) => current.get(m.tag) !== m.digest)
    .map((m) => ({ ...m, previous: current.get(m.tag) ?? null }));
}

/**
 * How to undo the moves already made, newest first: a tag that existed goes back to its previous
 * digest; a tag that did not exist stays (registries cannot delete a tag without deleting the
 * manifest it names, which other tags share), and it names the digest this run gave it.
 */
export function undoPlan(applied: readonly PendingMove[]): { restore: TagMove[]; stay: string[] } {
  const restore: TagMove[] = [];
  const stay: string[] = [];
  for (const m of [...applied].reverse()) {
    if (m.previous) restore.push({ image: m.image, tag: m.tag, repository: m.repository, digest: m.previous });
    else stay.push(m.tag);
  }
  return { restore, stay };
}

/** The one message for a move that failed, saying what was put back and what could not be. */
export function failedMoveError(args: {
  failed: TagMove;
  cause: string;
  restored: readonly TagMove[];
  stayed: readonly string[];
  notRestored: readonly TagMove[];
  command: string;
}): RegistryError {
  const parts = [`moving ${args.failed.tag} failed: ${args.cause}`];
  if (args.restored.length) parts.push(`put back ${args.restored.map((r) => r.tag).join(', ')} where they were`);
  if (args.stayed.length)
    parts.push(
      `new tag(s) ${args.stayed.join(', ')} stay at this run's digests (nothing pointed them elsewhere before)`,
    );
  if (!args.restored.length && !args.stayed.length && !args.notRestored.length) parts.push('no tag was moved');
  if (args.notRestored.length) {
    parts.push(`could NOT put back ${args.notRestored.map((r) => `${r.tag} (was ${r.digest})`).join(', ')}`);
    return new RegistryError(
      parts.join('; '),
      `point those back by hand (docker buildx imagetools create -t <tag> <repository>@<digest>), fix the registry error, then run ${args.command} again`,
      args.command,
    );
  }
  return new RegistryError(
    parts.join('; '),
    `fix the registry error, then run ${args.command} again: it moves only what is not yet in place`,
    args.command,
  );
}

/**
 * The one message for a step after the moves that failed (the GitHub release, a file): the step's own
 * problem, then the moves undone as for a failed move (what went back, what stayed, what could not),
 * and the step's fix.
 */
export function failedAfterMovesError(args: {
  problem: string;
  fix: string;
  restored: readonly TagMove[];
  stayed: readonly string[];
  notRestored: readonly TagMove[];
  command: string;
}): ImageConfigError {
  const parts = [args.problem];
  if (args.restored.length)
    parts.push(`so the tags it had moved went back: ${args.restored.map((r) => r.tag).join(', ')}`);
  if (args.stayed.length)
    parts.push(
      `new tag(s) ${args.stayed.join(', ')} stay at this run's digests (nothing pointed them elsewhere before)`,
    );
  if (!args.restored.length && !args.stayed.length && !args.notRestored.length) parts.push('no tag had moved');
  if (!args.notRestored.length) return new ImageConfigError(parts.join('; '), args.fix, args.command);
  parts.push(`could NOT put back ${args.notRestored.map((r) => `${r.tag} (was ${r.digest})`).join(', ')}`);
  return new ImageConfigError(
    parts.join('; '),
    `point those back by hand (docker buildx imagetools create -t <tag> <repository>@<digest>), then: ${args.fix}`,
    args.command,
  );
}
