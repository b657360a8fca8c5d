// What differs between two OCI image tarballs (what `docker buildx build --output type=oci,dest=...` writes),
// in the manner of diffoci: the manifest digests side by side, the config's differing fields, and per layer
// the files whose content, mode, owner, size, link target or mtime differ. Used by reproduce.mjs and by the
// reproducibility test (tools/image-plugin/test/reproducible.test.ts).
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { execa } from 'execa';

const blobPath = (dir, digest) => join(dir, 'blobs', ...digest.split(':'));
const readJson = (dir, digest) => JSON.parse(readFileSync(blobPath(dir, digest), 'utf8'));

/** Unpacks an OCI tarball into a temporary folder; `done()` removes it. */
export async function openOci(tarball) {
  const dir = mkdtempSync(join(tmpdir(), 'oci-diff-'));
  await execa('tar', ['-xf', tarball, '-C', dir]);
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The image manifest of `platform` (`linux/amd64`) in an unpacked OCI layout, its digest and config. */
export function imageOf(dir, platform) {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const [os, architecture, variant] = platform.split('/');
  const fits = (d) =>
    !d.platform ||
    (d.platform.os === os && d.platform.architecture === architecture && (!variant || d.platform.variant === variant));
  let descriptors = index.manifests;
  for (;;) {
    const found = descriptors.find(
      (d) => fits(d) && d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
    );
    if (!found) throw new Error(`no ${platform} image in ${dir}`);
    const blob = readJson(dir, found.digest);
    if (blob.manifests) descriptors = blob.manifests;
    else return { digest: found.digest, manifest: blob, config: readJson(dir, blob.config.digest) };
  }
}

/** The paths (`config.Env`, `history[3].created`) where two JSON values differ, with both values. */
function jsonDifferences(a, b, path = '') {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b) || (Array.isArray(a) && a.length !== b.length))
    return [{ path: path || '.', a, b }];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const at = (k) => (Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
  return keys.flatMap((k) => jsonDifferences(a[k], b[k], at(k)));
}

const octal = (buf, start, length) => {
  const text = buf
    .subarray(start, start + length)
    .toString('latin1')
    .replace(/\0.*$/s, '')
    .trim();
  return text ? Number.parseInt(text, 8) : 0;
};
const text = (buf, start, length) =>
  buf
    .subarray(start, start + length)
    .toString('utf8')
    .replace(/\0.*$/s, '');

/** `key=value` records of a PAX extended header (`<length> <key>=<value>\n`). */
function paxRecords(buf) {
  const records = {};
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number.parseInt(buf.subarray(at, space).toString('latin1'), 10);
    if (!length) break;
    const record = buf.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    records[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return records;
}

/** One entry of a tar header block (with the PAX records that came before it). */
function entryOf(header, pax) {
  const prefix = text(header, 345, 155);
  const name = pax.path ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
  const xattrs = Object.entries(pax)
    .filter(([k]) => k.startsWith('SCHILY.xattr.'))
    .map(([k, v]) => `${k.slice(13)}=${v}`)
    .sort();
  return {
    path: name.replace(/^\.\//, ''),
    type: String.fromCharCode(header[156] || 48),
    mode: octal(header, 100, 8).toString(8),
    owner: `${pax.uid ?? octal(header, 108, 8)}:${pax.gid ?? octal(header, 116, 8)}`,
    size: Number(pax.size ?? octal(header, 124, 12)),
    mtime: pax.mtime ?? String(octal(header, 136, 12)),
    link: pax.linkpath ?? text(header, 157, 100),
    ...(xattrs.length ? { xattrs: xattrs.join(',') } : {}),
  };
}

/** Every file of a gzip'd tar layer: path -> {type, mode, owner, size, mtime, link, sha256}; streamed. */
function layerFiles(file) {
  return new Promise((resolve, reject) => {
    const files = new Map();
    let pending = Buffer.alloc(0);
    let current = null; // { entry, left, hash, pad, pax? }
    let pax = {};
    const take = (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (current) {
          const n = Math.min(current.left, pending.length);
          if (current.hash) current.hash.update(pending.subarray(0, n));
          else current.body.push(pending.subarray(0, n));
          current.left -= n;
          pending = pending.subarray(n);
          if (current.left > 0) return;
          if (pending.length < current.pad) return;
          pending = pending.subarray(current.pad);
          if (current.hash) files.set(current.entry.path, { ...current.entry, sha256: current.hash.digest('hex') });
          else if (current.kind === 'pax') pax = paxRecords(Buffer.concat(current.body));
          else if (current.kind === 'longname')
            pax = { ...pax, path: Buffer.concat(current.body).toString('utf8').replace(/\0.*$/s, '') };
          current = null;
          continue;
        }
        if (pending.length < 512) return;
        const header = pending.subarray(0, 512);
        pending = pending.subarray(512);
        if (header.every((b) => b === 0)) continue;
        const type = String.fromCharCode(header[156]);
        const size = octal(header, 124, 12);
        const pad = (512 - (size % 512)) % 512;
        if (type === 'x' || type === 'L') {
          current = { kind: type === 'x' ? 'pax' : 'longname', left: size, pad, body: [] };
          continue;
        }
        if (type === 'g') {
          current = { kind: 'global', left: size, pad, body: [] };
          continue;
        }
        const entry = entryOf(header, pax);
        pax = {};
        current = { entry, left: entry.size, pad: (512 - (entry.size % 512)) % 512, hash: createHash('sha256') };
      }
    };
    createReadStream(file)
      .on('error', reject)
      .pipe(createGunzip())
      .on('error', reject)
      .on('data', take)
      .on('end', () => resolve(files));
  });
}

const FIELDS = ['type', 'sha256', 'size', 'mode', 'owner', 'mtime', 'link', 'xattrs'];

/** The files of two layers that differ: [{path, only?: 'a'|'b', fields: [{field, a, b}]}], sorted by path. */
function fileDifferences(a, b) {
  const out = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(path);
    const y = b.get(path);
    if (!x || !y) out.push({ path, only: x ? 'a' : 'b' });
    else {
      const fields = FIELDS.filter((f) => x[f] !== y[f]).map((f) => ({ field: f, a: x[f], b: y[f] }));
      if (fields.length) out.push({ path, fields });
    }
  }
  return out;
}

/**
 * Two OCI tarballs of one platform compared: `{ a, b, same, config: [...], layers: [{index, a, b, files}] }`.
 * Layers are compared in order, and the files of each pair whose digests differ are listed.
 */
export async function compareOci(tarA, tarB, platform) {
  const [ociA, ociB] = [await openOci(tarA), await openOci(tarB)];
  try {
    const [x, y] = [imageOf(ociA.dir, platform), imageOf(ociB.dir, platform)];
    const result = { a: x.digest, b: y.digest, same: x.digest === y.digest, config: [], layers: [] };
    if (result.same) return result;
    result.config = jsonDifferences(x.config, y.config).filter((d) => !d.path.startsWith('rootfs.diff_ids'));
    const count = Math.max(x.manifest.layers.length, y.manifest.layers.length);
    for (let i = 0; i < count; i++) {
      const [la, lb] = [x.manifest.layers[i], y.manifest.layers[i]];
      if (la?.digest === lb?.digest) continue;
      const files =
        la && lb
          ? fileDifferences(
              await layerFiles(blobPath(ociA.dir, la.digest)),
              await layerFiles(blobPath(ociB.dir, lb.digest)),
            )
          : [];
      const createdBy = (x.config.history ?? []).filter((h) => !h.empty_layer)[i]?.created_by ?? '';
      result.layers.push({ index: i, a: la?.digest ?? null, b: lb?.digest ?? null, createdBy, files });
    }
    return result;
  } finally {
    ociA.done();
    ociB.done();
  }
}

const short = (v) => {
  const s = v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** The comparison as lines: digests side by side, then what differs. `limit` files per layer at most. */
export function describeComparison(c, limit = 40) {
  const lines = [`build 1: ${c.a}`, `build 2: ${c.b}`, c.same ? 'same digest' : 'DIFFERENT digests'];
  for (const d of c.config) lines.push(`config ${d.path}: ${short(d.a)} | ${short(d.b)}`);
  for (const layer of c.layers) {
    lines.push(`layer ${layer.index} (${short(layer.createdBy.replace(/\s+/g, ' '))}): ${layer.a} | ${layer.b}`);
    if (layer.a && layer.b && layer.files.length === 0) lines.push('  same files (the tar stream differs: order?)');
    for (const f of layer.files.slice(0, limit)) {
      if (f.only) lines.push(`  ${f.path}: only in build ${f.only === 'a' ? 1 : 2}`);
      else lines.push(`  ${f.path}: ${f.fields.map((x) => `${x.field} ${short(x.a)} | ${short(x.b)}`).join('; ')}`);
    }
    if (layer.files.length > limit) lines.push(`  ... and ${layer.files.length - limit} more files`);
  }
  return lines;
}
