import { DockerfileParser, type Flag, type From, type ModifiableInstruction } from 'dockerfile-ast';
import { ImageConfigError } from './errors';
import { expandVariables } from './variables';

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
 * Reads a Dockerfile with a real parser (line continuations, heredocs, escape directive) and
 * resolves `FROM` references through global `ARG` defaults; `buildArgs` override the defaults.
 */
export function readDockerfile(
  file: string,
  content: string,
  buildArgs: Readonly<Record<string, string>> = {},
): DockerfileFacts {
  const dockerfile = DockerfileParser.parse(content);
  const values = new Map<string, string | undefined>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (!property) continue;
    const name = property.getName();
    // getValue() drops quotes and escapes the way BuildKit does (`ARG A="x"` is x, not "x").
    values.set(name, buildArgs[name] ?? property.getValue() ?? undefined);
  }

  const froms = dockerfile.getFROMs();
  if (froms.length === 0) {
    throw new ImageConfigError(
      'the Dockerfile has no FROM instruction',
      'start the Dockerfile with `FROM <image>` (for a child image: `ARG BASE_IMAGE=<repository>:<parent>` then `FROM ${BASE_IMAGE}`)',
      file,
    );
  }

  const stageNames = new Set<string>();
  const fromLines = froms.map((from) => {
    const fromLine = resolveReference(file, lineOf(from), rawImageOf(from), values);
    const stageName = from.getBuildStage()?.toLowerCase();
    if (stageName) stageNames.add(stageName);
    return stageName ? { ...fromLine, stageName } : fromLine;
  });

  const bindMounts: BindMount[] = [];
  const otherImageRefs: FromLine[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword !== 'RUN' && keyword !== 'COPY' && keyword !== 'ADD') continue;
    for (const flag of (instruction as ModifiableInstruction).getFlags()) {
      const line = lineOf(instruction);
      if (keyword === 'RUN' && flag.getName() === 'mount') {
        const mount = mountOptions(flag);
        if ((mount.type ?? 'bind') !== 'bind') continue;
        if (mount.from) {
          if (!stageNames.has(mount.from.toLowerCase())) otherImageRefs.push(resolveReference(file, line, mount.from, values));
          continue;
        }
        bindMounts.push({ source: normalizeContextPath(mount.source ?? mount.src ?? '.'), line });
      } else if (keyword !== 'RUN' && flag.getName() === 'from') {
        const value = flag.getValue() ?? '';
        if (value && !/^\d+$/.test(value) && !stageNames.has(value.toLowerCase())) {
          otherImageRefs.push(resolveReference(file, line, value, values));
        }
      }
    }
  }
  return { froms: fromLines, otherImageRefs, bindMounts };
}

function rawImageOf(from: From): string {
  // The first argument that is not a flag (`--platform=...`) is the image.
  const args = from.getArguments().map((a) => a.getValue());
  return args.find((a) => !a.startsWith('--')) ?? '';
}

function resolveReference(
  file: string,
  line: number,
  raw: string,
  values: ReadonlyMap<string, string | undefined>,
): FromLine {
  const expanded = expandVariables(raw, values);
  if ('missing' in expanded) {
    throw new ImageConfigError(
      `\`${raw}\` uses the variable ${expanded.missing}, which has no value`,
      `declare it before the first FROM with a default, e.g. \`ARG ${expanded.missing}=<repository>:<parent>\`, or pass --build-arg ${expanded.missing}=...`,
      file,
      line,
    );
  }
  if (expanded.value.trim() === '') {
    // BuildKit refuses a blank base name; without this it would be recorded as an external image "".
    const name = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(raw)?.[1];
    throw new ImageConfigError(
      raw ? `\`${raw}\` expands to an empty image reference` : 'the instruction names no image',
      name
        ? `give ${name} a non-empty default before the first FROM, e.g. \`ARG ${name}=<repository>:<parent>\`, or pass --build-arg ${name}=...`
        : 'name an image, e.g. `FROM debian:trixie-slim`',
      file,
      line,
    );
  }
  const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(raw);
  return variable ? { ref: expanded.value, line, arg: variable[1] } : { ref: expanded.value, line };
}

function mountOptions(flag: Flag): Record<string, string | undefined> {
  const options: Record<string, string | undefined> = {};
  for (const option of flag.getOptions()) options[option.getName().toLowerCase()] = option.getValue() ?? undefined;
  return options;
}

/** `./scripts/cmake/` -> `scripts/cmake`; `.` and `/` -> `.` (the whole context). */
export function normalizeContextPath(source: string): string {
  const parts = source.split('/').filter((p) => p !== '' && p !== '.');
  return parts.length === 0 ? '.' : parts.join('/');
}
