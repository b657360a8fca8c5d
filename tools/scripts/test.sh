#!/usr/bin/env bash
# Every test, on a bare machine too: sets up the real engine and registries, lints the shell
# scripts, type-checks and lints the TypeScript, then runs the vitest suites (unit, inference, engine and registry tests).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

bash tools/test-env/setup.sh || { echo "test environment set-up failed" >&2; exit 1; }

echo "[test] shellcheck"
mapfile -t shell_files < <(git ls-files '*.sh' 'scripts/*/install.sh' | sort -u)
shellcheck -x "${shell_files[@]}" || { echo "shellcheck failed" >&2; exit 1; }

echo "[test] formatting (prettier)"
npm run format:check --silent || { echo "formatting check failed: run npm run format" >&2; exit 1; }

echo "[test] build the image plugin"
npm run build --silent || { echo "image plugin build failed" >&2; exit 1; }

echo "[test] typescript"
npx --no-install tsc --noEmit -p tsconfig.base.json || { echo "type check failed" >&2; exit 1; }

echo "[test] lint"
npm run lint --silent || { echo "lint failed: fix the findings above (docs/architecture.md, Lint)" >&2; exit 1; }

# Builds that fetch over HTTPS get the host's CA bundle as a BuildKit secret (TLS-intercepting proxies).
if [ -z "${IMAGE_BUILD_CA_BUNDLE:-}" ] && [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  export IMAGE_BUILD_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
fi
# The mirror's digest of debian:trixie-slim replaces the Dockerfiles' pin (written by tools/test-env/setup.sh).
export IMAGE_BASE_PINS="${IMAGE_BASE_PINS:-${TEST_ENV_HOME:-/var/cache/image-orchestrator-test-env}/base-pins.json}"
mkdir -p dist
npx vitest run --reporter=default --reporter=json --outputFile.json=dist/test-results.json "$@"
code=$?
node tools/scripts/test-summary.mjs dist/test-results.json || true
exit "$code"
