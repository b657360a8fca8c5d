import { MANIFEST_ACCEPT, TARGET_AUTH, TARGET_REGISTRY } from './env';

/**
 * The digest a tag of the password registry points at (HEAD on the manifest, with the password), or
 * null when the registry has no such tag; any other answer is an error. `path` is the repository's
 * path in the registry: `ci-1a2b/images`, `layout-1a2b/root`.
 */
export async function manifestDigest(path: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${path}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Authorization: TARGET_AUTH, Accept: MANIFEST_ACCEPT },
  });
  if (res.status === 404) return null;
  if (res.status !== 200)
    throw new Error(`HEAD ${path}:${tag}: the registry answered ${res.status}, expected 200 or 404`);
  return res.headers.get('docker-content-digest');
}
