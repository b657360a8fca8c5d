#!/usr/bin/env bash
# Installs the TypeScript tooling system-wide from the npm registry, pinned: typescript (tsc, tsserver)
# and tsx (runs .ts files directly).
# Needs Node.js and npm (scripts/nodejs) and HTTPS to the npm registry: behind a TLS-intercepting
# proxy, mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: skipped when the pinned versions are installed.
# version: tsc --version
set -euo pipefail

packages=(typescript@5.9.3 tsx@4.23.15)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/typescript/install.sh"

# shellcheck source=scripts/lib/npm.sh
. "$(dirname "$(readlink -f "$0")")/../lib/npm.sh"
npm_install_missing typescript "${packages[@]}"
echo "tsc $(tsc --version), tsx $(tsx --version | head -n 1)"
