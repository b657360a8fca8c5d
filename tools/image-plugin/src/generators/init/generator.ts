import { join } from 'node:path';
import type { NxJsonConfiguration, PluginConfiguration, Tree } from '@nx/devkit';
import { logger, readNxJson, updateNxJson } from 'nx/src/devkit-exports';
import { gitState } from '../../adapters/git';
import { defaultRepository } from '../../adapters/git-remote';
import { ImageConfigError } from '../../core/errors';
import { IGNORED_BY_INIT, missingIgnores, withIgnores } from '../../core/gitignore';
import { normalizeRepository, repositoryProblem } from '../../core/repository';
import { writeTemplateFiles } from '../shared/template-files';
import {
  entryConflict,
  gitStateProblem,
  type GitState,
  type InitEntryOptions,
  type Refusal,
} from '../../core/workspace-init';
import { normalizePluginOptions } from '../../options';
import { isImagePluginEntry, PLUGIN_PACKAGE } from '../../plugin-package';
import { imageFolderFor, SCRIPTS_DIR } from '../shared/layout';
import type { InitGeneratorSchema } from './schema';

/** What init changes; empty lists when the workspace already has everything (running it twice changes nothing). */
export interface InitResult {
  added: string[];
  kept: string[];
}

/** What init reads outside the tree, once: the git repository's state and the repository its origin remote names. */
export interface InitFacts {
  git: GitState;
  remoteRepository?: string;
}

export function readInitFacts(root: string): InitFacts {
  return { git: gitState(root), remoteRepository: defaultRepository(root) };
}

function refuse(refusal: Refusal | undefined, where?: string): void {
  if (refusal) throw new ImageConfigError(refusal.problem, refusal.fix, where);
}

/** The options typed, checked by the rules nx.json's options are checked by; the repository in its normal form. */
function typedOptions(schema: InitGeneratorSchema): InitEntryOptions {
  const repository = schema.repository?.trim();
  const glob = schema.dockerfileGlob?.trim();
  if (repository) refuse(repositoryProblem(repository), '--repository');
  if (glob) imageFolderFor(glob, 'x'); // refuses a glob that does not say where new images go
  return {
    ...(repository ? { repository: normalizeRepository(repository) } : {}),
    ...(glob ? { dockerfileGlob: glob } : {}),
  };
}

/** The repository to write: --repository, else the git remote; refused when neither says. */
function repositoryFor(given: InitEntryOptions, facts: InitFacts): string {
  if (given.repository) return given.repository;
  if (!facts.remoteRepository) {
    throw new ImageConfigError(
      'no repository to publish images to: the origin remote is not a GitHub repository (or there is none)',
      'pass --repository ghcr.io/<owner>/<repo> (any registry works), ' +
        'or add the GitHub remote: git remote add origin https://github.com/<owner>/<repo>',
    );
  }
  refuse(repositoryProblem(facts.remoteRepository), 'the origin remote');
  return facts.remoteRepository;
}

const optionsOf = (entry: PluginConfiguration): Record<string, unknown> => {
  const options = typeof entry === 'string' ? {} : ((entry.options ?? {}) as Record<string, unknown>);
  const repository = options.repository;
  return typeof repository === 'string' ? { ...options, repository: normalizeRepository(repository) } : options;
};
const nameOf = (entry: PluginConfiguration) => (typeof entry === 'string' ? entry : entry.plugin);

function workspaceNxJson(tree: Tree): NxJsonConfiguration {
  const nxJson = tree.exists('nx.json') ? readNxJson(tree) : null;
  if (nxJson) return nxJson;
  throw new ImageConfigError(
    'this is not an Nx workspace (no nx.json)',
    'run `npx nx@latest init` first, then this again',
    'nx.json',
  );
}

/**
 * Every check first (nothing is written when one refuses), then the nx.json entry, the build
 * context's .dockerignore and the .gitignore lines, each only when missing.
 */
export function initWorkspace(tree: Tree, schema: InitGeneratorSchema, facts: InitFacts): InitResult {
  const nxJson = workspaceNxJson(tree);
  refuse(gitStateProblem(facts.git));
  const given = typedOptions(schema);
  const existing = (nxJson.plugins ?? []).find(isImagePluginEntry);
  if (existing) refuse(entryConflict(nameOf(existing), optionsOf(existing), given), 'nx.json');
  const result: InitResult = { added: [], kept: [] };
  if (existing) {
    result.kept.push(`nx.json: ${nameOf(existing)}`);
  } else {
    const options = { ...given, repository: repositoryFor(given, facts) };
    updateNxJson(tree, { ...nxJson, plugins: [...(nxJson.plugins ?? []), { plugin: PLUGIN_PACKAGE, options }] });
    result.added.push(`nx.json: ${PLUGIN_PACKAGE} (repository ${options.repository})`);
  }
  addDockerignore(tree, given.dockerfileGlob, result);
  addGitignore(tree, result);
  return result;
}

function addDockerignore(tree: Tree, glob: string | undefined, result: InitResult): void {
  if (tree.exists('.dockerignore')) {
    result.kept.push('.dockerignore');
    return;
  }
  const dockerfileGlob = glob || normalizePluginOptions({}, () => undefined).dockerfileGlob;
  const imagesDir = imageFolderFor(dockerfileGlob, 'x').split('/')[0];
  writeTemplateFiles(tree, join(__dirname, 'files'), '.', { tmpl: '', dot: '.', imagesDir, scriptsDir: SCRIPTS_DIR });
  result.added.push('.dockerignore');
}

/** The plugin's results (dist/) and Nx's state (.nx/cache, .nx/workspace-data) stay out of git. */
function addGitignore(tree: Tree, result: InitResult): void {
  const text = tree.exists('.gitignore') ? (tree.read('.gitignore', 'utf8') ?? '') : undefined;
  const missing = missingIgnores(text ?? '', IGNORED_BY_INIT);
  if (missing.length === 0) {
    result.kept.push('.gitignore');
    return;
  }
  tree.write('.gitignore', withIgnores(text, missing));
  result.added.push(`.gitignore: ${missing.join(', ')}`);
}

/** `nx g @workspace-images/image-plugin:init` (also what `nx add @workspace-images/image-plugin` runs). */
export default async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<() => void> {
  const result = initWorkspace(tree, schema, readInitFacts(tree.root));
  return () => {
    for (const a of result.added) logger.info(`Added ${a}`);
    for (const k of result.kept) logger.info(`Kept ${k} (already there)`);
    logger.info(
      `Next: nx g ${PLUGIN_PACKAGE}:image <name> (the first one FROM an external base, the next --parent <it>)`,
    );
  };
}
