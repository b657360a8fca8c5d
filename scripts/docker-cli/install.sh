#!/usr/bin/env bash
# Installs the Docker CLI with the buildx and compose plugins (Debian's docker-cli, docker-buildx, docker-compose) system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
# version: dpkg-query -W -f='${Version}' docker-cli
set -euo pipefail

packages=(docker-cli docker-buildx docker-compose)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/home-persist.sh
. "$(dirname "$(readlink -f "$0")")/../lib/home-persist.sh"
require_root "scripts/docker-cli/install.sh"
apt_install_missing docker-cli "${packages[@]}"

# The Docker CLI keeps registry logins, contexts and buildx builders in ~/.docker: persist it per
# owner (see docs/home-persist.md).
home_persist_manifest docker owner .docker:dir
