import { parseArgs } from 'node:util';
import { CODER_PINS_OUT, DEFAULT_MAX_LEVELS, DEFAULT_WORKFLOW_FILE, RESULTS_DIR } from './defaults';
import { UsageError } from './errors';
import { closest } from './closest-name';
import { platformProblem } from './platforms';
import { parseReleaseRange, type ReleaseRange } from './release-diff';
import { repositoryProblem } from './repository';

/**
 * The `images` command line: which commands take which options, and one clear usage error (exit code
 * 2) for anything else: an unknown command or option, a stray argument, a missing or empty value, a
 * number that is not a number. Pure: argv in, options or an error out.
 */

export type CommandName =
  'plan' | 'release' | 'publish' | 'merge' | 'sign' | 'coder-template' | 'pin-bases' | 'rename-repository' | 'diff';

/** The options that are flags: set to true when given. */
type FlagKey =
  | 'all'
  | 'checkRegistry'
  | 'noTlog'
  | 'check'
  | 'pullRequest'
  | 'signed'
  | 'reconcile'
  | 'json'
  | 'markdown'
  | 'allowUnrelated';

/** Every option of every command, read and checked. */
export interface CliOptions {
  images?: string[];
  repository?: string;
  revision?: string;
  platforms?: string[];
  resultsDir: string;
  all: boolean;
  checkRegistry: boolean;
  /** `--runner linux/arm64=<label>`, by platform. */
  runners: Record<string, string>;
  maxLevels: number;
  workflow: string;
  tag?: string;
  /** publish: the branch whose newest complete commit is published. */
  ref?: string;
  /** sign: a cosign private key (keyless without it). */
  key?: string;
  /** sign, merge --sign: no transparency-log upload. */
  noTlog: boolean;
  /** merge: sign the index by digest before any tag names it. */
  sign: boolean;
  /** rename-repository: the old repository whose references move to nx.json's. */
  from?: string;
  /** coder-template, pin-bases, rename-repository: only compare (the image list with the graph; the pins with the registry). */
  check: boolean;
  /** pin-bases: commit the bump to the branch pin-bases and open (or update) its one pull request. */
  pullRequest: boolean;
  /** plan --check-registry: content counts only with a signature (its `sha256-<hex>.sig` tag). */
  signed: boolean;
  /** release: every release tag without a GitHub release, instead of one --tag. */
  reconcile: boolean;
  /** diff: print JSON, or markdown (else a table). */
  json: boolean;
  markdown: boolean;
  /** diff: compare images neither of which builds FROM the other. */
  allowUnrelated: boolean;
  /** diff --release v1.2.0..v1.3.0: every image of two releases. */
  release?: ReleaseRange;
  /** diff --edge <image> <ref>: the first image is that image's edge tag. */
  edge?: string;
  /** coder-template: write the pinned digests of these (pushed) image-build results. */
  pinResults?: string;
  /** coder-template: where the pinned digests go. */
  out: string;
}

export type CommandLine =
  | { kind: 'help'; command?: CommandName }
  /** `arguments`: the images named on the command line (merge takes one, sign one or more). */
  | { kind: 'run'; command: CommandName; options: CliOptions; arguments: string[] };

type ValueKind = 'text' | 'list' | 'count' | 'runner' | 'sha' | 'range';
interface OptionRule {
  kind: 'flag' | ValueKind;
  /** The key in CliOptions. */
  key: keyof CliOptions;
  value?: string;
}

const OPTIONS: Record<string, OptionRule> = {
  all: { kind: 'flag', key: 'all' },
  'check-registry': { kind: 'flag', key: 'checkRegistry' },
  platforms: { kind: 'list', key: 'platforms', value: 'linux/amd64,linux/arm64' },
  runner: { kind: 'runner', key: 'runners', value: 'linux/arm64=<label>' },
  'max-levels': { kind: 'count', key: 'maxLevels', value: '4' },
  workflow: { kind: 'text', key: 'workflow', value: '.github/workflows/images.yml' },
  tag: { kind: 'text', key: 'tag', value: 'v1.2.3' },
  repository: { kind: 'text', key: 'repository', value: 'ghcr.io/<owner>/<repo>' },
  images: { kind: 'list', key: 'images', value: 'base,node' },
  revision: { kind: 'sha', key: 'revision', value: '<commit sha>' },
  resultsDir: { kind: 'text', key: 'resultsDir', value: 'dist/images' },
  ref: { kind: 'text', key: 'ref', value: 'origin/main' },
  key: { kind: 'text', key: 'key', value: 'cosign.key' },
  'no-tlog': { kind: 'flag', key: 'noTlog' },
  sign: { kind: 'flag', key: 'sign' },
  check: { kind: 'flag', key: 'check' },
  'pull-request': { kind: 'flag', key: 'pullRequest' },
  signed: { kind: 'flag', key: 'signed' },
  reconcile: { kind: 'flag', key: 'reconcile' },
  json: { kind: 'flag', key: 'json' },
  markdown: { kind: 'flag', key: 'markdown' },
  'allow-unrelated': { kind: 'flag', key: 'allowUnrelated' },
  release: { kind: 'range', key: 'release', value: 'v1.2.0..v1.3.0' },
  edge: { kind: 'text', key: 'edge', value: '<image>' },
  from: { kind: 'text', key: 'from', value: 'ghcr.io/<old owner>/<old repo>' },
  'pin-results': { kind: 'text', key: 'pinResults', value: 'dist/images' },
  out: { kind: 'text', key: 'out', value: CODER_PINS_OUT },
};

interface CommandRule {
  options: string[];
  /** The argument the command takes, if any. */
  argument?: string;
  /** The command takes one or more of its argument (else exactly one). */
  many?: boolean;
  /** With this option given, the command may take no argument (diff --release; it checks the count itself). */
  optionalWith?: string;
  required?: string[];
  usage: string;
  /** The fix for an argument the command does not take. */
  noArgument?: (arg: string) => string;
}

const COMMANDS: Record<CommandName, CommandRule> = {
  plan: {
    options: ['all', 'check-registry', 'signed', 'platforms', 'runner', 'max-levels', 'workflow'],
    usage: `plan [--all] [--check-registry [--signed]] [--platforms a,b] [--runner linux/arm64=<label>]
         [--max-levels 4] [--workflow FILE]
    Print the CI plan (JSON): affected images (NX_BASE..NX_HEAD) by graph level, one matrix entry
    per image and platform with its runner, and the unaffected images; also to $GITHUB_OUTPUT.
    --check-registry also plans every image whose content tag is not in the registry (an external
    base moved, the platforms changed, a tag was deleted), with what builds FROM it; --signed
    also every image whose digest there has no cosign signature (so it is tested and signed again).`,
    noArgument: (arg) => `plan takes no image names (it plans what changed; --all plans every image), remove "${arg}"`,
  },
  release: {
    options: ['tag', 'repository', 'reconcile'],
    usage: `release [--tag v1.2.3] [--repository R] | release --reconcile
    Retag each image's digest at the tagged commit with the release tags (semver rules) and
    create or update the GitHub release (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL).
    --reconcile releases every v* release tag that has no GitHub release (GitHub runs no workflow
    for more than three tags pushed at once), and fails naming each one it cannot.`,
    noArgument: (arg) => `name the version with --tag: images release --tag ${arg}`,
  },
  publish: {
    options: ['images', 'repository', 'revision', 'ref'],
    usage: `publish [--images a,b] [--repository R] [--revision SHA] [--ref origin/main]
    Move each image's edge tag (<repo>:<image>-edge) to the newest commit of --ref (default HEAD),
    down to --revision (default HEAD), whose images all have their <image>-<sha> tag (all or
    nothing; never back to an older commit).`,
    noArgument: (arg) => `to publish only some images, name them with --images: images publish --images ${arg}`,
  },
  merge: {
    options: ['platforms', 'resultsDir', 'sign', 'key', 'no-tlog'],
    argument: 'image',
    required: ['platforms'],
    usage: `merge <image> --platforms linux/amd64,linux/arm64 [--resultsDir dist/images] [--sign [--key cosign.key] [--no-tlog]]
    Create the multi-platform index from per-platform (--pushByDigest) builds; fails naming
    every planned platform that is missing. Writes <resultsDir>/<image>.json. --sign pushes the
    index by digest, signs it with cosign (keyless without --key), and only then tags it.`,
  },
  sign: {
    options: ['key', 'no-tlog', 'resultsDir'],
    argument: 'image',
    many: true,
    usage: `sign <image>... [--key cosign.key] [--no-tlog] [--resultsDir dist/images]
    Sign each image's pushed digest (<resultsDir>/<image>.json) and every manifest in it with
    cosign: keyless (GitHub's OIDC token) without --key.`,
  },
  'pin-bases': {
    options: ['check', 'pull-request'],
    usage: `pin-bases [--check | --pull-request]
    Move every pin with an upstream to what it publishes now: the Dockerfiles' external bases
    (FROM <name>@sha256:..., through the engine) and Node.js and npm with their integrity hashes (newest
    of the pinned major, from NPM_REGISTRY or npm's registry); --check only lists what moved and fails
    when anything did; --pull-request commits the move to the branch pin-bases and opens or updates its
    one pull request (GITHUB_TOKEN with pull-requests: write, GITHUB_REPOSITORY).`,
  },
  diff: {
    options: ['json', 'markdown', 'allow-unrelated', 'release', 'edge'],
    argument: 'ref',
    many: true,
    optionalWith: 'release',
    usage: `diff <ref-a> <ref-b> | --edge <image> <ref> | --release v1.2.0..v1.3.0  [--json | --markdown] [--allow-unrelated]
    What changed from image A to image B (<repo>:<tag> or <repo>@sha256:...), per platform, read from
    their contents records without pulling them: Debian packages, npm globals and install scripts' tool
    versions added, removed and changed (for a child: from its parent or its own layers), the size
    change and the layers that grew most. Refuses images neither of which builds FROM the other.
    docker-daemon:<ref> reads an image of the local engine (its one platform, from its save; sizes
    counted alike on both sides). --edge <image>: A is that image's edge tag (<repo>:<image>-edge). --release: every image's
    exact release tag of one release against the other's (an image of one release listed as added
    or removed).`,
  },
  'rename-repository': {
    options: ['from', 'check'],
    usage: `rename-repository [--from ghcr.io/<old owner>/<old repo>] [--check]
    Move every reference to one of the workspace's images under another repository (ARG BASE_IMAGE=
    defaults, FROM lines) to nx.json's repository, printing each file:line; without --from, those the
    graph refuses as another repository's; --check only lists them and fails when there are any.`,
    noArgument: (arg) => `name the old repository with --from: images rename-repository --from ${arg}`,
  },
  'coder-template': {
    options: ['check', 'pin-results', 'out'],
    usage: `coder-template [--check] [--pin-results dist/images [--out ${CODER_PINS_OUT}]]
    Write templates/coder/images.json (the Coder template's images) from the graph; --check fails
    when it is out of date. --pin-results writes the template's pinned-digests.json from pushed builds.`,
  },
};

const DEFAULTS: CliOptions = {
  resultsDir: RESULTS_DIR,
  all: false,
  checkRegistry: false,
  runners: {},
  maxLevels: DEFAULT_MAX_LEVELS,
  workflow: DEFAULT_WORKFLOW_FILE,
  noTlog: false,
  sign: false,
  check: false,
  pullRequest: false,
  signed: false,
  reconcile: false,
  json: false,
  markdown: false,
  allowUnrelated: false,
  out: CODER_PINS_OUT,
};

/** The usage of one command, or of all of them. */
export function usage(command?: CommandName): string {
  const names = command ? [command] : (Object.keys(COMMANDS) as CommandName[]);
  const head = command ? 'usage: images ' : 'usage: images <command> [options]\n\ncommands:\n  ';
  return `${head}${names.map((n) => COMMANDS[n].usage).join('\n  ')}\n`;
}

/** Reads and checks `images <command> [args]`; throws UsageError. Each step below checks one thing. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return { kind: 'help' };
  const name = commandNamed(command);
  const tokens = tokensOf(rest);
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { kind: 'help', command: name };
  const { options, seen, positionals } = readTokens(name, tokens);
  checkArguments(name, positionals, seen);
  for (const required of COMMANDS[name].required ?? []) {
    if (!seen.has(required))
      throw usageFailure(name, `--${required}`, `--${required} is required`, `write ${optionExample(required)}`);
  }
  return { kind: 'run', command: name, options, arguments: positionals };
}

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];
type OptionToken = Extract<Token, { kind: 'option' }>;

/** What the command line said so far: the options read, which were given, and the arguments. */
interface ReadLine {
  options: CliOptions;
  seen: Set<string>;
  positionals: string[];
}

/** The usage error of one command, naming the argument it is about and pointing at the command's help. */
function usageFailure(name: CommandName, argument: string, problem: string, fix: string): UsageError {
  return new UsageError(problem, `${fix} (images ${name} --help)`, `images ${name}`, argument);
}

/** How an option is written with an example value, for the fixes. */
function optionExample(option: string): string {
  return `--${option} ${OPTIONS[option].value ?? ''}`.trim();
}

/** The command the first argument names, or the usage error that lists them (with the closest name). */
function commandNamed(command: string | undefined): CommandName {
  const names = Object.keys(COMMANDS);
  if (command === undefined)
    throw new UsageError('no command given', `name one of ${names.join(', ')} (images --help)`);
  if (command in COMMANDS) return command as CommandName;
  const guess = closest(command, names);
  throw new UsageError(
    `unknown command "${command}"`,
    `${guess ? `did you mean ${guess}? ` : ''}use one of ${names.join(', ')} (images --help)`,
    'images',
    command,
  );
}

/** The command's arguments as node's parseArgs tokens: every option of every command is known to it. */
function tokensOf(args: string[]): Token[] {
  const { tokens } = parseArgs({
    args,
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(
        Object.entries(OPTIONS).map(([o, r]) => [
          o,
          { type: r.kind === 'flag' ? ('boolean' as const) : ('string' as const) },
        ]),
      ),
    },
  });
  return tokens;
}

/** Reads every option and argument, in order. */
function readTokens(name: CommandName, tokens: Token[]): ReadLine {
  const line: ReadLine = { options: { ...DEFAULTS, runners: {} }, seen: new Set(), positionals: [] };
  for (const token of tokens) {
    if (token.kind === 'positional') line.positionals.push(token.value);
    else if (token.kind === 'option') readOption(name, token, line);
  }
  return line;
}

/** One option: known to the command, a flag without a value or an option with one, given once (--runner: many). */
function readOption(name: CommandName, token: OptionToken, line: ReadLine): void {
  const option = token.name;
  const rule = optionRuleOf(name, token);
  const fail = (problem: string, fix: string) => usageFailure(name, token.rawName, problem, fix);
  if (rule.kind === 'flag') {
    if (token.inlineValue)
      throw fail(`${token.rawName} takes no value`, `write ${token.rawName} alone to turn it on, or leave it out`);
    line.options[rule.key as FlagKey] = true;
    return;
  }
  const value = token.value;
  // A value that looks like an option was most likely meant as the next option, not as this value.
  if (value === undefined || (!token.inlineValue && value.startsWith('-')))
    throw fail(`--${option} needs a value`, `write ${optionExample(option)}`);
  if (line.seen.has(option) && rule.kind !== 'runner') throw fail(`--${option} is given twice`, 'give it once');
  line.seen.add(option);
  readValue(option, rule.kind, rule.key, value, line.options, fail, optionExample);
}

/** The rule of an option the command takes, or the usage error naming the options it does take. */
function optionRuleOf(name: CommandName, token: OptionToken): OptionRule {
  const taken = COMMANDS[name].options;
  const rule = OPTIONS[token.name];
  if (taken.includes(token.name) && rule) return rule;
  const guess = closest(token.name, taken);
  const known = taken.map((o) => `--${o}`).join(', ');
  throw usageFailure(
    name,
    token.rawName,
    `unknown option ${token.rawName}${rule ? ` (it belongs to another command)` : ''}`,
    guess ? `did you mean --${guess}? ${name} takes ${known}` : `${name} takes ${known}`,
  );
}

/** The arguments: the command's one (or, for `many`, one or more) argument, or none at all. */
function checkArguments(name: CommandName, positionals: string[], seen: ReadonlySet<string>): void {
  const rule = COMMANDS[name];
  if (!rule.argument) {
    if (positionals.length)
      throw usageFailure(
        name,
        positionals[0],
        `unexpected argument "${positionals[0]}"`,
        rule.noArgument?.(positionals[0]) ?? `remove "${positionals[0]}"`,
      );
    return;
  }
  if (positionals.length === 0 && !(rule.optionalWith && seen.has(rule.optionalWith)))
    throw usageFailure(
      name,
      `<${rule.argument}>`,
      `no ${rule.argument} given`,
      `write images ${name} <${rule.argument}> ${rule.required?.map(optionExample).join(' ') ?? ''}`.trim(),
    );
  if (positionals.length > 1 && !rule.many)
    throw usageFailure(
      name,
      positionals[1],
      `one ${rule.argument} at a time: "${positionals.slice(1).join(' ')}" is extra`,
      `run images ${name} once per ${rule.argument}`,
    );
}

function readValue(
  option: string,
  kind: ValueKind,
  key: keyof CliOptions,
  value: string,
  options: CliOptions,
  fail: (problem: string, fix: string) => UsageError,
  valueOf: (option: string) => string,
): void {
  const text = value.trim();
  if (text === '') throw fail(`--${option} is empty`, `give it a value: ${valueOf(option)}, or leave it out`);
  switch (kind) {
    case 'text': {
      const wrong = key === 'repository' || key === 'from' ? repositoryProblem(text) : undefined;
      if (wrong) throw fail(`--${option} ${wrong.problem}`, wrong.fix);
      (options as unknown as Record<string, string>)[key] = text;
      return;
    }
    case 'list': {
      const items = text.split(',').map((s) => s.trim());
      if (items.some((i) => i === ''))
        throw fail(
          `--${option} "${value}" has an empty entry`,
          `separate names with single commas: ${valueOf(option)}`,
        );
      const wrong = key === 'platforms' ? platformProblem(items, `--${option}`) : undefined;
      if (wrong) throw fail(`--${option} ${wrong.problem}`, wrong.fix);
      (options as unknown as Record<string, string[]>)[key] = items;
      return;
    }
    case 'count':
      if (!/^[0-9]+$/.test(text) || Number(text) < 1)
        throw fail(`--${option} "${value}" is not a whole number of 1 or more`, `write ${valueOf(option)}`);
      (options as unknown as Record<string, number>)[key] = Number(text);
      return;
    case 'sha':
      if (!/^[0-9a-f]{7,40}$/i.test(text))
        throw fail(
          `--${option} "${value}" is not a commit SHA`,
          'pass 7 to 40 hex digits, e.g. --revision $(git rev-parse HEAD)',
        );
      (options as unknown as Record<string, string>)[key] = text.toLowerCase();
      return;
    case 'range':
      options.release = parseReleaseRange(text);
      return;
    case 'runner': {
      const eq = text.indexOf('=');
      const platform = text.slice(0, eq).trim();
      const label = text.slice(eq + 1).trim();
      if (eq < 0 || !platform || !label)
        throw fail(
          `--${option} "${value}" is not <platform>=<runner label>`,
          `write ${valueOf(option)}, e.g. --runner linux/arm64=ubuntu-24.04-arm`,
        );
      options.runners[platform] = label;
      return;
    }
  }
}
