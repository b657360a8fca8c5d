import type { RemoteImage } from '../adapters/registry';
import { parseReference } from '../core/references';
import { overBudget, platformSizes, platformsOverBudget, type PlatformSize } from '../core/size-budget';
import type { SizeReader } from './ports';

export interface SizeCheck {
  image: string;
  dockerfile: string;
  /** Where the image was pushed, and its digest (an index, or one platform's manifest). */
  repository: string;
  digest: string;
  /** The manifest the run already holds for that digest (no second request). */
  known?: RemoteImage;
  /** The parent this image builds FROM, pinned by digest (`<repository>@sha256:...`), or null. */
  parent: { image: string; reference: string } | null;
  /** Bytes, or null for no budget. */
  budget: number | null;
  /** The tag the run puts on only when the image fits (named in the error). */
  withheldTag: string;
}

/**
 * A pushed image's compressed size per platform and above its parent, read from the registry (its
 * manifests and configs, the parent's too), and its budget checked: over it, the core's error is thrown
 * and the caller has tagged nothing yet.
 */
export async function checkImageSize(registry: SizeReader, check: SizeCheck): Promise<PlatformSize[]> {
  const parentRef = check.parent ? parseReference(check.parent.reference) : null;
  const [imageLayers, parentLayers] = await Promise.all([
    registry.platformLayers(check.repository, check.digest, check.known),
    parentRef?.digest ? registry.platformLayers(parentRef.repository, parentRef.digest) : null,
  ]);
  const over = check.budget === null ? [] : platformsOverBudget(imageLayers, check.budget);
  if (check.budget !== null && over.length) {
    // The instructions that made the largest layers, for the message: the histories of the platforms over budget.
    const withHistory = await Promise.all(
      imageLayers.map(async (p) =>
        over.includes(p.platform) && !p.history
          ? { ...p, history: await registry.historyOf(check.repository, p.config) }
          : p,
      ),
    );
    const error = overBudget({
      image: check.image,
      dockerfile: check.dockerfile,
      budget: check.budget,
      imageLayers: withHistory,
      parentLayers,
      parent: check.parent?.image ?? null,
      withheldTag: check.withheldTag,
    });
    if (error) throw error;
  }
  return platformSizes(imageLayers, parentLayers);
}
