import { distributionOf, type DistributionAnswer } from '../adapters/engine';
import { pinRefusal, resolvedReference } from '../core/base-pin-check';
import { registryLocation, parseReference } from '../core/references';
import type { PreparedImage } from './prepare-images';
import type { RunContext } from './run-context';

/** Docker Hub's credentials key, as the engine expects it in X-Registry-Auth. */
const HUB_ADDRESS = 'https://index.docker.io/v1/';

/** Each pinned reference's manifest, asked once per run (many images of a run share a base). */
const asked = new WeakMap<RunContext, Map<string, Promise<DistributionAnswer | null>>>();

/**
 * Refuses, before anything is built, an image whose external base's pin is not in its registry or lacks a
 * platform the build asks for (core/base-pin-check.ts). Called on the build branch only: a reused image
 * needs no base, so a run that builds nothing asks nothing. One request through the engine per pin and run.
 */
export async function checkBasePins(run: RunContext, image: PreparedImage): Promise<void> {
  for (const pin of image.basePins) {
    const manifest = await pinnedManifest(run, resolvedReference(pin));
    const refusal = pinRefusal(pin, image.spec.dockerfile, manifest, image.settings.platforms);
    if (refusal) throw refusal;
  }
}

function pinnedManifest(run: RunContext, ref: string): Promise<DistributionAnswer | null> {
  let byRef = asked.get(run);
  if (!byRef) asked.set(run, (byRef = new Map()));
  let answer = byRef.get(ref);
  if (!answer) {
    answer = run.profile.time('lookups', async () => {
      const { host } = registryLocation(parseReference(ref).repository);
      const credentials = await run.registry.credentialsFor(host);
      const serveraddress = host === 'docker.io' ? HUB_ADDRESS : host;
      const { username, password, identityToken } = credentials ?? {};
      const auth = credentials ? { username, password, identitytoken: identityToken, serveraddress } : undefined;
      return distributionOf(ref, auth);
    });
    byRef.set(ref, answer);
  }
  return answer;
}
