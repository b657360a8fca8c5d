/**
 * The line (1-based) where a JSON text writes a nested key: each of `keys` (`["build", "platforms"]`)
 * is looked for as `"key":` after the line of the one before, starting at the first line that holds
 * `start` (the plugin's entry in nx.json). Undefined when a key is not written there. For messages
 * that point into nx.json; a text search, good enough for hand-written JSON.
 */
export function lineOfKeys(text: string, keys: readonly string[], start?: string): number | undefined {
  const lines = text.split('\n');
  let at = start === undefined ? 0 : lines.findIndex((l) => l.includes(start));
  if (at < 0) at = 0;
  for (const key of keys) {
    const pattern = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`);
    const found = lines.findIndex((l, i) => i >= at && pattern.test(l));
    if (found < 0) return undefined;
    at = found;
  }
  return keys.length ? at + 1 : undefined;
}
