#!/usr/bin/env bash
# Shared by the install scripts (sourced, never run): the root check and the idempotent apt install.
# Bind-mounted next to them: RUN --mount=type=bind,source=scripts/lib,target=/scripts/lib ...

# require_root SCRIPT: stops with the fix when the script does not run as root.
require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1: must run as root (in a Dockerfile, before USER coder)" >&2
    exit 1
  fi
}

# apt_install_missing TOOL PACKAGE...: installs the packages that are not installed yet, without
# recommends, with one apt-get update, and leaves no package lists behind; says so when none is missing.
apt_install_missing() {
  local tool=$1 pkg
  shift
  local missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "$tool: already installed ($*)"
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
}
