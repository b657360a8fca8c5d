import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProjectGraphAsync } from 'nx/src/devkit-exports';
import { defaultRepository } from '../adapters/git-remote';
import type { ImageBuildOptions } from '../core/build-options';
import { levelsOf } from '../core/graph';
import { graphFailure, REFUSALS_REPORTED_ENV } from '../core/graph-refusals';
import { imageSpecOf } from '../core/image-metadata';
import type { ImageSpec } from '../core/image-spec';
import { normalizePluginOptions, type ImagePluginOptions, type NormalizedPluginOptions } from '../options';
import { isImagePluginEntry } from '../plugin-package';

export interface WorkspaceImages {
  options: NormalizedPluginOptions;
  specs: ImageSpec[];
  /** Parents first. */
  levels: string[][];
  /** Each image's image-build options as the graph holds them (plugin options, project.json). */
  buildOptions: Record<string, ImageBuildOptions>;
}

/** The image plugin's entry in nx.json. */
function pluginOptions(workspaceRoot: string): ImagePluginOptions {
  const nxJson = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as {
    plugins?: Array<string | { plugin: string; options?: ImagePluginOptions }>;
  };
  const entry = (nxJson.plugins ?? []).find(isImagePluginEntry);
  return typeof entry === 'object' ? (entry.options ?? {}) : {};
}

/** The plugin's options of nx.json, normalized; the repository defaults as the plugin's does (the git remote). */
export function workspaceOptions(workspaceRoot: string): NormalizedPluginOptions {
  return normalizePluginOptions(pluginOptions(workspaceRoot), () => defaultRepository(workspaceRoot));
}

/** Every image of the workspace, as the Nx project graph holds it (the plugin's inference). */
export async function workspaceImages(workspaceRoot: string): Promise<WorkspaceImages> {
  // Not exitOnError: Nx would print only "Failed to process project graph." and exit; the plugin's
  // refusals (file, line, fix) are in the error it throws, and this prints them (not the plugin too).
  process.env[REFUSALS_REPORTED_ENV] = '1';
  const graph = await createProjectGraphAsync({ exitOnError: false }).catch((e: unknown) => {
    throw graphFailure(e);
  });
  // After the graph: a bad option is refused by the plugin there, with its line in nx.json.
  const options = workspaceOptions(workspaceRoot);
  const specs = Object.values(graph.nodes)
    .map((node) => imageSpecOf(node.name, node.data))
    .filter((s): s is ImageSpec => s !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
  const buildOptions = Object.fromEntries(
    specs.map((s) => [
      s.name,
      (graph.nodes[s.name].data.targets?.[options.buildTargetName]?.options ?? {}) as ImageBuildOptions,
    ]),
  );
  return { options, specs, levels: levelsOf(specs), buildOptions };
}
