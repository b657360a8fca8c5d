import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { MANIFEST_ACCEPT, TARGET_AUTH, TARGET_REGISTRY } from '../../../test-env/env';

/** A repository in a registry: host, path (`ci-1a2b/images`) and the Authorization header, if any. */
export interface WatchedRepository {
  registry: string;
  path: string;
  authorization?: string;
}

/** The password registry's repository at `path`. */
export const targetRepository = (path: string): WatchedRepository => ({
  registry: TARGET_REGISTRY,
  path,
  authorization: TARGET_AUTH,
});

/** Every tag of a repository and the digest it points at; {} when the repository does not exist. */
export async function tagsOf(repo: WatchedRepository): Promise<Record<string, string>> {
  const headers: Record<string, string> = repo.authorization ? { Authorization: repo.authorization } : {};
  const list = await fetch(`http://${repo.registry}/v2/${repo.path}/tags/list`, { headers });
  if (list.status === 404) return {};
  if (list.status !== 200) throw new Error(`listing the tags of ${repo.registry}/${repo.path}: ${list.status}`);
  const tags = ((await list.json()) as { tags?: string[] | null }).tags ?? [];
  const digests: Record<string, string> = {};
  for (const tag of tags.sort()) {
    const head = await fetch(`http://${repo.registry}/v2/${repo.path}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { ...headers, Accept: MANIFEST_ACCEPT },
    });
    if (head.status === 200) digests[tag] = head.headers.get('docker-content-digest') ?? '?';
  }
  return digests;
}

/**
 * The image a tag of the password registry stands for: its digest, or the manifest inside a one-entry index
 * (how a plain manifest is tagged); null when the tag does not exist.
 */
export async function imageOf(path: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${path}/manifests/${tag}`, {
    headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
  });
  if (res.status === 404) return null;
  const digest = res.headers.get('docker-content-digest');
  const manifest = (await res.json()) as { manifests?: Array<{ digest: string }> };
  return manifest.manifests?.length === 1 ? manifest.manifests[0].digest : digest;
}

/** Every file under a results folder with its content; {} when there is no folder. */
function resultFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return [path.slice(dir.length + 1), readFileSync(path, 'utf8')];
      }),
  );
}

/**
 * "Nothing was written or pushed": what a refused command must leave as it found it. Taken before the
 * command, checked after it: no result file written or changed, no tag added to, moved in or removed
 * from the watched repositories (immutable and floating tags alike).
 */
export class Witness {
  private constructor(
    private readonly resultsDir: string,
    private readonly repositories: readonly WatchedRepository[],
    private readonly results: Record<string, string>,
    private readonly tags: Array<Record<string, string>>,
  ) {}

  static async take(resultsDir: string, repositories: readonly WatchedRepository[] = []): Promise<Witness> {
    return new Witness(resultsDir, repositories, resultFiles(resultsDir), await Promise.all(repositories.map(tagsOf)));
  }

  /** What changed since the witness was taken, one line each; empty when nothing did. */
  async changes(): Promise<string[]> {
    const changes: string[] = [];
    const results = resultFiles(this.resultsDir);
    for (const file of new Set([...Object.keys(this.results), ...Object.keys(results)])) {
      if (results[file] !== this.results[file])
        changes.push(
          `${this.resultsDir}/${file} was ` +
            `${file in results ? (file in this.results ? 'changed' : 'written') : 'removed'}`,
        );
    }
    const now = await Promise.all(this.repositories.map(tagsOf));
    this.repositories.forEach((repo, i) => {
      const [before, after] = [this.tags[i], now[i]];
      for (const tag of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (before[tag] === after[tag]) continue;
        const what = !before[tag]
          ? `pushed (${after[tag]})`
          : !after[tag]
            ? 'removed'
            : `moved ${before[tag]} -> ${after[tag]}`;
        changes.push(`${repo.registry}/${repo.path}:${tag} ${what}`);
      }
    });
    return changes;
  }

  async expectNothingWritten(): Promise<void> {
    expect(await this.changes(), 'a refused command changed results or the registry').toEqual([]);
  }
}
