import type { ImageSpec } from './image-spec';

/** What the plugin stores on each image project (`metadata.image`), for every later reader. */
export type ImageMetadata = Omit<ImageSpec, 'name' | 'root'>;

/**
 * The image spec of an Nx project, from the metadata the plugin stored when it read the Dockerfile;
 * null for a project that is not an image. Every reader of project metadata goes through it.
 */
export function imageSpecOf(
  name: string,
  project: { root: string; metadata?: Record<string, unknown> },
): ImageSpec | null {
  const image = project.metadata?.image as ImageMetadata | undefined;
  if (!image || typeof image.dockerfile !== 'string') return null;
  return {
    name,
    root: project.root,
    dockerfile: image.dockerfile,
    parents: image.parents ?? [],
    externalBases: image.externalBases ?? [],
    mountedInputs: image.mountedInputs ?? [],
    ...(typeof image.devcontainerLabel === 'string' ? { devcontainerLabel: image.devcontainerLabel } : {}),
  };
}

/** The metadata stored for a spec (imageSpecOf reads it back). */
export const imageMetadata = (spec: ImageSpec): ImageMetadata => ({
  dockerfile: spec.dockerfile,
  parents: spec.parents,
  externalBases: spec.externalBases,
  mountedInputs: spec.mountedInputs,
  ...(spec.devcontainerLabel ? { devcontainerLabel: spec.devcontainerLabel } : {}),
});
