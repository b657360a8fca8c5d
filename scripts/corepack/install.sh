#!/usr/bin/env bash
# Installs corepack (npm package, pinned: Node.js no longer bundles it since 25) and enables its pnpm and yarn
# shims in /usr/local/bin. Pre-downloads pinned pnpm and yarn
# (4 as the default, 1 for classic projects) from the npm registry into the system-wide
# COREPACK_HOME=/usr/local/share/corepack, so they work offline.
# COREPACK_HOME and COREPACK_ENABLE_DOWNLOAD_PROMPT=0 reach every session (scripts/lib/environment.sh); the
# Dockerfile must also set them in ENV before this step.
# Needs Node.js and npm (scripts/nodejs) and HTTPS to the npm registry: behind a TLS-intercepting
# proxy, mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: corepack is installed once per version; corepack skips versions already in its cache.
# version: corepack --version
set -euo pipefail

corepack_version=0.36.0
pnpm_version=10.34.9
yarn_version=4.18.1
yarn_classic_version=1.22.22
home=/usr/local/share/corepack

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/environment.sh
. "$(dirname "$(readlink -f "$0")")/../lib/environment.sh"
require_root "scripts/corepack/install.sh"

# For this process only (never persisted): the CA bundle, the npm registry for every package manager
# (yarn 2+ comes from @yarnpkg/cli-dist on npm, not repo.yarnpkg.com), no interactive prompt.
export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
export npm_config_cafile=/etc/ssl/certs/ca-certificates.crt
export COREPACK_HOME=$home
export COREPACK_NPM_REGISTRY=https://registry.npmjs.org
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

# shellcheck source=scripts/lib/npm.sh
. "$(dirname "$(readlink -f "$0")")/../lib/npm.sh"
npm_install_missing corepack "corepack@$corepack_version"
hash -r
[ "$(command -v corepack)" = /usr/local/bin/corepack ] || { echo "corepack: /usr/local/bin/corepack is not first on PATH" >&2; exit 1; }

# Corepack checks npm's registry signatures. A registry mirror or proxy that strips them from the
# metadata makes every install fail ("No compatible signature found"): then, for this step only,
# rely on the tarballs' integrity hashes alone, and say so.
signatures=$(npm_run view "pnpm@$pnpm_version" dist.signatures --json 2>/dev/null || true)
if [ -z "$signatures" ] || [ "$signatures" = "[]" ]; then
  echo "corepack: the registry's metadata carries no signatures; installing with COREPACK_INTEGRITY_KEYS=0 (integrity hashes still checked)" >&2
  export COREPACK_INTEGRITY_KEYS=0
fi

install -d -m 0755 "$home"
corepack enable --install-directory /usr/local/bin pnpm yarn
corepack install --global "yarn@$yarn_classic_version"
corepack install --global "pnpm@$pnpm_version" "yarn@$yarn_version"
# Any user may add the versions a project pins (a single-user workspace; the image's versions stay).
chmod -R a+rwX "$home"

environment_set COREPACK_HOME "$home"
environment_set COREPACK_ENABLE_DOWNLOAD_PROMPT 0

echo "corepack $(corepack --version), pnpm $(pnpm --version), yarn $(yarn --version)"
