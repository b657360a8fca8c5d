import { pinBases, type PinBasesRequest } from '../services/pin-bases';

/** `images pin-bases [--check]`: the Dockerfiles' pins of external bases moved to today's digests. */
export async function pinBasesCommand(args: PinBasesRequest): Promise<void> {
  await pinBases(args);
}
