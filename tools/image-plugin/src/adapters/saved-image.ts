import type { Readable } from 'node:stream';
import { isRegularFile, paxPath, tarHeader } from '../core/tar-entry';
import { engine } from './engine';

/**
 * An image as the engine saves it (`docker image save`, the Engine API's `GET /images/get`), read as it
 * streams and never written to disk: each file's size, its first and last bytes (a gzip layer's magic and
 * trailer), and the whole of the small ones (manifest.json, the config, a contents-record layer). Whatever
 * the image store: the classic one saves unpacked layer tars, the containerd one its stored blobs.
 */
export interface SavedEntry {
  size: number;
  head: Buffer;
  tail: Buffer;
  /** The bytes of an entry of at most KEEP_BYTES; null for a larger one. */
  bytes: Buffer | null;
}

const BLOCK = 512;
/** A contents-record layer is a few KB (gzip) to a few hundred KB (a plain tar); a config less. */
const KEEP_BYTES = 4 * 1024 * 1024;
const EDGE = 4;

/** Saves `ref` from the engine and reads every regular file of the stream. */
export async function savedImage(ref: string): Promise<Map<string, SavedEntry>> {
  const stream = (await engine().getImage(ref).get()) as Readable;
  return readTarStream(stream);
}

interface Reading {
  name: string;
  remaining: number;
  entry: SavedEntry;
  chunks: Buffer[] | null;
  /** A pax header (its path names the next entry). */
  pax: boolean;
}

/** A tar stream's regular files by name, read chunk by chunk (no entry is held whole unless small). */
export async function readTarStream(stream: AsyncIterable<Buffer | string>): Promise<Map<string, SavedEntry>> {
  const entries = new Map<string, SavedEntry>();
  let pending: Buffer = Buffer.alloc(0);
  let current: Reading | null = null;
  let skip = 0;
  let nextName: string | undefined;
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, Buffer.from(chunk)]) : Buffer.from(chunk);
    let at = 0;
    for (;;) {
      if (current) {
        const piece = pending.subarray(at, at + Math.min(current.remaining, pending.length - at));
        take(current, piece);
        at += piece.length;
        current.remaining -= piece.length;
        if (current.remaining > 0) break;
        const done = finish(current);
        if (current.pax) nextName = paxPath(done.bytes ?? Buffer.alloc(0)) ?? nextName;
        else if (current.name) entries.set(current.name.replace(/^\.?\/+/, ''), done);
        current = null;
      }
      const padding = Math.min(skip, pending.length - at);
      at += padding;
      skip -= padding;
      if (skip > 0 || pending.length - at < BLOCK) break;
      const header = tarHeader(pending.subarray(at, at + BLOCK));
      at += BLOCK;
      if (!header) continue;
      skip = (BLOCK - (header.size % BLOCK)) % BLOCK;
      current = startEntry(header, nextName);
      if (header.type !== 'x' && header.type !== 'g') nextName = undefined;
    }
    pending = Buffer.from(pending.subarray(at));
  }
  return entries;
}

/** The reading of one entry: a regular file (named by a pax header before it, if any) or a pax header. */
function startEntry(header: NonNullable<ReturnType<typeof tarHeader>>, paxName: string | undefined): Reading {
  const pax = header.type === 'x';
  const keep = pax || isRegularFile(header.type);
  return {
    name: keep && !pax ? (paxName ?? header.name) : '',
    remaining: header.size,
    entry: { size: header.size, head: Buffer.alloc(0), tail: Buffer.alloc(0), bytes: null },
    chunks: keep && header.size <= KEEP_BYTES ? [] : null,
    pax,
  };
}

function take(r: Reading, piece: Buffer): void {
  if (!piece.length) return;
  if (r.chunks) r.chunks.push(Buffer.from(piece));
  const { entry } = r;
  if (entry.head.length < EDGE) entry.head = Buffer.concat([entry.head, piece.subarray(0, EDGE - entry.head.length)]);
  entry.tail =
    piece.length >= EDGE ? Buffer.from(piece.subarray(-EDGE)) : Buffer.concat([entry.tail, piece]).subarray(-EDGE);
}

function finish(r: Reading): SavedEntry {
  return { ...r.entry, bytes: r.chunks ? Buffer.concat(r.chunks) : null };
}
