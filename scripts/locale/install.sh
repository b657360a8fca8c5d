#!/usr/bin/env bash
# Installs the locales package and makes en_US.UTF-8 the system-wide default locale.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: the package is skipped when installed, and the locale is generated once.
set -euo pipefail

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/locale/install.sh"
apt_install_missing locale locales

if ! locale -a 2>/dev/null | grep -qx 'en_US.utf8'; then
  sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -qx 'en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen
fi
update-locale LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8
