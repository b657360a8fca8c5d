import {
  BUILD_TARGET,
  DEFAULT_DOCKERFILE_GLOB,
  DEFAULT_LAYOUT,
  FALLBACK_REPOSITORY,
  RESULTS_DIR,
} from './core/defaults';
import { normalizeRepository } from './core/repository';
import type { Layout } from './core/tags';

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

/** Options as the plugin uses them, normalized once; `repositoryFromGit` is asked only when no repository is set. */
export function normalizePluginOptions(
  options: ImagePluginOptions | undefined,
  repositoryFromGit: () => string | undefined,
): NormalizedPluginOptions {
  const build = options?.build ?? {};
  return {
    dockerfileGlob: options?.dockerfileGlob ?? DEFAULT_DOCKERFILE_GLOB,
    repository: normalizeRepository(options?.repository ?? repositoryFromGit() ?? FALLBACK_REPOSITORY),
    layout: options?.layout ?? DEFAULT_LAYOUT,
    buildTargetName: options?.buildTargetName ?? BUILD_TARGET,
    build,
    resultsDir: typeof build.resultsDir === 'string' ? build.resultsDir : RESULTS_DIR,
  };
}
