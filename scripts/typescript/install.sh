#!/usr/bin/env bash
# Installs the TypeScript tooling system-wide from the npm registry, pinned: typescript (tsc, tsserver)
# and tsx (runs .ts files directly).
# Needs Node.js and npm (scripts/nodejs) and HTTPS to the npm registry: behind a TLS-intercepting
# proxy, mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: skipped when the pinned versions are installed.
set -euo pipefail

packages=(typescript@5.9.3 tsx@4.23.15)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/typescript/install.sh"

installed=$(npm ls -g --depth=0 --json 2>/dev/null | jq -r '.dependencies // {} | to_entries[] | "\(.key)@\(.value.version)"')
missing=()
for spec in "${packages[@]}"; do
  grep -qxF "$spec" <<<"$installed" || missing+=("$spec")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "typescript: already installed (${packages[*]})"
else
  cache=$(mktemp -d)
  trap 'rm -rf "$cache"' EXIT
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cache="$cache" \
    npm install --global --no-audit --no-fund "${missing[@]}"
fi
echo "tsc $(tsc --version), tsx $(tsx --version | head -n 1)"
