import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveRemoteDigest } from '../adapters/engine';
import { npmRegistryOf, publishedVersions } from '../adapters/npm-registry';
import { globalArgDefaults } from '../core/dockerfile-args';
import { ImageConfigError } from '../core/errors';
import { argMoveLine, npmPinMoves, npmPinsOf, packagesOf, rewriteArgs, type ArgMove } from '../core/npm-pins';
import { moveLine, pinMoves, pinnedBasesOf, rewritePins, type PinMove, type PinnedBase } from '../core/pin-bump';
import { readDockerfile } from '../core/dockerfile';
import { platformList } from '../core/platforms';
import { workspaceImages, type WorkspaceImages } from './workspace';

export interface PinBasesRequest {
  workspaceRoot: string;
  /** Only say what moved, write nothing, fail when anything did. */
  check: boolean;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** What a bump found: one line per pin that moved, and the Dockerfiles rewritten (workspace path -> text). */
export interface PinBump {
  moved: string[];
  files: Map<string, string>;
}

/**
 * `images pin-bases`: moves every pin with an upstream to what the upstream publishes now: the external
 * bases' digests (resolved through the engine, so its registry mirrors apply) and the Node.js and npm
 * versions with their integrity hashes (the npm registry, core/npm-pins.ts). `--check` only says what
 * moved and fails. A refresh is then an ordinary commit, reviewed and tested like any other.
 */
export async function pinBases(req: PinBasesRequest): Promise<PinBump> {
  const bump = await pinBump(req);
  if (req.check) {
    if (bump.moved.length) {
      throw new ImageConfigError(
        `${bump.moved.length} pin(s) differ from what their upstream publishes now (listed above)`,
        'run npx images pin-bases, then commit the change: it is built and tested like any other',
        'images pin-bases --check',
      );
    }
    return bump;
  }
  await writeFiles(req.workspaceRoot, bump.files);
  req.log(bump.moved.length ? `moved ${bump.moved.length} pin(s): commit the change` : 'nothing to pin');
  return bump;
}

/** Every pin's move and the Dockerfiles as they would be, logged, nothing written. */
export async function pinBump(req: Omit<PinBasesRequest, 'check'>): Promise<PinBump> {
  const images = await workspaceImages(req.workspaceRoot);
  const texts = new Map(
    await Promise.all(
      images.specs.map(async (s) => [s.name, await readFile(join(req.workspaceRoot, s.dockerfile), 'utf8')] as const),
    ),
  );
  const bases = await baseMoves(images, texts, req.log);
  const args = await versionMoves(req, images, texts);
  const moved = [...bases.map(moveLine), ...args.map(argMoveLine)];
  for (const line of moved) req.log(line);
  const files = new Map<string, string>();
  for (const spec of images.specs.filter((s) => [...bases, ...args].some((m) => m.dockerfile === s.dockerfile))) {
    const { dockerfile } = spec;
    const text = texts.get(spec.name)!;
    const own = <T extends { dockerfile: string }>(moves: T[]) => moves.filter((m) => m.dockerfile === dockerfile);
    files.set(dockerfile, rewriteArgs(rewritePins(text, own(bases)), own(args)));
  }
  return { moved, files };
}

export async function writeFiles(workspaceRoot: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [path, text] of files) await writeFile(join(workspaceRoot, path), text);
}

/** The external bases' pins (every FROM line naming one) against the digests their names resolve to now. */
async function baseMoves(
  images: WorkspaceImages,
  texts: ReadonlyMap<string, string>,
  log: (line: string) => void,
): Promise<PinMove[]> {
  const bases: PinnedBase[] = images.specs.flatMap((spec) => {
    const buildArgs = images.buildOptions[spec.name]?.buildArgs ?? {};
    const { froms } = readDockerfile(spec.dockerfile, texts.get(spec.name)!, buildArgs);
    return pinnedBasesOf(spec.dockerfile, spec.externalBases, froms);
  });
  const names = [...new Set(bases.map((b) => b.name))];
  const digests = await Promise.all(names.map((name) => resolveRemoteDigest(name)));
  const moves = pinMoves(bases, new Map(names.map((name, i) => [name, digests[i]])));
  names.forEach((name, i) =>
    log(`${name}: ${digests[i]}${moves.some((m) => m.name === name) ? '' : ' (every pin is current)'}`),
  );
  return moves;
}

/** The Node.js and npm version pins against the npm registry (each package asked once). */
async function versionMoves(
  req: Omit<PinBasesRequest, 'check'>,
  images: WorkspaceImages,
  texts: ReadonlyMap<string, string>,
): Promise<ArgMove[]> {
  const pins = images.specs
    .map((spec) => {
      const platforms = platformList(images.buildOptions[spec.name]?.platforms);
      return npmPinsOf(spec.dockerfile, globalArgDefaults(texts.get(spec.name)!), platforms);
    })
    .filter((p) => p !== null);
  const packages = [...new Set(pins.flatMap(packagesOf))];
  if (!packages.length) return [];
  const registry = await npmRegistryOf(req.env);
  const versions = await Promise.all(packages.map((pkg) => publishedVersions(registry, pkg, req.env)));
  const published = new Map(packages.map((pkg, i) => [pkg, versions[i]]));
  const moves = pins.flatMap((p) => npmPinMoves(p, published));
  for (const p of pins) {
    for (const pin of [p.node, p.npm]) {
      if (pin && !moves.some((m) => m.dockerfile === p.dockerfile && m.line === pin.version.line)) {
        const of = pin.packages.map((x) => x.pkg).join(', ');
        req.log(
          `${p.dockerfile}:${pin.version.line}: ${pin.version.name} ${pin.version.value} is current (${of} on ${registry})`,
        );
      }
    }
  }
  return moves;
}
