import { existsSync, readFileSync } from 'node:fs';
import { getExpressionAst, type TFExpressionSyntaxTree } from '@cdktf/hcl2json';

/**
 * Evaluates the Terraform expressions of the Coder template, so the tests start what the template
 * says instead of restating it. Parsing is @cdktf/hcl2json's (HashiCorp's HCL parser, as WebAssembly);
 * this file only walks its syntax tree. It covers the expressions and functions the template uses and
 * refuses anything else by name, so a template change never goes unevaluated silently.
 */

export type Value = null | string | number | boolean | Value[] | { [key: string]: Value };
type Ast = TFExpressionSyntaxTree.ExpressionType;
type Meta = Record<string, unknown> & { value?: string };

/** The value is wrong for the expression (a missing key, a null attribute): what `try` and `can` catch. */
export class EvalError extends Error {
  override name = 'EvalError';
}

/** The template uses HCL or a function this evaluator does not know: never caught, always reported. */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

/** Answers the first name(s) of a reference: `local.x`, `var.x`, `data.t.n`, `t.n`, an iterator. */
export interface Resolver {
  /** Returns the value and how many traversal names it consumed (`data.coder_workspace.me` is 3). */
  resolve(names: readonly string[], where: string): Promise<{ value: Value; used: number }>;
}

const isObject = (v: Value): v is { [key: string]: Value } => v !== null && typeof v === 'object' && !Array.isArray(v);

function typeName(v: Value): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Terraform's equality: same type and same value, deep. */
function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return equal(ka, kb) && ka.every((k) => equal(a[k], b[k]));
  }
  return a === b;
}

/** A value inside a string template: strings, numbers and bools only, as Terraform converts them. */
function stringify(v: Value, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new EvalError(`${where}: a ${typeName(v)} value cannot be part of a string`);
}

/** HCL's escapes in a quoted string: \\ \" \n \r \t \uNNNN \UNNNNNNNN, and $${ %%{ for literal ${ %{. */
export function unescapeHcl(raw: string): string {
  return raw
    .replace(/\\(["\\nrt]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/g, (_, e: string) => {
      if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
      return ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[e] ?? e;
    })
    .replace(/\$\$\{/g, '${')
    .replace(/%%\{/g, '%{');
}

/**
 * Splits a string as hcl2json gives it (literal text already decoded, `${...}` kept as source, and
 * the escapes `$${` and `%%{` kept as written) into literal parts and interpolated expression sources.
 */
export function splitTemplate(text: string): Array<{ literal: string } | { expression: string }> {
  const parts: Array<{ literal: string } | { expression: string }> = [];
  let literal = '';
  let at = 0;
  while (at < text.length) {
    if (text.startsWith('$${', at) || text.startsWith('%%{', at)) {
      literal += `${text[at]}{`;
      at += 3;
      continue;
    }
    if (text.startsWith('%{', at))
      throw new UnsupportedError(`template directives (%{ ... }) are not supported: ${text}`);
    if (!text.startsWith('${', at)) {
      literal += text[at++];
      continue;
    }
    const end = closingBrace(text, at + 2);
    if (literal) parts.push({ literal });
    literal = '';
    parts.push({ expression: text.slice(at + 2, end).trim() });
    at = end + 1;
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

/** The index of the `}` that closes an interpolation whose expression starts at `from`. */
function closingBrace(text: string, from: number): number {
  const stack: Array<'brace' | 'string'> = ['brace'];
  for (let at = from; at < text.length; at++) {
    const c = text[at];
    const top = stack[stack.length - 1];
    if (top === 'string') {
      if (c === '\\') at++;
      else if (c === '"') stack.pop();
      else if (text.startsWith('${', at)) {
        stack.push('brace');
        at++;
      }
      continue;
    }
    if (c === '"') stack.push('string');
    else if (c === '{') stack.push('brace');
    else if (c === '}') {
      stack.pop();
      if (stack.length === 0) return at;
    }
  }
  throw new UnsupportedError(`an interpolation is not closed: ${text}`);
}

const astCache = new Map<string, Promise<Ast | null>>();
const parseExpression = (source: string) => {
  let found = astCache.get(source);
  if (!found) {
    found = getExpressionAst('main.tf', source);
    astCache.set(source, found);
  }
  return found;
};

type Fn = (args: Ast[], ev: Evaluator, where: string) => Promise<Value>;

const str = (v: Value, fn: string): string => {
  if (typeof v !== 'string') throw new EvalError(`${fn}() wants a string, got ${typeName(v)}`);
  return v;
};
const list = (v: Value, fn: string): Value[] => {
  if (!Array.isArray(v)) throw new EvalError(`${fn}() wants a list, got ${typeName(v)}`);
  return v;
};
const map = (v: Value, fn: string): { [key: string]: Value } => {
  if (!isObject(v)) throw new EvalError(`${fn}() wants a map or object, got ${typeName(v)}`);
  return v;
};
/** Terraform's regular expressions are RE2; the template's ones mean the same in JavaScript. */
const re = (pattern: string, flags = '') => new RegExp(pattern, flags);

/** Arguments evaluated eagerly, for the functions that need no laziness. */
const eager =
  (f: (args: Value[], where: string) => Value): Fn =>
  async (args, ev, where) =>
    f(await Promise.all(args.map((a) => ev.ast(a))), where);

const FUNCTIONS: Record<string, Fn> = {
  alltrue: eager(([l]) => list(l, 'alltrue').every((v) => v === true)),
  anytrue: eager(([l]) => list(l, 'anytrue').some((v) => v === true)),
  can: async ([arg], ev) => {
    try {
      await ev.ast(arg);
      return true;
    } catch (e) {
      if (e instanceof EvalError) return false;
      throw e;
    }
  },
  coalesce: eager((args) => {
    const found = args.find((v) => v !== null && v !== '');
    if (found === undefined) throw new EvalError('coalesce(): no non-null, non-empty argument');
    return found;
  }),
  concat: eager((args) => args.flatMap((l) => list(l, 'concat'))),
  contains: eager(([l, v]) => list(l, 'contains').some((x) => equal(x, v))),
  file: eager(([p]) => {
    const path = str(p, 'file');
    if (!existsSync(path)) throw new EvalError(`file(): no file at ${path}`);
    return readFileSync(path, 'utf8');
  }),
  fileexists: eager(([p]) => existsSync(str(p, 'fileexists'))),
  format: eager(([spec, ...args], where) => {
    let next = 0;
    return str(spec, 'format').replace(/%([%sqd])/g, (_, verb: string) => {
      if (verb === '%') return '%';
      if (next >= args.length) throw new EvalError(`format(): too few arguments for ${String(spec)}`);
      const v = args[next++];
      if (verb === 'q') return JSON.stringify(str(v, 'format'));
      if (verb === 'd' && typeof v !== 'number') throw new EvalError(`format(): %d wants a number, got ${typeName(v)}`);
      return stringify(v, where);
    });
  }),
  join: eager(([sep, l], where) =>
    list(l, 'join')
      .map((v) => stringify(v, where))
      .join(str(sep, 'join')),
  ),
  jsondecode: eager(([s]) => {
    try {
      return JSON.parse(str(s, 'jsondecode')) as Value;
    } catch (e) {
      throw new EvalError(`jsondecode(): ${(e as Error).message}`);
    }
  }),
  keys: eager(([m]) => Object.keys(map(m, 'keys')).sort()),
  length: eager(([v]) =>
    typeof v === 'string' ? [...v].length : Array.isArray(v) ? v.length : Object.keys(map(v, 'length')).length,
  ),
  lookup: eager((args) => {
    const m = map(args[0], 'lookup');
    const key = str(args[1], 'lookup');
    if (key in m) return m[key];
    if (args.length > 2) return args[2];
    throw new EvalError(`lookup(): no key "${key}" and no default`);
  }),
  lower: eager(([s]) => str(s, 'lower').toLowerCase()),
  merge: eager((args) => {
    const merged: Record<string, Value> = {};
    for (const m of args) Object.assign(merged, map(m, 'merge'));
    return merged;
  }),
  one: eager(([l]) => {
    const items = list(l, 'one');
    if (items.length > 1) throw new EvalError(`one(): the list has ${items.length} elements`);
    return items[0] ?? null;
  }),
  regex: eager(([p, s]) => {
    const match = re(str(p, 'regex')).exec(str(s, 'regex'));
    if (!match) throw new EvalError(`regex(): "${s}" does not match ${p}`);
    if (match.groups) return match.groups;
    return match.length > 1 ? match.slice(1).map((g) => g ?? null) : match[0];
  }),
  replace: eager(([s, sub, rep]) => {
    const text = str(s, 'replace');
    const search = str(sub, 'replace');
    const by = str(rep, 'replace');
    const pattern = /^\/(.*)\/$/s.exec(search);
    return pattern ? text.replace(re(pattern[1], 'g'), by) : text.split(search).join(by);
  }),
  tostring: eager(([v], where) => (v === null ? null : stringify(v, where))),
  try: async (args, ev) => {
    let last: unknown;
    for (const arg of args) {
      try {
        return await ev.ast(arg);
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        last = e;
      }
    }
    throw new EvalError(`try(): no argument could be evaluated (${(last as Error)?.message})`);
  },
  upper: eager(([s]) => str(s, 'upper').toUpperCase()),
  values: eager(([m]) => {
    const o = map(m, 'values');
    return Object.keys(o)
      .sort()
      .map((k) => o[k]);
  }),
};

const BINARY: Record<string, (a: Value, b: Value) => Value> = {
  equal: (a, b) => equal(a, b),
  notEqual: (a, b) => !equal(a, b),
  greaterThan: (a, b) => (a as number) > (b as number),
  greaterThanOrEqual: (a, b) => (a as number) >= (b as number),
  lessThan: (a, b) => (a as number) < (b as number),
  lessThanOrEqual: (a, b) => (a as number) <= (b as number),
  add: (a, b) => (a as number) + (b as number),
  subtract: (a, b) => (a as number) - (b as number),
  multiply: (a, b) => (a as number) * (b as number),
  divide: (a, b) => (a as number) / (b as number),
  modulo: (a, b) => (a as number) % (b as number),
};

/** Evaluates expressions against a resolver; `bind` adds iterator variables (for, dynamic blocks). */
export class Evaluator {
  constructor(
    private readonly resolver: Resolver,
    private readonly vars: Readonly<Record<string, Value>> = {},
  ) {}

  bind(vars: Record<string, Value>): Evaluator {
    return new Evaluator(this.resolver, { ...this.vars, ...vars });
  }

  /** A string as hcl2json gives it: a whole `${expr}` keeps the expression's type, anything else is a string. */
  async template(text: string): Promise<Value> {
    const parts = splitTemplate(text);
    if (parts.length === 1 && 'expression' in parts[0]) return this.source(parts[0].expression);
    let out = '';
    for (const part of parts)
      out += 'literal' in part ? part.literal : stringify(await this.source(part.expression), part.expression);
    return out;
  }

  /** One expression's source text. */
  async source(expression: string): Promise<Value> {
    let ast: Ast | null;
    try {
      ast = await parseExpression(expression);
    } catch (e) {
      throw new UnsupportedError(`cannot parse \`${expression}\`: ${(e as Error).message}`);
    }
    if (!ast) throw new UnsupportedError(`cannot parse \`${expression}\``);
    return this.ast(ast);
  }

  async ast(node: Ast): Promise<Value> {
    const meta = (node as { meta?: Meta }).meta ?? {};
    const kids = node.children;
    const where = meta.value ?? node.type;
    switch (node.type as string) {
      case 'literalValue':
        return this.literal(meta);
      case 'template':
        return this.templateParts(kids, where);
      case 'templateWrap':
        return this.ast(kids[0]);
      case '':
        if (kids.length === 1) return this.ast(kids[0]); // parentheses
        throw new UnsupportedError(`an expression the evaluator does not know: \`${where}\``);
      case 'tuple':
        return Promise.all(kids.map((k) => this.ast(k)));
      case 'scopeTraversal':
        return this.traverse(meta.traversal as TFExpressionSyntaxTree.TerraformTraversalPart[], where);
      case 'relativeTraversal':
        return this.apply(
          await this.ast(kids[0]),
          (meta.traversal as TFExpressionSyntaxTree.TerraformTraversalPart[]).map(segmentKey),
          where,
        );
      case 'index':
        return this.index(await this.ast(kids[0]), await this.ast(kids[1]), where);
      case 'splat':
        return this.splat(kids, where);
      case 'conditional':
        return this.conditional(kids, where);
      case 'unaryOp':
        return this.unary(String(meta.operator), kids[0], where);
      case 'binaryOp':
        return this.binary(String(meta.operator), kids, where);
      case 'function':
        return this.call(meta, kids, where);
      case 'for':
        return this.forExpression(meta, where);
      default:
        throw new UnsupportedError(`${node.type} expressions (\`${where}\`); teach tools/coder-template/hcl-eval.ts`);
    }
  }

  /** A quoted template: one literal keeps its type; interpolations and several parts make a string. */
  private async templateParts(kids: Ast[], where: string): Promise<Value> {
    if (kids.length === 1) {
      const v = await this.ast(kids[0]);
      return kids[0].type === 'literalValue' ? v : stringify(v, where);
    }
    let out = '';
    for (const kid of kids) out += stringify(await this.ast(kid), where);
    return out;
  }

  private async conditional(kids: Ast[], where: string): Promise<Value> {
    const condition = await this.ast(kids[0]);
    if (typeof condition !== 'boolean')
      throw new EvalError(`${where}: the condition is ${typeName(condition)}, not bool`);
    return this.ast(condition ? kids[1] : kids[2]);
  }

  private async unary(operator: string, operand: Ast, where: string): Promise<Value> {
    const v = await this.ast(operand);
    if (operator === 'logicalNot') return !v;
    if (operator === 'negate') return -(v as number);
    throw new UnsupportedError(`the operator ${operator} in \`${where}\``);
  }

  /** A call of one of the functions the evaluator knows (FUNCTIONS). */
  private call(meta: Meta, kids: Ast[], where: string): Promise<Value> | Value {
    const fn = FUNCTIONS[String(meta.name)];
    if (!fn)
      throw new UnsupportedError(
        `the function ${String(meta.name)}() in \`${where}\`; teach tools/coder-template/hcl-eval.ts`,
      );
    if (meta.expandedFinalArgument) throw new UnsupportedError(`expanded arguments (...) in \`${where}\``);
    return fn(kids, this, where);
  }

  private literal(meta: Meta): Value {
    const raw = String(meta.value);
    if (meta.type === 'string') return unescapeHcl(raw);
    if (meta.type === 'number') return Number(raw);
    if (meta.type === 'bool') return raw === 'true';
    if (raw === 'null') return null;
    throw new UnsupportedError(`the literal ${raw}`);
  }

  private async binary(operator: string, kids: Ast[], where: string): Promise<Value> {
    const left = await this.ast(kids[0]);
    if (operator === 'logicalAnd') return left === true && (await this.ast(kids[1])) === true;
    if (operator === 'logicalOr') return left === true || (await this.ast(kids[1])) === true;
    const op = BINARY[operator];
    if (!op) throw new UnsupportedError(`the operator ${operator} in \`${where}\``);
    return op(left, await this.ast(kids[1]));
  }

  private async traverse(parts: TFExpressionSyntaxTree.TerraformTraversalPart[], where: string): Promise<Value> {
    const keys = parts.map(segmentKey);
    const [root] = keys;
    if (typeof root === 'string' && root in this.vars) return this.apply(this.vars[root], keys.slice(1), where);
    const names: string[] = [];
    for (const k of keys) {
      if (typeof k !== 'string') break;
      names.push(k);
    }
    const { value, used } = await this.resolver.resolve(names, where);
    return this.apply(value, keys.slice(used), where);
  }

  apply(value: Value, keys: ReadonlyArray<string | number>, where: string): Value {
    return keys.reduce<Value>((v, k) => this.index(v, k, where), value);
  }

  private index(v: Value, key: Value, where: string): Value {
    if (v === null) throw new EvalError(`${where}: attempt to get "${String(key)}" from a null value`);
    if (Array.isArray(v)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= v.length)
        throw new EvalError(`${where}: no element ${String(key)} in a list of ${v.length}`);
      return v[i];
    }
    if (isObject(v)) {
      if (typeof key !== 'string' || !(key in v)) throw new EvalError(`${where}: no key "${String(key)}"`);
      return v[key];
    }
    throw new EvalError(`${where}: cannot index a ${typeName(v)}`);
  }

  private async splat(kids: Ast[], where: string): Promise<Value> {
    const source = await this.ast(kids[0]);
    const items = source === null ? [] : Array.isArray(source) ? source : [source];
    const each = kids[1];
    if (!each || (each.type as string) === '') return items;
    const keys = ((each as { meta: Meta }).meta.traversal as TFExpressionSyntaxTree.TerraformTraversalPart[]).map(
      segmentKey,
    );
    return items.map((item) => this.apply(item, keys, where));
  }

  private async forExpression(meta: Meta, where: string): Promise<Value> {
    const collection = await this.source(String(meta.collectionExpression));
    const entries: Array<[Value, Value]> = Array.isArray(collection)
      ? collection.map((v, i) => [i, v])
      : isObject(collection)
        ? Object.keys(collection)
            .sort()
            .map((k) => [k, collection[k]])
        : [];
    if (!Array.isArray(collection) && !isObject(collection))
      throw new EvalError(`${where}: cannot iterate over ${typeName(collection)}`);
    if (meta.groupedValue) throw new UnsupportedError(`grouped for expressions (...) in \`${where}\``);
    const keyVar = String(meta.keyVar ?? '');
    const valVar = String(meta.valVar);
    const asObject = meta.openRangeValue === '{';
    const outList: Value[] = [];
    const outMap: Record<string, Value> = {};
    for (const [k, v] of entries) {
      const scope = this.bind(keyVar ? { [keyVar]: k, [valVar]: v } : { [valVar]: v });
      if (meta.conditionalExpression && (await scope.source(String(meta.conditionalExpression))) !== true) continue;
      const value = await scope.source(String(meta.valueExpression));
      if (asObject) outMap[stringify(await scope.source(String(meta.keyExpression)), where)] = value;
      else outList.push(value);
    }
    return asObject ? outMap : outList;
  }
}

/** `name` -> "name"; `[0]` -> 0; `["k"]` -> "k". */
function segmentKey(part: TFExpressionSyntaxTree.TerraformTraversalPart): string | number {
  if (part.type === 'nameTraversal') return part.segment;
  const s = part.segment;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (s.startsWith('"') && s.endsWith('"')) return unescapeHcl(s.slice(1, -1));
  return s;
}
