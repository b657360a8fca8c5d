#!/usr/bin/env bash
# Installs Debian's C and C++ toolchain (build-essential: gcc, g++, make, libc6-dev, dpkg-dev) system-wide, for
# the images that compile: node (node-gyp builds native addons with it) and cpp (GCC beside clang). Not in base:
# 89 MiB compressed that a workspace without native code never uses (see docs/images/base.md).
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
# version: dpkg-query -W -f='${Version}' build-essential
set -euo pipefail

packages=(build-essential)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/build-essential/install.sh"
apt_install_missing build-essential "${packages[@]}"
