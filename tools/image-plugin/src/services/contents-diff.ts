import { allInOrder, readImageContents } from '../adapters/contents-reader';
import { RegistryClient } from '../adapters/registry';
import { checkRelated, contentsDiff, type ContentsDiff } from '../core/contents-diff';

export interface DiffRequest {
  from: string;
  to: string;
  allowUnrelated: boolean;
  env: NodeJS.ProcessEnv;
  /** A client already open (its logins and tokens shared), else one of its own. */
  registry?: RegistryClient;
}

/** Reads both images' contents at once, refuses unrelated images, and diffs them platform by platform. */
export async function diffImages(request: DiffRequest): Promise<ContentsDiff> {
  const registry = request.registry ?? new RegistryClient(request.env);
  const [a, b] = await allInOrder([readImageContents(registry, request.from), readImageContents(registry, request.to)]);
  const relation = checkRelated(a, b, request.allowUnrelated);
  return contentsDiff(a, b, relation);
}
