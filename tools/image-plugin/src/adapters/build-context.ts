import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';

/**
 * Which workspace files the build can see: buildx reads `<Dockerfile>.dockerignore` when it exists,
 * else the context root's `.dockerignore`. A file the build cannot see (the image's README, its test
 * spec) cannot decide its bytes, so it stays out of the content hash.
 */
export async function contextFilter(workspaceRoot: string, dockerfile: string): Promise<(path: string) => boolean> {
  for (const file of [`${dockerfile}.dockerignore`, '.dockerignore']) {
    let text: string;
    try {
      text = await readFile(join(workspaceRoot, file), 'utf8');
    } catch {
      continue;
    }
    const rules = dockerignore({ ignorecase: false }).add(
      text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#')),
    );
    return (path) => !rules.ignores(path);
  }
  return () => true;
}
