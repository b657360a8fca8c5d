#!/usr/bin/env bash
# Installs Debian's default LLVM toolchain (clang, clangd, clang-format, clang-tidy, lld) with unsuffixed command names system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Debian's llvm-defaults packages (clang, clangd, ...) provide the unsuffixed names (clang -> clang-19).
# Login shells get CC=clang and CXX=clang++ (/etc/profile.d/cpp-toolchain.sh) unless already set.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(clang clangd clang-format clang-tidy lld)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/llvm/install.sh"
apt_install_missing llvm "${packages[@]}"

cat > /etc/profile.d/cpp-toolchain.sh <<'SH'
# The cpp image's default compilers (scripts/llvm); a value set before login wins.
export CC="${CC:-clang}"
export CXX="${CXX:-clang++}"
SH
chmod 0644 /etc/profile.d/cpp-toolchain.sh
