import { SHA_LENGTH } from '../src/core/defaults';
import { revisionTag } from '../src/core/tags';

/**
 * The suffix of the `<image>-<sha>` tag a build writes for the commit `sha` when nothing sets shaLength:
 * the default of core/defaults.ts SHA_LENGTH, through the same function the build names its tags with.
 */
export const tagSha = (sha: string, length: number = SHA_LENGTH.default): string => revisionTag(sha, length);
