import { pinRefusal, resolvedReference } from '../core/base-pin-check';
import type { BuilderPort } from './ports';
import type { PreparedImage } from './prepare-images';
import type { Profile } from './profile';

/**
 * Refuses, before anything is built, an image whose external base's pin is not in its registry or lacks a
 * platform the build asks for (core/base-pin-check.ts). Called on the build branch only: a reused image
 * needs no base, so a run that builds nothing asks nothing. The builder asks the engine once per pin and run.
 */
export async function checkBasePins(
  run: { builder: Pick<BuilderPort, 'baseManifest'>; profile: Profile },
  image: PreparedImage,
): Promise<void> {
  for (const pin of image.basePins) {
    const ref = resolvedReference(pin);
    const manifest = await run.profile.time('lookups', () => run.builder.baseManifest(ref));
    const refusal = pinRefusal(pin, image.spec.dockerfile, manifest, image.settings.platforms);
    if (refusal) throw refusal;
  }
}
