import { DISPLAY_SHA_LENGTH, SHA_LENGTH } from './defaults';
import { platformSlug } from './platforms';

/**
 * Tag rules. Two layouts of the published images:
 * - `single`: one repository for the family, the image in the tag: `ghcr.io/acme/images:base-1a2b3c4d5e6f`;
 * - `per-image`: one repository per image: `ghcr.io/acme/images/base:1a2b3c4d5e6f`.
 * Builds, the dry run, publish, release, plan and the build cache all name tags through these functions.
 */
export type Layout = 'single' | 'per-image';

/** Where one image lives, without tag: `ghcr.io/acme/images` or `ghcr.io/acme/images/base`. */
export function imageRepository(repository: string, layout: Layout, image: string): string {
  return layout === 'single' ? repository : `${repository}/${image}`;
}

/** A tag suffix for the image: `base-<suffix>` in the single layout, `<suffix>` per image. */
function tagFor(layout: Layout, image: string, suffix: string): string {
  return layout === 'single' ? `${image}-${suffix}` : suffix;
}

/** The full reference of an image's tag with this suffix: `<repository>:base-<suffix>`. */
export function tagRef(repository: string, layout: Layout, image: string, suffix: string): string {
  return `${imageRepository(repository, layout, image)}:${tagFor(layout, image, suffix)}`;
}

/**
 * The commit's tag suffix: the SHA's first `length` hex digits (the `shaLength` setting, SHA_LENGTH's
 * default), `-dirty` for a dirty local build. Every SHA tag is named through it.
 */
export function revisionTag(sha: string, length: number, dirty = false): string {
  return `${sha.slice(0, length)}${dirty ? '-dirty' : ''}`;
}

/** A commit as a message shows it to a person (`1a2b3c4`); never a tag's suffix (revisionTag names those). */
export const shortSha = (sha: string): string => sha.slice(0, DISPLAY_SHA_LENGTH);

/** `<image>-<sha>`: this commit. Immutable. */
export const shaTag = (repository: string, layout: Layout, image: string, revision: string) =>
  tagRef(repository, layout, image, revision);

/** `<image>-content-<hash>`: these inputs. Immutable. */
export const contentTag = (repository: string, layout: Layout, image: string, hash: string) =>
  tagRef(repository, layout, image, `content-${hash}`);

/** `<image>` (`latest` per image): the highest release, moved only by release (publish moves `<image>-edge`). */
export const floatingTag = (repository: string, layout: Layout, image: string) =>
  `${imageRepository(repository, layout, image)}:${layout === 'single' ? image : 'latest'}`;

/**
 * `<image>-edge` (`edge` per image): the newest complete build of the main branch, moved only by
 * publish. The bare `<image>` (`latest`) belongs to releases alone.
 */
export const edgeTag = (repository: string, layout: Layout, image: string) => tagRef(repository, layout, image, 'edge');

/** The registry build cache of an image (`cacheFrom: registry`): `<image>-buildcache`. */
export const cacheTag = (repository: string, layout: Layout, image: string) =>
  tagRef(repository, layout, image, 'buildcache');

/** `<repo>:base-content-<hash>` + `linux/arm64` -> `<repo>:base-content-<hash>-linux-arm64` (pushByDigest). */
export const platformTag = (tag: string, platform: string) => `${tag}-${platformSlug(platform)}`;

/** `ghcr.io/acme/images` + digest -> `ghcr.io/acme/images@sha256:...`. */
export const pinnedReference = (repository: string, digest: string) => `${repository}@${digest}`;

/**
 * Where cosign 2 keeps the signatures of `digest`: the tag `sha256-<hex>.sig` in the same repository.
 * Only a signing step writes it (core/cosign-errors.ts COSIGN_RELEASE; cosign 3's bundles are not read here).
 */
export const signatureTag = (repository: string, digest: string) => `${repository}:${digest.replace(':', '-')}.sig`;

/** The tag of a full reference: `ghcr.io/acme/images:base-1a2b3c4d5e6f` -> `base-1a2b3c4d5e6f`. */
export const tagOf = (ref: string) => ref.slice(ref.lastIndexOf(':') + 1);

/** The tags one build names. */
export interface ImageTags {
  /** Where the image lives, without tag. */
  repository: string;
  sha: string;
  content: string;
}

export function imageTags(args: {
  repository: string;
  layout: Layout;
  image: string;
  /** The commit's tag suffix (revisionTag). */
  revision: string;
  contentHash: string;
}): ImageTags {
  return {
    repository: imageRepository(args.repository, args.layout, args.image),
    sha: shaTag(args.repository, args.layout, args.image, args.revision),
    content: contentTag(args.repository, args.layout, args.image, args.contentHash),
  };
}

/** Docker's tag grammar: every tag a layout writes must match it. */
export const TAG_GRAMMAR = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * What follows `<image>-` in a tag the single layout writes, for any commit, content, platform or
 * release: a SHA (SHA_LENGTH's bounds: 7 to 40 hex digits, `-dirty`), `content-<hash>` (with pushByDigest a
 * platform too: `-linux-arm64`), `edge`, `buildcache`, or a release version (`1`, `1.2`, `1.2.3`, `1.3.0-rc.1`, `1.2.3_build.5`).
 */
const OWN_SUFFIX = new RegExp(
  `^(?:[0-9a-f]{${SHA_LENGTH.min},${SHA_LENGTH.max}}(?:-dirty)?|` +
    String.raw`content-[0-9a-f]+(?:-[a-z]+-[a-z0-9_]+(?:-[a-z0-9]+)?)?|edge|buildcache|` +
    String.raw`\d+(?:\.\d+(?:\.\d+(?:-[0-9A-Za-z.-]+)?(?:_[0-9A-Za-z.-]+)?)?)?)$`,
);

/**
 * Whether the single layout could write `tag` for `image` (`base`, `base-1a2b3c4d5e6f`, `base-content-<hash>`,
 * `base-edge`, `base-1`): the tags an image owns in the family's one repository.
 */
export function isTagOf(image: string, tag: string): boolean {
  return tag === image || (tag.startsWith(`${image}-`) && OWN_SUFFIX.test(tag.slice(image.length + 1)));
}
