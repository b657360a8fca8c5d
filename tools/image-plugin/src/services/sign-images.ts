import { signDigest } from '../adapters/cosign';
import { ImageConfigError } from '../core/errors';
import { pinnedReference } from '../core/tags';
import { readResult } from '../adapters/result-files';

export interface SignRequest {
  workspaceRoot: string;
  images: string[];
  resultsDir: string;
  key?: string;
  tlog: boolean;
  log: (line: string) => void;
}

/**
 * Signs the pushed digest of each image (its `<resultsDir>/<image>.json`, as image-build or merge
 * wrote it), the index and every manifest in it. Keyless without a key (CI's OIDC token); signing a
 * digest again only adds a signature, so a re-run is safe.
 */
export async function signImages(args: SignRequest): Promise<string[]> {
  const refs: string[] = [];
  for (const image of args.images) {
    const result = await readResult(args.workspaceRoot, args.resultsDir, image);
    if (!result || !result.pushed) {
      throw new ImageConfigError(
        `${image} has no pushed result in ${args.resultsDir}, so there is no digest to sign; nothing was signed${refs.length ? ` after ${refs.join(', ')}` : ''}`,
        `build and push it first (npx nx run ${image}:image-build --push, or images merge ${image} after per-platform builds)`,
        `${args.resultsDir}/${image}.json`,
      );
    }
    const ref = pinnedReference(result.repository, result.digest);
    await signDigest(ref, { key: args.key, tlog: args.tlog });
    refs.push(ref);
    args.log(`${image}: signed ${ref}${args.key ? '' : ' (keyless)'}`);
  }
  return refs;
}
