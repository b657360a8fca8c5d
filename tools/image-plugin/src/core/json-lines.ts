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

/** Where in a text an offset is: 1-based line and column. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/** The first JSON value of a text: where it ends, or what is wrong and where (offsets into `text`). */
export type JsonScan = { start: number; end: number } | { error: string; at: number };

/**
 * Finds the first JSON value in `text` from `from` on, as Go's `json.Decoder.Decode` reads one (what
 * the docker CLI and its credential-helper client use): whitespace before it is skipped, whatever
 * follows it is not read. Only the structure is checked; `JSON.parse` of the slice does the rest.
 */
export function scanJsonValue(text: string, from = 0): JsonScan {
  let i = from;
  const fail = (error: string): never => {
    throw new JsonScanError(error, i);
  };
  const space = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const found = () => (i < text.length ? `${JSON.stringify(text[i])}` : 'the end of the text');
  const string = () => {
    for (i++; i < text.length; i++) {
      if (text[i] === '"') return void i++;
      if (text[i] === '\\') i++;
      else if (text[i] < ' ') fail('a control character inside a string');
    }
    fail('the text ends inside a string');
  };
  const items = (close: string, item: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] === close) return void i++;
      if (text[i] !== ',') fail(`expected ',' or '${close}' but found ${found()}`);
      i++;
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      return items('}', () => {
        space();
        if (text[i] !== '"') fail(`expected a "key" but found ${found()}`);
        string();
        space();
        if (text[i] !== ':') fail(`expected ':' after a key but found ${found()}`);
        i++;
        value();
      });
    }
    if (c === '[') return items(']', value);
    if (c === '"') return string();
    const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
    literal.lastIndex = i;
    if (literal.exec(text)) return void (i = literal.lastIndex);
    fail(`expected a value but found ${found()}`);
  };
  try {
    space();
    const start = i;
    value();
    return { start, end: i };
  } catch (e) {
    if (e instanceof JsonScanError) return { error: e.message, at: e.at };
    throw e;
  }
}

class JsonScanError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}
