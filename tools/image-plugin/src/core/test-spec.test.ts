import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { checkFailure, parseTestSpec } from './test-spec';

const FILE = 'images/x/image-test.yaml';
const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('parseTestSpec', () => {
  it('reads checks with their defaults and the line each starts on', () => {
    const checks = parseTestSpec(
      FILE,
      ['checks:', '  - name: a', '    run: echo a', '  - name: b', '    run: exit 3', '    user: coder', '    privileged: true', '    expect: { exitCode: 3, stderr: oops }', '    timeout: 9', ''].join('\n'),
    );
    expect(checks).toEqual([
      { name: 'a', run: 'echo a', expect: { exitCode: 0 }, timeout: 120, file: FILE, line: 2 },
      { name: 'b', run: 'exit 3', user: 'coder', privileged: true, expect: { exitCode: 3, stderr: 'oops' }, timeout: 9, file: FILE, line: 4 },
    ]);
  });

  it.each([
    { name: 'not YAML', text: 'checks: [\n', problem: 'not valid YAML', line: null },
    { name: 'no checks list', text: 'check:\n  - name: a\n', problem: 'no `checks:` list', line: 1 },
    { name: 'an unknown key', text: 'checks:\n  - name: a\n    command: echo\n', problem: 'unknown key "command"', line: 2 },
    { name: 'no command', text: 'checks:\n  - name: a\n', problem: 'has no command', line: 2 },
    { name: 'no name', text: 'checks:\n  - run: echo\n', problem: 'has no name', line: 2 },
    { name: 'a bad regular expression', text: "checks:\n  - name: a\n    run: echo\n  - name: b\n    run: echo\n    expect: { stdout: '(' }\n", problem: 'expect.stdout is not a regular expression', line: 4 },
    { name: 'a socket without gid', text: 'checks:\n  - name: a\n    run: echo\n    socket: { target: /x }\n', problem: 'socket needs gid', line: 2 },
  ])('$name: an error naming the file, the line and the fix', ({ text, problem, line }) => {
    const e = thrown(() => parseTestSpec(FILE, text));
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toContain(problem);
    expect(e.message).toContain(line === null ? FILE : `${FILE}:${line}:`);
    expect(e.message).toContain('fix: ');
  });
});

describe('checkFailure', () => {
  const [check] = parseTestSpec(FILE, "checks:\n  - name: a\n    run: echo\n    expect: { stdout: '^ok$', stderr: '^$' }\n");
  it('null when exit code and both outputs match', () => {
    expect(checkFailure(check, { exitCode: 0, stdout: 'ok\n', stderr: '' })).toBeNull();
  });
  it('every unmet expectation, joined', () => {
    expect(checkFailure(check, { exitCode: 1, stdout: 'nope', stderr: 'warn' })).toBe('exit code 1, expected 0; stdout does not match /^ok$/; stderr does not match /^$/');
  });
});
