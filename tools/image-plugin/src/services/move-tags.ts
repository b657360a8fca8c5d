import { failedMoveError, pendingMoves, undoPlan, type PendingMove, type TagMove } from '../core/tag-moves';
import type { TagMoverPort, TagReader } from './ports';

/** Where every tag of the moves points now (null: not there), one HEAD request each. */
export async function currentDigests(
  registry: TagReader,
  moves: readonly TagMove[],
): Promise<Map<string, string | null>> {
  const tags = [...new Set(moves.map((m) => m.tag))];
  const digests = await Promise.all(tags.map((tag) => registry.digestOf(tag)));
  return new Map(tags.map((tag, i) => [tag, digests[i]] as const));
}

/**
 * Moves tags all or nothing: reads where every tag points first (a lookup failure moves nothing),
 * then moves them one by one in the order given; when one move fails, the tags already moved go
 * back to their previous digests and the error says so. Tags already in place are not touched.
 * Each lookup is one HEAD request and each move one or two requests, in process. `current`: where
 * the tags point, when the caller has read it already (currentDigests).
 */
export async function moveTagsAllOrNothing(
  registry: TagMoverPort,
  moves: readonly TagMove[],
  command: string,
  current?: ReadonlyMap<string, string | null>,
): Promise<{ moved: PendingMove[]; unchanged: number }> {
  const pending = pendingMoves(moves, current ?? (await currentDigests(registry, moves)));
  const applied: PendingMove[] = [];
  for (const move of pending) {
    try {
      await registry.tag([move.tag], move.repository, move.digest);
      applied.push(move);
    } catch (error) {
      const undone = await undoMoves(registry, applied);
      const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw failedMoveError({ failed: move, cause, ...undone, command });
    }
  }
  return { moved: applied, unchanged: moves.length - pending.length };
}

/**
 * Puts moved tags back where they were (core/tag-moves.ts undoPlan), for a move that failed or a
 * later step that did: what went back, what stays (new tags) and what could not go back.
 */
export async function undoMoves(
  registry: Pick<TagMoverPort, 'tag'>,
  applied: readonly PendingMove[],
): Promise<{ restored: TagMove[]; stayed: string[]; notRestored: TagMove[] }> {
  const { restore, stay } = undoPlan(applied);
  const restored: TagMove[] = [];
  const notRestored: TagMove[] = [];
  for (const r of restore) {
    try {
      await registry.tag([r.tag], r.repository, r.digest);
      restored.push(r);
    } catch {
      notRestored.push(r);
    }
  }
  return { restored, stayed: stay, notRestored };
}
