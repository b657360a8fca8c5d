#!/usr/bin/env bash
# Installs the OpenAI Codex CLI (`codex`, npm package @openai/codex, pinned) system-wide.
# The npm package installs the native binary for this platform from its optional dependency
# (an alias of @openai/codex@<version>-linux-x64 / -arm64, on the npm registry): nothing outside npm.
# Needs Node.js and npm (scripts/nodejs) and HTTPS to the npm registry: behind a TLS-intercepting
# proxy, mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: skipped when the pinned version is already installed.
# version: codex --version
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

# The native package also ships the voice runtime (codex-resources/voice: a GStreamer build and its host, 51 MB,
# 16 MiB compressed). Voice mode records from a microphone where codex runs; a workspace container has no sound
# device, so it could never start here; codex checks for the package ("voice package unavailable") and
# `codex doctor` reports the install as consistent without it. Removed in this layer; the codex binary, its
# code-mode host (a stable feature), ripgrep and bubblewrap stay. See docs/images/base.md.
vendor=$(find "/usr/local/lib/node_modules/$package/node_modules/@openai" -mindepth 3 -maxdepth 3 -type d -path '*/vendor/*' 2>/dev/null)
if [ -z "$vendor" ] || [ ! -x "$vendor/bin/codex" ]; then
  echo "scripts/codex/install.sh: no native codex under /usr/local/lib/node_modules/$package/node_modules/@openai/*/vendor/<target>/bin" >&2
  echo "  fix: check the layout of @openai/codex@$version's native package and update this script" >&2
  exit 1
fi
rm -rf "$vendor/codex-resources/voice"
# codex writes its state to $CODEX_HOME (default ~/.codex) even for --version: a throw-away one, not root's.
codex_home=$(mktemp -d)
CODEX_HOME=$codex_home codex --version
rm -rf "$codex_home"

# Codex keeps its login, config and sessions in ~/.codex (see docs/home-persist.md).
home_persist_manifest codex owner .codex:dir
