import { coderTemplate } from './commands/coder-template';
import { diffCommand } from './commands/diff';
import { merge } from './commands/merge';
import { pinBasesCommand } from './commands/pin-bases';
import { plan } from './commands/plan';
import { publish } from './commands/publish';
import { reconcile, release } from './commands/release';
import { renameRepositoryCommand } from './commands/rename-repository';
import { sign } from './commands/sign';
import { assertFreshBuild } from './build-check';
import { parseCommandLine, usage, type CliOptions, type CommandLine } from './core/cli-args';
import { describeError, isImageError, isUsageError, UsageError } from './core/errors';

export async function main(argv: string[]): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(argv);
  } catch (e) {
    if (!isUsageError(e)) throw e;
    console.error(e.message);
    return e.exitCode;
  }
  if (commandLine.kind === 'help') {
    console.log(usage(commandLine.command));
    return 0;
  }
  const { command, options: values, arguments: images } = commandLine;
  const log = (line: string) => console.log(line);
  const workspaceRoot = process.cwd();
  if (command === 'publish') {
    const { repository, revision, ref } = values;
    await publish({ workspaceRoot, images: values.images, repository, revision, ref, log });
    return 0;
  }
  if (command === 'plan') {
    const result = await plan({
      workspaceRoot,
      all: values.all,
      platforms: values.platforms,
      runners: values.runners,
      maxLevels: values.maxLevels,
      workflowFile: values.workflow,
      checkRegistry: values.checkRegistry,
      requireSignature: values.signed,
      env: process.env,
      log: (line) => console.error(line),
    });
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  if (command === 'release') {
    await releaseCommand(values, workspaceRoot, log);
    return 0;
  }
  if (command === 'sign') {
    const { resultsDir, key, noTlog } = values;
    await sign({ workspaceRoot, images, resultsDir, key, tlog: !noTlog, log });
    return 0;
  }
  if (command === 'diff') {
    process.stdout.write(await printedDiff(images, values));
    return 0;
  }
  if (command === 'pin-bases' || command === 'rename-repository' || command === 'coder-template') {
    await rewriteFiles(command, values, workspaceRoot, log);
    return 0;
  }
  await mergeCommand(images[0], values, workspaceRoot, log);
  return 0;
}

/** `images release`: the tag's release (--tag, else GITHUB_REF_NAME), or --reconcile: every tag without one. */
async function releaseCommand(values: CliOptions, workspaceRoot: string, log: (line: string) => void): Promise<void> {
  if (values.reconcile) {
    await reconcile({ workspaceRoot, repository: values.repository, env: process.env, log });
    return;
  }
  const tag = values.tag ?? process.env.GITHUB_REF_NAME;
  if (!tag)
    throw new UsageError('no version given', 'pass --tag v1.2.3 or set GITHUB_REF_NAME', 'images release', '--tag');
  await release({ workspaceRoot, tag, repository: values.repository, env: process.env, log });
}

/** `images diff <ref-a> <ref-b>` in the format the flags ask for. */
function printedDiff(refs: string[], values: CliOptions): Promise<string> {
  const format = values.json ? 'json' : values.markdown ? 'markdown' : 'text';
  const { allowUnrelated, release, edge } = values;
  const workspaceRoot = process.cwd();
  return diffCommand({ refs, format, allowUnrelated, release, edge, workspaceRoot, env: process.env });
}

/** `images merge <image>`: with --sign, the index is signed by digest before any tag names it. */
async function mergeCommand(image: string, values: CliOptions, workspaceRoot: string, log: (line: string) => void) {
  const { platforms = [], resultsDir, sign: signing, key, noTlog } = values;
  const signWith = signing ? { ...(key ? { key } : {}), tlog: !noTlog } : undefined;
  const runId = process.env.IMAGE_RUN_ID ?? null;
  await merge({ workspaceRoot, image, platforms, resultsDir, runId, log, ...(signWith ? { signWith } : {}) });
}

/** The commands that bring tracked files in line with the workspace (`--check`: only compare, and fail). */
async function rewriteFiles(
  command: 'pin-bases' | 'rename-repository' | 'coder-template',
  values: CliOptions,
  workspaceRoot: string,
  log: (line: string) => void,
): Promise<void> {
  const { check, from, pinResults, out, pullRequest } = values;
  if (command === 'pin-bases') return pinBasesCommand({ workspaceRoot, check, pullRequest, log });
  if (command === 'rename-repository') return renameRepositoryCommand({ workspaceRoot, from, check, log });
  return coderTemplate({ workspaceRoot, check, pinResults, out, log });
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
