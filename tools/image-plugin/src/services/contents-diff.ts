import { allInOrder, readImageContents } from '../adapters/contents-reader';
import { readEngineContents } from '../adapters/engine-contents';
import { RegistryClient } from '../adapters/registry';
import { checkRelated, contentsDiff, type ContentsDiff } from '../core/contents-diff';
import { imageSource, platformsToRead, sizeKindFor } from '../core/image-source';

export interface DiffRequest {
  /** A registry reference, or `docker-daemon:<ref>` for the local engine's image. */
  from: string;
  to: string;
  allowUnrelated: boolean;
  env: NodeJS.ProcessEnv;
  /** A client already open (its logins and tokens shared), else one of its own. */
  registry?: RegistryClient;
}

/**
 * Reads both images' contents, refuses unrelated images, and diffs them platform by platform. An image of the
 * local engine is read first: the registry side is then read for its platform, its sizes counted alike.
 */
export async function diffImages(request: DiffRequest): Promise<ContentsDiff> {
  const registry = request.registry ?? new RegistryClient(request.env);
  const sources = [imageSource(request.from), imageSource(request.to)];
  const local = await allInOrder(
    sources.map((s) => (s.from === 'engine' ? readEngineContents(s.ref) : Promise.resolve(null))),
  );
  const engineSide = local.find((l) => l) ?? null;
  const options = { sizes: sizeKindFor(engineSide), platforms: platformsToRead(engineSide) };
  const [a, b] = await allInOrder(
    sources.map((s, i) => (local[i] ? Promise.resolve(local[i]) : readImageContents(registry, s.ref, options))),
  );
  return contentsDiff(a, b, checkRelated(a, b, request.allowUnrelated));
}
