import { ImageConfigError } from './errors';
import type { ImageSpec } from './image-spec';

/**
 * Orders the images so that every parent comes before its children, and groups them by level
 * (level 0 has no parent in the workspace). Throws, listing every member, when images form a cycle.
 */
export function levelsOf(specs: readonly ImageSpec[]): string[][] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const level = new Map<string, number>();
  const visiting: string[] = [];

  const visit = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const at = visiting.indexOf(name);
    if (at >= 0) throw cycleError([...visiting.slice(at), name], byName);
    visiting.push(name);
    const spec = byName.get(name) as ImageSpec;
    const mine = spec.parents.reduce((max, p) => Math.max(max, visit(p.image) + 1), 0);
    visiting.pop();
    level.set(name, mine);
    return mine;
  };
  [...byName.keys()].sort().forEach(visit);

  const levels: string[][] = [];
  for (const [name, l] of level) (levels[l] ??= []).push(name);
  return levels.map((names) => names.sort());
}

/** Each image's parent images, by name: what the walks below follow. */
export type ParentsOf = (image: string) => readonly string[];

export const parentsFrom = (specs: readonly ImageSpec[]): ParentsOf => {
  const byName = new Map(specs.map((s) => [s.name, s.parents.map((p) => p.image)]));
  return (image) => byName.get(image) ?? [];
};

/**
 * The image and its ancestors, root first, each once: the one ancestor walk. The plugin finds the
 * test specs an image inherits with it, image-test runs them, and the CI plan closes over it.
 */
export function lineageOf(image: string, parentsOf: ParentsOf): string[] {
  const seen: string[] = [];
  const visit = (name: string) => {
    parentsOf(name).forEach(visit);
    if (!seen.includes(name)) seen.push(name);
  };
  visit(image);
  return seen;
}

/** The images among `all` that are one of `images` or build FROM one of them, directly or not; sorted. */
export function withDescendants(images: Iterable<string>, all: readonly string[], parentsOf: ParentsOf): string[] {
  const wanted = new Set(images);
  return all.filter((name) => lineageOf(name, parentsOf).some((n) => wanted.has(n))).sort();
}

function cycleError(path: string[], byName: ReadonlyMap<string, ImageSpec>): ImageConfigError {
  const members = path.slice(0, -1);
  const where = members.map((name, i) => {
    const spec = byName.get(name) as ImageSpec;
    const edge = spec.parents.find((p) => p.image === path[i + 1]);
    return `${spec.dockerfile}:${edge?.line ?? 1} (${name} FROM ${path[i + 1]})`;
  });
  const first = byName.get(path[0]) as ImageSpec;
  return new ImageConfigError(
    `images form a cycle: ${path.join(' -> ')}; members: ${where.join(', ')}`,
    'one of these images must build FROM an external base or another image instead',
    first.dockerfile,
    first.parents.find((p) => p.image === path[1])?.line,
  );
}
