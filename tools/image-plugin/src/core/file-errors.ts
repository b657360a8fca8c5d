import { ImageConfigError } from './errors';

/**
 * A file the command must write that cannot be written, as the project's error: the file (relative to
 * the workspace), the system's reason, the place at fault when it is another (a folder on the way that
 * is a file), what was left as it was, and the fix for that reason.
 */
export function fileWriteError(args: {
  /** The file to write, relative to the workspace: `dist/coder/pinned-digests.json`. */
  file: string;
  /** The path the system names, relative to the workspace (a folder on the way, or the file). */
  at: string;
  code: string | undefined;
  reason: string;
  /** What the command left as it was (`no tag was moved`); empty when the caller says it. */
  untouched: string;
}): ImageConfigError {
  const where = args.at && args.at !== args.file ? ` (at ${args.at})` : '';
  return new ImageConfigError(
    `cannot be written: ${args.reason}${where}${args.untouched ? `; ${args.untouched}` : ''}`,
    `${fixFor(args.code, args.file, args.at || args.file)}, then run the command again`,
    args.file,
  );
}

function fixFor(code: string | undefined, file: string, at: string): string {
  const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `free space on the disk that holds ${folder} (df -h ${folder})`;
    case 'EACCES':
    case 'EPERM':
      return `let this user write ${folder} (ls -ld ${folder}; chown or chmod u+w it), or run where it may`;
    case 'EROFS':
      return `${folder} is on a read-only file system: run in a writable checkout`;
    case 'EEXIST':
    case 'ENOTDIR':
      return `${at} is a file where a folder must be: move it away (rm ${at})`;
    case 'EISDIR':
      return `${at} is a folder where the file must be: move it away (rm -r ${at})`;
    default:
      return `check that ${folder} can be written (ls -ld ${folder}; df -h ${folder})`;
  }
}
