import { readDockerfile, type DockerfileFacts, type FromLine } from './dockerfile';
import { ImageConfigError } from './errors';
import { DEFAULT_LAYOUT } from './defaults';
import { classifyReference, renamedReference, type FamilyImageElsewhere } from './references';
import type { Layout } from './tags';

/** A sibling image this image builds FROM (or copies from). */
export interface ParentRef {
  image: string;
  line: number;
  /** The build arg that carries the reference, so a build can pin it to a digest. */
  arg?: string;
}

/** An image from outside the workspace (`debian:trixie-slim`), pinned by digest at build time. */
export interface ExternalRef {
  ref: string;
  line: number;
  arg?: string;
}

/** One workspace image, as read from its Dockerfile. Pure data. */
export interface ImageSpec {
  name: string;
  /** The image folder, relative to the workspace root (`images/base`). */
  root: string;
  dockerfile: string;
  parents: ParentRef[];
  externalBases: ExternalRef[];
  /** Folders outside the image folder that builds bind-mount (`scripts/cmake`, or `scripts`). */
  mountedInputs: string[];
  /**
   * The `devcontainer.metadata` label the build puts on the image (its lineage's metadata files, root first:
   * core/devcontainer-metadata.ts), when the image or an ancestor has one.
   */
  devcontainerLabel?: string;
}

export interface DockerfileSource {
  /** Path relative to the workspace root, e.g. `images/base/Dockerfile`. */
  dockerfile: string;
  content: string;
}

export interface SpecOptions {
  /** "Our" repository, e.g. `ghcr.io/acme/workspace-images`. */
  repository: string;
  /** The plugin's layout: which form of a reference names one of our images elsewhere (default: single). */
  layout?: Layout;
  /** Answers whether a path relative to the workspace root exists (the only effect, injected). */
  pathExists: (path: string) => boolean;
  /** `--build-arg` values every build gets (the plugin's build defaults): they replace ARG defaults, as in Docker. */
  buildArgs?: Readonly<Record<string, string>>;
  /** Reads a Dockerfile's facts (default: parses it; the plugin passes one that keeps them between commands). */
  readFacts?: (source: DockerfileSource, buildArgs: Readonly<Record<string, string>>) => DockerfileFacts;
}

/**
 * The build args of the plugin's build defaults (nx.json), which every build passes to buildx: they
 * replace ARG defaults in the graph as in the build. Anything but a map of strings is left out here.
 */
export function buildArgsOf(build: Readonly<Record<string, unknown>>): Record<string, string> {
  const args = build.buildArgs;
  if (!args || typeof args !== 'object' || Array.isArray(args)) return {};
  const strings = Object.entries(args).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return Object.fromEntries(strings);
}

export const imageNameOf = (dockerfile: string): string => {
  const parts = dockerfile.split('/');
  return (parts.length > 1 ? parts[parts.length - 2] : 'root').toLowerCase();
};
const dirOf = (file: string) => file.split('/').slice(0, -1).join('/') || '.';

/** Turns every Dockerfile of the workspace into an image spec; throws one clear error per problem. */
export function readImageSpecs(sources: readonly DockerfileSource[], options: SpecOptions): ImageSpec[] {
  const byName = new Map<string, string>();
  for (const { dockerfile } of sources) {
    const name = imageNameOf(dockerfile);
    const other = byName.get(name);
    if (other) {
      throw new ImageConfigError(
        `two images are named "${name}": ${other} and ${dockerfile}`,
        'an image is named after its folder: rename one of the two folders',
        dockerfile,
      );
    }
    byName.set(name, dockerfile);
  }
  const names = new Set(byName.keys());
  return sources.map((source) => toSpec(source, names, options));
}

function toSpec(source: DockerfileSource, names: ReadonlySet<string>, options: SpecOptions): ImageSpec {
  const { dockerfile } = source;
  const name = imageNameOf(dockerfile);
  const root = dirOf(dockerfile);
  const facts = (options.readFacts ?? ((s, args) => readDockerfile(s.dockerfile, s.content, args)))(
    source,
    options.buildArgs ?? {},
  );
  const stages = new Set<string>();
  const parents: ParentRef[] = [];
  const externalBases: ExternalRef[] = [];

  const classify = (from: FromLine) => {
    const kind = classifyReference(from.ref, options.repository, names, stages, options.layout ?? DEFAULT_LAYOUT);
    if (kind.kind === 'stage') return;
    if (kind.kind === 'unknown-sibling') {
      throw new ImageConfigError(
        `\`${from.ref}\` names the image "${kind.image}", which the workspace does not have`,
        `use one of ${[...names].sort().join(', ')} or add images/${kind.image || '<name>'}/Dockerfile`,
        dockerfile,
        from.line,
      );
    }
    if (kind.kind === 'other-repository') throw otherRepositoryError(from, kind, options, dockerfile);
    if (kind.kind === 'sibling') {
      if (kind.image === name) {
        throw new ImageConfigError(
          `the image "${name}" builds FROM itself (${from.ref})`,
          'name the parent image instead, or use an external base such as debian:trixie-slim',
          dockerfile,
          from.line,
        );
      }
      if (!parents.some((p) => p.image === kind.image)) {
        parents.push(
          from.arg ? { image: kind.image, line: from.line, arg: from.arg } : { image: kind.image, line: from.line },
        );
      }
      return;
    }
    if (!externalBases.some((e) => e.ref === from.ref)) {
      externalBases.push(
        from.arg ? { ref: from.ref, line: from.line, arg: from.arg } : { ref: from.ref, line: from.line },
      );
    }
  };
  for (const from of facts.froms) {
    classify(from);
    if (from.stageName) stages.add(from.stageName);
  }
  facts.otherImageRefs.forEach(classify);

  const mountedInputs = mountedInputsOf(facts, root, options, dockerfile);
  return { name, root, dockerfile, parents, externalBases, mountedInputs };
}

/** The folders outside the image folder that its builds bind-mount, sorted; a missing one is refused. */
function mountedInputsOf(facts: DockerfileFacts, root: string, options: SpecOptions, dockerfile: string): string[] {
  const mountedInputs: string[] = [];
  for (const mount of facts.bindMounts) {
    if (!options.pathExists(mount.source)) {
      throw new ImageConfigError(
        `RUN --mount bind-mounts "${mount.source}", which does not exist in the workspace`,
        `create ${mount.source}/install.sh, or correct source= (it is a path from the workspace root, e.g. scripts/<tool>)`,
        dockerfile,
        mount.line,
      );
    }
    const inside = mount.source === root || mount.source.startsWith(`${root}/`);
    if (!inside && !mountedInputs.includes(mount.source)) mountedInputs.push(mount.source);
  }
  return mountedInputs.sort();
}

/**
 * One of our images named under another repository (nx.json's `repository` renamed, the Dockerfiles not):
 * as it stands the child would build FROM that repository's image and lose its parent edge.
 */
function otherRepositoryError(
  from: FromLine,
  found: FamilyImageElsewhere,
  options: SpecOptions,
  dockerfile: string,
): ImageConfigError {
  const where = from.arg ? ` (the default of ARG ${from.arg})` : '';
  const ours = renamedReference(from.ref, found, options.repository, options.layout ?? DEFAULT_LAYOUT);
  return new ImageConfigError(
    `\`${from.ref}\`${where} looks like this workspace's image "${found.image}" under ${found.repository}, not the ` +
      `plugin's repository ${options.repository}: built so, it would build FROM that repository's image`,
    `run npx images rename-repository (it rewrites every such reference to ${ours} and the like), or set ` +
      `"repository": "${found.repository}" in the image plugin options in nx.json; an external base that only ` +
      `shares the name: pin it by digest (${from.ref}@sha256:...)`,
    dockerfile,
    from.line,
  );
}
