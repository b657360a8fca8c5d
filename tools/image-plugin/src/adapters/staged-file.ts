import { readFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileWriteError } from '../core/file-errors';

/**
 * A file written in two steps, so a command that fails leaves no half-written file: `stageFile` writes
 * the whole text next to it (`.<name>.partial`) before anything else happens, `commitFile` renames it
 * into place (a rename needs no space), `discardFile` removes it, `revertFile` undoes a commit.
 */
export interface StagedFile {
  /** Relative to the workspace: `dist/coder/pinned-digests.json`. */
  file: string;
  final: string;
  partial: string;
  /** The file's text before this run (null: there was none), for revertFile. */
  previous: string | null;
}

/** Writes the text to the partial file; a failure removes it and throws the path, the reason and the fix. */
export async function stageFile(root: string, file: string, text: string, untouched: string): Promise<StagedFile> {
  const final = join(root, file);
  const partial = join(dirname(final), `.${basename(final)}.partial`);
  try {
    await mkdir(dirname(final), { recursive: true });
    if ((await stat(final).catch(() => null))?.isDirectory())
      throw Object.assign(new Error('it is a folder'), { code: 'EISDIR', path: final });
    const previous = await readFile(final, 'utf8').catch(() => null);
    await writeFile(partial, text);
    return { file, final, partial, previous };
  } catch (e) {
    await rm(partial, { force: true }).catch(() => undefined);
    throw asFileError(root, file, partial, e, untouched);
  }
}

export async function commitFile(root: string, staged: StagedFile, untouched: string): Promise<void> {
  try {
    await rename(staged.partial, staged.final);
  } catch (e) {
    await discardFile(staged);
    throw asFileError(root, staged.file, staged.partial, e, untouched);
  }
}

export async function discardFile(staged: StagedFile): Promise<void> {
  await rm(staged.partial, { force: true }).catch(() => undefined);
}

/** After a commit: the file as it was before this run (removed when there was none). Best effort. */
export async function revertFile(staged: StagedFile): Promise<void> {
  const undo = staged.previous === null ? rm(staged.final, { force: true }) : writeFile(staged.final, staged.previous);
  await undo.catch(() => undefined);
}

/** The system's error as the project's; the partial file is named as the file it stands for. */
function asFileError(root: string, file: string, partial: string, e: unknown, untouched: string) {
  const { code, path } = e as { code?: string; path?: string };
  const reason = (e instanceof Error ? e.message : String(e)).replace(/, \w+( '.*')?$/, '');
  const at = !path || path === partial ? file : relative(root, path);
  return fileWriteError({ file, at, code, reason, untouched });
}
