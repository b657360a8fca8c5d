import { isDeepStrictEqual } from 'node:util';
import { ImageConfigError } from './errors';

/**
 * An image's `devcontainer.metadata` label (the dev container spec's image metadata): a JSON array of
 * entries, root image first, each one image's `devcontainer-metadata.json`. The dev containers CLI reads
 * the label of the image it starts and merges the entries with the project's devcontainer.json
 * (remoteUser: the last one wins; containerEnv: merged; privileged: any; mounts: by target), so a child
 * image's label is its parent's entries plus its own, each setting written once.
 */
export type MetadataEntry = Readonly<Record<string, unknown>>;

/** One image's metadata file, read. */
export interface MetadataSource {
  image: string;
  /** Relative to the workspace root: `images/base/devcontainer-metadata.json`. */
  file: string;
  text: string;
}

export const DEVCONTAINER_LABEL = 'devcontainer.metadata';

/** The properties that name users of the image (its test checks that they exist). */
const USER_PROPERTIES = ['remoteUser', 'containerUser'] as const;

type Check = (value: unknown) => string | null;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const USER_NAME = /^([a-z_][a-z0-9_-]*\$?|\d+)$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const user: Check = (v) =>
  typeof v === 'string' && USER_NAME.test(v) ? null : 'a user name (e.g. "coder") or a numeric id as text';
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const strings: Check = (v) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? null : 'a list of strings');
const object: Check = (v) => (isRecord(v) ? null : 'an object');
const env =
  (nullable: boolean): Check =>
  (v) => {
    const text = `an object of variable names to strings${nullable ? ' (or null)' : ''}`;
    if (!isRecord(v)) return text;
    const bad = Object.entries(v).find(
      ([k, x]) => !ENV_NAME.test(k) || !(typeof x === 'string' || (nullable && x === null)),
    );
    return bad ? `${text}; "${bad[0]}" is not` : null;
  };
const mounts: Check = (v) =>
  Array.isArray(v) && v.every((m) => typeof m === 'string' || (isRecord(m) && typeof m.target === 'string'))
    ? null
    : 'a list of mounts: "type=volume,source=name,target=/path" or { "type", "source", "target" }';
const command: Check = (v) =>
  typeof v === 'string' || strings(v) === null || isRecord(v) ? null : 'a command: a string, a list or an object';

/**
 * What the dev containers CLI reads from an image's label (its `pick` of image metadata, @devcontainers/cli
 * 0.89), with the type each must have. Anything else in the label it ignores.
 */
const PROPERTIES: Readonly<Record<string, Check>> = {
  remoteUser: user,
  containerUser: user,
  overrideCommand: bool,
  privileged: bool,
  init: bool,
  updateRemoteUserUID: bool,
  containerEnv: env(false),
  remoteEnv: env(true),
  mounts,
  capAdd: strings,
  securityOpt: strings,
  customizations: object,
  onCreateCommand: command,
  updateContentCommand: command,
  postCreateCommand: command,
  postStartCommand: command,
  postAttachCommand: command,
  waitFor: (v) => (typeof v === 'string' ? null : 'the name of a lifecycle command, e.g. "postCreateCommand"'),
  userEnvProbe: (v) =>
    ['none', 'loginShell', 'loginInteractiveShell', 'interactiveShell'].includes(v as string)
      ? null
      : 'one of none, loginShell, loginInteractiveShell, interactiveShell',
  portsAttributes: object,
  otherPortsAttributes: object,
  forwardPorts: (v) =>
    Array.isArray(v) && v.every((p) => typeof p === 'number' || typeof p === 'string') ? null : 'a list of ports',
  shutdownAction: (v) => (['none', 'stopContainer'].includes(v as string) ? null : 'none or stopContainer'),
  hostRequirements: object,
};

/** The 1-based line of a character offset. */
const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/** The line a top-level property is written on (its first `"name":`), or undefined. */
function lineOfProperty(text: string, name: string): number | undefined {
  const at = new RegExp(`"${name.replace(/[$]/g, '\\$&')}"\\s*:`).exec(text);
  return at ? lineAt(text, at.index) : undefined;
}

/** Where JSON.parse stopped: its message's position (Node 20: "at position N"; newer: "(line L column C)"). */
function syntaxLine(text: string, message: string): number {
  const line = /\(line (\d+) column \d+\)/.exec(message);
  if (line) return Number(line[1]);
  const position = /at position (\d+)/.exec(message);
  return position ? lineAt(text, Number(position[1])) : text.split('\n').length;
}

/** One image's metadata file as an entry of the label; refuses what the dev containers CLI would not read. */
export function parseMetadataFile({ file, text }: MetadataSource): MetadataEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    throw new ImageConfigError(
      `not valid JSON: ${message.replace(/\s*\(line \d+ column \d+\)$/, '')}`,
      'write one JSON object (no comments, no trailing commas), e.g. { "remoteUser": "coder", "overrideCommand": false }',
      file,
      syntaxLine(text, message),
    );
  }
  if (!isRecord(value) || Object.keys(value).length === 0) {
    throw new ImageConfigError(
      `must be a JSON object with at least one property, not ${JSON.stringify(value)}`,
      'write the properties this image adds to the dev container, e.g. { "remoteUser": "coder" }, or delete the file',
      file,
      1,
    );
  }
  for (const [name, v] of Object.entries(value)) {
    const check = PROPERTIES[name];
    if (!check) {
      throw new ImageConfigError(
        `"${name}" is not a property the dev containers CLI reads from an image's label`,
        `use ${Object.keys(PROPERTIES).join(', ')}; a setting such as runArgs or workspaceFolder belongs in the project's devcontainer.json`,
        file,
        lineOfProperty(text, name),
      );
    }
    const wanted = check(v);
    if (wanted) {
      throw new ImageConfigError(
        `"${name}" is ${JSON.stringify(v)}`,
        `make it ${wanted}`,
        file,
        lineOfProperty(text, name),
      );
    }
  }
  return value;
}

/** What of `own` an ancestor's entry already sets to the same value: a property, a variable, a list item. */
function repeated(inherited: unknown, own: unknown): string | null {
  if (isDeepStrictEqual(inherited, own)) return JSON.stringify(own);
  if (Array.isArray(inherited) && Array.isArray(own)) {
    const item: unknown = own.find((o) => inherited.some((i) => isDeepStrictEqual(i, o)));
    return item === undefined ? null : JSON.stringify(item);
  }
  if (isRecord(inherited) && isRecord(own)) {
    const key = Object.keys(own).find((k) => k in inherited && isDeepStrictEqual(inherited[k], own[k]));
    return key === undefined ? null : `${key}: ${JSON.stringify(own[key])}`;
  }
  return null;
}

/**
 * The label of the last image of a lineage (root first, each with its metadata file or null): every
 * ancestor's entry, then its own. A setting an ancestor already has (the same value) is refused in the
 * child's file: the label would carry it twice. Null when no image of the lineage has a file.
 */
export function devcontainerLabel(lineage: ReadonlyArray<MetadataSource | null>): string | null {
  const entries: Array<{ source: MetadataSource; entry: MetadataEntry }> = [];
  for (const source of lineage) {
    if (!source) continue;
    const entry = parseMetadataFile(source);
    for (const [name, value] of Object.entries(entry)) {
      for (const earlier of entries) {
        if (!(name in earlier.entry)) continue;
        const twice = repeated(earlier.entry[name], value);
        if (twice === null) continue;
        throw new ImageConfigError(
          `"${name}" repeats ${twice}, which ${earlier.source.file} (${earlier.source.image}, an ancestor) already sets: the image's label is its ancestors' entries plus this one, so it would say it twice`,
          `remove it here; write in ${source.file} only what ${source.image} adds or changes`,
          source.file,
          lineOfProperty(source.text, name),
        );
      }
    }
    entries.push({ source, entry });
  }
  return entries.length ? JSON.stringify(entries.map((e) => e.entry)) : null;
}

/** The users a label names (remoteUser, containerUser of every entry), each once, with the file that names it. */
export function labelUsers(
  lineage: ReadonlyArray<MetadataSource | null>,
): Array<{ user: string; property: string; file: string; line: number | undefined }> {
  const found: Array<{ user: string; property: string; file: string; line: number | undefined }> = [];
  for (const source of lineage) {
    if (!source) continue;
    const entry = parseMetadataFile(source);
    for (const property of USER_PROPERTIES) {
      const name = entry[property];
      if (typeof name !== 'string' || found.some((f) => f.user === name)) continue;
      found.push({ user: name, property, file: source.file, line: lineOfProperty(source.text, property) });
    }
  }
  return found;
}
