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
  it('reads every key of a check', () => {
    const [check] = parseTestSpec(
      FILE,
      [
        'checks:',
        '  - name: all',
        '    run: id',
        "    user: '1000'",
        '    env: { A: 1, B: true, C: text }',
        '    boot: true',
        '    entrypoint: false',
        '    socket: { gid: 4242, target: /var/run/docker.sock }',
        '    volumes: [/var/lib/docker]',
        '    timeout: 2.5',
        '',
      ].join('\n'),
    );
    expect(check).toEqual({
      name: 'all',
      run: 'id',
      user: '1000',
      env: { A: '1', B: 'true', C: 'text' },
      boot: true,
      socket: { gid: 4242, target: '/var/run/docker.sock' },
      volumes: ['/var/lib/docker'],
      expect: { exitCode: 0 },
      timeout: 2.5,
      file: FILE,
      line: 2,
    });
  });

  it('reads checks with their defaults and the line each starts on', () => {
    const checks = parseTestSpec(
      FILE,
      [
        'checks:',
        '  - name: a',
        '    run: echo a',
        '  - name: b',
        '    run: exit 3',
        '    user: coder',
        '    privileged: true',
        '    expect: { exitCode: 3, stderr: oops }',
        '    timeout: 9',
        '',
      ].join('\n'),
    );
    expect(checks).toEqual([
      { name: 'a', run: 'echo a', expect: { exitCode: 0 }, timeout: 120, file: FILE, line: 2 },
      {
        name: 'b',
        run: 'exit 3',
        user: 'coder',
        privileged: true,
        expect: { exitCode: 3, stderr: 'oops' },
        timeout: 9,
        file: FILE,
        line: 4,
      },
    ]);
  });

  it.each([
    { name: 'not YAML', text: 'checks: [\n', problem: 'not valid YAML', line: null },
    { name: 'no checks list', text: 'check:\n  - name: a\n', problem: 'no `checks:` list', line: 1 },
    {
      name: 'an unknown key',
      text: 'checks:\n  - name: a\n    command: echo\n',
      problem: 'unknown key "command"',
      line: 3,
    },
    { name: 'no command', text: 'checks:\n  - name: a\n', problem: 'has no command', line: 2 },
    { name: 'no name', text: 'checks:\n  - run: echo\n', problem: 'has no name', line: 2 },
    {
      name: 'a bad regular expression',
      text: "checks:\n  - name: a\n    run: echo\n  - name: b\n    run: echo\n    expect: { stdout: '(' }\n",
      problem: 'expect.stdout is not a regular expression',
      line: 6,
    },
    {
      name: 'a socket without gid',
      text: 'checks:\n  - name: a\n    run: echo\n    socket: { target: /x }\n',
      problem: 'socket needs gid',
      line: 4,
    },
    ...[
      { key: 'expect: { exitCode: "one" }', problem: 'expect.exitCode is "one", not an exit code' },
      { key: 'expect: { exitCode: 1.5 }', problem: 'expect.exitCode is 1.5' },
      { key: 'expect: { exitCode: 256 }', problem: 'expect.exitCode is 256' },
      { key: 'expect: { exit: 1 }', problem: 'expect has the unknown key "exit"' },
      { key: 'expect: 1', problem: 'expect must be a map' },
      { key: 'expect: { stdout: 12 }', problem: 'expect.stdout must be text' },
      { key: 'timeout: "5m"', problem: 'timeout is "5m", not a number of seconds' },
      { key: 'timeout: 0', problem: 'timeout is 0' },
      { key: 'user: 3', problem: 'user must be a user name or id as text' },
      { key: 'env: [A=1]', problem: 'env must be a map of names to values' },
      { key: 'env: { A: }', problem: 'env.A has no text value' },
      { key: 'env: { A: [1] }', problem: 'env.A has no text value' },
      { key: 'env: { 1A: x }', problem: 'env has the name "1A", which is not a variable name' },
      { key: 'privileged: "yes"', problem: 'privileged must be true or false' },
      { key: 'boot: 1', problem: 'boot must be true or false' },
      { key: 'entrypoint: yes', problem: 'entrypoint must be true or false' },
      { key: 'socket: { gid: "docker", target: /s }', problem: 'socket needs gid' },
      { key: 'socket: { gid: 1, target: s }', problem: 'socket needs target (an absolute path' },
      { key: 'socket: { gid: 1, target: /s, mode: 1 }', problem: 'socket has the unknown key "mode"' },
      { key: 'volumes: /var/lib/docker', problem: 'volumes must be a list of paths' },
      { key: 'volumes: [var/lib]', problem: 'volumes has "var/lib", which is not an absolute path' },
    ].map(({ key, problem }) => ({
      name: key,
      text: `checks:\n  - name: a\n    run: echo\n    ${key}\n`,
      problem,
      line: 4,
    })),
    {
      name: 'a name that is not text',
      text: 'checks:\n  - name: [a]\n    run: echo\n',
      problem: 'has no name',
      line: 2,
    },
    {
      name: 'a command that is not text',
      text: 'checks:\n  - name: a\n    run: 1\n',
      problem: 'has no command',
      line: 2,
    },
    {
      name: 'two checks with one name',
      text: 'checks:\n  - name: a\n    run: echo\n  - name: a\n    run: echo\n',
      problem: 'same name as the check on line 2',
      line: 4,
    },
    { name: 'an empty list', text: 'checks: []\n', problem: '`checks:` is empty', line: 1 },
    {
      name: 'a key beside checks',
      text: 'checks:\n  - name: a\n    run: echo\ntimeout: 5\n',
      problem: 'unknown key "timeout"',
      line: 4,
    },
  ])('$name: an error naming the file, the line and the fix', ({ text, problem, line }) => {
    const e = thrown(() => parseTestSpec(FILE, text));
    expect(isImageConfigError(e)).toBe(true);
    expect(e.message).toContain(problem);
    expect(e.message).toContain(line === null ? FILE : `${FILE}:${line}:`);
    expect(e.message).toContain('fix: ');
  });
});

describe('checkFailure', () => {
  const [check] = parseTestSpec(
    FILE,
    "checks:\n  - name: a\n    run: echo\n    expect: { stdout: '^ok$', stderr: '^$' }\n",
  );
  it('null when exit code and both outputs match', () => {
    expect(checkFailure(check, { exitCode: 0, stdout: 'ok\n', stderr: '' })).toBeNull();
  });
  it('every unmet expectation, joined', () => {
    expect(checkFailure(check, { exitCode: 1, stdout: 'nope', stderr: 'warn' })).toBe(
      'exit code 1, expected 0; stdout does not match /^ok$/; stderr does not match /^$/',
    );
  });
});
