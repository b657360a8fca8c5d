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
  # useradd writes its clock's day as the password's last change (/etc/shadow): root's day instead, which the
  # pinned Debian base fixes, so that a build on another day gives the same layer (no password either way).
  # useradd reads the day from SOURCE_DATE_EPOCH (changing it afterwards would leave today's in /etc/shadow-).
  root_day=$(awk -F: '$1 == "root" { print $3 }' /etc/shadow)
  SOURCE_DATE_EPOCH=$((root_day * 86400)) useradd --create-home --uid "$uid" --user-group --shell /bin/bash "$user"
fi
usermod -aG docker,sudo "$user"

install -d -m 0750 /etc/sudoers.d
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" > "/etc/sudoers.d/$user"
chmod 0440 "/etc/sudoers.d/$user"
