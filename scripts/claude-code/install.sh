#!/usr/bin/env bash
# Installs the Claude Code CLI (`claude`, npm package @anthropic-ai/claude-code, pinned) system-wide.
# The npm package installs the native binary for this platform from its optional dependency
# (@anthropic-ai/claude-code-linux-x64 / -arm64, also on the npm registry): nothing outside npm.
# Needs Node.js and npm (scripts/nodejs) and HTTPS to the npm registry: behind a TLS-intercepting
# proxy, mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: skipped when the pinned version is already installed.
set -euo pipefail

version=2.1.331
package=@anthropic-ai/claude-code

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/home-persist.sh
. "$(dirname "$(readlink -f "$0")")/../lib/home-persist.sh"
require_root "scripts/claude-code/install.sh"

# shellcheck source=scripts/lib/npm.sh
. "$(dirname "$(readlink -f "$0")")/../lib/npm.sh"
npm_install_missing claude-code "$package@$version"
claude --version

# Managed settings apply to every user: the image pins the version, so no self-update into $HOME.
install -d -m 0755 /etc/claude-code
cat > /etc/claude-code/managed-settings.json <<'JSON'
{
  "env": {
    "DISABLE_AUTOUPDATER": "1"
  }
}
JSON

# Claude keeps its login, settings and history in ~/.claude and ~/.claude.json (see docs/home-persist.md).
home_persist_manifest claude-code owner .claude:dir .claude.json:file
