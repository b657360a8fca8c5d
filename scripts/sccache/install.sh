#!/usr/bin/env bash
# Installs sccache, the compiler cache system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(sccache)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/sccache/install.sh: must run as root (in a Dockerfile, before USER coder)" >&2
  exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "sccache: already installed (${packages[*]})"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi

# sccache's local cache (~/.cache/sccache) survives a rebuild of the workspace (see docs/home-persist.md).
install -d -m 0755 /etc/home-persist.d
cat > /etc/home-persist.d/sccache.json <<'JSON'
{
  "tool": "sccache",
  "scope": "workspace",
  "paths": [
    { "path": ".cache/sccache", "type": "dir" }
  ]
}
JSON
