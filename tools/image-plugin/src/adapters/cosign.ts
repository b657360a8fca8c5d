import { execa } from 'execa';
import { cosignError, type CosignCall } from '../core/cosign-errors';
import { ImageConfigError } from '../core/errors';

export interface SignOptions {
  /** A cosign private key (file or KMS URI). Without it cosign signs keyless (GitHub's OIDC token in CI). */
  key?: string;
  /** Upload to the transparency log (default true; false for a private key on a machine without Rekor). */
  tlog: boolean;
}

async function cosign(args: readonly string[], call: CosignCall, env: Record<string, string> = {}): Promise<string> {
  const r = await execa('cosign', args, {
    reject: false,
    stdin: 'ignore',
    all: true,
    env: { COSIGN_YES: 'true', ...env },
  });
  if ((r as { code?: string }).code === 'ENOENT') {
    throw new ImageConfigError(
      'cosign is not installed',
      'install it: apt-get install cosign (Debian 13) or, in GitHub Actions, the sigstore/cosign-installer action',
    );
  }
  if (r.exitCode !== 0) throw cosignError(call, String(r.all ?? ''));
  return String(r.stdout ?? '');
}

/** Signs `repository@digest` and, recursively, every manifest of the index (each platform, each attestation). */
export async function signDigest(ref: string, options: SignOptions): Promise<void> {
  const args = ['sign', '--yes', '--recursive'];
  if (options.key) args.push('--key', options.key);
  // cosign 2 (COSIGN_RELEASE): --tlog-upload=false skips Rekor; cosign 3 refuses it (core/cosign-errors.ts says so).
  if (!options.tlog) args.push('--tlog-upload=false');
  // A private Sigstore (or, in the tests, an unreachable one): the Fulcio and Rekor addresses.
  const fulcioUrl = process.env.SIGSTORE_FULCIO_URL || undefined;
  const rekorUrl = process.env.SIGSTORE_REKOR_URL || undefined;
  if (fulcioUrl) args.push('--fulcio-url', fulcioUrl);
  if (rekorUrl) args.push('--rekor-url', rekorUrl);
  const call: CosignCall = { command: 'sign', ref, key: options.key, fulcioUrl, rekorUrl };
  // An empty password for a key made with an empty one; COSIGN_PASSWORD from the caller wins.
  await cosign([...args, ref], call, options.key ? { COSIGN_PASSWORD: process.env.COSIGN_PASSWORD ?? '' } : {});
}
