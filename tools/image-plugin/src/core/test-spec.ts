import type { Document, Node, ParsedNode } from 'yaml';
import { ImageConfigError } from './errors';

/** One check of an image's test spec (`images/<name>/image-test.yaml`). */
export interface ImageCheck {
  name: string;
  /** Shell command, run with `sh -c` in a fresh container (or, with boot, exec'd once systemd is up). */
  run: string;
  user?: string;
  env?: Record<string, string>;
  privileged?: boolean;
  /** Boot the container with its own entrypoint and `/sbin/init`; run the check once systemd is running or degraded. */
  boot?: boolean;
  /** A real unix socket made on the host, owned by this group id, bind-mounted at `target`. */
  socket?: { gid: number; target: string };
  /** A fresh named volume per target path (deleted afterwards). */
  volumes?: string[];
  /** Run through the image's entrypoint (default: only for boot checks). */
  entrypoint?: boolean;
  expect: { exitCode: number; stdout?: string; stderr?: string };
  /** Seconds before the check fails (default 120; boot checks include the boot). */
  timeout: number;
  /** Where the check is written, for messages. */
  file: string;
  line: number;
}

type Bad = (problem: string, fix: string, node?: Node | null) => ImageConfigError;

/** The YAML parser, loaded on first use: the plugin parses a spec only when its text is not known valid. */
const yaml = () => require('yaml') as typeof import('yaml');
const isMap = (node: unknown) => yaml().isMap(node);
const isSeq = (node: unknown) => yaml().isSeq(node);
const isScalar = (node: unknown) => yaml().isScalar(node);

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const scalarOf = (node: unknown): unknown => (isScalar(node) ? node.value : undefined);
/** A YAML scalar's value as text (a string, number or boolean), else `fallback`. */
const scalarText = (value: unknown, fallback: string): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : fallback;

/** Each key of a check: how to read it into the check, refusing a value of the wrong type. */
const CHECK_KEYS: Record<string, (node: Node, check: ImageCheck, bad: Bad) => void> = {
  name: () => undefined,
  run: () => undefined,
  user: (node, check, bad) => {
    const v = scalarOf(node);
    if (typeof v !== 'string' || !v)
      throw bad('user must be a user name or id as text', "write `user: coder`, or quote an id: `user: '1000'`", node);
    check.user = v;
  },
  env: (node, check, bad) => {
    if (!isMap(node))
      throw bad('env must be a map of names to values', 'write `env: { NAME: value }` (one entry per variable)', node);
    check.env = {};
    for (const pair of node.items) {
      const value = scalarOf(pair.value);
      const name = scalarOf(pair.key);
      if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw bad(
          `env has the name ${JSON.stringify(name)}, which is not a variable name`,
          'use letters, digits and _ (not first a digit), e.g. `HOME_DIR: /home/coder`',
          pair.key as Node,
        );
      }
      if (value === undefined || value === null || typeof value === 'object') {
        throw bad(
          `env.${name} has no text value`,
          `write \`${name}: <value>\` (quote it when it looks like YAML: '${name}: "yes"')`,
          (pair.value ?? pair.key) as Node,
        );
      }
      check.env[name] = scalarText(value, '');
    }
  },
  privileged: (node, check, bad) => {
    if (typeof scalarOf(node) !== 'boolean')
      throw bad('privileged must be true or false', 'write `privileged: true`', node);
    if (scalarOf(node) === true) check.privileged = true;
  },
  boot: (node, check, bad) => {
    if (typeof scalarOf(node) !== 'boolean') throw bad('boot must be true or false', 'write `boot: true`', node);
    if (scalarOf(node) === true) check.boot = true;
  },
  entrypoint: (node, check, bad) => {
    if (typeof scalarOf(node) !== 'boolean')
      throw bad('entrypoint must be true or false', 'write `entrypoint: true`', node);
    if (scalarOf(node) === true) check.entrypoint = true;
  },
  socket: (node, check, bad) => {
    const fix = 'write `socket: { gid: 4242, target: /var/run/docker.sock }`';
    if (!isMap(node)) throw bad('socket must be a map with gid and target', fix, node);
    const extra = node.items.map((p) => String(scalarOf(p.key))).find((k) => k !== 'gid' && k !== 'target');
    if (extra) throw bad(`socket has the unknown key "${extra}"`, fix, node);
    const gid = scalarOf(node.get('gid', true));
    const target = scalarOf(node.get('target', true));
    if (!isInteger(gid) || gid < 0) throw bad('socket needs gid (a group id, a whole number)', fix, node);
    if (typeof target !== 'string' || !target.startsWith('/'))
      throw bad('socket needs target (an absolute path in the container)', fix, node);
    check.socket = { gid, target };
  },
  volumes: (node, check, bad) => {
    const fix = 'write `volumes: [/var/lib/docker]` (absolute paths in the container)';
    if (!isSeq(node)) throw bad('volumes must be a list of paths', fix, node);
    check.volumes = node.items.map((item) => {
      const v = scalarOf(item);
      if (typeof v !== 'string' || !v.startsWith('/'))
        throw bad(`volumes has ${JSON.stringify(v ?? null)}, which is not an absolute path`, fix, item as Node);
      return v;
    });
  },
  expect: (node, check, bad) => {
    if (!isMap(node)) throw bad('expect must be a map', "write `expect: { exitCode: 0, stdout: '^ok$' }`", node);
    for (const pair of node.items) {
      const key = String(scalarOf(pair.key));
      const value = scalarOf(pair.value);
      const at = (pair.value ?? pair.key) as Node;
      if (key === 'exitCode') {
        if (!isInteger(value) || value < 0 || value > 255) {
          throw bad(
            `expect.exitCode is ${JSON.stringify(value ?? null)}, not an exit code`,
            'write a whole number from 0 to 255, e.g. `exitCode: 1`',
            at,
          );
        }
        check.expect.exitCode = value;
      } else if (key === 'stdout' || key === 'stderr') {
        if (typeof value !== 'string')
          throw bad(`expect.${key} must be text (a regular expression)`, `quote it: \`${key}: '^v?[0-9]+'\``, at);
        try {
          new RegExp(value, 'm');
        } catch (e) {
          throw bad(
            `expect.${key} is not a regular expression (${(e as Error).message})`,
            'write a JavaScript regular expression',
            at,
          );
        }
        check.expect[key] = value;
      } else {
        throw bad(`expect has the unknown key "${key}"`, 'use only exitCode, stdout and stderr', pair.key as Node);
      }
    }
  },
  timeout: (node, check, bad) => {
    const v = scalarOf(node);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw bad(
        `timeout is ${JSON.stringify(v ?? null)}, not a number of seconds`,
        'write the seconds as a number, e.g. `timeout: 300` for five minutes',
        node,
      );
    }
    check.timeout = v;
  },
};

/** Parses a test spec; every problem names the file, the line and the fix. */
export function parseTestSpec(file: string, text: string): ImageCheck[] {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lineOf: LineOf = (node) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const names = new Map<string, number>();
  return checkItemsOf(file, doc, lineOf).map((item) => readCheck(file, item, lineOf, names));
}

type LineOf = (node: Node | null | undefined) => number;
type ParsedSpec = Document.Parsed<ParsedNode, true>;

/** The items of the spec's `checks:` list: valid YAML, `checks:` its only key, at least one check. */
function checkItemsOf(file: string, doc: ParsedSpec, lineOf: LineOf): unknown[] {
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ImageConfigError(
      `not valid YAML: ${e.message.split('\n')[0]}`,
      'fix the YAML syntax',
      file,
      e.linePos?.[0].line,
    );
  }
  const checks = isMap(doc.contents) ? doc.contents.get('checks', true) : undefined;
  if (!isSeq(checks)) {
    throw new ImageConfigError(
      'the spec has no `checks:` list',
      'write `checks:` followed by a list of `- name: ... run: ...` entries',
      file,
      1,
    );
  }
  const other = isMap(doc.contents) ? doc.contents.items.find((p) => scalarOf(p.key) !== 'checks') : undefined;
  if (other) {
    throw new ImageConfigError(
      `unknown key "${String(scalarOf(other.key))}"`,
      'the spec has only `checks:`; move the entry into a check',
      file,
      lineOf(other.key),
    );
  }
  if (checks.items.length === 0)
    throw new ImageConfigError(
      '`checks:` is empty',
      'add a check (`- name: <what>` and `run: <command>`), or delete the file',
      file,
      lineOf(checks),
    );
  return checks.items;
}

/** One check: a mapping of known keys with a name of its own (`names`: the names so far, by line) and a command. */
function readCheck(file: string, item: unknown, lineOf: LineOf, names: Map<string, number>): ImageCheck {
  const line = lineOf(item as Node);
  if (!isMap(item))
    throw new ImageConfigError('a check must be a mapping', 'write `- name: <what>` and `run: <command>`', file, line);
  const name = scalarOf(item.get('name', true));
  const bad: Bad = (problem, fix, node) =>
    new ImageConfigError(`check "${scalarText(name, '?')}": ${problem}`, fix, file, node ? lineOf(node) : line);
  for (const pair of item.items) {
    const key = String(scalarOf(pair.key));
    if (!(key in CHECK_KEYS))
      throw bad(`unknown key "${key}"`, `use only ${Object.keys(CHECK_KEYS).join(', ')}`, pair.key as Node);
  }
  if (typeof name !== 'string' || !name) throw bad('has no name', 'add `name: <what it checks>` (text)');
  const run = scalarOf(item.get('run', true));
  if (typeof run !== 'string' || !run) throw bad('has no command', 'add `run: <shell command>` (text)');
  const first = names.get(name);
  if (first !== undefined)
    throw bad(
      `has the same name as the check on line ${first}`,
      'give each check its own name (image-test --filter selects checks by name)',
    );
  names.set(name, line);
  const check: ImageCheck = { name, run, expect: { exitCode: 0 }, timeout: 120, file, line };
  for (const pair of item.items) {
    const key = String(scalarOf(pair.key));
    const value = (pair.value ?? pair.key) as Node;
    CHECK_KEYS[key](value, check, bad);
  }
  return check;
}

export interface CheckOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Why a check's outcome does not meet its expectations, or null when it passes. */
export function checkFailure(check: ImageCheck, outcome: CheckOutcome): string | null {
  const problems: string[] = [];
  if (outcome.exitCode !== check.expect.exitCode)
    problems.push(`exit code ${outcome.exitCode}, expected ${check.expect.exitCode}`);
  if (check.expect.stdout !== undefined && !new RegExp(check.expect.stdout, 'm').test(outcome.stdout))
    problems.push(`stdout does not match /${check.expect.stdout}/`);
  if (check.expect.stderr !== undefined && !new RegExp(check.expect.stderr, 'm').test(outcome.stderr))
    problems.push(`stderr does not match /${check.expect.stderr}/`);
  return problems.length ? problems.join('; ') : null;
}
