import { ImageConfigError } from '../../core/errors';

export { TEST_SPEC_FILE } from '../../core/defaults';

/** Where the generators put things, and their defaults: one owner for each. */
export const SCRIPTS_DIR = 'scripts';
/** The helpers install scripts source (`apt.sh`, `npm.sh`, `home-persist.sh`), bind-mounted next to each script. */
export const SCRIPTS_LIB_DIR = `${SCRIPTS_DIR}/lib`;
const INSTALL_SCRIPT = 'install.sh';
export const IMAGE_DOCS_DIR = 'docs/images';
/** The external base of an image without a parent in the workspace. */
export const DEFAULT_BASE = 'debian:trixie-slim';
/** The build arg that carries a child's parent reference (CI pins it to the parent's digest). */
export const PARENT_ARG = 'BASE_IMAGE';

export const scriptPath = (tool: string): string => `${SCRIPTS_DIR}/${tool}/${INSTALL_SCRIPT}`;

/**
 * The folder a new image goes to, from the plugin's `dockerfileGlob`: `images/*\/Dockerfile` -> `images/<name>`.
 * Only globs of that shape (a fixed folder, one `*`, `Dockerfile`) say where a new image belongs.
 */
export function imageFolderFor(dockerfileGlob: string, name: string): string {
  const match = /^((?:[^*?[\]{}!]+\/)*)\*\/Dockerfile$/.exec(dockerfileGlob);
  if (!match) {
    throw new ImageConfigError(
      `the plugin's dockerfileGlob "${dockerfileGlob}" does not say which folder a new image goes to`,
      'use a glob of the form <folder>/*/Dockerfile (the default is images/*/Dockerfile) ' +
        'in the image plugin options in nx.json',
      'nx.json',
    );
  }
  return `${match[1]}${name}`;
}
