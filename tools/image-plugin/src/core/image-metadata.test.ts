import { describe, expect, it } from 'vitest';
import { imageMetadata, imageSpecOf } from './image-metadata';
import type { ImageSpec } from './image-spec';

const SPEC: ImageSpec = {
  name: 'node',
  root: 'images/node',
  dockerfile: 'images/node/Dockerfile',
  parents: [{ image: 'base', line: 2, arg: 'BASE_IMAGE' }],
  externalBases: [{ ref: 'debian:trixie-slim@sha256:00', line: 1 }],
  mountedInputs: ['scripts/nvm'],
};

describe('imageSpecOf: the one reader of what the plugin stored on a project', () => {
  it.each([
    { name: 'what imageMetadata stored reads back as the spec', metadata: { image: imageMetadata(SPEC) }, spec: SPEC },
    {
      name: 'lists an older build left out read as empty',
      metadata: { image: { dockerfile: 'images/node/Dockerfile' } },
      spec: { ...SPEC, parents: [], externalBases: [], mountedInputs: [] },
    },
    { name: 'a project that is no image', metadata: { other: 1 }, spec: null },
    { name: 'a project without metadata', metadata: undefined, spec: null },
    { name: 'image metadata without a Dockerfile', metadata: { image: { parents: [] } }, spec: null },
  ])('$name', ({ metadata, spec }) => {
    expect(imageSpecOf('node', { root: 'images/node', ...(metadata ? { metadata } : {}) })).toEqual(spec);
  });
});
