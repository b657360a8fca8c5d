import { execa } from 'execa';
import { ImageConfigError } from '../core/errors';
import { firstLine, registryError } from '../core/registry-errors';

export interface SignOptions {
  /** A cosign private key (file or KMS URI). Without it cosign signs keyless (GitHub's OIDC token in CI). */
  key?: string;
  /** Upload to the transparency log (default true; false for a private key on a machine without Rekor). */
  tlog: boolean;
}

async function cosign(args: readonly string[], ref: string, env: Record<string, string> = {}): Promise<string> {
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
  if (r.exitCode !== 0) {
    const output = String(r.all ?? '');
    throw (
      registryError(ref, output) ??
      new ImageConfigError(
        `cosign ${args[0]} ${ref} failed: ${firstLine(output)}`,
        'fix what cosign says, then run again (signing again is harmless)',
      )
    );
  }
  return String(r.stdout ?? '');
}

/** Signs `repository@digest` and, recursively, every manifest of the index (each platform, each attestation). */
export async function signDigest(ref: string, options: SignOptions): Promise<void> {
  const args = ['sign', '--yes', '--recursive'];
  if (options.key) args.push('--key', options.key);
  if (!options.tlog) args.push('--tlog-upload=false');
  // An empty password for a key made with an empty one; COSIGN_PASSWORD from the caller wins.
  await cosign([...args, ref], ref, options.key ? { COSIGN_PASSWORD: process.env.COSIGN_PASSWORD ?? '' } : {});
}
