/**
 * Tag rules. Two layouts of the published images:
 * - `single`: one repository for the family, the image in the tag: `ghcr.io/acme/images:base-1a2b3c4`;
 * - `per-image`: one repository per image: `ghcr.io/acme/images/base:1a2b3c4`.
 */
export type Layout = 'single' | 'per-image';

export interface ImageTags {
  /** Where the image lives, without tag: `ghcr.io/acme/images` or `ghcr.io/acme/images/base`. */
  repository: string;
  /** `<image>-<sha>`: this commit. Immutable. */
  sha: string;
  /** `<image>-content-<hash>`: these inputs. Immutable. */
  content: string;
  /** `<image>` (`latest` per image): the highest release, moved only by the release command (publish moves `<image>-edge`). */
  floating: string;
}

export function imageRepository(repository: string, layout: Layout, image: string): string {
  return layout === 'single' ? repository : `${repository}/${image}`;
}

/** A tag suffix for the image: `base-<suffix>` in the single layout, `<suffix>` per image. */
export function tagFor(layout: Layout, image: string, suffix: string): string {
  return layout === 'single' ? `${image}-${suffix}` : suffix;
}

export function imageTags(args: {
  repository: string;
  layout: Layout;
  image: string;
  /** The commit's short SHA, with `-dirty` when the working tree has changes. */
  revision: string;
  contentHash: string;
}): ImageTags {
  const repository = imageRepository(args.repository, args.layout, args.image);
  return {
    repository,
    sha: `${repository}:${tagFor(args.layout, args.image, args.revision)}`,
    content: `${repository}:${tagFor(args.layout, args.image, `content-${args.contentHash}`)}`,
    floating: `${repository}:${args.layout === 'single' ? args.image : 'latest'}`,
  };
}

/** `ghcr.io/acme/images:base-1a2b3c4` + digest -> `ghcr.io/acme/images@sha256:...`. */
export function pinnedReference(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}
