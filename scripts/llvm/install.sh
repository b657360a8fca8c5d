#!/usr/bin/env bash
# Installs Debian's default LLVM toolchain (clang, clangd, clang-format, clang-tidy, lld) with unsuffixed command names system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Debian's llvm-defaults packages (clang, clangd, ...) provide the unsuffixed names (clang -> clang-19).
# Every session gets CC=clang and CXX=clang++ (scripts/lib/environment.sh) unless it sets them itself;
# the Dockerfile must also set ENV CC=clang CXX=clang++ before this step.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
# version: dpkg-query -W -f='${Version}' clang
set -euo pipefail

packages=(clang clangd clang-format clang-tidy lld)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/environment.sh
. "$(dirname "$(readlink -f "$0")")/../lib/environment.sh"
require_root "scripts/llvm/install.sh"
apt_install_missing llvm "${packages[@]}"

# The cpp image's default compilers in every session: login and interactive shells, the Coder agent and what
# it starts (terminals, code-server, JetBrains); the Dockerfile's ENV has them for docker exec.
environment_set CC clang
environment_set CXX clang++
