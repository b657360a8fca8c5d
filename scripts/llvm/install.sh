#!/usr/bin/env bash
# Installs Debian's default LLVM toolchain (clang, clangd, clang-format, clang-tidy, lld) with unsuffixed command names system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Debian's llvm-defaults packages (clang, clangd, ...) provide the unsuffixed names (clang -> clang-19).
# Login shells get CC=clang and CXX=clang++ (/etc/profile.d/cpp-toolchain.sh) unless already set.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(clang clangd clang-format clang-tidy lld)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/llvm/install.sh: must run as root (in a Dockerfile, before USER coder)" >&2
  exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "llvm: already installed (${packages[*]})"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi

cat > /etc/profile.d/cpp-toolchain.sh <<'SH'
# The cpp image's default compilers (scripts/llvm); a value set before login wins.
export CC="${CC:-clang}"
export CXX="${CXX:-clang++}"
SH
chmod 0644 /etc/profile.d/cpp-toolchain.sh
