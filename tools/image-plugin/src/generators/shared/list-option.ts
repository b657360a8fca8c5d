/**
 * A list option as a generator receives it: an array from a schema of type array, a comma-separated
 * string from the command line or a prompt, or nothing. Blank entries are dropped, duplicates kept once.
 */
export function listOption(value: string | readonly string[] | undefined): string[] {
  const items = (typeof value === 'string' ? [value] : (value ?? [])).flatMap((v) => v.split(','));
  return [...new Set(items.map((v) => v.trim()).filter(Boolean))];
}
