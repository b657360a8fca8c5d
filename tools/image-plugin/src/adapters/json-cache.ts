import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Values kept between Nx commands in one JSON file of Nx's workspace-data folder (as Nx's own plugins
 * keep their inferred targets), each under a key that names everything it was read from, so a kept
 * value is never stale: the plugin keys what it read from a Dockerfile or test spec by a hash of the
 * text, the build args and its own build (a changed file, option or plugin is read again); the executor
 * keys an image's platform layers by `repository@digest`, which names the same bytes forever. What
 * failed to read is never kept. Only the entries a command used are written back, so the file holds the
 * workspace as it is now and does not grow.
 */
export class JsonCache {
  private readonly before: Readonly<Record<string, unknown>>;
  private readonly used: Record<string, unknown> = {};
  private added = false;

  constructor(private readonly file: string) {
    let before: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) before = parsed as Record<string, unknown>;
    } catch {
      // no cache yet, or an unreadable one: everything is read again
    }
    this.before = before;
  }

  /** A key of what was read from these parts (each a text: a file's content, options as JSON, a build's fingerprint). */
  static key(...parts: readonly string[]): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(`${part.length}:${part}`);
    return hash.digest('hex');
  }

  /** The value kept under `key` (now used, so written back), or undefined. */
  get<T>(key: string): T | undefined {
    if (Object.prototype.hasOwnProperty.call(this.used, key)) return this.used[key] as T;
    if (!Object.prototype.hasOwnProperty.call(this.before, key)) return undefined;
    this.used[key] = this.before[key];
    return this.before[key] as T;
  }

  /** Keeps `value` under `key`. */
  set(key: string, value: unknown): void {
    this.used[key] = value;
    this.added = true;
  }

  /** The value kept under `key`, or what `read` returns now (kept when it returns; a throw is not kept). */
  read<T>(key: string, read: () => T): T {
    const kept = this.get<T>(key);
    if (kept !== undefined) return kept;
    const value = read();
    this.set(key, value);
    return value;
  }

  /** Writes the entries used, when they differ from the file's (atomically: a concurrent Nx process reads either). */
  save(): void {
    if (!this.added && Object.keys(this.used).length === Object.keys(this.before).length) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const partial = `${this.file}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify(this.used));
      renameSync(partial, this.file);
    } catch {
      // a read-only workspace: the next command reads again
    }
  }
}

/** The cache `name` (a file name) in the workspace's Nx workspace-data folder (NX_WORKSPACE_DATA_DIRECTORY moves it). */
export function workspaceCache(workspaceRoot: string, name: string): JsonCache {
  const { workspaceDataDirectoryForWorkspace } = require('nx/src/utils/cache-directory') as {
    workspaceDataDirectoryForWorkspace: (root: string) => string;
  };
  return new JsonCache(join(workspaceDataDirectoryForWorkspace(workspaceRoot), name));
}
