#!/usr/bin/env bash
# Installs the Docker engine (Debian's docker.io, containerd, runc, iptables) and busybox-static system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# The engine's data lives in /var/lib/docker (the Dockerfile declares it a VOLUME); containerd and
# docker are enabled under systemd, and coder (group docker) uses the inner engine's socket.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
# version: dpkg-query -W -f='${Version}' docker.io
set -euo pipefail

packages=(docker.io containerd runc iptables busybox-static)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/docker-engine/install.sh"
apt_install_missing docker-engine "${packages[@]}"

systemctl enable containerd.service docker.service
