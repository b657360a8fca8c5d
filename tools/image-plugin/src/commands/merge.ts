import type { ImageResult } from '../core/result';
import { mergePlatforms, type MergeRequest } from '../services/merge';

export interface MergeArgs extends MergeRequest {
  log: (line: string) => void;
}

/** `images merge`: the multi-platform index from per-platform builds (services/merge.ts). */
export async function merge(args: MergeArgs): Promise<ImageResult> {
  const result = await mergePlatforms(args);
  const verb = result.result === 'built' ? 'merged' : 'reused';
  args.log(`${args.image}: ${verb} ${result.digest} [${result.platforms.join(', ')}] as ${result.tags.join(', ')}`);
  return result;
}
