/** Addresses and credentials of the real test environment that tools/test-env/setup.sh starts. */
export const MIRROR_REGISTRY = '127.0.0.1:5001';
export const TARGET_REGISTRY = '127.0.0.1:5000';
export const TARGET_USER = process.env.TEST_REGISTRY_USER ?? 'ci';
export const TARGET_PASSWORD = process.env.TEST_REGISTRY_PASSWORD ?? 'ci-password';
/** The external base every fixture builds FROM; the engine's mirror serves it (amd64 + arm64). */
export const DEBIAN_BASE = 'debian:trixie-slim';

/** The Authorization header for the password registry's API. */
export const TARGET_AUTH = `Basic ${Buffer.from(`${TARGET_USER}:${TARGET_PASSWORD}`).toString('base64')}`;
/** Accept for a manifest request: indexes and single manifests, OCI and Docker media types. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
