/**
 * Every default of the plugin, in one place: everything else imports them from here.
 * docs/configuration.md lists them for users; the executor schemas repeat some as JSON defaults.
 */

/** Which Dockerfiles are images (plugin option `dockerfileGlob`). */
export const DEFAULT_DOCKERFILE_GLOB = 'images/*/Dockerfile';

/** The publishing repository when neither the options, GITHUB_REPOSITORY nor the origin remote name one. */
export const FALLBACK_REPOSITORY = 'ghcr.io/local/images';

/** `single`: `<repository>:<image>-<sha>`; `per-image`: `<repository>/<image>:<sha>`. */
export const DEFAULT_LAYOUT = 'single';

/**
 * How a push compresses the layers (image-build option `compression`). gzip by default: every engine and
 * registry pulls it; zstd needs Docker Engine 23+ / containerd 1.5+ to pull (docs/image-build.md).
 */
export type Compression = 'gzip' | 'zstd';
export const DEFAULT_COMPRESSION: Compression = 'gzip';

/** The inferred targets. */
export const BUILD_TARGET = 'image-build';
export const TEST_TARGET = 'image-test';

/** Each image's test spec, in its folder. */
export const TEST_SPEC_FILE = 'image-test.yaml';

/** Each image's entry of its `devcontainer.metadata` label (optional), in its folder: core/devcontainer-metadata.ts. */
export const DEVCONTAINER_METADATA_FILE = 'devcontainer-metadata.json';

/** Where image-build writes `<image>.json` and image-test and merge read it. */
export const RESULTS_DIR = 'dist/images';

/**
 * Hex digits of the commit SHA in the `<image>-<sha>` tag, and the bounds a user may choose: 12 by default
 * (as docker-stacks tags; 7, git's short form, collides in large repositories), 7 for a workspace that keeps
 * its older tags (`build.shaLength: 7` in nx.json). The executor's schema.json states the same default.
 */
export const SHA_LENGTH = { default: 12, min: 7, max: 40 } as const;

/** Hex digits of a commit SHA in a message to a person (never in a tag: SHA_LENGTH), as `git log --oneline`. */
export const DISPLAY_SHA_LENGTH = 7;

/** The platforms of a CI plan when neither --platforms nor the plugin's build options name any. */
export const DEFAULT_CI_PLATFORMS: readonly string[] = ['linux/amd64', 'linux/arm64'];

/** GitHub Actions runner labels per platform for the CI plan (override with --runner). */
export const DEFAULT_RUNNERS: Readonly<Record<string, string>> = {
  'linux/amd64': 'ubuntu-24.04',
  'linux/arm64': 'ubuntu-24.04-arm',
};

/** How many level jobs the images workflow has (images plan --max-levels). */
export const DEFAULT_MAX_LEVELS = 4;

/** The workflow that runs the CI plan (images plan --workflow). */
export const DEFAULT_WORKFLOW_FILE = '.github/workflows/images.yml';

/** How many buildx builds one run starts at once (IMAGE_BUILD_PARALLEL overrides it). */
export const DEFAULT_PARALLEL_BUILDS = 3;

/** Tries of one registry request that answered 5xx or 429 (the first one included), and the back-off step. */
export const REGISTRY_ATTEMPTS = 3;
export const REGISTRY_BACKOFF_MS = 500;

/** Seconds one registry request may take before the run gives up on the registry; IMAGE_REGISTRY_TIMEOUT overrides it. */
export const REGISTRY_TIMEOUT_S = 60;

/** The Coder template's folder and the files in it that the tooling writes (docs/coder.md). */
export const CODER_TEMPLATE_DIR = 'templates/coder';
export const CODER_CATALOG_FILE = `${CODER_TEMPLATE_DIR}/images.json`;
const CODER_PINS_FILE = 'pinned-digests.json';
/** Where `images coder-template --pin-results` and a release write the pinned digests. */
export const CODER_PINS_OUT = `dist/coder/${CODER_PINS_FILE}`;
