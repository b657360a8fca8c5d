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

/** Parents first; within a level, by name. */
export function buildOrder(specs: readonly ImageSpec[]): string[] {
  return levelsOf(specs).flat();
}

/** The images that build FROM `name`, directly or not. */
export function descendantsOf(specs: readonly ImageSpec[], name: string): string[] {
  const found = new Set<string>();
  let frontier = [name];
  while (frontier.length) {
    frontier = specs.filter((s) => !found.has(s.name) && s.parents.some((p) => frontier.includes(p.image))).map((s) => s.name);
    frontier.forEach((n) => found.add(n));
  }
  return [...found].sort();
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
