/**
 * Expands `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` the way BuildKit expands a FROM line.
 * Returns the expanded text, or the name of the first variable that has no value.
 */
export function expandVariables(
  text: string,
  values: ReadonlyMap<string, string | undefined>,
): { value: string } | { missing: string } {
  let missing: string | undefined;
  const value = text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string;
      const v = values.get(name);
      const set = v !== undefined && v !== '';
      if (op === '-') return set ? (v as string) : (word ?? '');
      if (op === '+') return set ? (word ?? '') : '';
      if (v === undefined) {
        missing ??= name;
        return '';
      }
      return v;
    },
  );
  return missing ? { missing } : { value };
}
