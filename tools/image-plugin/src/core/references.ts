import { normalizeRepository } from './repository';
import { imageRepository, type Layout } from './tags';

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
   * One of our images by the family's layout, but under another repository (a renamed `repository`, or a
   * Dockerfile and nx.json that disagree): see familyImageElsewhere for the rule.
   */
  | { kind: 'other-repository'; image: string; repository: string; layout: Layout }
  | { kind: 'external' };

/**
 * Classifies a reference against "our" repository (`ghcr.io/<owner>/<repo>`, from the plugin
 * options) and the workspace's image names:
 * - `ghcr.io/<owner>/<repo>:<image>`: one repository for the family, the image name as tag;
 * - `ghcr.io/<owner>/<image>` or `ghcr.io/<owner>/<repo>/<image>` (any tag): one repository per image.
 * Everything else (`debian:trixie-slim`, `node:22`) is external, but for what familyImageElsewhere
 * takes for one of our images under another repository. `layout` (nx.json's) narrows that rule to
 * the layout's form; left out, both forms count.
 */
export function classifyReference(
  ref: string,
  ourRepository: string,
  imageNames: ReadonlySet<string>,
  stageNames: ReadonlySet<string> = new Set(),
  layout?: Layout,
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
  const elsewhere = familyImageElsewhere(ref, ours, imageNames, layout);
  if (elsewhere) return { kind: 'other-repository', ...elsewhere };
  return { kind: 'external' };
}

/** One of our images named under another repository: the image, that repository and the layout's form. */
export interface FamilyImageElsewhere {
  image: string;
  /** `ghcr.io/acme/images` (single: the reference's repository; per-image: the folder above the image). */
  repository: string;
  layout: Layout;
}

/**
 * Whether `ref` looks like one of our images under another repository than `ours`: what the
 * Dockerfiles still say after nx.json's `repository` was renamed (`ghcr.io/acme/images:base`, with
 * `ghcr.io/me/devboxes` in nx.json). All three must hold:
 * 1. it names one of our images by the layout's form: single, its tag (`<repo>:base`); per-image, its
 *    last path part (`<repo>/base[:tag]`); `layout` left out: either;
 * 2. it has an owner: two path parts or more after the registry, and not Docker Hub's `library/`
 *    (our repository always has one; `node:22`, `debian:trixie-slim` never match);
 * 3. it is near ours: the repository's last part is ours' (`ghcr.io/alice/<our name>`, any registry),
 *    or, when it is not pinned by digest, it shares our registry host (`ghcr.io/acme/images` next to
 *    `ghcr.io/me/devboxes`: a renamed path) or our owner (`ghcr.io/me/...` next to `registry.me.dev/me/...`).
 * A real external base is pinned by digest (an unpinned one is refused at build time, core/base-pins.ts),
 * so a pin exempts a reference that only shares a name (`ghcr.io/other/tool:base@sha256:...`); the
 * parents of the family are never pinned in a Dockerfile (CI pins them through the build arg).
 */
export function familyImageElsewhere(
  ref: string,
  ours: string,
  imageNames: ReadonlySet<string>,
  layout?: Layout,
): FamilyImageElsewhere | undefined {
  const { repository, tag, digest } = parseReference(ref);
  const path = registryLocation(repository).path.split('/');
  if (path.length < 2 || path[0] === 'library' || repository === normalizeRepository(ours)) return undefined;
  const candidates: FamilyImageElsewhere[] = [];
  if (layout !== 'per-image' && tag && imageNames.has(tag))
    candidates.push({ image: tag, repository, layout: 'single' });
  const slash = repository.lastIndexOf('/');
  const last = repository.slice(slash + 1);
  if (layout !== 'single' && imageNames.has(last))
    candidates.push({ image: last, repository: repository.slice(0, slash), layout: 'per-image' });
  return candidates.find((c) => isNear(c.repository, normalizeRepository(ours), digest !== undefined));
}

function isNear(theirs: string, ours: string, pinned: boolean): boolean {
  if (theirs === ours) return false;
  const a = registryLocation(theirs);
  const b = registryLocation(ours);
  const [aPath, bPath] = [a.path.split('/'), b.path.split('/')];
  if (aPath.length > 1 && aPath[aPath.length - 1] === bPath[bPath.length - 1]) return true;
  return !pinned && (a.host === b.host || aPath[0] === bPath[0]);
}

/** The reference moved to our repository: the same image in nx.json's layout, its tag and digest kept. */
export function renamedReference(ref: string, found: FamilyImageElsewhere, ours: string, layout: Layout): string {
  const { tag, digest } = parseReference(ref);
  const keptTag = layout === 'single' ? found.image : found.layout === 'per-image' ? tag : undefined;
  return `${imageRepository(normalizeRepository(ours), layout, found.image)}${keptTag ? `:${keptTag}` : ''}${digest ? `@${digest}` : ''}`;
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
