import { RegistryClient } from '../adapters/registry';
import { contentsDiff, checkRelated } from '../core/contents-diff';
import { diffMarkdown } from '../core/contents-report';
import { isImageError } from '../core/errors';
import { previousRelease, releaseChangesSection, type ImageChanges } from '../core/release-changes';
import { imageRepository, tagRef, type Layout } from '../core/tags';
import { allInOrder, readImageContents } from '../adapters/contents-reader';

export interface ReleaseChangesRequest {
  version: string;
  released: readonly string[];
  repository: string;
  layout: Layout;
  images: ReadonlyArray<{ image: string; digest: string }>;
}

/**
 * What changed in each image since the previous release, for the release body: each image's previous exact
 * version tag against its new digest, all at once. Never fails the release: an image the previous release
 * lacks, or one without a contents record, gets its reason instead of a diff.
 */
export async function releaseChanges(registry: RegistryClient, req: ReleaseChangesRequest): Promise<string> {
  const previous = previousRelease(req.version, req.released);
  if (!previous) return releaseChangesSection(null, []);
  const changes = await Promise.all(
    req.images.map(({ image, digest }) =>
      compareImage(
        registry,
        image,
        tagRef(req.repository, req.layout, image, previous),
        `${imageRepository(req.repository, req.layout, image)}@${digest}`,
      ),
    ),
  );
  return releaseChangesSection(previous, changes);
}

/** One image's diff in markdown, or, when it cannot be made (no record, no such tag), why not. */
async function compareImage(registry: RegistryClient, image: string, from: string, to: string): Promise<ImageChanges> {
  try {
    const [a, b] = await allInOrder([readImageContents(registry, from), readImageContents(registry, to)]);
    return { image, markdown: diffMarkdown(contentsDiff(a, b, checkRelated(a, b, false))) };
  } catch (e) {
    if (!isImageError(e)) throw e;
    return { image, missing: e.problem };
  }
}

/**
 * What changed in each image whose edge tag publish moved, against the digest the tag named before
 * (markdown for the job summary); null when no tag moved from an earlier digest.
 */
export async function edgeChanges(
  moved: ReadonlyArray<{ image: string; repository: string; digest: string; previous?: string | null }>,
  registry = new RegistryClient(),
): Promise<string | null> {
  const compared = moved.filter((m) => m.previous);
  if (!compared.length) return null;
  const changes = await Promise.all(
    compared.map((m) =>
      compareImage(registry, m.image, `${m.repository}@${m.previous}`, `${m.repository}@${m.digest}`),
    ),
  );
  return releaseChangesSection('the previous edge', changes);
}
