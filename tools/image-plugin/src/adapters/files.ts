import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { minimatch } from 'minimatch';
import { ImageConfigError } from '../core/errors';
import type { DockerfileSource } from '../core/image-spec';
import { scopedLinkTarget } from '../core/symlinks';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * sha256 of every file under the given folders (relative to root) that `include` accepts, keyed by
 * relative path. A symlink is hashed as BuildKit sees it: its link text (the build context sends the
 * link itself) and, when it resolves inside the workspace, what it points to (`COPY <link>` copies the
 * target; a folder's files are hashed under the link's path). Editing a link's target, or pointing it
 * elsewhere, changes the hash.
 */
export async function hashFolders(
  root: string,
  folders: readonly string[],
  include: (path: string) => boolean = () => true,
): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  /** `name` is the path the hashes are keyed by, `dir` the folder read (they differ under a linked folder). */
  const walk = async (name: string, dir: string, chain: readonly string[]): Promise<void> => {
    const real = await realpath(join(root, dir));
    if (chain.includes(real)) return; // a link back to a folder being walked: its files are hashed already
    for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
      const path = name === '.' ? entry.name : `${name}/${entry.name}`;
      const source = dir === '.' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name === '.git') continue;
        await walk(path, source, [...chain, real]);
      } else if (entry.isFile() && include(path)) {
        hashes[path] = sha256(await readFile(join(root, source)));
      } else if (entry.isSymbolicLink() && include(path)) {
        const text = await readlink(join(root, source));
        const target = scopedLinkTarget(source, text);
        const found = await stat(join(root, target)).catch(() => null);
        if (found?.isDirectory()) {
          hashes[path] = sha256(`symlink\0${text}`);
          await walk(path, target, [...chain, real]);
        } else {
          const content = found?.isFile() ? sha256(await readFile(join(root, target))) : '';
          hashes[path] = sha256(`symlink\0${text}\0${content}`);
        }
      }
    }
  };
  for (const folder of folders) await walk(folder, folder, []);
  return hashes;
}

/**
 * A Dockerfile as buildx reads it. buildx sends only the Dockerfile's folder to BuildKit, which
 * resolves a symlinked Dockerfile inside that folder: a link to a file elsewhere fails the build with
 * "failed to read dockerfile", so it is refused here, and the content is the file BuildKit reads.
 */
export function readDockerfileSource(workspaceRoot: string, dockerfile: string): DockerfileSource {
  const path = join(workspaceRoot, dockerfile);
  if (!lstatSync(path).isSymbolicLink()) return { dockerfile, content: readFileSync(path, 'utf8') };
  const text = readlinkSync(path);
  const folder = dirname(dockerfile);
  const target = join(workspaceRoot, folder, scopedLinkTarget('Dockerfile', text));
  if (!statSync(target, { throwIfNoEntry: false })?.isFile()) {
    throw new ImageConfigError(
      `the Dockerfile is a symlink to ${text}, which is not a file inside ${folder}: buildx sends BuildKit only the ` +
        `Dockerfile's folder, so the build would fail with "failed to read dockerfile"`,
      `make ${dockerfile} a regular file (copy the target there), or a link to a file inside ${folder}, e.g. ` +
        `Dockerfile -> Dockerfile.base`,
      dockerfile,
    );
  }
  return { dockerfile, content: readFileSync(target, 'utf8') };
}

const NOT_WALKED = new Set(['node_modules', '.git', '.nx', 'dist']);

/** The files under `root` a glob (`images/*\/Dockerfile`) selects, walking from its fixed leading folders. */
export function globFiles(root: string, glob: string): string[] {
  const parts = glob.split('/');
  const fixed = parts.findIndex((part) => /[*?[\]{}!]/.test(part));
  const start = fixed <= 0 ? '' : parts.slice(0, fixed).join('/');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!NOT_WALKED.has(entry.name)) walk(path);
      } else if (minimatch(path, glob, { dot: false })) found.push(path);
    }
  };
  if (statSync(join(root, start || '.'), { throwIfNoEntry: false })?.isDirectory()) walk(start);
  return found.sort();
}
