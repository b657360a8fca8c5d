import type { OptionsSchema } from '../../core/option-check';
import schema from './schema.json';

/**
 * The image-build options as schema.json declares them (types, allowed values, defaults): the one
 * owner of what an option may be. The executor and the plugin (nx.json's `build`) check options
 * against it; Nx validates with the lenient copy the build writes (nx-schema.json, core/option-check.ts).
 */
export const IMAGE_BUILD_SCHEMA = schema as unknown as OptionsSchema;
