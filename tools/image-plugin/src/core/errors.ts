/**
 * A problem in the user's input (a Dockerfile, an option, the registry's answer) that the user
 * fixes. It prints as one line naming the file (and line), then the fix; never a stack trace.
 */
export class ImageConfigError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(formatProblem(problem, fix, file, line));
    this.name = 'ImageConfigError';
    // Nx prints `stack` for plugin errors; a user error has no useful stack.
    this.stack = this.message;
  }
}

export function formatProblem(problem: string, fix: string, file?: string, line?: number): string {
  const where = file ? `${file}${line ? `:${line}` : ''}: ` : '';
  return `${where}${problem}\n  fix: ${fix}`;
}

export function isImageConfigError(e: unknown): e is ImageConfigError {
  return e instanceof Error && e.name === 'ImageConfigError';
}
