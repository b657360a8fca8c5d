import { valid as validSemver } from 'semver';
import { ImageConfigError } from '../../core/errors';
import { PATH_COMPONENT } from '../../core/repository';

/**
 * Rules for what a user types into a generator. Each returns the value to use or throws one
 * ImageConfigError saying what is wrong and what to type instead. Pure.
 */

/**
 * Longest image name: keeps its longest tag, `<name>-content-<16 hex>-<os>-<arch>[-<variant>]`, within
 * Docker's 128 characters.
 */
export const MAX_IMAGE_NAME = 63;

/** An image name: a folder, an Nx project, a repository path component and (single layout) a tag prefix. */
export function checkImageName(name: string): string {
  const fix = 'use lowercase letters and digits, separated by single ".", "_", "__" or "-" (e.g. python, rust-nightly)';
  if (!name) throw new ImageConfigError('the image needs a name', `pass one: nx g image <name>; ${fix}`);
  if (name.length > MAX_IMAGE_NAME) {
    throw new ImageConfigError(
      `"${name}" is ${name.length} characters long: ` +
        `its tags (<name>-content-<hash>-<platform>) would pass Docker's 128`,
      `use at most ${MAX_IMAGE_NAME} characters`,
    );
  }
  if (!PATH_COMPONENT.test(name)) {
    const lower = name.toLowerCase();
    const onlyCase = lower !== name && PATH_COMPONENT.test(lower);
    throw new ImageConfigError(
      `"${name}" is not a valid image name${onlyCase ? ' (image names are lowercase)' : ''}`,
      onlyCase ? `use "${lower}"` : fix,
    );
  }
  return name;
}

/**
 * In the single layout every tag of an image starts with `<image>-`: an image named `<other>-<rest>` can own
 * a tag of `other` (`node-22` is node's release tag of v22, `node-content-...` its content tag). Returns the
 * clash, if any, between a new name and an existing one.
 */
export function tagClash(name: string, existing: string): string | undefined {
  const ownedBy = (longer: string, prefix: string) => {
    if (!longer.startsWith(`${prefix}-`)) return undefined;
    const rest = longer.slice(prefix.length + 1);
    if (/^\d/.test(rest)) return `"${longer}" is also ${prefix}'s release tag for version ${rest}`;
    if (/^[0-9a-f]{4,40}$/.test(rest)) return `"${longer}" is also ${prefix}'s tag for commit ${rest}`;
    if (rest === 'buildcache' || rest.startsWith('content-')) return `"${longer}" is also one of ${prefix}'s own tags`;
    return undefined;
  };
  return ownedBy(name, existing) ?? ownedBy(existing, name);
}

/** A tool (an install script's folder): a path component too, and not the shared helpers' folder. */
export function checkToolName(tool: string): string {
  const fix = 'use lowercase letters and digits, separated by ".", "_" or "-" (e.g. ripgrep, github-cli)';
  if (!tool) {
    throw new ImageConfigError('the install script needs a tool name', `pass one: nx g install-script <tool>; ${fix}`);
  }
  if (tool === 'lib') {
    throw new ImageConfigError(
      '"lib" is the folder of the shared helpers, not a tool',
      'name the script after the tool it installs',
    );
  }
  if (!/^[a-z0-9]+(?:[._-]+[a-z0-9]+)*$/.test(tool)) {
    throw new ImageConfigError(`"${tool}" is not a valid tool name`, fix);
  }
  return tool;
}

/** A Debian package name (Debian policy 5.6.1), without a version: the script installs the archive's. */
export function checkAptPackage(pkg: string): string {
  if (/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) return pkg;
  const bare = /^([a-z0-9][a-z0-9+.-]+)[=:]/.exec(pkg)?.[1];
  throw new ImageConfigError(
    `--apt "${pkg}" is not a Debian package name`,
    bare
      ? `pass the bare name "${bare}": the script installs the version of the image's Debian release`
      : 'use the package name as `apt-cache search` shows it: lowercase letters, digits, "+", "-" and "."',
  );
}

/** An npm package pinned to one exact version: `name@1.2.3` or `@scope/name@1.2.3`. */
export function checkNpmPackage(spec: string): string {
  const at = spec.lastIndexOf('@');
  const name = at > 0 ? spec.slice(0, at) : spec;
  const version = at > 0 ? spec.slice(at + 1) : '';
  if (!/^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(name)) {
    throw new ImageConfigError(
      `--npm "${spec}": "${name}" is not an npm package name`,
      'use the name as the npm registry spells it, e.g. typescript or @scope/name',
    );
  }
  if (!version || validSemver(version) !== version) {
    throw new ImageConfigError(
      `--npm "${spec}" is not pinned to one version`,
      `pin an exact version: ${name}@<x.y.z> (\`npm view ${name} version\` prints the latest); ` +
        'images must build the same tomorrow',
    );
  }
  return spec;
}

export type PersistType = 'dir' | 'file';
export interface PersistPath {
  path: string;
  type: PersistType;
}

/** A `--persist` entry, `<path under $HOME>:<dir|file>` (type dir when left out), checked like the resolver does. */
export function checkPersistPath(entry: string): PersistPath {
  const colon = entry.lastIndexOf(':');
  const path = colon >= 0 ? entry.slice(0, colon) : entry;
  const type = colon >= 0 ? entry.slice(colon + 1) : 'dir';
  const fix = 'give a path relative to $HOME with its type, e.g. .config/mytool:dir or .mytoolrc:file';
  if (type !== 'dir' && type !== 'file') {
    throw new ImageConfigError(`--persist "${entry}": the type must be dir or file, not "${type}"`, fix);
  }
  const relative = path.replace(/^~\//, '');
  const parts = relative.split('/');
  if (!relative || relative.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new ImageConfigError(`--persist "${entry}": "${path}" is not a path under $HOME`, fix);
  }
  if (!/^[A-Za-z0-9._/-]+$/.test(relative)) {
    throw new ImageConfigError(
      `--persist "${entry}": use only letters, digits, ".", "_", "-" and "/" in the path`,
      fix,
    );
  }
  return { path: parts.join('/'), type };
}

/** A free-text option that lands in a comment, a label or a docs line: one line of text. */
export function checkOneLine(option: string, value: string): string {
  if (/[\r\n]/.test(value)) {
    throw new ImageConfigError(
      `--${option} must be one line`,
      `write it without line breaks: --${option} "what it is for"`,
    );
  }
  return value;
}
