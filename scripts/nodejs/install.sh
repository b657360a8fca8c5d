#!/usr/bin/env bash
# Installs Node.js and npm (Debian's nodejs and npm packages) system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(nodejs npm)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/nodejs/install.sh: must run as root (in a Dockerfile, before USER coder)" >&2
  exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "nodejs: already installed (${packages[*]})"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi

# npm's download cache (~/.npm) survives a rebuild of the workspace (see docs/home-persist.md).
install -d -m 0755 /etc/home-persist.d
cat > /etc/home-persist.d/npm.json <<'JSON'
{
  "tool": "npm",
  "scope": "workspace",
  "paths": [
    { "path": ".npm", "type": "dir" }
  ]
}
JSON
