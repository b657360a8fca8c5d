import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_PASSWORD, TARGET_REGISTRY, TARGET_USER } from '../../test-env/env';
import { targetRepository, Witness } from './faults/nothing-written';
import { pushTinyImage } from './faults/tiny-image';
import { ScratchWorkspace } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * Broken docker credentials (issue 27): a credential helper that prints a warning before its JSON, one
 * that is not installed or fails, a config.json that is not JSON or cannot be read. Each is refused by
 * the commands a user runs (`images publish`, `nx run base:image-build --push`) against the password
 * registry, with one message naming the config file, the line of the entry (or of the JSON error) and
 * the fix: exit 1, no stack trace, nothing pushed or moved. A helper's answer is read with exactly the
 * docker CLI's tolerance (core/credentials.ts), so one docker and buildx read works here too (last row).
 * Real helper scripts on PATH, a DOCKER_CONFIG of the test's own per row.
 */

interface Outcome {
  code: number;
  output: string;
}

/** One refusal: the exit code, the place, what it says, the fix, and no stack trace (as in bad-input.test.ts). */
function expectRefusal({ code, output }: Outcome, where: string, says: string, fix: string): void {
  expect(code, output).toBe(1);
  expect(output).toContain(where);
  expect(output).toContain(says);
  expect(output).toContain(`fix: ${fix}`);
  expect(output, 'no stack trace').not.toMatch(/^\s+at .+[:(]\d+/m);
  expect(output).not.toMatch(/UnhandledPromiseRejection|SyntaxError|TypeError|ReferenceError/);
}

const NS = `creds-${randomBytes(3).toString('hex')}`;
const HOST = TARGET_REGISTRY;
const basicAuth = Buffer.from(`${TARGET_USER}:${TARGET_PASSWORD}`).toString('base64');
const ANSWER = `{"ServerURL":"${HOST}","Username":"${TARGET_USER}","Secret":"${TARGET_PASSWORD}"}`;

/** A `docker-credential-<name>` script: checks it is asked `get` for the registry, then runs `body`. */
const helperScript = (body: string) =>
  `#!/bin/sh\n[ "$1" = get ] || exit 3\nread -r host\n[ "$host" = "${HOST}" ] || exit 4\n${body}\n`;

/** config.json as written: a JSON text (pretty, so entries have lines of their own), or a folder. */
const pretty = (config: object) => `${JSON.stringify(config, null, 2)}\n`;
/** The line of `"key":` in a JSON text, counted here by hand (not by the plugin's code). */
const lineOf = (text: string, key: string) => text.split('\n').findIndex((l) => l.includes(`"${key}":`)) + 1;

interface Row {
  name: string;
  config: string | { folder: true };
  /** Helper scripts to put on PATH, by name (`warn` -> docker-credential-warn). */
  helpers?: Record<string, string>;
  /** The message's start, after `<config file>`: `:<line>: ...` or `: ...`. */
  where: (text: string) => string;
  says: string;
  fix: string;
}

const PER_HOST = `credHelpers["${HOST}"]`;
const ROWS: Row[] = [
  {
    name: 'a credential helper that prints a warning line before its JSON',
    config: pretty({ credHelpers: { [HOST]: 'warn' } }),
    helpers: {
      warn: helperScript(`echo "warning: the keychain is locked, using the cached password"\necho '${ANSWER}'`),
    },
    where: (text) => `:${lineOf(text, HOST)}: ${PER_HOST} names the credential helper docker-credential-warn; `,
    says: `asked for ${HOST}, its answer is not JSON: it starts with "warning: the keychain is locked, using the cached password" (docker and buildx refuse it too)`,
    fix: 'make docker-credential-warn print only its JSON answer on stdout, warnings on stderr',
  },
  {
    name: 'credHelpers names a helper that is not installed',
    config: pretty({ credHelpers: { [HOST]: 'nope' } }),
    where: (text) => `:${lineOf(text, HOST)}: ${PER_HOST} names the credential helper docker-credential-nope, `,
    says: 'which is not installed (no docker-credential-nope on PATH)',
    fix: `install docker-credential-nope (on PATH), or remove ${PER_HOST} from `,
  },
  {
    name: 'credsStore names a helper that is not installed',
    config: pretty({ auths: { [HOST]: { auth: basicAuth } }, credsStore: 'gone' }),
    where: (text) => `:${lineOf(text, 'credsStore')}: credsStore names the credential helper docker-credential-gone, `,
    says: 'which is not installed (no docker-credential-gone on PATH)',
    fix: 'install docker-credential-gone (on PATH), or remove credsStore from ',
  },
  {
    name: 'the credential helper fails (a locked keychain)',
    config: pretty({ credHelpers: { [HOST]: 'locked' } }),
    helpers: { locked: helperScript('echo "error: the keychain is locked" >&2\nexit 1') },
    where: (text) => `:${lineOf(text, HOST)}: ${PER_HOST} names the credential helper docker-credential-locked; `,
    says: `asked for ${HOST}, it exited with code 1: error: the keychain is locked`,
    fix: `run \`echo ${HOST} | docker-credential-locked get\` to see why`,
  },
  {
    name: 'config.json that is not JSON (a trailing comma)',
    config: `{\n  "auths": {\n    "${HOST}": { "auth": "${basicAuth}" },\n  }\n}\n`,
    where: () => ':4: the docker config file is not JSON: ',
    says: 'expected a "key" but found "}" at line 4, column 3',
    fix: 'correct it',
  },
  {
    name: 'config.json that cannot be read (a folder)',
    config: { folder: true },
    where: () => ': the docker config file cannot be read (it is a folder)',
    says: 'cannot be read',
    fix: 'make it a file this user can read, or point DOCKER_CONFIG at a folder',
  },
];

describe('broken docker credentials: exit 1, the config file and entry, the fix, nothing pushed', () => {
  let ws: ScratchWorkspace;
  let sha = '';
  const dirs: string[] = [];
  const published = targetRepository(`${NS}/images`);
  const built = targetRepository(`${NS}/built`);

  beforeAll(async () => {
    ws = new ScratchWorkspace('credentials-');
    ws.write({
      'images/base/Dockerfile': `FROM debian:trixie-slim\nRUN echo ${NS} > /credentials.txt\n`,
      '.dockerignore': '*\n!images/\n',
    });
    ws.initGit();
    sha = ws.git('rev-parse', 'HEAD').trim();
    // What a finished CI run leaves for publish: this commit's image, and the edge tag elsewhere.
    await pushTinyImage(published, `base-${tagSha(sha)}`, `base at ${sha}`);
    await pushTinyImage(published, 'base-edge', 'base before');
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    ws?.dispose();
  });

  /** A DOCKER_CONFIG folder holding `config`, and a folder of helper scripts for PATH. */
  const setUp = (row: Pick<Row, 'config' | 'helpers'>) => {
    const config = mkdtempSync(join(tmpdir(), 'credentials-config-'));
    const bin = mkdtempSync(join(tmpdir(), 'credentials-bin-'));
    dirs.push(config, bin);
    const file = join(config, 'config.json');
    if (typeof row.config === 'string') writeFileSync(file, row.config);
    else mkdirSync(file);
    for (const [name, script] of Object.entries(row.helpers ?? {})) {
      writeFileSync(join(bin, `docker-credential-${name}`), script);
      chmodSync(join(bin, `docker-credential-${name}`), 0o755);
    }
    return { file, env: { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}` } };
  };

  const run = async (command: string, args: string[], env: Record<string, string>): Promise<Outcome> => {
    const r = await execa('npx', ['--no-install', command, ...args], {
      cwd: ws.root,
      env: { ...ws.env, NX_DAEMON: 'false', ...env },
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: 600_000,
    });
    return { code: r.exitCode ?? -1, output: String(r.all) };
  };

  const ENTRY_POINTS = [
    {
      entry: '`images publish`',
      watch: published,
      run: (env: Record<string, string>) =>
        run('images', ['publish', '--images', 'base', '--revision', sha, '--repository', `${HOST}/${NS}/images`], env),
    },
    {
      entry: '`nx run base:image-build --push`',
      watch: built,
      run: (env: Record<string, string>) =>
        run('nx', ['run', 'base:image-build', '--push', '--sbom=false', `--repository=${HOST}/${NS}/built`], env),
    },
  ];

  describe.each(ENTRY_POINTS)('$entry', ({ watch, run: runEntry }) => {
    it.each(ROWS)('$name', async (row) => {
      const { file, env } = setUp(row);
      const witness = await Witness.take(join(ws.root, 'dist/images'), [watch]);
      const r = await runEntry(env);
      const text = typeof row.config === 'string' ? row.config : '';
      expectRefusal(r, `${file}${row.where(text)}`, row.says, row.fix);
      await witness.expectNothingWritten();
    });

    it('a helper docker reads (JSON in lower case after a blank line, a notice after it, a warning on stderr) works', async () => {
      const { env } = setUp({
        config: pretty({ credHelpers: { [HOST]: 'tolerated' } }),
        helpers: {
          tolerated: helperScript(
            [
              'echo "warning: the keychain is locked, using the cached password" >&2',
              'echo',
              `echo '{"serverurl":"${HOST}","username":"${TARGET_USER}","secret":"${TARGET_PASSWORD}"}'`,
              'echo "notice: cached for 5 minutes"',
            ].join('\n'),
          ),
        },
      });
      const witness = await Witness.take(join(ws.root, 'dist/images'), [watch]);
      const r = await runEntry(env);
      expect(r.code, r.output).toBe(0);
      expect(await witness.changes(), 'the run pushed or moved a tag').not.toEqual([]);
    });
  });
});
