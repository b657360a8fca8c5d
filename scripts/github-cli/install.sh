#!/usr/bin/env bash
# Installs the GitHub CLI (gh) system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
# version: dpkg-query -W -f='${Version}' gh
set -euo pipefail

packages=(gh)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/home-persist.sh
. "$(dirname "$(readlink -f "$0")")/../lib/home-persist.sh"
require_root "scripts/github-cli/install.sh"
apt_install_missing github-cli "${packages[@]}"

# gh keeps its login and settings in ~/.config/gh: persist it per owner (see docs/home-persist.md).
home_persist_manifest gh owner .config/gh:dir
