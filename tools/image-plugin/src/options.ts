import {
  BUILD_TARGET,
  DEFAULT_DOCKERFILE_GLOB,
  DEFAULT_LAYOUT,
  FALLBACK_REPOSITORY,
  RESULTS_DIR,
} from './core/defaults';
import { checkBuildOptions } from './core/build-options';
import { ImageConfigError } from './core/errors';
import { optionProblem, type OptionsSchema } from './core/option-check';
import { normalizeRepository, repositoryProblem } from './core/repository';
import type { Layout } from './core/tags';
import { IMAGE_BUILD_SCHEMA } from './executors/image-build/options-schema';

/**
 * Options of the image plugin, set in nx.json (`plugins[].options`). Build options set here are the
 * defaults of every image's `image-build` target; a project's own target options and the command line
 * override them (see docs/configuration.md).
 */
export interface ImagePluginOptions {
  /** Which Dockerfiles are images; each folder name is the image (project) name. */
  dockerfileGlob?: string;
  /** Our repository, e.g. `ghcr.io/acme/workspace-images`. Default: GITHUB_REPOSITORY or the origin remote. */
  repository?: string;
  /** `single`: `<repository>:<image>-<sha>`; `per-image`: `<repository>/<image>:<sha>`. */
  layout?: Layout;
  buildTargetName?: string;
  /** Defaults for every image-build target (push, platforms, builder, cacheFrom, caBundle, ...). */
  build?: Record<string, unknown>;
}

export interface NormalizedPluginOptions {
  dockerfileGlob: string;
  repository: string;
  layout: Layout;
  buildTargetName: string;
  build: Record<string, unknown>;
  /** `build.resultsDir` or the default: where image-build writes results and image-test reads them. */
  resultsDir: string;
}

/** The plugin's options as nx.json may write them: the one owner of their names, types and allowed values. */
const PLUGIN_OPTIONS_SCHEMA: OptionsSchema = {
  properties: {
    dockerfileGlob: { type: 'string', default: DEFAULT_DOCKERFILE_GLOB },
    repository: { type: 'string' },
    layout: { type: 'string', enum: ['single', 'per-image'], default: DEFAULT_LAYOUT },
    buildTargetName: { type: 'string', default: BUILD_TARGET },
    build: { type: 'object' },
  },
  additionalProperties: false,
};

/** How messages about nx.json's plugin options name an option. */
const IN_NX_JSON = 'plugins[image-plugin].options';

/**
 * Refuses plugin options nx.json should not have: an unknown option (with the closest name), a wrong
 * type, a layout that is not one, a repository that is not a repository name, and in `build` what
 * the image-build executor would refuse. `lineOf` finds an option's line in nx.json, when it can.
 */
export function checkPluginOptions(
  options: Readonly<Record<string, unknown>>,
  lineOf: (keys: string[]) => number | undefined = () => undefined,
): void {
  const found = optionProblem(options, PLUGIN_OPTIONS_SCHEMA, {
    repository: (v) => (typeof v === 'string' ? repositoryProblem(v) : undefined),
    build: () => undefined,
  });
  if (found?.kind === 'unknown') {
    const list = found.known.join(', ');
    throw new ImageConfigError(
      `unknown image plugin option ${found.option}`,
      found.guess ? `did you mean ${found.guess}? The options are: ${list}` : `use one of ${list}`,
      'nx.json',
      lineOf([found.option]),
    );
  }
  if (found) {
    throw new ImageConfigError(
      `${IN_NX_JSON}.${found.option} ${found.problem}`,
      found.fix,
      'nx.json',
      lineOf([found.option]),
    );
  }
  if (options.build && typeof options.build === 'object') {
    checkBuildOptions(options.build as Record<string, unknown>, IMAGE_BUILD_SCHEMA, {
      file: 'nx.json',
      line: (option) => lineOf(['build', option]),
      name: (option) => `${IN_NX_JSON}.build.${option}`,
      unknown: (option) => `unknown image-build option ${IN_NX_JSON}.build.${option}`,
    });
  }
}

/** The image-build target's name: the option, else the default. (Also for the hooks, which need no repository.) */
export const buildTargetNameOf = (options: ImagePluginOptions | undefined): string =>
  options?.buildTargetName ?? BUILD_TARGET;

/** Where image-build writes results and image-test reads them: `build.resultsDir`, else the default. */
export const resultsDirOf = (options: ImagePluginOptions | undefined): string =>
  typeof options?.build?.resultsDir === 'string' ? options.build.resultsDir : RESULTS_DIR;

/** Options as the plugin uses them, normalized once; `repositoryFromGit` is asked only when no repository is set. */
export function normalizePluginOptions(
  options: ImagePluginOptions | undefined,
  repositoryFromGit: () => string | undefined,
  lineOf?: (keys: string[]) => number | undefined,
): NormalizedPluginOptions {
  checkPluginOptions((options ?? {}) as Record<string, unknown>, lineOf);
  const build = options?.build ?? {};
  return {
    dockerfileGlob: options?.dockerfileGlob ?? DEFAULT_DOCKERFILE_GLOB,
    repository: normalizeRepository(options?.repository ?? repositoryFromGit() ?? FALLBACK_REPOSITORY),
    layout: options?.layout ?? DEFAULT_LAYOUT,
    buildTargetName: buildTargetNameOf(options),
    build,
    resultsDir: resultsDirOf(options),
  };
}
