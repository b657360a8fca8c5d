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
  layout?: 'single' | 'per-image';
  buildTargetName?: string;
  /** Defaults for every image-build target (push, platforms, builder, cacheFrom, caBundle, ...). */
  build?: Record<string, unknown>;
}

export interface NormalizedPluginOptions {
  dockerfileGlob: string;
  repository: string;
  layout: 'single' | 'per-image';
  buildTargetName: string;
  build: Record<string, unknown>;
}

export const FALLBACK_REPOSITORY = 'ghcr.io/local/images';

export function normalizePluginOptions(
  options: ImagePluginOptions | undefined,
  repositoryFromGit: () => string | undefined,
): NormalizedPluginOptions {
  return {
    dockerfileGlob: options?.dockerfileGlob ?? 'images/*/Dockerfile',
    repository: (options?.repository ?? repositoryFromGit() ?? FALLBACK_REPOSITORY).toLowerCase().replace(/\/+$/, ''),
    layout: options?.layout ?? 'single',
    buildTargetName: options?.buildTargetName ?? 'image-build',
    build: options?.build ?? {},
  };
}
