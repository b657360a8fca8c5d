import { ContentsRecordError } from './errors';
import type { HistoryEntry } from './size-budget';
import { shortInstruction } from './size-budget';

/**
 * The contents record an image's last step writes (scripts/contents-record/record.sh) and what `images diff`
 * reads of an image: the record's path, its parsed form, and each layer named by the install script that made
 * it. Pure: the registry adapter fetches, this reads. See docs/contents.md.
 */
export const CONTENTS_RECORD_PATH = 'usr/share/workspace-images/contents.json';
/** What the step that writes the record runs: how its layer is found in the image's history. */
const CONTENTS_RECORD_SCRIPT = '/scripts/contents-record/record.sh';

export interface ContentsRecord {
  image: string;
  /** The ancestors, the farthest first (`["base"]` for node). */
  lineage: string[];
  /** Debian package -> version. */
  debian: Record<string, string>;
  /** Global npm package -> version (`<prefix>:<name>` outside /usr/local). */
  npm: Record<string, string>;
  /** Install script -> its tool's version (null: the script declares none). */
  tools: Record<string, string | null>;
}

/** One layer of a platform, named by what made it. */
export interface NamedLayer {
  digest: string;
  size: number;
  /** The install script's folder (`cmake`), `contents record`, or the short instruction. */
  name: string;
  /** Made by the contents-record step. */
  isRecord: boolean;
}

interface RecordJson {
  schema?: number;
  image?: unknown;
  lineage?: unknown;
  debian?: Array<{ name: string; version: string }>;
  npm?: Array<{ name: string; version: string; prefix?: string }>;
  tools?: Array<{ script: string; version: string | null }>;
}

/** Reads a record's JSON; `where` names the image for the error. */
export function parseContentsRecord(text: string, where: string): ContentsRecord {
  let json: RecordJson;
  try {
    json = JSON.parse(text) as RecordJson;
  } catch (e) {
    throw unreadable(where, (e as Error).message);
  }
  if (json?.schema !== 1 || typeof json.image !== 'string' || !Array.isArray(json.lineage))
    throw unreadable(where, `schema ${JSON.stringify(json?.schema)} with image and lineage expected (schema 1)`);
  const entries = <T>(list: T[] | undefined, key: (e: T) => [string, string | null]) =>
    Object.fromEntries((list ?? []).map(key));
  return {
    image: json.image,
    lineage: json.lineage.map(String),
    debian: entries(json.debian, (e) => [e.name, e.version]) as Record<string, string>,
    npm: entries(json.npm, (e) => [
      !e.prefix || e.prefix === '/usr/local' ? e.name : `${e.prefix}:${e.name}`,
      e.version,
    ]) as Record<string, string>,
    tools: entries(json.tools, (e) => [e.script, e.version ?? null]),
  };
}

const unreadable = (where: string, detail: string) =>
  new ContentsRecordError(
    `${where}: its contents record cannot be read (${detail})`,
    'rebuild the image with this version of the plugin (scripts/contents-record/record.sh as its last step)',
    where,
  );

const SCRIPT = /\/scripts\/([^/\s]+)\/install\.sh\b/;

/** The name of the layer an instruction made: its install script, the record, or the instruction itself. */
export function layerName(createdBy: string | undefined): string {
  if (!createdBy) return '(no instruction: an imported base layer)';
  if (createdBy.includes(CONTENTS_RECORD_SCRIPT)) return 'contents record';
  const script = SCRIPT.exec(createdBy);
  return script ? script[1] : shortInstruction(createdBy, 60);
}

/**
 * The layers of one platform, named from its config's history (entries that made no layer skipped). A history
 * that does not line up with the layers (an image assembled by hand) names nothing but the sizes.
 */
export function namedLayers(
  layers: ReadonlyArray<{ digest: string; size: number }>,
  history: readonly HistoryEntry[],
): NamedLayer[] {
  const made = history.filter((h) => !h.empty_layer);
  const matched = made.length === layers.length;
  return layers.map((l, i) => {
    const createdBy = matched ? made[i].created_by : undefined;
    return {
      digest: l.digest,
      size: l.size,
      name: matched ? layerName(createdBy) : `layer ${i + 1}`,
      isRecord: !!createdBy?.includes(CONTENTS_RECORD_SCRIPT),
    };
  });
}

/** The image's own record layer (the last one the record step made) and its parent's (the one before), if any. */
export function recordLayers(layers: readonly NamedLayer[]): { own: NamedLayer | null; parent: NamedLayer | null } {
  const records = layers.filter((l) => l.isRecord);
  return { own: records.at(-1) ?? null, parent: records.at(-2) ?? null };
}
