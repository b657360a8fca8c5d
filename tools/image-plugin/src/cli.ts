import { parseArgs } from 'node:util';
import { merge } from './commands/merge';
import { plan } from './commands/plan';
import { publish } from './commands/publish';
import { release } from './commands/release';
import { assertFreshBuild } from './build-check';
import { DEFAULT_MAX_LEVELS, DEFAULT_WORKFLOW_FILE, RESULTS_DIR } from './core/defaults';
import { describeError, isImageError, UsageError } from './core/errors';
import { platformList } from './core/platforms';

const USAGE = `usage: images <command> [options]

commands:
  plan [--all] [--check-registry] [--platforms a,b] [--runner linux/arm64=<label>] [--max-levels ${DEFAULT_MAX_LEVELS}] [--workflow FILE]
      Print the CI plan (JSON): affected images (NX_BASE..NX_HEAD) by graph level, one matrix entry
      per image and platform with its runner, and the unaffected images; also to $GITHUB_OUTPUT.
      --check-registry also plans every image whose content tag is not in the registry (an external
      base moved, the platforms changed, a tag was deleted), with what builds FROM it.
  release [--tag v1.2.3] [--repository R]
      Retag each image's digest at the tagged commit with the release tags (semver rules) and
      create or update the GitHub release (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL).
  publish [--images a,b] [--repository R] [--revision SHA]
      Move each image's floating tag (<repo>:<image>) to the digest of its <image>-<sha> tag,
      only when every image has one (all or nothing).
  merge <image> --platforms linux/amd64,linux/arm64 [--resultsDir ${RESULTS_DIR}]
      Create the multi-platform index from per-platform (--pushByDigest) builds; fails naming
      every planned platform that is missing. Writes <resultsDir>/<image>.json.
`;

/** A list flag: `--images a,b` (the same reading as every other list of the plugin). */
const list = (v: string | undefined) => platformList(v);

const usageError = (problem: string) => new UsageError(problem, `see \`images --help\`:\n\n${USAGE}`, 'images');

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        images: { type: 'string' },
        repository: { type: 'string' },
        revision: { type: 'string' },
        platforms: { type: 'string' },
        resultsDir: { type: 'string', default: RESULTS_DIR },
        all: { type: 'boolean', default: false },
        'check-registry': { type: 'boolean', default: false },
        runner: { type: 'string', multiple: true },
        'max-levels': { type: 'string', default: String(DEFAULT_MAX_LEVELS) },
        workflow: { type: 'string', default: DEFAULT_WORKFLOW_FILE },
        tag: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const log = (line: string) => console.log(line);
  const workspaceRoot = process.cwd();
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command === 'publish') {
    await publish({
      workspaceRoot,
      images: list(values.images),
      repository: values.repository,
      revision: values.revision,
      log,
    });
    return 0;
  }
  if (command === 'plan') {
    const runners = Object.fromEntries((values.runner ?? []).map((r) => r.split('=', 2) as [string, string]));
    const maxLevels = Number(values['max-levels']);
    if (!Number.isInteger(maxLevels) || maxLevels < 1)
      throw usageError(`--max-levels ${values['max-levels']} is not a whole number of level jobs`);
    const result = await plan({
      workspaceRoot,
      all: values.all as boolean,
      platforms: list(values.platforms),
      runners,
      maxLevels,
      workflowFile: values.workflow as string,
      checkRegistry: values['check-registry'] as boolean,
      env: process.env,
      log: (line) => console.error(line),
    });
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  if (command === 'release') {
    const tag = values.tag ?? process.env.GITHUB_REF_NAME;
    if (!tag) throw usageError('release needs --tag v1.2.3 (or GITHUB_REF_NAME)');
    await release({ workspaceRoot, tag, repository: values.repository, env: process.env, log });
    return 0;
  }
  if (command === 'merge') {
    const image = positionals[0];
    const platforms = list(values.platforms);
    if (!image || platforms.length === 0) throw usageError('merge needs an image and --platforms');
    await merge({
      workspaceRoot,
      image,
      platforms,
      resultsDir: values.resultsDir as string,
      runId: process.env.IMAGE_RUN_ID ?? null,
      log,
    });
    return 0;
  }
  throw usageError(`unknown command "${command}"`);
}

Promise.resolve()
  .then(() => {
    assertFreshBuild();
    return main(process.argv.slice(2));
  })
  .then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(describeError(e, 'images'));
      process.exit(isImageError(e) && e.kind === 'usage' ? 2 : 1);
    },
  );
