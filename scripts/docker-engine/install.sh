#!/usr/bin/env bash
# Installs the Docker engine (Debian's docker.io, containerd, runc, iptables) and busybox-static system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# The engine's data lives in /var/lib/docker (the Dockerfile declares it a VOLUME); containerd and
# docker are enabled under systemd, and coder (group docker) uses the inner engine's socket.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(docker.io containerd runc iptables busybox-static)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/docker-engine/install.sh: must run as root (in a Dockerfile, before USER coder)" >&2
  exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "docker-engine: already installed (${packages[*]})"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi

systemctl enable containerd.service docker.service
