import { ImageConfigError } from './errors';
import { formatSize, SIZE_BUDGET_OPTION } from './sizes';

/**
 * An image's compressed size: the sum of the compressed layer sizes of its manifest, per platform (what
 * a pull downloads when it has nothing yet); above its parent: the layers the parent's manifest of the
 * same platform does not have. Pure functions over what the registry holds (adapters/registry.ts
 * `platformLayers` reads it); services/build-image.ts checks the budget before the SHA tag is put on.
 */

/** One layer of a manifest: its blob digest and compressed size. */
export interface LayerBlob {
  digest: string;
  size: number;
  /** The manifest's media type of the blob (gzip, zstd or plain tar), when it names one. */
  mediaType?: string;
}

/** One entry of the image config's history (`created_by` is the Dockerfile instruction; `empty_layer`: none made). */
export interface HistoryEntry {
  created_by?: string;
  empty_layer?: boolean;
}

/** One platform of a pushed image: its layers, its config's digest and (when read) its history. */
export interface PlatformLayers {
  platform: string;
  layers: LayerBlob[];
  config: string;
  /** Read only when it is needed (the message of an image over its budget). */
  history?: HistoryEntry[];
}

/** What the summary and the result file say of one platform. */
export interface PlatformSize {
  platform: string;
  /** Compressed bytes, every layer included. */
  bytes: number;
  /** Compressed bytes of the layers the parent does not have; null when the image has no parent. */
  aboveParent: number | null;
}

/** A layer with the instruction that made it, when the image's history says. */
export interface SizedLayer extends LayerBlob {
  instruction: string | null;
  /** The layer is the parent's (or a layer the parent also has). */
  inherited: boolean;
}

const total = (layers: readonly LayerBlob[]) => layers.reduce((sum, l) => sum + l.size, 0);

/** The layers of `image` that `parent` does not have (by digest). */
export function layersAbove(image: readonly LayerBlob[], parent: readonly LayerBlob[]): LayerBlob[] {
  const theirs = new Set(parent.map((l) => l.digest));
  return image.filter((l) => !theirs.has(l.digest));
}

/** Each platform's compressed size and what it adds to the parent's image of the same platform. */
export function platformSizes(
  image: readonly PlatformLayers[],
  parent: readonly PlatformLayers[] | null,
): PlatformSize[] {
  return image.map((p) => {
    const parentLayers = parent?.find((q) => q.platform === p.platform)?.layers;
    return {
      platform: p.platform,
      bytes: total(p.layers),
      aboveParent: parent ? total(parentLayers ? layersAbove(p.layers, parentLayers) : p.layers) : null,
    };
  });
}

/**
 * `RUN bash /scripts/nodejs/install.sh` from BuildKit's `RUN |2 A=1 B=2 /bin/sh -c bash ... # buildkit`:
 * the instruction as the Dockerfile has it, without the build args BuildKit records and its marker.
 */
export function shortInstruction(createdBy: string, max = 100): string {
  const text = createdBy
    .replace(/\s*#\s*buildkit\s*$/, '')
    .replace(/^RUN \|\d+ (?:\S+=\S* )*/, 'RUN ')
    .replace(/^RUN \/bin\/(?:ba)?sh -c /, 'RUN ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * The layers with the instruction that made each: the history's entries that made a layer, in order,
 * are the manifest's layers. When their counts differ (a history that was squashed or rewritten), no
 * instruction is named rather than a wrong one.
 */
export function layerInstructions(p: PlatformLayers, parent: readonly PlatformLayers[] | null): SizedLayer[] {
  const made = (p.history ?? []).filter((h) => !h.empty_layer);
  const matched = made.length === p.layers.length;
  const theirs = new Set(parent?.find((q) => q.platform === p.platform)?.layers.map((l) => l.digest) ?? []);
  return p.layers.map((l, i) => ({
    ...l,
    instruction: matched && made[i].created_by ? shortInstruction(made[i].created_by) : null,
    inherited: theirs.has(l.digest),
  }));
}

/** The `count` largest layers, largest first. */
export function largestLayers(layers: readonly SizedLayer[], count = 5): SizedLayer[] {
  return [...layers].sort((a, b) => b.size - a.size).slice(0, count);
}

export interface BudgetCheck {
  image: string;
  /** The image's Dockerfile: where its layers come from. */
  dockerfile: string;
  /** The largest compressed size allowed, in bytes. */
  budget: number;
  imageLayers: readonly PlatformLayers[];
  parentLayers: readonly PlatformLayers[] | null;
  parent: string | null;
  /** The tag that was not put on because of it (`<image>-<sha>`). */
  withheldTag: string;
}

/** The platforms whose compressed size is over the budget. */
export function platformsOverBudget(image: readonly PlatformLayers[], budget: number): string[] {
  return image.filter((p) => total(p.layers) > budget).map((p) => p.platform);
}

/**
 * Null when every platform fits the budget; otherwise one error naming the image, each platform over
 * budget with its size, the budget and its largest layers (size and instruction), and the fix.
 */
export function overBudget(check: BudgetCheck): ImageConfigError | null {
  const sizes = platformSizes(check.imageLayers, check.parentLayers);
  const over = sizes.filter((s) => s.bytes > check.budget);
  if (over.length === 0) return null;
  const parts = over.map((s) => {
    const p = check.imageLayers.find((q) => q.platform === s.platform) as PlatformLayers;
    const layers = largestLayers(layerInstructions(p, check.parentLayers)).map((l) => {
      const from = l.inherited ? ` (from ${check.parent})` : '';
      const what = l.instruction ?? `${l.digest.slice(0, 19)} (no instruction in its history)`;
      return `    ${formatSize(l.size).padStart(10)}  ${what}${from}`;
    });
    const above = s.aboveParent === null ? '' : `, ${formatSize(s.aboveParent)} above ${check.parent}`;
    return [
      `${check.image} (${s.platform}) is ${formatSize(s.bytes)} compressed${above}: ${formatSize(s.bytes - check.budget)} over its ${SIZE_BUDGET_OPTION} of ${formatSize(check.budget)}; its largest layers:`,
      ...layers,
    ].join('\n');
  });
  return new ImageConfigError(
    `${parts.join('\n')}\n  ${check.withheldTag} was not tagged: no moving tag changes and no child of it is tagged`,
    `make the image smaller (the largest layers above are where its bytes are), or raise ${SIZE_BUDGET_OPTION} for ${check.image} (targets.image-build.options in its project.json, or build.${SIZE_BUDGET_OPTION} in nx.json for every image)`,
    check.dockerfile,
  );
}
