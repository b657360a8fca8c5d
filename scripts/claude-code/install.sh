#!/usr/bin/env bash
# Installs the Claude Code CLI (`claude`, npm package @anthropic-ai/claude-code, pinned) system-wide.
# The npm package installs the native binary for this platform from its optional dependency
# (@anthropic-ai/claude-code-linux-x64 / -arm64, also on the npm registry): nothing outside npm. Only that one:
# the build stops when npm installs a second variant (the musl builds).
# Needs Node.js and npm (scripts/nodejs) and HTTPS to the npm registry: behind a TLS-intercepting
# proxy, mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: skipped when the pinned version is already installed.
# version: claude --version
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
# Its postinstall puts the native binary in place of bin/claude.exe (a hard link): npm runs it when allowed.
npm_install_missing claude-code --allow-scripts="$package" "$package@$version"

# One native binary: the one for this architecture and glibc. npm skips the others by their os, cpu and libc
# fields (Debian's npm 9 ignored libc and installed the musl build too: 380 MB more).
want="claude-code-linux-$(node -p process.arch)"
natives=$(find "/usr/local/lib/node_modules/$package/node_modules/@anthropic-ai" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort)
if [ "$natives" != "$want" ]; then
  echo "scripts/claude-code/install.sh: expected only the native package $want, npm installed: ${natives:-none}" >&2
  echo "  fix: install with an npm that honours the libc field of optional dependencies (npm 12 of scripts/nodejs does)" >&2
  exit 1
fi
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
