import { normalizeRepository } from './repository';

/** A parsed image reference: `registry/path/name[:tag][@digest]`, lowercased. */
export interface ImageReference {
  /** Everything before the tag and digest, e.g. `ghcr.io/acme/images`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseReference(ref: string): ImageReference {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const result: ImageReference = { repository: rest.toLowerCase() };
  if (tag) result.tag = tag;
  if (digest) result.digest = digest;
  return result;
}

/** How a `FROM` reference relates to the workspace. */
export type ReferenceKind =
  | { kind: 'stage' }
  | { kind: 'sibling'; image: string }
  /** In our repository, but no image of the workspace has that name. */
  | { kind: 'unknown-sibling'; image: string }
  /**
   * The family layout of one of our images, but under another registry or owner with our repository's
   * name (`ghcr.io/other/<repo>:<image>`): a Dockerfile and the plugin's `repository` that disagree.
   */
  | { kind: 'other-repository'; image: string; repository: string }
  | { kind: 'external' };

/**
 * Classifies a reference against "our" repository (`ghcr.io/<owner>/<repo>`, from the plugin
 * options) and the workspace's image names:
 * - `ghcr.io/<owner>/<repo>:<image>`: one repository for the family, the image name as tag;
 * - `ghcr.io/<owner>/<image>` or `ghcr.io/<owner>/<repo>/<image>` (any tag): one repository per image.
 * Everything else (`debian:trixie-slim`, `node:22`) is external.
 */
export function classifyReference(
  ref: string,
  ourRepository: string,
  imageNames: ReadonlySet<string>,
  stageNames: ReadonlySet<string> = new Set(),
): ReferenceKind {
  if (stageNames.has(ref.toLowerCase())) return { kind: 'stage' };
  const ours = normalizeRepository(ourRepository);
  const { repository, tag } = parseReference(ref);
  if (repository === ours) {
    if (!tag) return { kind: 'unknown-sibling', image: '' };
    return imageNames.has(tag) ? { kind: 'sibling', image: tag } : { kind: 'unknown-sibling', image: tag };
  }
  const slash = repository.lastIndexOf('/');
  const namespace = repository.slice(0, slash);
  const last = repository.slice(slash + 1);
  if (slash > 0 && (namespace === ours || namespace === ours.slice(0, ours.lastIndexOf('/')))) {
    if (imageNames.has(last)) return { kind: 'sibling', image: last };
    if (namespace === ours) return { kind: 'unknown-sibling', image: last };
  }
  if (tag && imageNames.has(tag) && slash > 0 && last === ours.slice(ours.lastIndexOf('/') + 1)) {
    return { kind: 'other-repository', image: tag, repository };
  }
  return { kind: 'external' };
}

/**
 * Where a repository lives for the registry API: its registry host and its path there
 * (`127.0.0.1:5000/acme/images` -> `127.0.0.1:5000` + `acme/images`). A first component without a dot
 * or port that is not `localhost` is a Docker Hub path (`debian` -> `docker.io` + `library/debian`).
 */
export function registryLocation(repository: string): { host: string; path: string } {
  const parts = repository.split('/');
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    return { host: parts[0], path: parts.slice(1).join('/') };
  }
  return { host: 'docker.io', path: parts.length === 1 ? `library/${parts[0]}` : repository };
}

/**
 * Whether a registry host (`localhost:5000`, `127.0.0.1`, `[::1]:5000`) is this machine: spoken to over
 * plain HTTP, and never through a proxy (as the docker CLI's Go client does it).
 */
export const isLoopbackHost = (host: string) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
