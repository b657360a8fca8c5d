#!/usr/bin/env bash
# Installs Node.js and npm (Debian's nodejs and npm packages) system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(nodejs npm)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/home-persist.sh
. "$(dirname "$(readlink -f "$0")")/../lib/home-persist.sh"
require_root "scripts/nodejs/install.sh"
apt_install_missing nodejs "${packages[@]}"

# npm's download cache (~/.npm) survives a rebuild of the workspace (see docs/home-persist.md).
home_persist_manifest npm workspace .npm:dir
