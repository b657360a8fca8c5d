/**
 * Expands a Dockerfile word the way BuildKit's Dockerfile frontend does (frontend/dockerfile/shell):
 * `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?message}`,
 * `${VAR?message}`, `${VAR#pattern}`, `${VAR##pattern}`, `${VAR%pattern}`, `${VAR%%pattern}`,
 * `${VAR/pattern/replacement}`, `${VAR//pattern/replacement}`; single quotes keep their text, double
 * quotes expand, the escape character (`\`, or the one the escape directive names) escapes one character.
 * Quotes are removed. A variable that is not in `values` expands to an empty string, as in Docker;
 * the names used that way are returned so a caller can refuse them.
 */
export interface WordExpansion {
  value: string;
  /** Variables used without an operator that handles an unset one (`$X`, `${X}`, `${X#p}`) and not in `values`. */
  unset: string[];
}

/** The word cannot be expanded; BuildKit fails the build with the same problem. */
export class ExpansionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpansionError';
  }
}

const EOF = '';

class Word {
  private pos = 0;
  readonly unset = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly values: ReadonlyMap<string, string>,
    private readonly escape: string,
  ) {}

  private peek(): string {
    return this.pos < this.text.length ? this.text[this.pos] : EOF;
  }

  private next(): string {
    return this.pos < this.text.length ? this.text[this.pos++] : EOF;
  }

  /** Reads up to `stop` (consumed) or the end; `rawEscapes` keeps escape characters (patterns). */
  until(stop: string, rawEscapes = false): string {
    let out = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (stop !== EOF && ch === stop) {
        this.next();
        return out;
      }
      if (ch === '$') out += this.dollar();
      else if (ch === "'") out += this.singleQuoted();
      else if (ch === '"') out += this.doubleQuoted();
      else if (this.next() === this.escape) {
        if (rawEscapes) out += ch;
        const escaped = this.next();
        if (escaped === EOF) break;
        out += escaped;
      } else out += ch;
    }
    if (stop !== EOF) throw new ExpansionError(`unexpected end of statement while looking for matching ${stop}`);
    return out;
  }

  private singleQuoted(): string {
    this.next();
    let out = '';
    for (let ch = this.next(); ch !== "'"; ch = this.next()) {
      if (ch === EOF) throw new ExpansionError('unexpected end of statement while looking for matching single-quote');
      out += ch;
    }
    return out;
  }

  private doubleQuoted(): string {
    this.next();
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) throw new ExpansionError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      this.next();
      if (ch === this.escape) {
        const after = this.peek();
        if (after === EOF) continue;
        // Only `"`, `$` and the escape character itself are escaped inside double quotes.
        if (after === '"' || after === '$' || after === this.escape) {
          out += this.next();
          continue;
        }
      }
      out += ch;
    }
  }

  /** A name: digits (`$1`), one special parameter (`$@`), or letters, digits and `_`. */
  private name(): string {
    const first = this.peek();
    if (/^[0-9]$/.test(first)) {
      let digits = '';
      while (/^[0-9]$/.test(this.peek())) digits += this.next();
      return digits;
    }
    if (first !== EOF && '@*#?-$!0'.includes(first)) return this.next();
    let name = '';
    while (this.peek() !== EOF && /^[\p{L}\p{N}_]$/u.test(this.peek())) name += this.next();
    return name;
  }

  private lookup(name: string, countUnset: boolean): { value: string; set: boolean } {
    const value = this.values.get(name);
    if (value === undefined && countUnset) this.unset.add(name);
    return value === undefined ? { value: '', set: false } : { value, set: true };
  }

  private dollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      return name === '' ? '$' : this.lookup(name, true).value;
    }
    this.next();
    return this.braced();
  }

  /** `${...}` after its brace: a name, then `}`, `/` (a replacement) or a modifier. */
  private braced(): string {
    const first = this.peek();
    if (first === EOF) throw new ExpansionError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new ExpansionError('syntax error: bad substitution');
    const name = this.name();
    const op = this.next();
    if (op === EOF) throw new ExpansionError("syntax error: missing '}'");
    if (op === '}') return this.lookup(name, true).value;
    if (op === '/') return this.replace(name);
    return this.modified(name, op);
  }

  /** `${VAR-word}` and the other modifiers, with or without `:` (which makes an empty value count as unset). */
  private modified(name: string, first: string): string {
    let op = first;
    let modifier = op;
    const colon = op === ':';
    if (colon) {
      op = this.next();
      modifier += op;
    }
    if (!colon && !'+-?#%'.includes(op || '}'))
      throw new ExpansionError(`unsupported modifier (${modifier}) in substitution`);
    const trims = op === '#' || op === '%';
    const word = this.untilBrace(trims);
    const { value, set } = this.lookup(name, trims);
    return applyModifier({ op, modifier, name, word, value, set, empty: !set || (colon && value === '') });
  }

  private untilBrace(rawEscapes: boolean): string {
    try {
      return this.until('}', rawEscapes);
    } catch (e) {
      if (this.peek() === EOF) throw new ExpansionError("syntax error: missing '}'");
      throw e;
    }
  }

  /** `${VAR/pattern/replacement}` (first match) and `${VAR//pattern/replacement}` (every match). */
  private replace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    let pattern: string;
    try {
      pattern = this.until('/', true);
    } catch (e) {
      if (this.peek() === EOF) throw new ExpansionError("syntax error: missing '/' in ${}");
      throw e;
    }
    const replacement = this.untilBrace(true);
    const { value } = this.lookup(name, true);
    const re = patternRegExp(pattern, true, all ? 'g' : '');
    return value.replace(re, () => replacement);
  }
}

/** What one modifier makes of a variable's value (`set`: the variable is set; `empty`: counts as unset). */
function applyModifier(m: {
  op: string;
  modifier: string;
  name: string;
  word: string;
  value: string;
  set: boolean;
  empty: boolean;
}): string {
  switch (m.op) {
    case '-':
      return m.empty ? m.word : m.value;
    case '+':
      return m.empty ? '' : m.word;
    case '?':
      if (!m.set || m.empty)
        throw new ExpansionError(
          `${m.name}: ${m.word || (m.set ? 'is not allowed to be empty' : 'is not allowed to be unset')}`,
        );
      return m.value;
    case '#':
    case '%': {
      const greedy = m.word.startsWith(m.op);
      const pattern = greedy ? m.word.slice(1) : m.word;
      return m.op === '#' ? trimPrefix(m.value, pattern, greedy) : trimSuffix(m.value, pattern, greedy);
    }
    default:
      throw new ExpansionError(`unsupported modifier (${m.modifier}) in substitution`);
  }
}

/** A shell pattern (`*`, `?`, `\` escapes; no brackets) as a regular expression source. */
function patternSource(pattern: string, greedy: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') out += greedy ? '.*' : '.*?';
    else if (ch === '?') out += '.';
    else if (ch === '\\') {
      const after = pattern[i + 1];
      // `\}` and `\/` only escape the ${} syntax; the character itself is literal.
      if (after === '}' || after === '/') continue;
      if (after !== '*' && after !== '?' && after !== '\\')
        throw new ExpansionError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${after ?? ''}'`);
      out += `\\${after}`;
      i++;
    } else out += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return out;
}

function patternRegExp(pattern: string, greedy: boolean, flags: string): RegExp {
  return new RegExp(patternSource(pattern, greedy), flags);
}

/** Removes the shortest (or, greedy, the longest) prefix the pattern matches. */
function trimPrefix(value: string, pattern: string, greedy: boolean): string {
  const whole = new RegExp(`^(?:${patternSource(pattern, true)})$`);
  const lengths = [...Array(value.length + 1).keys()];
  for (const n of greedy ? lengths.reverse() : lengths) if (whole.test(value.slice(0, n))) return value.slice(n);
  return value;
}

/** Removes the shortest (or, greedy, the longest) suffix the pattern matches. */
function trimSuffix(value: string, pattern: string, greedy: boolean): string {
  const whole = new RegExp(`^(?:${patternSource(pattern, true)})$`);
  const starts = [...Array(value.length + 1).keys()];
  for (const i of greedy ? starts : starts.reverse()) if (whole.test(value.slice(i))) return value.slice(0, i);
  return value;
}

/** Expands one word (a FROM reference, an ARG default); throws ExpansionError where BuildKit fails. */
export function expandWord(text: string, values: ReadonlyMap<string, string>, escape = '\\'): WordExpansion {
  const word = new Word(text, values, escape);
  const value = word.until(EOF);
  return { value, unset: [...word.unset] };
}
