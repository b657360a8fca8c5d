import { describe, expect, it } from 'vitest';
import {
  assertCatalogCurrent,
  catalogDrift,
  catalogText,
  coderCatalog,
  coderPins,
  type CoderCatalog,
} from './coder-catalog';
import { isImageConfigError } from './errors';
import type { ImageSpec } from './image-spec';

const spec = (name: string, parents: string[] = [], mountedInputs: string[] = []): ImageSpec => ({
  name,
  root: `images/${name}`,
  dockerfile: `images/${name}/Dockerfile`,
  parents: parents.map((image) => ({ image, line: 1 })),
  externalBases: [],
  mountedInputs,
});

const FAMILY = [
  spec('base', [], ['scripts/docker-cli', 'scripts/lib']),
  spec('developer', ['base'], ['scripts/docker-engine', 'scripts/lib']),
  spec('node', ['base'], ['scripts/corepack']),
  spec('devnode', ['developer'], ['scripts/corepack']),
];
const REPO = 'ghcr.io/acme/workspace-images';
const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe('coderCatalog', () => {
  it('offers every image, with its repository, floating tag and how it gets Docker (the engine is inherited)', () => {
    const catalog = coderCatalog(FAMILY, REPO, 'single');
    expect(catalog.default).toBe('base');
    expect(catalog.images).toEqual({
      base: { repository: REPO, reference: `${REPO}:base`, docker: 'host' },
      developer: { repository: REPO, reference: `${REPO}:developer`, docker: 'inside' },
      devnode: { repository: REPO, reference: `${REPO}:devnode`, docker: 'inside' },
      node: { repository: REPO, reference: `${REPO}:node`, docker: 'host' },
    });
  });

  it('per-image layout: one repository per image, its latest tag', () => {
    const catalog = coderCatalog(FAMILY.slice(0, 2), REPO, 'per-image');
    expect(catalog.images.developer).toEqual({
      repository: `${REPO}/developer`,
      reference: `${REPO}/developer:latest`,
      docker: 'inside',
    });
  });

  it('mounting the whole scripts folder does not count as installing the engine', () => {
    expect(coderCatalog([spec('all', [], ['scripts'])], REPO, 'single').images.all.docker).toBe('host');
  });

  it('writes stable text: sorted images, two-space JSON, a final newline', () => {
    const text = catalogText(coderCatalog([...FAMILY].reverse(), REPO, 'single'));
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text).images)).toEqual(['base', 'developer', 'devnode', 'node']);
    expect(text).toBe(catalogText(coderCatalog(FAMILY, REPO, 'single')));
  });
});

describe('catalogDrift', () => {
  const current = coderCatalog(FAMILY, REPO, 'single');
  const without = (name: string): CoderCatalog => {
    const images = { ...current.images };
    delete images[name];
    return { ...current, images };
  };
  it.each<[string, CoderCatalog, string]>([
    [
      'an image added to the graph without an option',
      without('node'),
      'the image "node" of the graph is not offered (no option)',
    ],
    [
      'an option that names no image',
      { ...current, images: { ...current.images, ruby: current.images.node } },
      'the option "ruby" names no image of the graph',
    ],
    [
      'an image whose engine moved',
      { ...current, images: { ...current.images, node: { ...current.images.node, docker: 'inside' } } },
      'node: docker is "inside", the graph says "host"',
    ],
    [
      'another default',
      { ...current, default: 'node' },
      'the default is "node", the graph\'s first root image is "base"',
    ],
  ])('%s', (_, file, line) => {
    expect(catalogDrift(current, file)).toEqual([line]);
    let error: unknown;
    try {
      assertCatalogCurrent(current, file);
    } catch (e) {
      error = e;
    }
    expect(isImageConfigError(error)).toBe(true);
    expect((error as Error).message).toContain('templates/coder/images.json: out of date with the Nx graph');
    expect((error as Error).message).toContain(line);
    expect((error as Error).message).toContain('fix: run npx images coder-template');
  });

  it('nothing when they agree', () => {
    expect(catalogDrift(current, JSON.parse(catalogText(current)) as CoderCatalog)).toEqual([]);
  });
});

describe('coderPins', () => {
  const catalog = coderCatalog(FAMILY.slice(0, 2), REPO, 'single');
  it('pins every offered image to its digest', () => {
    const pins = coderPins(
      [
        { image: 'developer', digest: digest('b') },
        { image: 'base', digest: digest('a') },
      ],
      catalog,
      'v1.2.3',
    );
    expect(pins.digests).toEqual({ base: digest('a'), developer: digest('b') });
    expect(pins['//']).toContain('v1.2.3');
  });

  it.each([
    [
      'a local image ID is no digest',
      [
        { image: 'base', digest: 'sha256:abc' },
        { image: 'developer', digest: digest('b') },
      ],
      'is not a registry digest',
    ],
    [
      'an image the template does not offer',
      [{ image: 'ruby', digest: digest('a') }],
      'the image "ruby" is not in templates/coder/images.json',
    ],
    ['a missing image', [{ image: 'base', digest: digest('a') }], 'no digest for developer'],
  ])('refuses %s', (_, released, message) => {
    expect(() => coderPins(released, catalog, 'v1')).toThrow(message);
  });
});
