import type { DockerfileFacts, FromLine } from './dockerfile';
import { ImageConfigError } from './errors';
import { classifyReference, parseReference, renamedReference, type FamilyImageElsewhere } from './references';
import { normalizeRepository } from './repository';
import type { Layout } from './tags';

/**
 * `images rename-repository`: the references of the Dockerfiles that name one of our images under
 * another repository (nx.json's `repository` renamed, the Dockerfiles not), and the text that moves
 * them to nx.json's. Pure: the Dockerfiles' text and facts in, the moves and the rewritten text out.
 */
export interface DockerfileText {
  dockerfile: string;
  content: string;
  facts: DockerfileFacts;
}

export interface RenameTarget {
  /** nx.json's repository (normalized). */
  repository: string;
  layout: Layout;
  imageNames: ReadonlySet<string>;
  /** `--from`: the old repository, named; left out: every reference the graph's rule refuses. */
  from?: string;
}

export interface ReferenceMove {
  dockerfile: string;
  /** The line that holds the reference: the ARG default for `FROM ${BASE_IMAGE}`, else the instruction. */
  line: number;
  image: string;
  before: string;
  after: string;
}

/** The family references to move, in file and line order; throws when one is not written out on its line. */
export function renameMoves(files: readonly DockerfileText[], target: RenameTarget): ReferenceMove[] {
  const moves: ReferenceMove[] = [];
  for (const file of files) {
    const lines = file.content.split('\n');
    for (const ref of referencesOf(file.facts)) {
      const found = foundElsewhere(ref.ref, target);
      if (!found) continue;
      const line = lineHolding(file.dockerfile, lines, ref);
      const after = renamedReference(ref.ref, found, target.repository, target.layout);
      if (!moves.some((m) => m.dockerfile === file.dockerfile && m.line === line && m.before === ref.ref))
        moves.push({ dockerfile: file.dockerfile, line, image: found.image, before: ref.ref, after });
    }
  }
  return moves.sort((a, b) => a.dockerfile.localeCompare(b.dockerfile) || a.line - b.line);
}

/** Every image reference of a Dockerfile but its own stages: FROM lines, `COPY --from`, `RUN --mount=from`. */
function referencesOf(facts: DockerfileFacts): FromLine[] {
  const stages = new Set<string>();
  const refs: FromLine[] = [];
  for (const from of facts.froms) {
    if (!stages.has(from.ref.toLowerCase())) refs.push(from);
    if (from.stageName) stages.add(from.stageName);
  }
  return [...refs, ...facts.otherImageRefs];
}

/** With `--from`, any of our images under that repository (any registry, pinned or not); else the graph's rule. */
function foundElsewhere(ref: string, target: RenameTarget): FamilyImageElsewhere | undefined {
  if (target.from === undefined) {
    const kind = classifyReference(ref, target.repository, target.imageNames, new Set(), target.layout);
    return kind.kind === 'other-repository'
      ? { image: kind.image, repository: kind.repository, layout: kind.layout }
      : undefined;
  }
  const from = normalizeRepository(target.from);
  const { repository, tag } = parseReference(ref);
  const slash = repository.lastIndexOf('/');
  const last = repository.slice(slash + 1);
  if (target.layout === 'single' && repository === from && tag && target.imageNames.has(tag))
    return { image: tag, repository, layout: 'single' };
  if (target.layout === 'per-image' && repository.slice(0, slash) === from && target.imageNames.has(last))
    return { image: last, repository: from, layout: 'per-image' };
  return undefined;
}

/**
 * The line whose text holds the reference as written: for `FROM ${ARG}`, the last `ARG <name>=` before
 * the first FROM (the default that counts); else the instruction's own line. A reference put together
 * from variables is refused: it is rewritten by hand.
 */
function lineHolding(dockerfile: string, lines: readonly string[], ref: FromLine): number {
  const firstFrom = lines.findIndex((l) => /^\s*FROM\s/i.test(l));
  const argLine = ref.arg
    ? lines
        .slice(0, firstFrom < 0 ? lines.length : firstFrom)
        .map((text, i) => ({ text, i }))
        .filter(({ text }) => new RegExp(`^\\s*ARG\\s+(.*\\s)?${ref.arg}=`, 'i').test(text))
        .pop()?.i
    : undefined;
  const index = argLine ?? ref.line - 1;
  if (!lines[index]?.includes(ref.ref)) {
    throw new ImageConfigError(
      `\`${ref.ref}\` is not written out on line ${index + 1} (it is put together from variables or continued lines)`,
      `change it there by hand to nx.json's repository, then run npx images rename-repository --check`,
      dockerfile,
      index + 1,
    );
  }
  return index + 1;
}

/** The Dockerfile with each move applied on its line. */
export function rewriteReferences(text: string, moves: readonly ReferenceMove[]): string {
  const lines = text.split('\n');
  for (const move of moves) {
    const line = lines[move.line - 1];
    const at = line?.indexOf(move.before) ?? -1;
    if (at < 0) {
      throw new ImageConfigError(
        `line ${move.line} does not hold \`${move.before}\` any more`,
        'run npx images rename-repository again',
        move.dockerfile,
        move.line,
      );
    }
    lines[move.line - 1] = `${line.slice(0, at)}${move.after}${line.slice(at + move.before.length)}`;
  }
  return lines.join('\n');
}

/** What `images rename-repository` prints for one move. */
export const renameLine = (move: ReferenceMove) => `${move.dockerfile}:${move.line}: ${move.before} -> ${move.after}`;
