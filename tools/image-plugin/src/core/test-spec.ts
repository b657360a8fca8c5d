import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
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

const CHECK_KEYS = new Set(['name', 'run', 'user', 'env', 'privileged', 'boot', 'socket', 'volumes', 'entrypoint', 'expect', 'timeout']);

/** Parses a test spec; every problem names the file, the line and the fix. */
export function parseTestSpec(file: string, text: string): ImageCheck[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ImageConfigError(`not valid YAML: ${e.message.split('\n')[0]}`, 'fix the YAML syntax', file, e.linePos?.[0].line);
  }
  const checks = isMap(doc.contents) ? doc.contents.get('checks', true) : undefined;
  if (!isSeq(checks)) {
    throw new ImageConfigError('the spec has no `checks:` list', 'write `checks:` followed by a list of `- name: ... run: ...` entries', file, 1);
  }
  return checks.items.map((item) => {
    const line = lineOf(item as Node);
    if (!isMap(item)) throw new ImageConfigError('a check must be a mapping', 'write `- name: <what>` and `run: <command>`', file, line);
    const raw = item.toJSON() as Record<string, unknown>;
    const bad = (problem: string, fix: string) => new ImageConfigError(`check "${String(raw.name ?? '?')}": ${problem}`, fix, file, line);
    for (const key of Object.keys(raw)) {
      if (!CHECK_KEYS.has(key)) throw bad(`unknown key "${key}"`, `use only ${[...CHECK_KEYS].join(', ')}`);
    }
    if (typeof raw.name !== 'string' || !raw.name) throw bad('has no name', 'add `name: <what it checks>`');
    if (typeof raw.run !== 'string' || !raw.run) throw bad('has no command', 'add `run: <shell command>`');
    const expect = (raw.expect ?? {}) as Record<string, unknown>;
    for (const key of ['stdout', 'stderr'] as const) {
      if (expect[key] !== undefined) {
        try {
          new RegExp(String(expect[key]), 'm');
        } catch (e) {
          throw bad(`expect.${key} is not a regular expression (${(e as Error).message})`, 'write a JavaScript regular expression');
        }
      }
    }
    const socket = raw.socket as { gid?: unknown; target?: unknown } | undefined;
    if (socket && (typeof socket.gid !== 'number' || typeof socket.target !== 'string')) {
      throw bad('socket needs gid (a number) and target (a path)', 'write `socket: { gid: 4242, target: /var/run/docker.sock }`');
    }
    const check: ImageCheck = {
      name: raw.name,
      run: raw.run,
      expect: {
        exitCode: typeof expect.exitCode === 'number' ? expect.exitCode : 0,
        ...(expect.stdout !== undefined ? { stdout: String(expect.stdout) } : {}),
        ...(expect.stderr !== undefined ? { stderr: String(expect.stderr) } : {}),
      },
      timeout: typeof raw.timeout === 'number' ? raw.timeout : 120,
      file,
      line,
    };
    if (typeof raw.user === 'string') check.user = raw.user;
    if (raw.env && typeof raw.env === 'object') check.env = Object.fromEntries(Object.entries(raw.env).map(([k, v]) => [k, String(v)]));
    if (raw.privileged === true) check.privileged = true;
    if (raw.boot === true) check.boot = true;
    if (raw.entrypoint === true) check.entrypoint = true;
    if (socket) check.socket = { gid: socket.gid as number, target: socket.target as string };
    if (Array.isArray(raw.volumes)) check.volumes = raw.volumes.map(String);
    return check;
  });
}

export interface CheckOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Why a check's outcome does not meet its expectations, or null when it passes. */
export function checkFailure(check: ImageCheck, outcome: CheckOutcome): string | null {
  const problems: string[] = [];
  if (outcome.exitCode !== check.expect.exitCode) problems.push(`exit code ${outcome.exitCode}, expected ${check.expect.exitCode}`);
  if (check.expect.stdout !== undefined && !new RegExp(check.expect.stdout, 'm').test(outcome.stdout)) problems.push(`stdout does not match /${check.expect.stdout}/`);
  if (check.expect.stderr !== undefined && !new RegExp(check.expect.stderr, 'm').test(outcome.stderr)) problems.push(`stderr does not match /${check.expect.stderr}/`);
  return problems.length ? problems.join('; ') : null;
}
