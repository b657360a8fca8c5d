import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { globFiles, readDockerfileSource } from '../adapters/files';
import { readDockerfile } from '../core/dockerfile';
import { ImageConfigError } from '../core/errors';
import { imageNameOf } from '../core/image-spec';
import {
  renameLine,
  renameMoves,
  rewriteReferences,
  type DockerfileText,
  type ReferenceMove,
  type RenameTarget,
} from '../core/repository-rename';
import { workspaceOptions } from './workspace';

export interface RenameRepositoryRequest {
  workspaceRoot: string;
  /** The old repository (any registry, pinned or not); left out: what the graph refuses. */
  from?: string;
  /** Only list what would change, write nothing, fail when anything would. */
  check: boolean;
  log: (line: string) => void;
}

/**
 * `images rename-repository`: moves every reference to one of our images under another repository (the
 * `ARG BASE_IMAGE=` defaults, and any FROM, `COPY --from` or mount that names one) to nx.json's
 * repository, printing each file:line. Reads the Dockerfiles itself, not the project graph: the graph
 * refuses exactly these references.
 */
export async function renameRepository(req: RenameRepositoryRequest): Promise<ReferenceMove[]> {
  const { files, target } = readWorkspace(req);
  const moves = renameMoves(files, target);
  for (const move of moves) req.log(renameLine(move));
  if (req.check) {
    if (moves.length) {
      throw new ImageConfigError(
        `${moves.length} reference(s) name this workspace's images under another repository than ${target.repository} (listed above)`,
        'run npx images rename-repository, then commit the change',
        'images rename-repository --check',
      );
    }
    req.log(`every reference names ${target.repository}`);
    return moves;
  }
  await writeMoves(req.workspaceRoot, moves);
  req.log(
    moves.length ? `moved ${moves.length} reference(s) to ${target.repository}: commit the change` : 'nothing to move',
  );
  return moves;
}

function readWorkspace(req: RenameRepositoryRequest): { files: DockerfileText[]; target: RenameTarget } {
  const options = workspaceOptions(req.workspaceRoot);
  const files = globFiles(req.workspaceRoot, options.dockerfileGlob).map((dockerfile) => {
    const { content } = readDockerfileSource(req.workspaceRoot, dockerfile);
    return { dockerfile, content, facts: readDockerfile(dockerfile, content) };
  });
  const imageNames = new Set(files.map((f) => imageNameOf(f.dockerfile)));
  const target: RenameTarget = { repository: options.repository, layout: options.layout, imageNames };
  return { files, target: req.from ? { ...target, from: req.from } : target };
}

async function writeMoves(workspaceRoot: string, moves: readonly ReferenceMove[]): Promise<void> {
  for (const dockerfile of [...new Set(moves.map((m) => m.dockerfile))]) {
    const file = join(workspaceRoot, dockerfile);
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      rewriteReferences(
        text,
        moves.filter((m) => m.dockerfile === dockerfile),
      ),
    );
  }
}
