#!/usr/bin/env bash
# Installs the common command-line tools every workspace image has system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(ca-certificates curl wget git jq less openssh-client build-essential python3 python3-venv sudo htop rsync procps psmisc iproute2 unzip zip xz-utils gnupg nano vim-tiny bash-completion file tree man-db tzdata)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/common-tools/install.sh: must run as root (in a Dockerfile, before USER coder)" >&2
  exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "common-tools: already installed (${packages[*]})"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi
