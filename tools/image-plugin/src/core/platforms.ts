/** A manifest or an index, as a registry returns it. */
export interface ManifestJson {
  mediaType?: string;
  manifests?: Array<{ digest: string; mediaType?: string; platform?: { os: string; architecture: string; variant?: string }; annotations?: Record<string, string> }>;
  layers?: Array<{ digest: string }>;
  config?: { digest: string };
}

export const platformString = (p: { os: string; architecture: string; variant?: string }) =>
  `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/** The image platforms an index covers, skipping attestation manifests. */
export function platformsOf(manifest: ManifestJson): string[] {
  return (manifest.manifests ?? [])
    .filter((m) => m.platform && m.platform.os !== 'unknown' && m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
    .map((m) => platformString(m.platform!));
}
