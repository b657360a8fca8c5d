/** Addresses and credentials of the real test environment that tools/test-env/setup.sh starts. */
export const MIRROR_REGISTRY = '127.0.0.1:5001';
export const TARGET_REGISTRY = '127.0.0.1:5000';
export const TARGET_USER = process.env.TEST_REGISTRY_USER ?? 'ci';
export const TARGET_PASSWORD = process.env.TEST_REGISTRY_PASSWORD ?? 'ci-password';
/** The external base every fixture builds FROM; the engine's mirror serves it (amd64 + arm64). */
export const DEBIAN_BASE = 'debian:trixie-slim';
