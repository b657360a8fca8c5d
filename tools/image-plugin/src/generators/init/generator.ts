import { join } from 'node:path';
import { generateFiles, logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { defaultRepository } from '../../adapters/git-remote';
import { ImageConfigError } from '../../core/errors';
import { normalizeRepository } from '../../core/repository';
import { normalizePluginOptions } from '../../options';
import { isImagePluginEntry, PLUGIN_PACKAGE } from '../../plugin-package';
import { imageFolderFor, SCRIPTS_DIR } from '../shared/layout';
import { checkRepository } from '../shared/names';
import type { InitGeneratorSchema } from './schema';

/** What init changes; empty lists when the workspace already has everything (running it twice changes nothing). */
export interface InitResult {
  added: string[];
  kept: string[];
}

/** The repository to write: --repository, else the git remote; refused when neither says. */
function repositoryFor(tree: Tree, schema: InitGeneratorSchema): string {
  const given = schema.repository?.trim();
  const found = given || defaultRepository(tree.root);
  if (!found) {
    throw new ImageConfigError(
      'no repository to publish images to: the origin remote is not a GitHub repository (or there is none)',
      'pass --repository ghcr.io/<owner>/<repo> (any registry works), ' +
        'or add the GitHub remote: git remote add origin https://github.com/<owner>/<repo>',
    );
  }
  // The plugin's own normalization (lowercase, no trailing slash), then the shape check: what the
  // user typed is normalized here; what nx.json holds is checked as written (options.ts).
  return checkRepository(normalizeRepository(found));
}

export function initWorkspace(tree: Tree, schema: InitGeneratorSchema): InitResult {
  const nxJson = tree.exists('nx.json') ? readNxJson(tree) : null;
  if (!nxJson) {
    throw new ImageConfigError(
      'this is not an Nx workspace (no nx.json)',
      'run `npx nx@latest init` first, then this again',
      'nx.json',
    );
  }
  const result: InitResult = { added: [], kept: [] };
  const existing = (nxJson.plugins ?? []).find(isImagePluginEntry);
  const glob = schema.dockerfileGlob?.trim();
  if (existing) {
    result.kept.push(`nx.json: ${typeof existing === 'string' ? existing : existing.plugin}`);
  } else {
    const repository = repositoryFor(tree, schema);
    if (glob) imageFolderFor(glob, 'x'); // refuses a glob that does not say where new images go
    const options = { ...(glob ? { dockerfileGlob: glob } : {}), repository };
    updateNxJson(tree, { ...nxJson, plugins: [...(nxJson.plugins ?? []), { plugin: PLUGIN_PACKAGE, options }] });
    result.added.push(`nx.json: ${PLUGIN_PACKAGE} (repository ${repository})`);
  }
  if (tree.exists('.dockerignore')) {
    result.kept.push('.dockerignore');
  } else {
    const imagesDir = imageFolderFor(glob || normalizePluginOptions({}, () => undefined).dockerfileGlob, 'x').split(
      '/',
    )[0];
    generateFiles(tree, join(__dirname, 'files'), '.', { tmpl: '', dot: '.', imagesDir, scriptsDir: SCRIPTS_DIR });
    result.added.push('.dockerignore');
  }
  return result;
}

/** `nx g @workspace-images/image-plugin:init` (also what `nx add @workspace-images/image-plugin` runs). */
export default async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<() => void> {
  const result = initWorkspace(tree, schema);
  return () => {
    for (const a of result.added) logger.info(`Added ${a}`);
    for (const k of result.kept) logger.info(`Kept ${k} (already there)`);
    logger.info(
      `Next: nx g ${PLUGIN_PACKAGE}:image <name> (the first one FROM an external base, the next --parent <it>)`,
    );
  };
}
