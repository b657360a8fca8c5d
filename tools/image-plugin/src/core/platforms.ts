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
  layers?: Array<{ digest: string; size?: number; mediaType?: string }>;
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

/** The operating systems and architectures Docker's platforms use (Go's GOOS and GOARCH, as containerd takes them). */
const KNOWN_OS = new Set([
  'linux',
  'windows',
  'darwin',
  'freebsd',
  'netbsd',
  'openbsd',
  'solaris',
  'illumos',
  'aix',
  'wasip1',
]);
const KNOWN_ARCH = new Set([
  'amd64',
  'arm64',
  'arm',
  '386',
  'ppc64le',
  'ppc64',
  's390x',
  'riscv64',
  'loong64',
  'mips64le',
  'mips64',
  'mipsle',
  'mips',
  'wasm',
]);
const VARIANT = /^(v[0-9]+(\.[0-9]+)?|rva[0-9]+u64)$/;

/**
 * A list of platforms as options give it: an array, or one comma-separated string
 * (`linux/amd64,linux/arm64`); blanks dropped. The one way every option and flag is read.
 */
export function platformList(value: readonly string[] | string | undefined): string[] {
  return (Array.isArray(value) ? value : String(value ?? '').split(',')).map((s) => String(s).trim()).filter(Boolean);
}

/** Whether `platform` is `os/arch[/variant]` with an operating system and architecture Docker knows. */
function isPlatform(platform: string): boolean {
  const [os, arch, variant, ...rest] = platform.split('/');
  return (
    rest.length === 0 &&
    KNOWN_OS.has(os) &&
    arch !== undefined &&
    KNOWN_ARCH.has(arch) &&
    (variant === undefined || VARIANT.test(variant))
  );
}

/** What is wrong with a list of platforms (the first entry that is not a platform Docker knows), or undefined. */
export function platformProblem(
  platforms: readonly string[],
  option: string,
): { problem: string; fix: string } | undefined {
  const bad = platforms.find((p) => !isPlatform(p));
  if (bad === undefined) return undefined;
  return {
    problem: `"${bad}" is not a platform`,
    fix: `write ${option} as os/arch[/variant], e.g. linux/amd64, linux/arm64, linux/arm/v7, linux/ppc64le, linux/s390x, linux/riscv64`,
  };
}

/**
 * Throws naming the option when an entry is not a platform Docker knows (`linux/amd64`,
 * `linux/arm/v7`): a dry run refuses it as a build would, before anything runs.
 */
export function checkPlatforms(
  platforms: readonly string[],
  option: string,
  where = `image-build option ${option}`,
): void {
  const bad = platformProblem(platforms, option);
  if (bad) throw new ImageConfigError(bad.problem, bad.fix, where);
}

/** The wanted platforms that `have` lacks ("the registry has every wanted platform" is an empty answer). */
export function missingPlatforms(wanted: readonly string[], have: readonly string[]): string[] {
  return wanted.filter((p) => !have.includes(p));
}

/** `linux/arm64` -> `linux-arm64`: for tags, file names, artifact names and cache scopes. */
export const platformSlug = (platform: string) => platform.replaceAll('/', '-');
