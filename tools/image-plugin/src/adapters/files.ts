import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** sha256 of every file under the given folders (relative to root) that `include` accepts, keyed by relative path. */
export async function hashFolders(
  root: string,
  folders: readonly string[],
  include: (path: string) => boolean = () => true,
): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(join(root, dir), { withFileTypes: true });
    for (const entry of entries) {
      const path = dir === '.' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name === '.git') continue;
        await walk(path);
      } else if (entry.isFile() && include(path)) {
        hashes[path] = createHash('sha256')
          .update(await readFile(join(root, path)))
          .digest('hex');
      }
    }
  };
  for (const folder of folders) await walk(folder);
  return hashes;
}
