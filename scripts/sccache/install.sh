#!/usr/bin/env bash
# Installs sccache, the compiler cache system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
# version: dpkg-query -W -f='${Version}' sccache
set -euo pipefail

packages=(sccache)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/home-persist.sh
. "$(dirname "$(readlink -f "$0")")/../lib/home-persist.sh"
require_root "scripts/sccache/install.sh"
apt_install_missing sccache "${packages[@]}"

# sccache's local cache (~/.cache/sccache) survives a rebuild of the workspace (see docs/home-persist.md).
home_persist_manifest sccache workspace .cache/sccache:dir
