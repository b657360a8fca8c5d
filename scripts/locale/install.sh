#!/usr/bin/env bash
# Installs the locales package and makes en_US.UTF-8 the system-wide default locale.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: the package is skipped when installed, and the locale is generated once.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/locale/install.sh: must run as root (in a Dockerfile, before USER coder)" >&2
  exit 1
fi

if ! dpkg-query -W -f='${Status}' locales 2>/dev/null | grep -q 'install ok installed'; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends locales
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi

if ! locale -a 2>/dev/null | grep -qx 'en_US.utf8'; then
  sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -qx 'en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen
fi
update-locale LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8
