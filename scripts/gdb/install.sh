#!/usr/bin/env bash
# Installs the GNU debugger system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(gdb)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/gdb/install.sh: must run as root (in a Dockerfile, before USER coder)" >&2
  exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "gdb: already installed (${packages[*]})"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi
