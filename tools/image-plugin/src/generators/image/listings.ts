import type { Tree } from '@nx/devkit';
import type { NewImage } from './model';

/**
 * A place besides the Dockerfile that lists the workspace's images and needs the new one (the graph,
 * the CI matrix and the targets are inferred and need nothing). The image generator calls `add` for
 * every listing whose file the workspace has.
 */
export interface ImageListing {
  /** What the listing is, for messages. */
  name: string;
  appliesTo(tree: Tree): boolean;
  add(tree: Tree, image: NewImage): void;
}

/**
 * The listings the image generator keeps up to date.
 *
 * HOOK (Coder template): once the template's per-image data file exists, add its listing here, e.g.
 * `{ name: 'Coder template images', appliesTo: (t) => t.exists(FILE), add: (t, image) => updateJson(t, FILE, ...) }`,
 * adding the image with what the template needs (its name, and whether it has an engine inside, which
 * comes from the graph: it or an ancestor mounts scripts/docker-engine). Its table test goes next to
 * generator.test.ts's listing case.
 */
export const imageListings: readonly ImageListing[] = [];
