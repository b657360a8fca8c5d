#!/usr/bin/env bash
# Installs systemd as the container's init (/sbin/init) and trims the units that make no sense in a container.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped; masking and the default target are re-applied.
# version: dpkg-query -W -f='${Version}' systemd
set -euo pipefail

packages=(systemd systemd-sysv dbus)

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/systemd/install.sh"
apt_install_missing systemd "${packages[@]}"

# A container has no hardware, kernel modules, consoles or a first-boot wizard.
systemctl mask \
  systemd-modules-load.service \
  systemd-firstboot.service \
  systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service \
  getty.target console-getty.service \
  sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
  systemd-remount-fs.service \
  systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
# binfmt_misc is the host kernel's, shared by every container: systemd-binfmt in a privileged workspace
# would unregister the host's emulators (QEMU for multi-arch builds), so the workspace leaves it alone.
systemctl set-default multi-user.target

# The image carries no machine id: systemd makes a fresh one at every boot.
rm -f /var/lib/dbus/machine-id
: > /etc/machine-id
