import type { RegistryClient } from '../adapters/registry';
import { failedMoveError, pendingMoves, undoPlan, type PendingMove, type TagMove } from '../core/tag-moves';

/**
 * Moves tags all or nothing: reads where every tag points first (a lookup failure moves nothing),
 * then moves them one by one in the order given; when one move fails, the tags already moved go
 * back to their previous digests and the error says so. Tags already in place are not touched.
 * Each lookup is one HEAD request and each move one or two requests, in process.
 */
export async function moveTagsAllOrNothing(
  registry: RegistryClient,
  moves: readonly TagMove[],
  command: string,
): Promise<{ moved: PendingMove[]; unchanged: number }> {
  const tags = [...new Set(moves.map((m) => m.tag))];
  const digests = await Promise.all(tags.map((tag) => registry.digestOf(tag)));
  const current = new Map(tags.map((tag, i) => [tag, digests[i]] as const));
  const pending = pendingMoves(moves, current);
  const applied: PendingMove[] = [];
  for (const move of pending) {
    try {
      await registry.tag([move.tag], move.repository, move.digest);
      applied.push(move);
    } catch (error) {
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
      const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw failedMoveError({ failed: move, cause, restored, stayed: stay, notRestored, command });
    }
  }
  return { moved: applied, unchanged: moves.length - pending.length };
}
