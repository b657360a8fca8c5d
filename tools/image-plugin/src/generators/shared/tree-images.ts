import type { Tree } from '@nx/devkit';
import { readNxJson } from 'nx/src/devkit-exports';
import { minimatch } from 'minimatch';
import { defaultRepository } from '../../adapters/git-remote';
import { ImageConfigError } from '../../core/errors';
import { levelsOf } from '../../core/graph';
import { imageNameOf, readImageSpecs, type DockerfileSource, type ImageSpec } from '../../core/image-spec';
import { normalizePluginOptions, type ImagePluginOptions, type NormalizedPluginOptions } from '../../options';
import { isImagePluginEntry, PLUGIN_PACKAGE } from '../../plugin-package';

/** The workspace's images as the plugin reads them, from a generator's Tree (files written so far included). */
export interface TreeImages {
  options: NormalizedPluginOptions;
  /** Every Dockerfile the plugin's glob selects, with its content. */
  sources: DockerfileSource[];
  names: Set<string>;
}

/** The image plugin's options from the Tree's nx.json; refuses a workspace that does not load the plugin. */
function pluginOptionsIn(tree: Tree): NormalizedPluginOptions {
  const nxJson = tree.exists('nx.json') ? readNxJson(tree) : null;
  const entry = (nxJson?.plugins ?? []).find(isImagePluginEntry);
  if (!entry) {
    throw new ImageConfigError(
      'the image plugin is not in nx.json, so no image would be seen',
      `run \`nx g ${PLUGIN_PACKAGE}:init\` first (it adds the plugin with your repository)`,
      'nx.json',
    );
  }
  const options = typeof entry === 'string' ? undefined : (entry.options as ImagePluginOptions | undefined);
  return normalizePluginOptions(options, () => defaultRepository(tree.root));
}

const SKIPPED = new Set(['node_modules', '.git', '.nx', 'dist']);

/** Files under `dir` of the Tree that the glob selects; walks only the glob's fixed leading folders. */
function treeGlob(tree: Tree, glob: string): string[] {
  const fixed = glob.split('/').findIndex((part) => /[*?[\]{}!]/.test(part));
  const start = fixed <= 0 ? '' : glob.split('/').slice(0, fixed).join('/');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = dir ? `${dir}/${child}` : child;
      if (tree.isFile(path)) {
        if (minimatch(path, glob, { dot: false })) found.push(path);
      } else if (!SKIPPED.has(child)) {
        walk(path);
      }
    }
  };
  if (start === '' || tree.exists(start)) walk(start);
  return found.sort();
}

/** Every image of the Tree: the Dockerfiles the plugin's glob selects. */
export function readTreeImages(tree: Tree): TreeImages {
  const options = pluginOptionsIn(tree);
  const sources = treeGlob(tree, options.dockerfileGlob).map((dockerfile) => ({
    dockerfile,
    content: tree.read(dockerfile, 'utf8') ?? '',
  }));
  return { options, sources, names: new Set(sources.map((s) => imageNameOf(s.dockerfile))) };
}

/**
 * Reads the images, plus one more not written yet, with the plugin's own reader and graph: the same
 * parser, reference rules and cycle check the plugin applies, so what passes here is what Nx will see.
 */
export function specsWith(tree: Tree, images: TreeImages, extra: DockerfileSource): ImageSpec[] {
  const specs = readImageSpecs([...images.sources, extra], {
    repository: images.options.repository,
    layout: images.options.layout,
    pathExists: (path) => tree.exists(path),
  });
  levelsOf(specs); // throws, naming every member, when the new image closes a cycle
  return specs;
}
