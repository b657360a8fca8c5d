#!/usr/bin/env bash
# Installs the common command-line tools every workspace image has system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
# version: none (Debian packages only, each in the record's Debian list)
set -euo pipefail

packages=(ca-certificates curl wget git jq less openssh-client python3 python3-venv sudo htop rsync procps psmisc iproute2 unzip zip xz-utils gnupg nano vim-tiny bash-completion file tree tzdata)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/common-tools/install.sh"
apt_install_missing common-tools "${packages[@]}"
