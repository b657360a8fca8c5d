/**
 * Every failure the user can act on has one shape: the problem, where it is (a file with its line, or
 * an option, a command, a registry), and the fix. It prints as `<where>: <problem>` then `fix: <fix>`,
 * never with a stack trace. One type per kind, so callers can tell them apart:
 * - ImageConfigError: the user's input (a Dockerfile, an option, nx.json, a test spec, a tag, the docker
 *   config file and its credential helpers);
 * - RegistryError: the registry refused, failed or cannot be reached, or lacks what it should have;
 * - EngineError: the Docker engine or buildx is missing or cannot do what was asked;
 * - UsageError: the `images` command line.
 */
export type ImageErrorKind = 'configuration' | 'registry' | 'engine' | 'usage';

export abstract class ImageError extends Error {
  abstract readonly kind: ImageErrorKind;

  constructor(
    readonly problem: string,
    readonly fix: string,
    /** A file (with `line`), an option name, a command or a registry: where the problem is. */
    readonly file?: string,
    readonly line?: number,
  ) {
    super(formatProblem(problem, fix, file, line));
    // Nx prints `stack` for plugin errors; a user error has no useful stack.
    this.stack = this.message;
  }
}

export class ImageConfigError extends ImageError {
  readonly kind = 'configuration';
  override readonly name = 'ImageConfigError';
}

export class RegistryError extends ImageError {
  readonly kind = 'registry';
  override readonly name = 'RegistryError';
}

/**
 * A RegistryError about one image's contents record: it has none, or it cannot be read, or its platforms'
 * records disagree. The registry answered; this image cannot be compared. `images diff --release` reports it
 * as that image's line and goes on, where any other failure stops the command.
 */
export class ContentsRecordError extends RegistryError {
  readonly contentsRecord = true;
}

/** A ContentsRecordError (by shape, as isImageError). */
export function isContentsRecordError(e: unknown): e is ContentsRecordError {
  return isImageError(e) && (e as { contentsRecord?: unknown }).contentsRecord === true;
}

export class EngineError extends ImageError {
  readonly kind = 'engine';
  override readonly name = 'EngineError';
}

export class UsageError extends ImageError {
  readonly kind = 'usage';
  override readonly name = 'UsageError';
  /** The process exit code of a usage error. */
  readonly exitCode = 2;

  constructor(
    problem: string,
    fix: string,
    /** The command the problem is in: `images publish`. */
    where = 'images',
    /** The argument at fault (`--max-levels`, `base`), empty when none is. */
    readonly argument = '',
  ) {
    super(problem, fix, where);
  }
}

/** An error of the `images` command line (exit code 2). */
export function isUsageError(e: unknown): e is UsageError {
  return isImageError(e) && e.kind === 'usage';
}

function formatProblem(problem: string, fix: string, file?: string, line?: number): string {
  const where = file ? `${file}${line ? `:${line}` : ''}: ` : '';
  return `${where}${problem}\n  fix: ${fix}`;
}

const KINDS: ReadonlySet<string> = new Set(['configuration', 'registry', 'engine', 'usage']);

/**
 * Any error of the problem/where/fix shape, of any kind. By shape rather than `instanceof`, so an error
 * made by another copy of this module (src/ in tests, dist/ at run time) is recognised too.
 */
export function isImageError(e: unknown): e is ImageError {
  return (
    e instanceof Error && KINDS.has(String((e as { kind?: unknown }).kind)) && typeof (e as ImageError).fix === 'string'
  );
}

/** An error of the user's input (a configuration error). */
export function isImageConfigError(e: unknown): e is ImageConfigError {
  return isImageError(e) && e.kind === 'configuration';
}

/** The message to print for any error: the problem/fix text, or `<context>: <message>` for an unexpected one. */
export function describeError(e: unknown, context: string): string {
  if (isImageError(e)) return e.message;
  return `${context}: ${e instanceof Error ? e.message : String(e)}`;
}
