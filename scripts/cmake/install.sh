#!/usr/bin/env bash
# Installs CMake system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
# version: dpkg-query -W -f='${Version}' cmake
set -euo pipefail

packages=(cmake)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/cmake/install.sh"
apt_install_missing cmake "${packages[@]}"
