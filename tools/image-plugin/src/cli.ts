import { parseArgs } from 'node:util';
import { coderTemplate, DEFAULT_PINS_OUT } from './commands/coder-template';
import { merge } from './commands/merge';
import { plan } from './commands/plan';
import { publish } from './commands/publish';
import { release } from './commands/release';
import { isImageConfigError } from './core/errors';

const USAGE = `usage: images <command> [options]

commands:
  plan [--all] [--check-registry] [--platforms a,b] [--runner linux/arm64=<label>] [--max-levels 4] [--workflow FILE]
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
  merge <image> --platforms linux/amd64,linux/arm64 [--resultsDir dist/images]
      Create the multi-platform index from per-platform (--pushByDigest) builds; fails naming
      every planned platform that is missing. Writes <resultsDir>/<image>.json.
  coder-template [--check] [--pin-results dist/images [--out dist/coder/pinned-digests.json]]
      Write templates/coder/images.json (the Coder template's images) from the graph; --check fails
      when it is out of date. --pin-results writes the template's pinned-digests.json from pushed builds.
`;

const csv = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      images: { type: 'string' },
      repository: { type: 'string' },
      revision: { type: 'string' },
      platforms: { type: 'string' },
      resultsDir: { type: 'string', default: 'dist/images' },
      all: { type: 'boolean', default: false },
      'check-registry': { type: 'boolean', default: false },
      runner: { type: 'string', multiple: true },
      'max-levels': { type: 'string', default: '4' },
      workflow: { type: 'string', default: '.github/workflows/images.yml' },
      tag: { type: 'string' },
      check: { type: 'boolean', default: false },
      'pin-results': { type: 'string' },
      out: { type: 'string', default: DEFAULT_PINS_OUT },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const log = (line: string) => console.log(line);
  const workspaceRoot = process.cwd();
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command === 'publish') {
    await publish({ workspaceRoot, images: csv(values.images), repository: values.repository, revision: values.revision, log });
    return 0;
  }
  if (command === 'plan') {
    const runners = Object.fromEntries((values.runner ?? []).map((r) => r.split('=', 2) as [string, string]));
    const result = await plan({
      workspaceRoot,
      all: values.all as boolean,
      platforms: csv(values.platforms),
      runners,
      maxLevels: Number(values['max-levels']),
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
    if (!tag) {
      console.error('release needs --tag v1.2.3 (or GITHUB_REF_NAME)');
      return 2;
    }
    await release({ workspaceRoot, tag, repository: values.repository, env: process.env, log });
    return 0;
  }
  if (command === 'merge') {
    const image = positionals[0];
    const platforms = csv(values.platforms);
    if (!image || platforms.length === 0) {
      console.error(`merge needs an image and --platforms\n\n${USAGE}`);
      return 2;
    }
    await merge({ workspaceRoot, image, platforms, resultsDir: values.resultsDir as string, runId: process.env.IMAGE_RUN_ID ?? null, log });
    return 0;
  }
  if (command === 'coder-template') {
    const pinResults = values['pin-results'];
    await coderTemplate({ workspaceRoot, check: values.check as boolean, pinResults, out: values.out as string, log });
    return 0;
  }
  console.error(`unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(isImageConfigError(e) ? e.message : `images: ${(e as Error).message}`);
    process.exit(1);
  },
);
