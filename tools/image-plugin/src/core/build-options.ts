import {
  DEFAULT_COMPRESSION,
  DEFAULT_LAYOUT,
  DEFAULT_PARALLEL_BUILDS,
  RESULTS_DIR,
  SHA_LENGTH,
  type Compression,
} from './defaults';
import { ImageConfigError } from './errors';
import { optionProblem, type OptionsSchema, type ValueRule } from './option-check';
import { checkPlatforms, platformList, platformProblem } from './platforms';
import { normalizeRepository, repositoryProblem } from './repository';
import { parseSizeBudget } from './sizes';
import { cacheTag, type Layout } from './tags';

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
  /** Only reuse what the registry has; an image that would be built fails (CI's tag-unaffected job). */
  reuseOnly?: boolean;
  dryRun?: boolean;
  resultsDir?: string;
  progress?: 'auto' | 'plain' | 'tty' | 'quiet';
  /** Print where the run's time went (start-up, hashing, lookups, builds, tags) when it ends. */
  profile?: boolean;
  /** The largest compressed size the image may have, per platform (`700MiB`); none: no budget. */
  sizeBudget?: string;
  /** How a push compresses the layers: gzip (any engine pulls it) or zstd (faster to pull and unpack). */
  compression?: Compression;
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
  /** Only reuse (the content tag or this commit's SHA tag): an image that would be built fails, naming why. */
  reuseOnly: boolean;
  dryRun: boolean;
  resultsDir: string;
  progress: 'auto' | 'plain' | 'tty' | 'quiet';
  profile: boolean;
  /** The size budget in bytes, checked on every pushed image before its SHA tag; null: none. */
  sizeBudget: number | null;
  /** How a push compresses the layers; part of the content hash when not the default. */
  compression: Compression;
}

export interface SettingsContext {
  image: string;
  /** `linux/amd64` on an x86-64 host. */
  hostPlatform: string;
  defaultRepository?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether a file exists (a path from the workspace root, or absolute): the CA bundle is checked up front. */
  fileExists?: (path: string) => boolean;
}

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

/** The rules of the image-build options beyond their schema's types: one owner each. */
const BUILD_OPTION_RULES: Readonly<Record<string, ValueRule>> = {
  platforms: (v) => platformProblem(platformList(v as string[] | string), 'platforms'),
  indexPlatforms: (v) => platformProblem(platformList(v as string[] | string), 'indexPlatforms'),
  repository: (v) => (typeof v === 'string' ? repositoryProblem(v) : undefined),
};

/**
 * Refuses image-build options (a target's, nx.json's build defaults, the command line's) that their
 * schema (the executor's schema.json) does not allow: an unknown option, a wrong type, a value not
 * among the allowed ones, a platform or repository that is not one. `name` says where they come
 * from in the message: `image-build option platforms`, or `plugins[image-plugin].options.build.platforms`.
 */
export function checkBuildOptions(
  options: Readonly<Record<string, unknown>>,
  schema: OptionsSchema,
  where: {
    file?: string;
    line?: (option: string) => number | undefined;
    name: (option: string) => string;
    unknown: (option: string) => string;
  },
): void {
  const found = optionProblem(options, schema, BUILD_OPTION_RULES);
  if (!found) return;
  if (found.kind === 'unknown') {
    const list = found.known.filter((k) => k !== 'filter').join(', ');
    const fix = found.guess ? `did you mean ${found.guess}? The options are: ${list}` : `use one of ${list}`;
    throw new ImageConfigError(
      where.unknown(found.option),
      fix,
      where.file ?? 'image-build',
      where.line?.(found.option),
    );
  }
  if (where.file) {
    const line = where.line?.(found.option);
    throw new ImageConfigError(`${where.name(found.option)} ${found.problem}`, found.fix, where.file, line);
  }
  throw new ImageConfigError(found.problem, found.fix, where.name(found.option));
}

/** How the executor names its options in messages (the target's options and the command line's). */
export const IMAGE_BUILD_OPTION_NAMES = {
  name: (option: string) => `image-build option ${option}`,
  unknown: (option: string) => `unknown option --${option}`,
};

/**
 * Turns raw options into settings, once: validates platforms and numbers, expands the `registry` and
 * `gha` cache shorthands per image, and applies the environment (`CI`, `IMAGE_BUILD_CA_BUNDLE`).
 * The checks run in this order, so the first problem of several is the one reported.
 */
export function buildSettings(options: ImageBuildOptions, ctx: SettingsContext): BuildSettings {
  const platforms = platformsOf(options, ctx);
  const repository = repositoryOf(options, ctx);
  const shaLength = checkShaLength(options.shaLength ?? SHA_LENGTH.default);
  const push = options.push ?? false;
  const layout = options.layout ?? DEFAULT_LAYOUT;
  const expandCache = cacheExpander(cacheTag(repository, layout, ctx.image), ctx.image);
  const pushByDigest = checkPushByDigest(options.pushByDigest ?? false, push, platforms);
  const indexPlatforms = indexPlatformsOf(options, platforms);
  const caBundle = caBundleOf(options, ctx);
  const sbomGenerator = options.sbomGenerator ?? ctx.env.IMAGE_BUILD_SBOM_GENERATOR;
  return {
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
    indexPlatforms,
    ...runModeOf(options, ctx),
    sizeBudget:
      options.sizeBudget === undefined
        ? null
        : parseSizeBudget(options.sizeBudget, `image-build options of ${ctx.image}`),
    compression: options.compression ?? DEFAULT_COMPRESSION,
    ...(options.builder ? { builder: options.builder } : {}),
    ...(caBundle ? { caBundle } : {}),
    ...(sbomGenerator ? { sbomGenerator } : {}),
  };
}

/** The platforms to build: the options', else the host's. */
function platformsOf(options: ImageBuildOptions, ctx: SettingsContext): string[] {
  const platforms = platformList(options.platforms);
  if (platforms.length === 0) platforms.push(ctx.hostPlatform);
  checkPlatforms(platforms, 'platforms');
  return platforms;
}

/** The repository the images are tagged in: the options', else the workspace's default; one is needed. */
function repositoryOf(options: ImageBuildOptions, ctx: SettingsContext): string {
  const given = options.repository ?? ctx.defaultRepository;
  const repository = given === undefined ? '' : normalizeRepository(given);
  if (!repository) {
    throw bad(
      'no repository to tag the images with',
      'set "repository" (e.g. ghcr.io/<owner>/<repo>) in the image plugin options in nx.json, or GITHUB_REPOSITORY',
    );
  }
  return repository;
}

/** The `registry` and `gha` cache shorthands, and `{image}` in any other entry, for one image. */
function cacheExpander(cacheRef: string, image: string): (entry: string, to: boolean) => string {
  return (entry, to) => {
    if (entry === 'registry') return `type=registry,ref=${cacheRef}${to ? ',mode=max' : ''}`;
    if (entry === 'gha') return `type=gha,scope=${image}${to ? ',mode=max' : ''}`;
    return entry.replaceAll('{image}', image);
  };
}

/** pushByDigest pushes one platform per job, so it needs push and exactly one platform. */
function checkPushByDigest(pushByDigest: boolean, push: boolean, platforms: string[]): boolean {
  if (pushByDigest && !push) throw bad('pushByDigest needs push', 'pass --push together with --pushByDigest');
  if (pushByDigest && platforms.length !== 1) {
    throw bad(
      `pushByDigest builds one platform per job, got ${platforms.join(',')}`,
      'pass a single --platforms value per job, then run the merge command',
    );
  }
  return pushByDigest;
}

/** The platforms of the final index (default: the built ones), which include every built platform. */
function indexPlatformsOf(options: ImageBuildOptions, platforms: string[]): string[] {
  const indexPlatforms = platformList(options.indexPlatforms);
  checkPlatforms(indexPlatforms, 'indexPlatforms');
  if (indexPlatforms.length && platforms.some((p) => !indexPlatforms.includes(p))) {
    throw bad(
      `platforms ${platforms.join(',')} are not all in indexPlatforms ${indexPlatforms.join(',')}`,
      'list every platform of the final image in indexPlatforms',
    );
  }
  return indexPlatforms.length ? indexPlatforms : platforms;
}

/** The CA bundle builds get as a secret (the option, else IMAGE_BUILD_CA_BUNDLE), which must exist. */
function caBundleOf(options: ImageBuildOptions, ctx: SettingsContext): string | undefined {
  const caBundle = options.caBundle ?? ctx.env.IMAGE_BUILD_CA_BUNDLE;
  if (caBundle && ctx.fileExists && !ctx.fileExists(caBundle)) {
    throw new ImageConfigError(
      `"${caBundle}" does not exist`,
      'give the path of a PEM file of CA certificates (absolute, or from the workspace root), e.g. /etc/ssl/certs/ca-certificates.crt, or leave caBundle out when no TLS-intercepting proxy is in the way',
      options.caBundle ? 'image-build option caBundle' : 'IMAGE_BUILD_CA_BUNDLE',
    );
  }
  return caBundle;
}

/** How the run goes: reuse only, dry run, where results go, progress output and profiling. */
function runModeOf(
  options: ImageBuildOptions,
  ctx: SettingsContext,
): Pick<BuildSettings, 'reuseOnly' | 'dryRun' | 'resultsDir' | 'progress' | 'profile'> {
  return {
    reuseOnly: options.reuseOnly ?? false,
    dryRun: options.dryRun ?? false,
    resultsDir: options.resultsDir ?? RESULTS_DIR,
    progress: options.progress ?? (ctx.env.CI ? 'plain' : 'auto'),
    profile: profileOn(options.profile, ctx.env),
  };
}

/**
 * The SHA length publish and release name `<image>-<sha>` tags with: nx.json's `build.shaLength`, else
 * SHA_LENGTH's default, checked against its bounds (`where`: the command).
 */
export const workspaceShaLength = (build: { shaLength?: unknown }, where: string): number =>
  checkShaLength(Number(build.shaLength ?? SHA_LENGTH.default), where);

/** The SHA length of `<image>-<sha>` tags, checked against its bounds (build settings, publish, release). */
function checkShaLength(shaLength: number, where = 'image-build options'): number {
  if (!Number.isInteger(shaLength) || shaLength < SHA_LENGTH.min || shaLength > SHA_LENGTH.max) {
    throw new ImageConfigError(
      `shaLength ${shaLength} is out of range`,
      `use a whole number from ${SHA_LENGTH.min} to ${SHA_LENGTH.max}`,
      where,
    );
  }
  return shaLength;
}

/** How many buildx builds one run starts at once: IMAGE_BUILD_PARALLEL when set (a whole number above 0). */
/**
 * Whether a build prints where its time went: the `profile` option when given (so `profile: false` wins
 * over the environment), else IMAGE_BUILD_PROFILE=1 or true. The batch prints the run's profile when any
 * of its tasks has it on.
 */
export function profileOn(option: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return option ?? ['1', 'true'].includes(env.IMAGE_BUILD_PROFILE ?? '');
}

export function parallelBuilds(env: Readonly<Record<string, string | undefined>>): number {
  const given = env.IMAGE_BUILD_PARALLEL;
  if (given === undefined || given.trim() === '') return DEFAULT_PARALLEL_BUILDS;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1) {
    throw new ImageConfigError(
      `"${given}" is not a whole number above 0`,
      `set it to how many builds may run at once, e.g. IMAGE_BUILD_PARALLEL=${DEFAULT_PARALLEL_BUILDS}, or unset it`,
      'IMAGE_BUILD_PARALLEL',
    );
  }
  return n;
}
