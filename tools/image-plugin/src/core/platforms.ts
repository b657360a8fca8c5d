import { ImageConfigError } from './errors';

/** A manifest or an index, as a registry returns it. */
export interface ManifestJson {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: Array<{
    mediaType?: string;
    digest: string;
    size?: number;
    platform?: PlatformJson;
    annotations?: Record<string, string>;
  }>;
  layers?: Array<{ digest: string; size?: number }>;
  config?: { digest: string; mediaType?: string; size?: number };
}

/** A platform as OCI descriptors and image configs write it. */
export interface PlatformJson {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export const platformString = (p: { os: string; architecture: string; variant?: string }) =>
  `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/** The image platforms an index covers, skipping attestation manifests. */
export function platformsOf(manifest: ManifestJson): string[] {
  return (manifest.manifests ?? [])
    .filter(
      (m) =>
        m.platform &&
        m.platform.os !== 'unknown' &&
        m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
    )
    .map((m) => platformString(m.platform as PlatformJson));
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/v[0-9]+)?$/;

/**
 * A list of platforms as options give it: an array, or one comma-separated string
 * (`linux/amd64,linux/arm64`); blanks dropped. The one way every option and flag is read.
 */
export function platformList(value: readonly string[] | string | undefined): string[] {
  return (Array.isArray(value) ? value : String(value ?? '').split(',')).map((s) => String(s).trim()).filter(Boolean);
}

/** Throws naming the option when an entry is not `os/arch[/variant]`. */
export function checkPlatforms(platforms: readonly string[], option: string, where = 'image-build options'): void {
  for (const p of platforms) {
    if (!PLATFORM.test(p)) {
      throw new ImageConfigError(
        `"${p}" is not a platform`,
        `write ${option} as os/arch[/variant], e.g. linux/amd64,linux/arm64`,
        where,
      );
    }
  }
}

/** The wanted platforms that `have` lacks ("the registry has every wanted platform" is an empty answer). */
export function missingPlatforms(wanted: readonly string[], have: readonly string[]): string[] {
  return wanted.filter((p) => !have.includes(p));
}

/** `linux/arm64` -> `linux-arm64`: for tags, file names, artifact names and cache scopes. */
export const platformSlug = (platform: string) => platform.replaceAll('/', '-');
