#!/usr/bin/env bash
# Installs the locales package and makes en_US.UTF-8 the system-wide default locale.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: the package is skipped when installed, and the locale is generated once.
# version: none (locale configuration)
set -euo pipefail

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/locale/install.sh"

# Only the UTF-8 character map: the 232 others (ISO-8859-*, KOI8-*, ...; 2.9 MB, already gzip'ed, so as much
# compressed) serve legacy 8-bit locales. Every locale source stays, so `sudo locale-gen` still builds any
# xx_YY.UTF-8 locale; for an 8-bit one delete this file and `sudo apt-get install --reinstall locales`.
install -d -m 0755 /etc/dpkg/dpkg.cfg.d
cat >/etc/dpkg/dpkg.cfg.d/workspace-images-locales <<'CFG'
# Written by scripts/locale/install.sh (workspace images): the UTF-8 character map only.
path-exclude=/usr/share/i18n/charmaps/*
path-include=/usr/share/i18n/charmaps/UTF-8.gz
CFG
apt_install_missing locale locales

if ! locale -a 2>/dev/null | grep -qx 'en_US.utf8'; then
  sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -qx 'en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen
fi
update-locale LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8
