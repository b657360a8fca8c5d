#!/usr/bin/env bash
# Installs the GitHub CLI (gh) system-wide from Debian's archive.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: packages that are already installed are skipped, and a second run changes nothing.
set -euo pipefail

packages=(gh)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/github-cli/install.sh: must run as root (in a Dockerfile, before USER coder)" >&2
  exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "github-cli: already installed (${packages[*]})"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi

# gh keeps its login and settings in ~/.config/gh: persist it per owner (see docs/home-persist.md).
install -d -m 0755 /etc/home-persist.d
cat > /etc/home-persist.d/gh.json <<'JSON'
{
  "tool": "gh",
  "scope": "owner",
  "paths": [
    { "path": ".config/gh", "type": "dir" }
  ]
}
JSON
