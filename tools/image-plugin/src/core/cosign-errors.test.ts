import { describe, expect, it } from 'vitest';
import { cosignError } from './cosign-errors';

const REF = '127.0.0.1:5000/acme/images@sha256:1da76cd6b1bf493ba6d71b981100d5b5b665c013ef6fba6bd3a02e2a369cdab8';
const cosignSaid = (cause: string) =>
  `Error: signing [${REF}]: ${cause}\nerror during command execution: signing [${REF}]: ${cause}`;

// What cosign 2.5.0 prints (captured from Debian's cosign), and what each becomes.
describe('cosignError: one message with the fix for each way signing fails', () => {
  it.each([
    {
      what: 'a key with another password',
      key: 'cosign.key',
      output: cosignSaid('getting signer: reading key: decrypt: encrypted: decryption failed'),
      problem: 'the key cosign.key does not open with the password in COSIGN_PASSWORD',
      fix: 'set COSIGN_PASSWORD to the password the key was made with',
    },
    {
      what: 'a key file that is not there',
      key: 'no-such.key',
      output: cosignSaid('getting signer: reading key: open no-such.key: no such file or directory'),
      problem: 'the key no-such.key cannot be read',
      fix: 'cosign generate-key-pair',
    },
    {
      what: 'Fulcio unreachable (keyless)',
      output: cosignSaid(
        'getting signer: getting key from Fulcio: retrieving cert: client: Post "http://127.0.0.1:9/api/v1/signingCert": dial tcp 127.0.0.1:9: connect: connection refused',
      ),
      problem: "Sigstore's Fulcio failed or cannot be reached",
      fix: 'https://status.sigstore.dev',
    },
    {
      what: 'Rekor unreachable',
      output: cosignSaid(
        'signing: uploading to tlog: Post "https://rekor.sigstore.dev/api/v1/log/entries": dial tcp: lookup rekor.sigstore.dev: no such host',
      ),
      problem: "Sigstore's Rekor failed or cannot be reached",
      fix: 'once Sigstore answers',
    },
    {
      what: 'keyless without a token',
      output: cosignSaid('getting signer: getting key from provider: no identity token provided'),
      problem: 'no identity token to sign keyless',
      fix: 'id-token: write',
    },
    {
      what: 'cosign 3 refusing the key path without the transparency log',
      key: 'cosign.key',
      output:
        'Error: --tlog-upload=false is not supported with --signing-config or --use-signing-config. Provide a signing config with --signing-config without a transparency log service',
      problem: 'this cosign does not sign the way the images are verified',
      fix: 'install cosign v2.5.0',
    },
    {
      what: 'the registry refusing the signature push',
      output: cosignSaid(
        'PUT https://127.0.0.1:5000/v2/acme/images/manifests/sha256-1da7.sig: UNAUTHORIZED: authentication required',
      ),
      problem: 'refused the credentials',
      fix: 'docker login 127.0.0.1:5000',
    },
  ])('$what', ({ key, output, problem, fix }) => {
    const error = cosignError({ command: 'sign', ref: REF, ...(key ? { key } : {}) }, output);
    expect(error.problem).toContain(problem);
    expect(error.fix).toContain(fix);
    if (!error.problem.includes('refused the credentials')) {
      expect(error.problem).toContain(`cosign sign ${REF} failed`);
      expect(error.problem).toMatch(/nothing was tagged$/);
    }
  });

  it('an unknown failure keeps cosign’s first error line', () => {
    const error = cosignError({ command: 'sign', ref: REF }, 'Error: something new\n');
    expect(error.problem).toBe(`cosign sign ${REF} failed: Error: something new; nothing was tagged`);
  });
});
