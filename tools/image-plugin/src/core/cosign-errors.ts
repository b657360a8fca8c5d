import { ImageConfigError, type ImageError } from './errors';
import { firstLine, registryError } from './registry-errors';

/** What cosign was asked: the command, the reference and how it signs (for the fix to name). */
export interface CosignCall {
  command: string;
  ref: string;
  key?: string;
  /** The Fulcio and Rekor addresses given to cosign (SIGSTORE_FULCIO_URL, SIGSTORE_REKOR_URL), if any. */
  fulcioUrl?: string;
  rekorUrl?: string;
}

/** The cosign release CI installs and the tests run (Debian 13's cosign): the signature format users verify. */
export const COSIGN_RELEASE = 'v2.5.0';

/** `cosign sign <ref> failed: <why> (<cosign's own line>); nothing was tagged`. */
const failed = (call: CosignCall, why: string, output: string) =>
  `cosign ${call.command} ${call.ref} failed: ${why} (${firstLine(output)}); nothing was tagged`;

function keyFailure(call: CosignCall, output: string): ImageError | undefined {
  if (!call.key) return undefined;
  if (/decrypt|decryption failed|incorrect password|invalid password/i.test(output)) {
    return new ImageConfigError(
      failed(call, `the key ${call.key} does not open with the password in COSIGN_PASSWORD`, output),
      `set COSIGN_PASSWORD to the password the key was made with (an empty one for a key made without), then run again`,
      call.key,
    );
  }
  if (/no such file|reading key: open|loading key/i.test(output)) {
    return new ImageConfigError(
      failed(call, `the key ${call.key} cannot be read`, output),
      'pass --key the path of a cosign private key (cosign generate-key-pair makes one), or leave --key out to sign keyless',
      call.key,
    );
  }
  return undefined;
}

function sigstoreFailure(call: CosignCall, output: string): ImageError | undefined {
  const fulcio = /getting key from Fulcio|retrieving cert|signingCert/i.test(output);
  const rekor =
    /rekor|tlog|transparency log/i.test(output) &&
    /dial tcp|connection refused|no such host|timeout|EOF|\b50[0234]\b/i.test(output);
  if (!fulcio && !rekor) return undefined;
  const service = fulcio
    ? `Fulcio${call.fulcioUrl ? ` at ${call.fulcioUrl}` : ''}`
    : `Rekor${call.rekorUrl ? ` at ${call.rekorUrl}` : ''}`;
  return new ImageConfigError(
    failed(call, `Sigstore's ${service} failed or cannot be reached`, output),
    'run the job again once Sigstore answers (https://status.sigstore.dev); the index is pushed by digest only and nothing names it until it is signed',
  );
}

function identityFailure(call: CosignCall, output: string): ImageError | undefined {
  if (call.key || !/identity token|id token|getting provider|oidc|OAuth/i.test(output)) return undefined;
  return new ImageConfigError(
    failed(call, 'no identity token to sign keyless', output),
    'in GitHub Actions give the job `permissions: id-token: write`; elsewhere sign with a key: --key cosign.key',
  );
}

function versionFailure(call: CosignCall, output: string): ImageError | undefined {
  if (!/signing.config|use-signing-config|new-bundle-format|unknown flag|unknown shorthand flag/i.test(output))
    return undefined;
  return new ImageConfigError(
    failed(call, 'this cosign does not sign the way the images are verified', output),
    `install cosign ${COSIGN_RELEASE} (Debian 13's cosign, or sigstore/cosign-installer with cosign-release: ${COSIGN_RELEASE}): cosign 3 signs in a format cosign 2 cannot verify, and refuses --tlog-upload=false`,
  );
}

/** Turns what a failed cosign printed into one error with the fix; the registry's own answers keep their wording. */
export function cosignError(call: CosignCall, output: string): ImageError {
  return (
    keyFailure(call, output) ??
    sigstoreFailure(call, output) ??
    identityFailure(call, output) ??
    versionFailure(call, output) ??
    registryError(call.ref, output) ??
    new ImageConfigError(
      `cosign ${call.command} ${call.ref} failed: ${firstLine(output)}; nothing was tagged`,
      'fix what cosign says, then run again (signing again is harmless)',
    )
  );
}
