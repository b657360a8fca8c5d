import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { WatchedRepository } from './nothing-written';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function uploadBlob(repo: WatchedRepository, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const headers: Record<string, string> = repo.authorization ? { Authorization: repo.authorization } : {};
  const start = await fetch(`http://${repo.registry}/v2/${repo.path}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`starting a blob upload to ${repo.registry}/${repo.path}: ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${repo.registry}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/octet-stream' },
    body: new Uint8Array(data),
  });
  if (put.status !== 201)
    throw new Error(`uploading a blob to ${repo.registry}/${repo.path}: ${put.status} ${await put.text()}`);
  return digest;
}

/**
 * Pushes a minimal linux/amd64 image (one empty layer; `label` makes its config, and so its digest,
 * its own) with the registry API and returns its digest: a real image in a real registry, in a second.
 */
export async function pushTinyImage(repo: WatchedRepository, tag: string, label: string): Promise<string> {
  const tar = Buffer.alloc(1024);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { label } },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: await uploadBlob(repo, config),
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: await uploadBlob(repo, layer),
          size: layer.length,
        },
      ],
    }),
  );
  const headers: Record<string, string> = repo.authorization ? { Authorization: repo.authorization } : {};
  const put = await fetch(`http://${repo.registry}/v2/${repo.path}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    body: new Uint8Array(manifest),
  });
  if (put.status !== 201)
    throw new Error(`pushing ${repo.registry}/${repo.path}:${tag}: ${put.status} ${await put.text()}`);
  return sha256(manifest);
}

/** `megabytes` of incompressible bytes uploaded as one blob: the HTTP status the registry answered. */
export async function uploadLargeBlob(repo: WatchedRepository, megabytes: number): Promise<number> {
  const data = Buffer.from(Array.from({ length: megabytes * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24));
  try {
    await uploadBlob(repo, data);
    return 201;
  } catch (e) {
    return Number(/: (\d{3})/.exec((e as Error).message)?.[1] ?? 0);
  }
}
