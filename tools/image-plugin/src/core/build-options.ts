import { ImageConfigError } from './errors';
import type { Layout } from './tags';

/** The image-build options, as nx.json, project.json and the command line give them. */
export interface ImageBuildOptions {
  push?: boolean;
  platforms?: string[] | string;
  repository?: string;
  layout?: Layout;
  builder?: string;
  cacheFrom?: string[] | string;
  cacheTo?: string[] | string;
  caBundle?: string;
  buildArgs?: Record<string, string>;
  secrets?: string[] | string;
  shaLength?: number;
  provenance?: boolean;
  sbom?: boolean;
  sbomGenerator?: string;
  pushByDigest?: boolean;
  indexPlatforms?: string[] | string;
  dryRun?: boolean;
  resultsDir?: string;
  progress?: 'auto' | 'plain' | 'tty' | 'quiet';
}

export interface BuildSettings {
  push: boolean;
  platforms: string[];
  repository: string;
  layout: Layout;
  builder?: string;
  cacheFrom: string[];
  cacheTo: string[];
  caBundle?: string;
  buildArgs: Record<string, string>;
  secrets: string[];
  shaLength: number;
  provenance: boolean;
  sbom: boolean;
  /** An SBOM generator image (BuildKit's SBOM protocol); default: BuildKit's own scanner. */
  sbomGenerator?: string;
  pushByDigest: boolean;
  /** The platforms of the finished index (with pushByDigest, more than this job builds). */
  indexPlatforms: string[];
  dryRun: boolean;
  resultsDir: string;
  progress: 'auto' | 'plain' | 'tty' | 'quiet';
}

export interface SettingsContext {
  image: string;
  /** `linux/amd64` on an x86-64 host. */
  hostPlatform: string;
  defaultRepository?: string;
  env: Readonly<Record<string, string | undefined>>;
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/v[0-9]+)?$/;
/** Platforms: an array, or one comma-separated string (`linux/amd64,linux/arm64`). */
const list = (v: string[] | string | undefined): string[] =>
  (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
/**
 * Cache and secret entries are buildx CSV values that contain commas themselves
 * (`type=gha,scope=base,mode=max`, `id=npm,src=.npmrc`). Nx splits a command-line value of an array
 * option at every comma, so the pieces are joined back: a piece starts a new entry when it is a bare
 * word (`registry`, `gha`, a cache image reference) or repeats a key the current entry already has
 * (the next `type=`, `id=`); otherwise it continues the current entry.
 */
export function buildxEntries(v: string[] | string | undefined): string[] {
  const pieces = (Array.isArray(v) ? v : v ? [v] : []).map((s) => s.trim()).filter(Boolean);
  const out: Array<{ text: string; keys: Set<string> }> = [];
  for (const piece of pieces) {
    const fields = piece.split(',');
    const keys = fields.map((f) => (f.includes('=') ? f.slice(0, f.indexOf('=')) : null));
    const current = out[out.length - 1];
    const fresh = !current || keys.some((k) => k === null || current.keys.has(k)) || [...current.keys].includes('');
    if (fresh) out.push({ text: piece, keys: new Set(keys.map((k) => k ?? '')) });
    else {
      current.text += `,${piece}`;
      for (const k of keys) current.keys.add(k as string);
    }
  }
  return out.map((e) => e.text);
}
const bad = (problem: string, fix: string) => new ImageConfigError(problem, fix, 'image-build options');

/**
 * Turns raw options into settings, once: validates platforms and numbers, expands the `registry` and
 * `gha` cache shorthands per image, and applies the environment (`CI`, `IMAGE_BUILD_CA_BUNDLE`).
 */
export function buildSettings(options: ImageBuildOptions, ctx: SettingsContext): BuildSettings {
  const platforms = list(options.platforms);
  if (platforms.length === 0) platforms.push(ctx.hostPlatform);
  for (const p of platforms) {
    if (!PLATFORM.test(p)) throw bad(`"${p}" is not a platform`, 'write platforms as os/arch[/variant], e.g. linux/amd64,linux/arm64');
  }
  const repository = (options.repository ?? ctx.defaultRepository)?.toLowerCase().replace(/\/+$/, '');
  if (!repository) {
    throw bad('no repository to tag the images with', 'set "repository" (e.g. ghcr.io/<owner>/<repo>) in the image plugin options in nx.json, or GITHUB_REPOSITORY');
  }
  const shaLength = options.shaLength ?? 7;
  if (!Number.isInteger(shaLength) || shaLength < 7 || shaLength > 40) {
    throw bad(`shaLength ${shaLength} is out of range`, 'use a whole number from 7 to 40');
  }
  const push = options.push ?? false;
  const layout = options.layout ?? 'single';
  const cacheRef = `${layout === 'single' ? repository : `${repository}/${ctx.image}`}:${layout === 'single' ? `${ctx.image}-` : ''}buildcache`;
  const expandCache = (entry: string, to: boolean) => {
    if (entry === 'registry') return `type=registry,ref=${cacheRef}${to ? ',mode=max' : ''}`;
    if (entry === 'gha') return `type=gha,scope=${ctx.image}${to ? ',mode=max' : ''}`;
    return entry.replaceAll('{image}', ctx.image);
  };
  const pushByDigest = options.pushByDigest ?? false;
  if (pushByDigest && !push) throw bad('pushByDigest needs push', 'pass --push together with --pushByDigest');
  if (pushByDigest && platforms.length !== 1) {
    throw bad(`pushByDigest builds one platform per job, got ${platforms.join(',')}`, 'pass a single --platforms value per job, then run the merge command');
  }
  const indexPlatforms = list(options.indexPlatforms);
  for (const p of indexPlatforms) {
    if (!PLATFORM.test(p)) throw bad(`"${p}" is not a platform`, 'write indexPlatforms as os/arch[/variant], e.g. linux/amd64,linux/arm64');
  }
  if (indexPlatforms.length && platforms.some((p) => !indexPlatforms.includes(p))) {
    throw bad(`platforms ${platforms.join(',')} are not all in indexPlatforms ${indexPlatforms.join(',')}`, 'list every platform of the final image in indexPlatforms');
  }
  const caBundle = options.caBundle ?? ctx.env.IMAGE_BUILD_CA_BUNDLE;
  const settings: BuildSettings = {
    push,
    platforms,
    repository,
    layout,
    cacheFrom: buildxEntries(options.cacheFrom).map((c) => expandCache(c, false)),
    cacheTo: buildxEntries(options.cacheTo).map((c) => expandCache(c, true)),
    buildArgs: { ...(options.buildArgs ?? {}) },
    secrets: buildxEntries(options.secrets),
    shaLength,
    provenance: options.provenance ?? push,
    sbom: options.sbom ?? push,
    pushByDigest,
    indexPlatforms: indexPlatforms.length ? indexPlatforms : platforms,
    dryRun: options.dryRun ?? false,
    resultsDir: options.resultsDir ?? 'dist/images',
    progress: options.progress ?? (ctx.env.CI ? 'plain' : 'auto'),
  };
  if (options.builder) settings.builder = options.builder;
  if (caBundle) settings.caBundle = caBundle;
  const sbomGenerator = options.sbomGenerator ?? ctx.env.IMAGE_BUILD_SBOM_GENERATOR;
  if (sbomGenerator) settings.sbomGenerator = sbomGenerator;
  return settings;
}
