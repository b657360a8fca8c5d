import { ImageConfigError } from './errors';
import { levelsOf, lineageOf, parentsFrom } from './graph';
import type { ImageSpec } from './image-spec';
import { floatingTag, imageRepository, type Layout } from './tags';

import { CODER_CATALOG_FILE } from './defaults';

export { CODER_CATALOG_FILE, CODER_TEMPLATE_DIR } from './defaults';
/** An image whose build (or an ancestor's) bind-mounts this folder runs its own Docker engine. */
const DOCKER_ENGINE_SCRIPT = 'scripts/docker-engine';

/** How a workspace of the image gets Docker: its own engine (DinD) or the host's socket (DooD). */
export type CoderDocker = 'inside' | 'host';

export interface CoderImage {
  /** Where the image is published, without tag: the pinned reference is `<repository>@<digest>`. */
  repository: string;
  /** The floating tag the template resolves to a digest when it pins a workspace's image. */
  reference: string;
  docker: CoderDocker;
}

/** `templates/coder/images.json`: what the template offers, read by main.tf (`jsondecode(file(...))`). */
export interface CoderCatalog {
  '//': string;
  /** The parameter's default: the graph's first root image. */
  default: string;
  images: Record<string, CoderImage>;
}

const NOTE =
  'Written from the Nx graph by `npx images coder-template`; do not edit (a test fails when it is out of date).';

/** Every image of the graph, with where it is published and how its workspaces get Docker. */
export function coderCatalog(specs: readonly ImageSpec[], repository: string, layout: Layout): CoderCatalog {
  const levels = levelsOf(specs);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const parentsOf = parentsFrom(specs);
  const images: Record<string, CoderImage> = {};
  for (const name of [...byName.keys()].sort()) {
    const inside = lineageOf(name, parentsOf).some((n) => byName.get(n)?.mountedInputs.includes(DOCKER_ENGINE_SCRIPT));
    images[name] = {
      repository: imageRepository(repository, layout, name),
      reference: floatingTag(repository, layout, name),
      docker: inside ? 'inside' : 'host',
    };
  }
  return { '//': NOTE, default: levels[0]?.[0] ?? '', images };
}

/** The file's text: stable (sorted keys, two-space JSON, final newline), so a rewrite changes nothing. */
export const catalogText = (catalog: CoderCatalog): string => `${JSON.stringify(catalog, null, 2)}\n`;

/** What differs between the graph's catalog and the file's, one line each; empty when they agree. */
export function catalogDrift(expected: CoderCatalog, actual: CoderCatalog): string[] {
  const lines: string[] = [];
  const wanted = expected.images;
  const have = actual.images ?? {};
  for (const name of Object.keys(wanted)) {
    if (!(name in have)) lines.push(`the image "${name}" of the graph is not offered (no option)`);
  }
  for (const name of Object.keys(have)) {
    if (!(name in wanted)) lines.push(`the option "${name}" names no image of the graph`);
  }
  for (const [name, image] of Object.entries(wanted)) {
    const old = have[name];
    if (!old) continue;
    for (const key of ['repository', 'reference', 'docker'] as const) {
      if (old[key] !== image[key]) lines.push(`${name}: ${key} is "${old[key]}", the graph says "${image[key]}"`);
    }
  }
  if (actual.default !== expected.default)
    lines.push(`the default is "${actual.default}", the graph's first root image is "${expected.default}"`);
  return lines;
}

/** Throws one error listing every difference, naming the file and the command that rewrites it. */
export function assertCatalogCurrent(expected: CoderCatalog, actual: CoderCatalog, file = CODER_CATALOG_FILE): void {
  const drift = catalogDrift(expected, actual);
  if (drift.length) {
    throw new ImageConfigError(
      `out of date with the Nx graph: ${drift.join('; ')}`,
      'run npx images coder-template and commit the file',
      file,
    );
  }
}

/** `pinned-digests.json` next to main.tf: the template pinned to the digests a release resolved. */
export interface CoderPins {
  '//': string;
  digests: Record<string, string>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The pins for these digests (a release's, or a pushed build's), for every image the template offers.
 * Refuses what is not a registry digest, an image the template does not offer, and a missing image.
 */
export function coderPins(
  released: ReadonlyArray<{ image: string; digest: string }>,
  catalog: CoderCatalog,
  source: string,
): CoderPins {
  const digests: Record<string, string> = {};
  for (const { image, digest } of [...released].sort((a, b) => a.image.localeCompare(b.image))) {
    if (!(image in catalog.images)) {
      throw new ImageConfigError(
        `the image "${image}" is not in ${CODER_CATALOG_FILE}`,
        'run npx images coder-template first, so the template offers every image',
      );
    }
    if (!DIGEST.test(digest)) {
      throw new ImageConfigError(
        `${image}: "${digest}" is not a registry digest (sha256:<64 hex>)`,
        'pin digests of pushed images (the release, or image-build --push results)',
      );
    }
    digests[image] = digest;
  }
  const missing = Object.keys(catalog.images).filter((name) => !(name in digests));
  if (missing.length) {
    throw new ImageConfigError(
      `no digest for ${missing.join(', ')}: a pinned template pins every image it offers`,
      'pin the digests of a complete run (every image pushed at the same commit)',
    );
  }
  return { '//': `Digests of ${source}. Copy next to main.tf, then coder templates push (docs/coder.md).`, digests };
}

export const pinsText = (pins: CoderPins): string => `${JSON.stringify(pins, null, 2)}\n`;
