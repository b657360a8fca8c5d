import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What the plugin read from files (a Dockerfile's FROM lines and mounts, a test spec found valid), kept
 * between Nx commands in Nx's workspace-data folder, as Nx's own plugins keep their inferred targets.
 * Each entry is keyed by a hash of everything it was read from (the text, the build args, the plugin's
 * own build), so a changed file, option or plugin is read again; what failed to read is never kept.
 * A command without the Nx daemon then loads no Dockerfile or YAML parser when nothing changed.
 * Only the entries a command used are written back: the file holds the workspace as it is now.
 */
export class InferenceCache {
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

  /** The key of what was read from these parts (each a text: a file's content, options as JSON, a build's fingerprint). */
  static key(...parts: readonly string[]): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(`${part.length}:${part}`);
    return hash.digest('hex');
  }

  /** The value kept under `key`, or what `read` returns now (kept when it returns; a throw is not kept). */
  get<T>(key: string, read: () => T): T {
    if (Object.prototype.hasOwnProperty.call(this.used, key)) return this.used[key] as T;
    let value: T;
    if (Object.prototype.hasOwnProperty.call(this.before, key)) value = this.before[key] as T;
    else {
      value = read();
      this.added = true;
    }
    this.used[key] = value;
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
      // a read-only workspace: the next command reads the files again
    }
  }
}
