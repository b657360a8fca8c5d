import { createHash } from 'node:crypto';
import type { ManifestJson, PlatformJson } from './platforms';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export const isIndexMediaType = (mediaType: string) => mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;

/** A manifest as an index names it. */
export interface ManifestDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform: PlatformJson;
}

/** A manifest or index ready to put in a registry: its bytes, media type and digest. */
export interface ManifestBlob {
  mediaType: string;
  bytes: Buffer;
  digest: string;
}

export const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * A platform as an index names it, normalized as containerd does (`aarch64` is `arm64`, whose `v8`
 * variant is implied and dropped; `x86_64` is `amd64`), fields in the order the OCI spec's Go types write them.
 */
export function normalizedPlatform(p: PlatformJson): PlatformJson {
  const architecture = p.architecture === 'aarch64' ? 'arm64' : p.architecture === 'x86_64' ? 'amd64' : p.architecture;
  const variant = architecture === 'arm64' && (p.variant === 'v8' || p.variant === '8') ? undefined : p.variant;
  const out: PlatformJson = { architecture, os: p.os };
  if (p['os.version']) out['os.version'] = p['os.version'];
  if (p['os.features']?.length) out['os.features'] = p['os.features'];
  if (variant) out.variant = variant;
  return out;
}

/**
 * The one-entry index of a plain (single-platform) manifest, byte for byte as `docker buildx imagetools
 * create` writes it (a Docker manifest list for a Docker manifest, an OCI index otherwise; two-space
 * JSON), so wrapping in process gives the digest imagetools gives. Every tag of an image names an index:
 * the SHA, content, floating and release tags share one digest.
 */
export function wrapInIndex(manifest: ManifestDescriptor): ManifestBlob {
  const mediaType = manifest.mediaType === DOCKER_MANIFEST ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  const index = {
    schemaVersion: 2,
    mediaType,
    manifests: [
      {
        mediaType: manifest.mediaType,
        digest: manifest.digest,
        size: manifest.size,
        platform: normalizedPlatform(manifest.platform),
      },
    ],
  };
  const bytes = Buffer.from(JSON.stringify(index, null, 2));
  return { mediaType, bytes, digest: digestOf(bytes) };
}

/**
 * The image a tag stands for: its digest, or, when it is a one-entry index (how a plain manifest is
 * tagged: wrapInIndex, as `docker buildx imagetools create` does), the manifest inside. The one rule for
 * "these two tags name the same image" across a wrap: a release run again over a plain manifest finds its
 * own exact tag in place (services/release.ts), and a commit's SHA tag over the one-entry index of the
 * content tag's plain manifest is the same image (core/build-decisions.ts).
 */
export function taggedImage(digest: string, manifest: ManifestJson | null | undefined): string {
  const entries = manifest?.manifests ?? [];
  return entries.length === 1 ? entries[0].digest : digest;
}
