import { createIndex, inspectRemote } from '../adapters/buildx';
import { failedMoveError, pendingMoves, undoPlan, type PendingMove, type TagMove } from '../core/tag-moves';
import { pinnedReference } from '../core/tags';

/**
 * Moves tags all or nothing: reads where every tag points first (a lookup failure moves nothing),
 * then moves them one by one in the order given; when one move fails, the tags already moved go
 * back to their previous digests and the error says so. Tags already in place are not touched.
 */
export async function moveTagsAllOrNothing(moves: readonly TagMove[], command: string): Promise<{ moved: PendingMove[]; unchanged: number }> {
  const tags = [...new Set(moves.map((m) => m.tag))];
  const digests = await Promise.all(tags.map(async (tag) => (await inspectRemote(tag))?.digest ?? null));
  const current = new Map(tags.map((tag, i) => [tag, digests[i]] as const));
  const pending = pendingMoves(moves, current);
  const applied: PendingMove[] = [];
  for (const move of pending) {
    try {
      await createIndex([move.tag], [pinnedReference(move.repository, move.digest)]);
      applied.push(move);
    } catch (error) {
      const { restore, stay } = undoPlan(applied);
      const restored: TagMove[] = [];
      const notRestored: TagMove[] = [];
      for (const r of restore) {
        try {
          await createIndex([r.tag], [pinnedReference(r.repository, r.digest)]);
          restored.push(r);
        } catch {
          notRestored.push(r);
        }
      }
      const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw failedMoveError({ failed: move, cause, restored, stayed: stay, notRestored, command });
    }
  }
  return { moved: applied, unchanged: moves.length - pending.length };
}
