import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveRemoteDigest } from '../adapters/engine';
import { ImageConfigError } from '../core/errors';
import { moveLine, pinMoves, pinnedBase, rewritePins, type PinMove, type PinnedBase } from '../core/pin-bump';
import { workspaceImages } from './workspace';

export interface PinBasesRequest {
  workspaceRoot: string;
  /** Only say what moved, write nothing, fail when anything did. */
  check: boolean;
  log: (line: string) => void;
}

/**
 * `images pin-bases`: resolves each external base's name through the engine (its registry mirrors apply)
 * and moves the Dockerfiles' pins to today's digests (`--check`: only says what moved and fails).
 * A base refresh is then an ordinary commit, reviewed and tested like any other.
 */
export async function pinBases(req: PinBasesRequest): Promise<PinMove[]> {
  const { specs } = await workspaceImages(req.workspaceRoot);
  const bases: PinnedBase[] = specs.flatMap((spec) =>
    spec.externalBases
      .filter((base) => base.ref.toLowerCase() !== 'scratch')
      .map((base) => pinnedBase(spec.dockerfile, base.line, base.ref, base.arg)),
  );
  const names = [...new Set(bases.map((b) => b.name))];
  const digests = await Promise.all(names.map((name) => resolveRemoteDigest(name)));
  const moves = pinMoves(bases, new Map(names.map((name, i) => [name, digests[i]])));
  for (const name of names) {
    const moved = moves.some((m) => m.name === name);
    req.log(`${name}: ${digests[names.indexOf(name)]}${moved ? '' : ' (every pin is current)'}`);
  }
  for (const move of moves) req.log(moveLine(move));
  if (req.check) {
    if (moves.length) {
      throw new ImageConfigError(
        `${moves.length} pin(s) of external bases differ from what their tags resolve to now (listed above)`,
        'run npx images pin-bases, then commit the change: it is built and tested like any other',
        'images pin-bases --check',
      );
    }
    return moves;
  }
  for (const dockerfile of [...new Set(moves.map((m) => m.dockerfile))]) {
    const file = join(req.workspaceRoot, dockerfile);
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      rewritePins(
        text,
        moves.filter((m) => m.dockerfile === dockerfile),
      ),
    );
  }
  req.log(moves.length ? `pinned ${moves.length} base reference(s): commit the change` : 'nothing to pin');
  return moves;
}
