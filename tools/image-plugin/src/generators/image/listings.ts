import type { Tree } from '@nx/devkit';
import { catalogText, coderCatalog } from '../../core/coder-catalog';
import { CODER_CATALOG_FILE } from '../../core/defaults';
import { readImageSpecs } from '../../core/image-spec';
import { readTreeImages } from '../shared/tree-images';
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
 * The Coder template's images (`templates/coder/images.json`): written again from the workspace's
 * images, the new one included, by the same rule `npx images coder-template` uses (where each image is
 * published, and whether it or an ancestor runs its own Docker engine).
 */
const coderTemplateImages: ImageListing = {
  name: `the Coder template's images (${CODER_CATALOG_FILE})`,
  appliesTo: (tree) => tree.exists(CODER_CATALOG_FILE),
  add: (tree) => {
    // The new image's Dockerfile is in the Tree already.
    const { options, sources } = readTreeImages(tree);
    const specs = readImageSpecs(sources, {
      repository: options.repository,
      layout: options.layout,
      pathExists: (p) => tree.exists(p),
    });
    tree.write(CODER_CATALOG_FILE, catalogText(coderCatalog(specs, options.repository, options.layout)));
  },
};

/** The listings the image generator keeps up to date. */
export const imageListings: readonly ImageListing[] = [coderTemplateImages];
