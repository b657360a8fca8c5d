import type { BuildSettings } from './build-options';
import { DEVCONTAINER_LABEL } from './devcontainer-metadata';
import type { ImageSpec } from './image-spec';
import { createdLabel, SOURCE_DATE_EPOCH, type Reproducibility } from './reproducible';
import { platformTag, type ImageTags } from './tags';

/** The `docker buildx build` invocation for one image. */
export interface BuildxInvocation {
  image: string;
  tags: ImageTags;
  platforms: string[];
  /** User build args plus the parents' pinned references. */
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** The arguments after `docker buildx build`. */
  args: string[];
}

export interface InvocationInput {
  spec: ImageSpec;
  settings: BuildSettings;
  tags: ImageTags;
  /** Parent image -> the reference to build FROM (digest-pinned when pushed). */
  parentRefs: Readonly<Record<string, string>>;
  /** External base references whose pins IMAGE_BASE_PINS replaced -> what the build gets instead. */
  replacedBases?: Readonly<Record<string, string>>;
  /** The full commit SHA. */
  revision: string;
  /** The commit's tag suffix (`1a2b3c4`, `1a2b3c4-dirty`): the version label. */
  revisionTag: string;
  /** The commit's time (SOURCE_DATE_EPOCH, also the created label) and the builder's timestamp rewriting. */
  reproducibility: Reproducibility;
  metadataFile: string;
  workspaceRoot: string;
}

/** `ghcr.io/acme/images` -> `https://github.com/acme/images`. */
export function sourceUrl(repository: string): string {
  const [host, owner, repo] = repository.split('/');
  return host === 'ghcr.io' && owner && repo ? `https://github.com/${owner}/${repo}` : `https://${repository}`;
}

/**
 * How the image leaves the build besides its tags: `--load` for a local gzip build, nothing more for a gzip
 * push (`--push` above), and for another compression the exporter with it: every layer (the parent's too: force-compression) in OCI media
 * types, which zstd needs. A push's image exporter; a local build's docker exporter (instead of `--load`, which
 * is that exporter with buildx's defaults), so the engine holds the layers a push would send: a pull request's
 * `images diff docker-daemon:...` then compares zstd with the registry's zstd. gzip keeps buildx's defaults.
 */
function exportArgs(settings: Pick<BuildSettings, 'push' | 'compression'>): string[] {
  if (settings.compression === 'gzip') return settings.push ? [] : ['--load'];
  const options = `compression=${settings.compression},force-compression=true,oci-mediatypes=true`;
  return ['--output', `type=${settings.push ? 'image' : 'docker'},${options}`];
}

/** The full `docker buildx build` invocation for one image. Pure: the same input gives the same args. */
export function buildxInvocation(input: InvocationInput): BuildxInvocation {
  const { spec, settings, tags } = input;
  // A pushed output with the builder's timestamp rewriting: every file time after the commit's becomes it.
  const push = input.reproducibility.rewriteTimestamps
    ? ['--output', 'type=registry,rewrite-timestamp=true']
    : ['--push'];
  const buildArgs: Record<string, string> = { ...settings.buildArgs };
  for (const parent of spec.parents) {
    const ref = input.parentRefs[parent.image];
    if (parent.arg && ref) buildArgs[parent.arg] = ref;
  }
  const labels: Record<string, string> = {
    'org.opencontainers.image.source': sourceUrl(settings.repository),
    'org.opencontainers.image.revision': input.revision,
    'org.opencontainers.image.created': createdLabel(input.reproducibility.sourceDateEpoch),
    'org.opencontainers.image.title': spec.name,
    'org.opencontainers.image.version': input.revisionTag,
  };
  // The dev container spec's image metadata (core/devcontainer-metadata.ts): a flag, not a LABEL line, since
  // the JSON would be unreadable in a Dockerfile; it replaces the label the parent's image passes down.
  if (spec.devcontainerLabel) labels[DEVCONTAINER_LABEL] = spec.devcontainerLabel;
  const args: string[] = [];
  if (settings.builder) args.push('--builder', settings.builder);
  args.push('--file', spec.dockerfile, '--platform', settings.platforms.join(','));
  for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
  // Not in buildArgs: the content hash leaves the commit's time out (it would change every commit's hash).
  args.push('--build-arg', `${SOURCE_DATE_EPOCH}=${input.reproducibility.sourceDateEpoch}`);
  for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`);
  // A replaced pin: the FROM reference as written becomes a named context of the replacement.
  for (const [ref, replacement] of Object.entries(input.replacedBases ?? {}))
    args.push('--build-context', `${ref}=docker-image://${replacement}`);
  if (settings.pushByDigest) {
    // One platform of a multi-platform image: pushed under a per-platform content tag (immutable, and
    // unlike push-by-digest it works with every buildx driver); the merge command makes the index.
    args.push('--tag', platformTag(tags.content, settings.platforms[0]), ...push);
  } else if (settings.push) {
    // Only the content tag: the run puts the commit's SHA tag on once the image passed its size budget.
    args.push('--tag', tags.content, ...push);
  } else {
    args.push('--tag', tags.sha, '--tag', tags.content);
  }
  args.push(...exportArgs(settings));
  args.push(`--provenance=${settings.provenance ? 'mode=max' : 'false'}`);
  if (settings.sbom) {
    args.push(settings.sbomGenerator ? `--attest=type=sbom,generator=${settings.sbomGenerator}` : '--sbom=true');
  }
  if (settings.caBundle) args.push('--secret', `id=ca-bundle,src=${settings.caBundle}`);
  for (const secret of settings.secrets) args.push('--secret', secret);
  for (const c of settings.cacheFrom) args.push('--cache-from', c);
  for (const c of settings.cacheTo) args.push('--cache-to', c);
  args.push('--metadata-file', input.metadataFile, '--progress', settings.progress, input.workspaceRoot);
  return { image: spec.name, tags, platforms: settings.platforms, buildArgs, labels, args };
}
