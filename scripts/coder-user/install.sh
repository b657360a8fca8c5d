#!/usr/bin/env bash
# Creates the workspace user `coder` (uid 1000, bash) in the groups `docker` and `sudo`, with
# password-less sudo. The `docker` group exists before any Docker package so that its GID can be
# aligned with a bind-mounted socket at start (see workspace-entrypoint).
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: the group, the user and the sudoers file are created only when missing.
# version: none (a user and its groups)
set -euo pipefail

user=coder
uid=1000

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/coder-user/install.sh"

getent group docker >/dev/null || groupadd --system docker
getent group sudo >/dev/null || groupadd --system sudo

if ! id -u "$user" >/dev/null 2>&1; then
  useradd --create-home --uid "$uid" --user-group --shell /bin/bash "$user"
fi
usermod -aG docker,sudo "$user"

install -d -m 0750 /etc/sudoers.d
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" > "/etc/sudoers.d/$user"
chmod 0440 "/etc/sudoers.d/$user"
