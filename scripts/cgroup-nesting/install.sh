#!/usr/bin/env bash
# Installs and enables cgroup-nesting.service (/usr/local/sbin/cgroup-nesting, from the files next to
# this script): at boot, on cgroup v2 hosts only, moves the processes of the container's root cgroup
# into /init and enables the controllers, so a nested Docker engine can create its cgroups.
# Bind-mounted into image builds (never copied into a layer); run as root. Needs systemd.
# Idempotent: installs the same files again; enabling twice changes nothing.
# version: none (the repository's own unit and script)
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/cgroup-nesting/install.sh"

install -m 0755 "$here/cgroup-nesting.sh" /usr/local/sbin/cgroup-nesting
install -m 0644 "$here/cgroup-nesting.service" /etc/systemd/system/cgroup-nesting.service
systemctl enable cgroup-nesting.service
