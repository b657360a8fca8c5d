import { describe, expect, it } from 'vitest';
import {
  configUnreadable,
  helperCredentials,
  helperFor,
  parseDockerConfig,
  readHelperAnswer,
  type HelperAnswer,
  type HelperRun,
} from './credentials';
import { isImageConfigError } from './errors';

const ok = (stdout: string, stderr = ''): HelperRun => ({ exitCode: 0, stdout, stderr });
const failed = (exitCode: number, stdout: string, stderr = ''): HelperRun => ({ exitCode, stdout, stderr });
const CI = { username: 'ci', password: 'pw' };

/**
 * A helper's `get` as docker-credential-helpers' client.Get reads it (checked against buildx 0.13 with
 * helper scripts: leading whitespace, trailing text and lower-case names pass; a line before the JSON
 * fails with "invalid character 'w' looking for beginning of value"; a not-found message with anything
 * else around it fails).
 */
const HELPER_ROWS: Array<[string, HelperRun, HelperAnswer['kind'], unknown]> = [
  ['the usual answer', ok('{"ServerURL":"h","Username":"ci","Secret":"pw"}\n'), 'credentials', CI],
  ['whitespace and blank lines before the JSON', ok('\n\n  \t{"Username":"ci","Secret":"pw"}'), 'credentials', CI],
  [
    'a notice line after the JSON (not read)',
    ok('{"Username":"ci","Secret":"pw"}\nnotice: cached\n'),
    'credentials',
    CI,
  ],
  ['a second JSON value after the first', ok('{"Username":"ci","Secret":"pw"}{"Username":"x"}'), 'credentials', CI],
  ['lower-case field names (Go matches names in any case)', ok('{"username":"ci","secret":"pw"}'), 'credentials', CI],
  ['field names in upper case', ok('{"USERNAME":"ci","SECRET":"pw"}'), 'credentials', CI],
  [
    "a warning on stderr (the helper's own channel)",
    ok('{"Username":"ci","Secret":"pw"}', 'warning: x\n'),
    'credentials',
    CI,
  ],
  [
    'a `<token>` user: an identity token',
    ok('{"Username":"<token>","Secret":"refresh"}'),
    'credentials',
    { identityToken: 'refresh' },
  ],
  [
    'a secret in a string with braces and escapes',
    ok('{"Username":"ci","Secret":"p}\\"w"}'),
    'credentials',
    { username: 'ci', password: 'p}"w' },
  ],
  ['no Secret', ok('{"Username":"ci"}'), 'none', undefined],
  ['`null`', ok('null\n'), 'none', undefined],
  ['not found, exit 1', failed(1, 'credentials not found in native keychain\n'), 'none', undefined],
  ['not found with spaces around it', failed(1, '  credentials not found in native keychain  '), 'none', undefined],
  [
    'a warning line before the JSON',
    ok('warning: keychain locked, using the cache\n{"Username":"ci","Secret":"pw"}'),
    'unusable',
    /its answer is not JSON: it starts with "warning: keychain locked, using the cache"/,
  ],
  [
    'a warning line before not found',
    failed(1, 'warning: x\ncredentials not found in native keychain'),
    'unusable',
    /exited with code 1: warning: x \/ credentials not found/,
  ],
  [
    'not found on stderr only',
    failed(1, '', 'credentials not found in native keychain'),
    'unusable',
    /exited with code 1: credentials not found/,
  ],
  ['nothing printed, exit 0', ok(''), 'unusable', /it printed nothing/],
  [
    'a cut-off answer',
    ok('{"Username":"ci","Secret":"p'),
    'unusable',
    /the text ends inside a string at line 1, column 29/,
  ],
  [
    'a broken answer on its second line',
    ok('{"Username":"ci",\n "Secret" "pw"}'),
    'unusable',
    /expected ':' after a key but found "\\"" at line 2, column 11/,
  ],
  ['a list', ok('["ci","pw"]'), 'unusable', /its answer is a list/],
  ['a number as the user', ok('{"Username":7,"Secret":"pw"}'), 'unusable', /username is not text/],
  [
    'a failure',
    failed(1, '', 'error: the keychain is locked'),
    'unusable',
    /exited with code 1: error: the keychain is locked/,
  ],
  ['a bad request', failed(1, 'no credentials server URL'), 'unusable', /\(a bad request\)/],
  ['killed', { exitCode: null, stdout: '', stderr: '' }, 'unusable', /it was killed/],
  ['too slow', { exitCode: null, stdout: '', stderr: '', timedOutS: 30 }, 'unusable', /did not answer in 30 s/],
  ['not installed', { exitCode: null, stdout: '', stderr: '', spawnError: 'ENOENT' }, 'unusable', /ENOENT/],
];

describe('readHelperAnswer: a helper answer as docker reads it', () => {
  it.each(HELPER_ROWS)('%s', (_name, run, kind, expected) => {
    const answer = readHelperAnswer(run);
    expect(answer.kind).toBe(kind);
    if (answer.kind === 'credentials') expect(answer.credentials).toEqual(expected);
    if (answer.kind === 'unusable') expect(answer.why).toMatch(expected as RegExp);
  });
});

const CONFIG = `{
  "auths": {},
  "credsStore": "desktop",
  "credHelpers": {
    "ghcr.io": "gh",
    "127.0.0.1:5000": "warn"
  }
}
`;
const FILE = '/home/me/.docker/config.json';

describe('helperFor: the helper docker asks', () => {
  const config = parseDockerConfig(FILE, CONFIG).config;
  it.each([
    ['127.0.0.1:5000', undefined, { helper: 'warn', key: ['credHelpers', '127.0.0.1:5000'] }],
    ['quay.io', undefined, { helper: 'desktop', key: ['credsStore'] }],
    ['docker.io', 'https://index.docker.io/v1/', { helper: 'desktop', key: ['credsStore'] }],
  ])('%s', (host, hubKey, source) => {
    expect(helperFor(config, host, hubKey)).toEqual(source);
  });
  it('Docker Hub under its index key', () => {
    const hub = { credHelpers: { 'https://index.docker.io/v1/': 'hub' } };
    expect(helperFor(hub, 'docker.io', 'https://index.docker.io/v1/')?.key).toEqual([
      'credHelpers',
      'https://index.docker.io/v1/',
    ]);
  });
});

describe('helperCredentials: one message naming the file, the entry, the helper and the fix', () => {
  const loaded = parseDockerConfig(FILE, CONFIG);
  const perHost = { helper: 'warn', key: ['credHelpers', '127.0.0.1:5000'] };
  const store = { helper: 'desktop', key: ['credsStore'] };
  it.each([
    [
      'not installed (credHelpers)',
      { exitCode: null, stdout: '', stderr: '', spawnError: 'ENOENT' },
      perHost,
      `${FILE}:6: credHelpers["127.0.0.1:5000"] names the credential helper docker-credential-warn, which is not installed (no docker-credential-warn on PATH)\n` +
        `  fix: install docker-credential-warn (on PATH), or remove credHelpers["127.0.0.1:5000"] from ${FILE} and log in with \`docker login 127.0.0.1:5000\``,
    ],
    [
      'not installed (credsStore)',
      { exitCode: null, stdout: '', stderr: '', spawnError: 'ENOENT' },
      store,
      /^\/home\/me\/\.docker\/config\.json:3: credsStore names the credential helper docker-credential-desktop, which is not installed .*\n {2}fix: install docker-credential-desktop \(on PATH\), or remove credsStore from/,
    ],
    [
      'not executable',
      { exitCode: null, stdout: '', stderr: '', spawnError: 'EACCES' },
      perHost,
      /cannot be run \(EACCES\)\n {2}fix: make docker-credential-warn executable, or remove/,
    ],
    [
      'a warning before the JSON',
      ok('warning: locked\n{"Username":"ci","Secret":"pw"}'),
      perHost,
      /:6: credHelpers\["127\.0\.0\.1:5000"\] names the credential helper docker-credential-warn; asked for 127\.0\.0\.1:5000, its answer is not JSON: it starts with "warning: locked" \(docker and buildx refuse it too\)\n {2}fix: make docker-credential-warn print only its JSON answer on stdout, warnings on stderr/,
    ],
    [
      'a failure',
      failed(1, '', 'the keychain is locked'),
      perHost,
      /exited with code 1: the keychain is locked\n {2}fix: run `echo 127\.0\.0\.1:5000 \| docker-credential-warn get` to see why/,
    ],
  ])('%s', (_name, run, source, message) => {
    let error: unknown;
    try {
      helperCredentials(run, source, loaded, '127.0.0.1:5000');
    } catch (e) {
      error = e;
    }
    expect(isImageConfigError(error)).toBe(true);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
  });

  it('credentials and none pass through', () => {
    expect(helperCredentials(ok('{"Username":"ci","Secret":"pw"}'), perHost, loaded, 'h')).toEqual(CI);
    expect(helperCredentials(failed(1, 'credentials not found in native keychain'), store, loaded, 'h')).toBeNull();
  });
});

describe('parseDockerConfig: the config file as the docker CLI reads it, or one error with its line', () => {
  it.each([
    ['empty', '', {}],
    ['blank', ' \n', {}],
    ['an object', '{"credsStore":"pass"}', { credsStore: 'pass' }],
    ['text after the object (not read, as by docker)', '{"credsStore":"pass"}\n}\n', { credsStore: 'pass' }],
  ])('%s: read', (_name, text, config) => {
    expect(parseDockerConfig(FILE, text).config).toEqual(config);
  });

  it.each([
    [
      'not JSON at all',
      'not json {',
      `${FILE}:1: the docker config file is not JSON: expected a value but found "n" at line 1, column 1`,
    ],
    [
      'a trailing comma',
      '{\n  "auths": {\n    "ghcr.io": {},\n  }\n}\n',
      `${FILE}:4: the docker config file is not JSON: expected a "key" but found "}" at line 4, column 3`,
    ],
    [
      'cut off',
      '{\n  "credsStore": "pass"',
      `${FILE}:2: the docker config file is not JSON: expected ',' or '}' but found the end of the text at line 2, column 23`,
    ],
    ['a list', '[]', `${FILE}: the docker config file holds no JSON object`],
    [
      'credsStore a number',
      '{\n  "credsStore": 1\n}',
      `${FILE}:2: the docker config file has a credsStore that is not a helper name`,
    ],
    [
      'a credHelpers entry not text',
      '{\n  "credHelpers": {\n    "ghcr.io": true\n  }\n}',
      `${FILE}:3: the docker config file has credHelpers["ghcr.io"] that is not a helper name`,
    ],
    ['auths a list', '{"auths": []}', `${FILE}:1: the docker config file has auths that is not an object`],
  ])('%s: refused', (_name, text, message) => {
    let error: unknown;
    try {
      parseDockerConfig(FILE, text);
    } catch (e) {
      error = e;
    }
    expect(isImageConfigError(error)).toBe(true);
    expect((error as Error).message).toContain(`${message}\n  fix: correct it`);
  });

  it('unreadable: names the file and why', () => {
    expect(configUnreadable(FILE, 'EISDIR').message).toBe(
      `${FILE}: the docker config file cannot be read (it is a folder)\n` +
        '  fix: make it a file this user can read, or point DOCKER_CONFIG at a folder whose config.json is (`docker login <registry>` writes one)',
    );
  });
});
