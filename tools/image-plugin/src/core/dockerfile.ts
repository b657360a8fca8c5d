import { parseFamiliarName } from '@swimlane/docker-reference';
import type { Dockerfile, Flag, From, ModifiableInstruction } from 'dockerfile-ast';
import { ImageConfigError } from './errors';
import { expandWord, ExpansionError, type WordExpansion } from './variables';

/** One `FROM` line, its reference expanded with the Dockerfile's global `ARG` defaults. */
export interface FromLine {
  /** The reference after expansion, e.g. `ghcr.io/acme/images:base` or a stage name. */
  ref: string;
  line: number;
  /** The `AS` name of the stage this line starts. */
  stageName?: string;
  /** The build arg the reference comes from (`FROM ${BASE_IMAGE}` -> `BASE_IMAGE`). */
  arg?: string;
}

/** A `RUN --mount=type=bind,source=...` of a path in the build context. */
export interface BindMount {
  source: string;
  line: number;
}

/** What the plugin needs to know about one Dockerfile. Pure data. */
export interface DockerfileFacts {
  froms: FromLine[];
  /** `COPY --from=<image>` and `RUN --mount=from=<image>` references that are not stage names. */
  otherImageRefs: FromLine[];
  bindMounts: BindMount[];
}

const lineOf = (i: { getRange(): { start: { line: number } } }) => i.getRange().start.line + 1;

/**
 * The ARGs BuildKit defines for every build from the platform being built (or the build host). A FROM
 * that uses one names a different image per platform.
 */
const PLATFORM_ARGS = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
];
/** Stands for a platform ARG's value while expanding: it survives expansion and is never part of a valid reference. */
const platformMarker = (name: string) => `\u0000${name}\u0000`;

/**
 * Reads a Dockerfile with a real parser (line continuations, heredocs, escape directive) and
 * resolves `FROM` references through the global `ARG`s exactly as BuildKit does: each default is
 * expanded with the ARGs declared before it, a build arg replaces a default (and is not expanded),
 * an ARG without a default is empty. `buildArgs` are the `--build-arg` values.
 */
export function readDockerfile(
  file: string,
  content: string,
  buildArgs: Readonly<Record<string, string>> = {},
): DockerfileFacts {
  // Loaded on first use: the plugin reads a Dockerfile only when its cached facts do not match its text.
  const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
  const dockerfile = DockerfileParser.parse(content);
  const escape = dockerfile.getEscapeCharacter();
  const reading: Reading = {
    file,
    expand: { values: globalArgValues(file, dockerfile, buildArgs, escape), escape },
    stageNames: new Set<string>(),
  };
  const froms = fromLinesOf(reading, dockerfile);
  const { bindMounts, otherImageRefs } = referencesOf(reading, dockerfile);
  return { froms, otherImageRefs, bindMounts };
}

/** One Dockerfile being read: its path, how its global ARGs expand, and the stage names so far. */
interface Reading {
  file: string;
  expand: Expansion;
  stageNames: Set<string>;
}

/** The global ARGs' values (a build arg, else the expanded default, else empty); platform ARGs stay markers. */
function globalArgValues(
  file: string,
  dockerfile: Dockerfile,
  buildArgs: Readonly<Record<string, string>>,
  escape: string,
): Map<string, string> {
  const values = new Map<string, string>(PLATFORM_ARGS.map((name) => [name, platformMarker(name)]));
  for (const arg of dockerfile.getInitialARGs()) {
    for (const property of arg.getProperties()) {
      const name = property.getName();
      if (PLATFORM_ARGS.includes(name)) continue;
      const raw = property.getUnescapedValue();
      if (Object.prototype.hasOwnProperty.call(buildArgs, name)) values.set(name, buildArgs[name]);
      else if (raw === null) values.set(name, '');
      else values.set(name, expandOrRefuse(file, lineOf(arg), raw, values, escape).value);
    }
  }
  return values;
}

/** The FROM lines, resolved in order (a later FROM may name an earlier stage); at least one. */
function fromLinesOf(reading: Reading, dockerfile: Dockerfile): FromLine[] {
  const froms = dockerfile.getFROMs();
  if (froms.length === 0) {
    throw new ImageConfigError(
      'the Dockerfile has no FROM instruction',
      'start the Dockerfile with `FROM <image>` (for a child image: `ARG BASE_IMAGE=<repository>:<parent>` then ' +
        '`FROM ${BASE_IMAGE}`)',
      reading.file,
    );
  }
  return froms.map((from) => {
    const fromLine = resolveReference(reading.file, lineOf(from), rawImageOf(from), reading.expand, reading.stageNames);
    const stageName = from.getBuildStage()?.toLowerCase();
    if (stageName) reading.stageNames.add(stageName);
    return stageName ? { ...fromLine, stageName } : fromLine;
  });
}

/** The bind mounts of RUN, and the images RUN --mount=from= and COPY/ADD --from= name (not stages). */
function referencesOf(reading: Reading, dockerfile: Dockerfile): Omit<DockerfileFacts, 'froms'> {
  const found: Omit<DockerfileFacts, 'froms'> = { otherImageRefs: [], bindMounts: [] };
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword !== 'RUN' && keyword !== 'COPY' && keyword !== 'ADD') continue;
    const line = lineOf(instruction);
    for (const flag of (instruction as ModifiableInstruction).getFlags()) {
      if (keyword === 'RUN' && flag.getName() === 'mount') readMount(reading, flag, line, found);
      else if (keyword !== 'RUN' && flag.getName() === 'from') readCopyFrom(reading, flag, line, found);
    }
  }
  return found;
}

/** `RUN --mount=type=bind`: a path in the build context, or (with from=) another image's. */
function readMount(reading: Reading, flag: Flag, line: number, found: Omit<DockerfileFacts, 'froms'>): void {
  const mount = mountOptions(flag);
  if ((mount.type ?? 'bind') !== 'bind') return;
  if (mount.from) {
    if (!reading.stageNames.has(mount.from.toLowerCase()))
      found.otherImageRefs.push(resolveReference(reading.file, line, mount.from, reading.expand, reading.stageNames));
    return;
  }
  found.bindMounts.push({ source: contextPathOf(reading.file, line, mount.source ?? mount.src ?? '.'), line });
}

/** `COPY --from=` / `ADD --from=`: an image, unless it names a stage (by name or number). */
function readCopyFrom(reading: Reading, flag: Flag, line: number, found: Omit<DockerfileFacts, 'froms'>): void {
  const value = flag.getValue() ?? '';
  if (value && !/^\d+$/.test(value) && !reading.stageNames.has(value.toLowerCase())) {
    found.otherImageRefs.push(resolveReference(reading.file, line, value, reading.expand, reading.stageNames));
  }
}

function rawImageOf(from: From): string {
  // The first argument that is not a flag (`--platform=...`) is the image.
  const args = from.getArguments().map((a) => a.getValue());
  return args.find((a) => !a.startsWith('--')) ?? '';
}

interface Expansion {
  values: ReadonlyMap<string, string>;
  escape: string;
}

function expandOrRefuse(
  file: string,
  line: number,
  raw: string,
  values: ReadonlyMap<string, string>,
  escape: string,
): WordExpansion {
  try {
    return expandWord(raw, values, escape);
  } catch (e) {
    if (!(e instanceof ExpansionError)) throw e;
    throw new ImageConfigError(
      `\`${raw}\` cannot be expanded: ${e.message}`,
      'write the variable as Docker expands it: $VAR, ${VAR}, ${VAR:-default}, ${VAR:+word}, ${VAR#prefix}, ' +
        '${VAR%suffix}, ${VAR/old/new}',
      file,
      line,
    );
  }
}

/** The variable a whole reference is (`$B`, `${B}`, `${B:-default}`): a build arg that replaces the reference. */
function wholeVariable(raw: string): string | undefined {
  return /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\})$/.exec(raw)?.slice(1).find(Boolean);
}

function resolveReference(
  file: string,
  line: number,
  raw: string,
  expand: Expansion,
  stages: ReadonlySet<string>,
): FromLine {
  const { value, unset } = expandOrRefuse(file, line, raw, expand.values, expand.escape);
  if (unset.length) {
    throw new ImageConfigError(
      `\`${raw}\` uses the variable ${unset[0]}, which is not declared before the first FROM (Docker would expand ` +
        `it to an empty string)`,
      `declare it before the first FROM with a default, e.g. \`ARG ${unset[0]}=<repository>:<parent>\`, or correct ` +
        `the name`,
      file,
      line,
    );
  }
  const platformArg = PLATFORM_ARGS.find((name) => value.includes(platformMarker(name)));
  if (platformArg) {
    throw new ImageConfigError(
      `\`${raw}\` depends on ${platformArg}, so it names another image for each platform; the graph and the content ` +
        `hash need one reference`,
      'name one multi-platform image (an index) and let BuildKit pick the platform, e.g. `FROM debian:trixie-slim`',
      file,
      line,
    );
  }
  if (value.trim() === '') {
    // BuildKit refuses a blank base name; without this it would be recorded as an external image "".
    const name = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(raw)?.[1];
    throw new ImageConfigError(
      raw ? `\`${raw}\` expands to an empty image reference` : 'the instruction names no image',
      name
        ? `give ${name} a non-empty default before the first FROM, e.g. \`ARG ${name}=<repository>:<parent>\`, or ` +
            `pass --build-arg ${name}=...`
        : 'name an image, e.g. `FROM debian:trixie-slim`',
      file,
      line,
    );
  }
  if (!stages.has(value.toLowerCase())) checkReference(file, line, raw, value);
  const arg = wholeVariable(raw);
  return arg ? { ref: value, line, arg } : { ref: value, line };
}

/** Refuses what Docker would refuse as "invalid reference format", first of all a `$` left unexpanded. */
function checkReference(file: string, line: number, raw: string, value: string): void {
  if (value.includes('$')) {
    throw new ImageConfigError(
      `\`${raw}\` expands to \`${value}\`, which still holds a \`$\`: Docker does not expand a variable inside ` +
        `single quotes or after an escape, and no image name has a \`$\``,
      'write the variable unquoted and unescaped, e.g. `FROM ${BASE_IMAGE}` after `ARG ' +
        'BASE_IMAGE=<repository>:<parent>`',
      file,
      line,
    );
  }
  try {
    parseFamiliarName(value);
  } catch (e) {
    throw new ImageConfigError(
      `\`${value}\`${value === raw ? '' : ` (from \`${raw}\`)`} is not an image reference Docker accepts: ` +
        `${(e as Error).message}`,
      'write it as [registry/]name[:tag][@sha256:digest] in lower case, e.g. `debian:trixie-slim` or ' +
        '`ghcr.io/<owner>/<repo>:<image>`',
      file,
      line,
    );
  }
}

function mountOptions(flag: Flag): Record<string, string | undefined> {
  const options: Record<string, string | undefined> = {};
  for (const option of flag.getOptions()) {
    // The mount flag is comma-separated values: a value may be double-quoted.
    const value = option.getValue();
    options[option.getName().toLowerCase()] = value === null ? undefined : value.replace(/^"(.*)"$/, '$1');
  }
  return options;
}

/**
 * A bind mount's `source` as a path from the build context's root. BuildKit resolves it inside the
 * context (`../../etc` mounts `<context>/etc`, never the host's /etc), so a source that climbs out
 * of the context is refused: the plugin would hash one folder and BuildKit mount another.
 */
function contextPathOf(file: string, line: number, source: string): string {
  const path = normalizeContextPath(source);
  if (path === null) {
    throw new ImageConfigError(
      `RUN --mount bind-mounts "${source}", which leaves the build context (the workspace root); BuildKit would ` +
        `mount a folder of the workspace instead`,
      'mount a folder inside the workspace, by its path from the workspace root, e.g. source=scripts/<tool>',
      file,
      line,
    );
  }
  return path;
}

/** `./scripts/cmake/` -> `scripts/cmake`; `.` and `/` -> `.` (the whole context); null when `..` leaves it. */
export function normalizeContextPath(source: string): string | null {
  const parts: string[] = [];
  for (const part of source.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return null;
  }
  return parts.length === 0 ? '.' : parts.join('/');
}
