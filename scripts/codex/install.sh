#!/usr/bin/env bash
# Installs the OpenAI Codex CLI (`codex`, npm package @openai/codex, pinned) system-wide.
# The npm package installs the native binary for this platform from its optional dependency
# (an alias of @openai/codex@<version>-linux-x64 / -arm64, on the npm registry): nothing outside npm.
# Needs Node.js and npm (scripts/nodejs) and HTTPS to the npm registry: behind a TLS-intercepting
# proxy, mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: skipped when the pinned version is already installed.
set -euo pipefail

version=0.169.0
package=@openai/codex

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/home-persist.sh
. "$(dirname "$(readlink -f "$0")")/../lib/home-persist.sh"
require_root "scripts/codex/install.sh"

# shellcheck source=scripts/lib/npm.sh
. "$(dirname "$(readlink -f "$0")")/../lib/npm.sh"
npm_install_missing codex "$package@$version"
# codex writes its state to $CODEX_HOME (default ~/.codex) even for --version: a throw-away one, not root's.
codex_home=$(mktemp -d)
CODEX_HOME=$codex_home codex --version
rm -rf "$codex_home"

# Codex keeps its login, config and sessions in ~/.codex (see docs/home-persist.md).
home_persist_manifest codex owner .codex:dir
