/**
 * One file out of a tar archive (a layer blob, gunzipped): ustar headers, the ustar name prefix, pax `path`
 * records and GNU long names, as BuildKit and Docker write them. Pure: bytes in, the file's bytes out, null
 * when the archive does not hold it (a whiteout or a directory is not the file).
 */
const BLOCK = 512;

const text = (block: Buffer, start: number, length: number) => {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
};

/** A numeric field: octal text, or base-256 when its first byte has the high bit (sizes over 8 GiB). */
function numberField(block: Buffer, start: number, length: number): number {
  if (block[start] & 0x80) {
    let n = 0;
    for (let i = start + 1; i < start + length; i++) n = n * 256 + block[i];
    return n;
  }
  const digits = text(block, start, length).trim();
  return digits ? parseInt(digits, 8) : 0;
}

/** The `path` of a pax extended header's records (`<length> path=<value>\n`), if it has one. */
export function paxPath(data: Buffer): string | undefined {
  let at = 0;
  let path: string | undefined;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = parseInt(data.subarray(at, space).toString('utf8'), 10);
    if (space < 0 || !(length > 0)) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    if (record.startsWith('path=')) path = record.slice('path='.length);
    at += length;
  }
  return path;
}

const normalized = (name: string) => name.replace(/^\.?\/+/, '').replace(/\/+$/, '');

/** One entry's header block: its name (ustar prefix joined), size and type flag; null for an end block. */
export function tarHeader(header: Buffer): { name: string; size: number; type: string } | null {
  if (header.every((b) => b === 0)) return null;
  const prefix = text(header, 345, 155);
  return {
    name: prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100),
    size: numberField(header, 124, 12),
    type: String.fromCharCode(header[156] || 0x30),
  };
}

/** A regular file's type flags (`0`, the old `\0`, contiguous `7`). */
export const isRegularFile = (type: string) => type === '0' || type === '\0' || type === '7';

/** The bytes of the regular file at `path` (without a leading `/` or `./`), or null. */
export function fileInTar(tar: Buffer, path: string): Buffer | null {
  const wanted = normalized(path);
  let nextName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length;) {
    const entry = tarHeader(tar.subarray(at, at + BLOCK));
    if (!entry) return null;
    const { size, type } = entry;
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      nextName = paxPath(data) ?? nextName;
      continue;
    }
    if (type === 'L') {
      nextName = text(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const name = nextName ?? entry.name;
    nextName = undefined;
    if (isRegularFile(type) && normalized(name) === wanted) return Buffer.from(data);
  }
  return null;
}
