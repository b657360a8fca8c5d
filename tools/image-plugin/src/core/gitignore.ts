/**
 * Which `.gitignore` lines a workspace still needs, and the file with them added. Pure: the init
 * generator reads the file and writes the result.
 */

/** What the plugin's workspace ignores: its results (`dist/images`, `dist/coder`) and Nx's own state, as `nx init` writes it. */
export const IGNORED_BY_INIT = ['dist/', '.nx/cache', '.nx/workspace-data'] as const;

/** `/dist/`, `dist/**` and `dist` all name the folder `dist`. */
const pathOf = (pattern: string) =>
  pattern
    .trim()
    .replace(/\/\*\*$/, '')
    .replace(/^\/+|\/+$/g, '');

/**
 * Whether a line of a `.gitignore` already ignores `wanted`: the same path (with or without the
 * leading or trailing slash) or a folder holding it (`.nx/` covers `.nx/cache`). Comments and
 * negations cover nothing.
 */
export function ignores(line: string, wanted: string): boolean {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) return false;
  const have = pathOf(trimmed);
  const want = pathOf(wanted);
  return have !== '' && (want === have || want.startsWith(`${have}/`));
}

/** The wanted lines no line of `text` ignores yet, in their order. */
export function missingIgnores(text: string, wanted: readonly string[]): string[] {
  const lines = text.split(/\r?\n/);
  return wanted.filter((w) => !lines.some((line) => ignores(line, w)));
}

/** `text` (undefined: no file yet) with the `missing` lines appended on lines of their own. */
export function withIgnores(text: string | undefined, missing: readonly string[]): string {
  const before = text ?? '';
  const separator = before === '' || before.endsWith('\n') ? '' : '\n';
  return `${before}${separator}${missing.map((m) => `${m}\n`).join('')}`;
}
