import { describe, expect, it } from 'vitest';
import { parseCommandLine, usage, type CliOptions } from './cli-args';
import { isUsageError } from './errors';

const DEFAULTS: CliOptions = {
  resultsDir: 'dist/images',
  all: false,
  checkRegistry: false,
  runners: {},
  maxLevels: 4,
  workflow: '.github/workflows/images.yml',
  noTlog: false,
  sign: false,
  signed: false,
  reconcile: false,
  check: false,
  pullRequest: false,
  out: 'dist/coder/pinned-digests.json',
  json: false,
  markdown: false,
  allowUnrelated: false,
};

describe('parseCommandLine: what each command accepts', () => {
  it.each<{ argv: string[]; options?: Partial<CliOptions>; images?: string[] }>([
    { argv: ['plan'] },
    {
      argv: ['plan', '--all', '--check-registry', '--max-levels', '6', '--workflow=w.yml'],
      options: { all: true, checkRegistry: true, maxLevels: 6, workflow: 'w.yml' },
    },
    { argv: ['plan', '--check-registry', '--signed'], options: { checkRegistry: true, signed: true } },
    { argv: ['release', '--reconcile'], options: { reconcile: true } },
    {
      argv: ['plan', '--platforms', 'linux/amd64, linux/arm64'],
      options: { platforms: ['linux/amd64', 'linux/arm64'] },
    },
    {
      argv: ['plan', '--runner', 'linux/arm64=arm', '--runner=linux/amd64=x86'],
      options: { runners: { 'linux/arm64': 'arm', 'linux/amd64': 'x86' } },
    },
    {
      argv: ['publish', '--images', 'base,node', '--revision', 'ABCDEF1', '--repository', 'ghcr.io/a/b'],
      options: { images: ['base', 'node'], revision: 'abcdef1', repository: 'ghcr.io/a/b' },
    },
    { argv: ['release', '--tag', 'v1.2.3'], options: { tag: 'v1.2.3' } },
    { argv: ['pin-bases', '--pull-request'], options: { pullRequest: true } },
    {
      argv: ['merge', 'base', '--platforms', 'linux/amd64,linux/arm64'],
      options: { platforms: ['linux/amd64', 'linux/arm64'] },
      images: ['base'],
    },
    {
      argv: ['merge', '--resultsDir', 'out', '--platforms=linux/amd64', '--', 'base'],
      options: { resultsDir: 'out', platforms: ['linux/amd64'] },
      images: ['base'],
    },
    {
      argv: ['merge', 'base', '--platforms=linux/amd64', '--sign', '--key', 'cosign.key', '--no-tlog'],
      options: { platforms: ['linux/amd64'], sign: true, key: 'cosign.key', noTlog: true },
      images: ['base'],
    },
    {
      argv: ['publish', '--ref', 'origin/main', '--revision', 'abcdef1'],
      options: { ref: 'origin/main', revision: 'abcdef1' },
    },
    {
      argv: ['sign', 'base', 'node', '--key', 'k.key', '--no-tlog'],
      options: { key: 'k.key', noTlog: true },
      images: ['base', 'node'],
    },
    { argv: ['coder-template', '--check'], options: { check: true } },
    { argv: ['diff', 'r:base-1', 'r:node-1'], images: ['r:base-1', 'r:node-1'] },
    {
      argv: ['diff', 'r:a', 'r:b', '--markdown', '--allow-unrelated'],
      options: { markdown: true, allowUnrelated: true },
      images: ['r:a', 'r:b'],
    },
    { argv: ['diff', 'r:a', 'r@sha256:1', '--json'], options: { json: true }, images: ['r:a', 'r@sha256:1'] },
    {
      argv: ['diff', '--release', 'v1.2.0..v1.3.0-rc.1', '--markdown'],
      options: {
        markdown: true,
        release: {
          from: { tag: 'v1.2.0', version: '1.2.0', build: [], prerelease: false, exact: '1.2.0' },
          to: { tag: 'v1.3.0-rc.1', version: '1.3.0-rc.1', build: [], prerelease: true, exact: '1.3.0-rc.1' },
        },
      },
    },
    {
      argv: ['diff', '--edge', 'node', 'docker-daemon:r:node-content-1'],
      options: { edge: 'node' },
      images: ['docker-daemon:r:node-content-1'],
    },
    { argv: ['rename-repository'] },
    {
      argv: ['rename-repository', '--from', 'ghcr.io/acme/images', '--check'],
      options: { from: 'ghcr.io/acme/images', check: true },
    },
    {
      argv: ['coder-template', '--pin-results', 'dist/images', '--out', 'p.json'],
      options: { pinResults: 'dist/images', out: 'p.json' },
    },
  ])('$argv', ({ argv, options, images }) => {
    const expected = {
      kind: 'run',
      command: argv[0],
      options: { ...DEFAULTS, ...options },
      arguments: images ?? [],
    };
    expect(parseCommandLine(argv)).toEqual(expected);
  });

  it.each([
    { argv: ['--help'], command: undefined },
    { argv: ['help'], command: undefined },
    { argv: ['publish', '--help'], command: 'publish' },
    { argv: ['merge', '-h'], command: 'merge' },
    { argv: ['plan', '--bogus', '--help'], command: 'plan' },
  ])('help: $argv', ({ argv, command }) => {
    expect(parseCommandLine(argv)).toEqual(command ? { kind: 'help', command } : { kind: 'help' });
  });

  it('each command has its own help, the top level lists all', () => {
    expect(usage('merge')).toMatch(/^usage: images merge <image> --platforms/);
    expect(usage('merge')).not.toContain('publish');
    for (const c of ['plan', 'release', 'publish', 'merge', 'sign', 'coder-template', 'rename-repository', 'diff'])
      expect(usage()).toContain(`  ${c} `);
  });
});

describe('parseCommandLine: a usage error (exit 2) naming the command, the argument and the fix', () => {
  it.each<{ argv: string[]; argument: string; says: string; fix: string }>([
    { argv: [], argument: '', says: 'images: no command given', fix: 'name one of plan, release, publish, merge' },
    { argv: ['pubish'], argument: 'pubish', says: 'unknown command "pubish"', fix: 'did you mean publish?' },
    {
      argv: ['publish', 'base'],
      argument: 'base',
      says: 'images publish: unexpected argument "base"',
      fix: 'images publish --images base',
    },
    { argv: ['plan', 'base'], argument: 'base', says: 'unexpected argument "base"', fix: '--all plans every image' },
    {
      argv: ['rename-repository', '--from', 'ghcr.io/Acme/Images'],
      argument: '--from',
      says: '--from "ghcr.io/Acme/Images" must be lower case',
      fix: 'write ghcr.io/acme/images',
    },
    {
      argv: ['rename-repository', 'ghcr.io/acme/images'],
      argument: 'ghcr.io/acme/images',
      says: 'unexpected argument "ghcr.io/acme/images"',
      fix: 'images rename-repository --from ghcr.io/acme/images',
    },
    {
      argv: ['release', 'v1.2.3'],
      argument: 'v1.2.3',
      says: 'unexpected argument "v1.2.3"',
      fix: 'images release --tag v1.2.3',
    },
    {
      argv: ['plan', '--max-levels', 'abc'],
      argument: '--max-levels',
      says: '--max-levels "abc" is not a whole number of 1 or more',
      fix: '--max-levels 4',
    },
    {
      argv: ['plan', '--max-levels=0'],
      argument: '--max-levels',
      says: 'is not a whole number',
      fix: '--max-levels 4',
    },
    {
      argv: ['plan', '--max-levels', '2.5'],
      argument: '--max-levels',
      says: 'is not a whole number',
      fix: '--max-levels 4',
    },
    {
      argv: ['plan', '--max-levels', '-1'],
      argument: '--max-levels',
      says: '--max-levels needs a value',
      fix: '--max-levels 4',
    },
    {
      argv: ['plan', '--max-levels'],
      argument: '--max-levels',
      says: '--max-levels needs a value',
      fix: '--max-levels 4',
    },
    {
      argv: ['plan', '--maxLevels', '3'],
      argument: '--maxLevels',
      says: 'unknown option --maxLevels',
      fix: 'did you mean --max-levels?',
    },
    {
      argv: ['plan', '--images', 'base'],
      argument: '--images',
      says: 'unknown option --images (it belongs to another command)',
      fix: 'plan takes --all',
    },
    { argv: ['plan', '--all=yes'], argument: '--all', says: '--all takes no value', fix: 'write --all alone' },
    {
      argv: ['plan', '--runner', 'linux/arm64'],
      argument: '--runner',
      says: 'is not <platform>=<runner label>',
      fix: 'linux/arm64=ubuntu-24.04-arm',
    },
    {
      argv: ['plan', '--runner', 'linux/arm64='],
      argument: '--runner',
      says: 'is not <platform>=<runner label>',
      fix: '--runner',
    },
    { argv: ['plan', '--platforms', ''], argument: '--platforms', says: '--platforms is empty', fix: 'leave it out' },
    {
      argv: ['plan', '--platforms', 'linux/amd64,,linux/arm64'],
      argument: '--platforms',
      says: 'has an empty entry',
      fix: 'single commas',
    },
    {
      argv: ['plan', '--workflow', '--all'],
      argument: '--workflow',
      says: '--workflow needs a value',
      fix: '--workflow .github/workflows/images.yml',
    },
    {
      argv: ['publish', '--imgs', 'base'],
      argument: '--imgs',
      says: 'unknown option --imgs',
      fix: 'did you mean --images?',
    },
    { argv: ['publish', '--images='], argument: '--images', says: '--images is empty', fix: '--images base,node' },
    {
      argv: ['publish', '--images', ' , '],
      argument: '--images',
      says: 'has an empty entry',
      fix: '--images base,node',
    },
    {
      argv: ['publish', '--revision', 'not-a-sha'],
      argument: '--revision',
      says: '--revision "not-a-sha" is not a commit SHA',
      fix: '7 to 40 hex digits',
    },
    { argv: ['publish', '--revision', 'abc'], argument: '--revision', says: 'is not a commit SHA', fix: 'hex digits' },
    {
      argv: ['publish', '--repository', ''],
      argument: '--repository',
      says: '--repository is empty',
      fix: 'ghcr.io/<owner>/<repo>',
    },
    {
      argv: ['release', '--repository', 'ghcr.io/Acme/images'],
      argument: '--repository',
      says: '--repository "ghcr.io/Acme/images" must be lower case',
      fix: 'write ghcr.io/acme/images',
    },
    {
      argv: ['publish', '--repository', 'ghcr.io'],
      argument: '--repository',
      says: '--repository "ghcr.io" names no owner',
      fix: 'ghcr.io/<owner>/<repo>',
    },
    {
      argv: ['plan', '--platforms', 'linux/amd64,bogus/arch'],
      argument: '--platforms',
      says: '--platforms "bogus/arch" is not a platform',
      fix: 'linux/amd64, linux/arm64',
    },
    {
      argv: ['publish', '--images', 'a', '--images', 'b'],
      argument: '--images',
      says: '--images is given twice',
      fix: 'give it once',
    },
    { argv: ['release', '--tag='], argument: '--tag', says: '--tag is empty', fix: '--tag v1.2.3' },
    { argv: ['release', '-x'], argument: '-x', says: 'unknown option -x', fix: 'release takes --tag, --repository' },
    {
      argv: ['merge', '--platforms', 'linux/amd64'],
      argument: '<image>',
      says: 'no image given',
      fix: 'images merge <image> --platforms',
    },
    { argv: ['sign', '--key', 'k.key'], argument: '<image>', says: 'no image given', fix: 'images sign <image>' },
    { argv: ['diff', '--json'], argument: '<ref>', says: 'no ref given', fix: 'images diff <ref>' },
    {
      argv: ['diff', 'r:a', 'r:b', '--unrelated'],
      argument: '--unrelated',
      says: 'unknown option --unrelated',
      fix: 'diff takes --json, --markdown, --allow-unrelated',
    },
    {
      argv: ['diff', '--release', 'v1.2.0'],
      argument: '--release',
      says: '--release "v1.2.0" is not two releases joined by ..',
      fix: 'write the older release first: --release v1.2.0..v1.3.0',
    },
    {
      argv: ['diff', '--release', '1.2.0..v1.3.0'],
      argument: '--release',
      says: '"1.2.0" is not a release name',
      fix: 'write v1.2.0',
    },
    { argv: ['diff', '--edge', 'node'], argument: '<ref>', says: 'no ref given', fix: 'images diff <ref>' },
    {
      argv: ['sign', 'base', '--tlog'],
      argument: '--tlog',
      says: 'unknown option --tlog',
      fix: 'sign takes --key, --no-tlog',
    },
    {
      argv: ['merge', 'base'],
      argument: '--platforms',
      says: '--platforms is required',
      fix: '--platforms linux/amd64,linux/arm64',
    },
    {
      argv: ['merge', 'base', 'node', '--platforms', 'linux/amd64'],
      argument: 'node',
      says: 'one image at a time: "node" is extra',
      fix: 'once per image',
    },
  ])('$argv', ({ argv, argument, says, fix }) => {
    let error: unknown;
    try {
      parseCommandLine(argv);
    } catch (e) {
      error = e;
    }
    expect(isUsageError(error), String(error)).toBe(true);
    const e = error as Error & { argument: string; exitCode: number };
    expect(e.exitCode).toBe(2);
    expect(e.argument).toBe(argument);
    expect(e.message).toContain(says);
    // The shape of every error: `<where>: <problem>`, then `  fix: <fix>`.
    expect(e.message).toMatch(/^images( [\w-]+)?: [^\n]+\n {2}fix: [^\n]+$/);
    expect(e.message.slice(e.message.indexOf('fix: '))).toContain(fix);
  });
});
