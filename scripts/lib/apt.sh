#!/usr/bin/env bash
# Shared by the install scripts (sourced, never run): the root check and the idempotent apt install.
# Bind-mounted next to them: RUN --mount=type=bind,source=scripts/lib,target=/scripts/lib ...

# require_root SCRIPT: stops with the fix when the script does not run as root, then registers an install
# script's version declaration (tool_version_register, below). Every install script calls it first; it also makes
# remove_build_leftovers (below) the script's last step, whatever the script installs.
require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1: must run as root (in a Dockerfile, before USER coder)" >&2
    exit 1
  fi
  # Only install scripts install a tool (fetch.sh only downloads, record.sh only reads).
  case "$1" in */install.sh) tool_version_register "$1" ;; esac
  trap remove_build_leftovers EXIT
}

# remove_build_leftovers: what an install step leaves that is a function of the build's clock or of chance,
# never of the commit, removed in the layer that made it, so that two builds of one commit give the same
# layers (docs/image-build.md, "Reproducibility"): apt's lists, caches and logs, dpkg's and debconf's
# backups, ldconfig's aux-cache (inode numbers and times), Python byte code, npm's and other tools' caches
# and logs under root's home, and whatever was left in /tmp. Runs at the script's exit (require_root), keeps
# its exit status, never fails.
remove_build_leftovers() {
  apt_remove_leftovers 2>/dev/null || true
  rm -rf /var/cache/apt/*.bin /var/cache/ldconfig/aux-cache /var/log/apt/* \
    /root/.npm /root/.cache /root/.config/configstore /root/.node_repl_history \
    /tmp/* /tmp/.[!.]* /var/tmp/* 2>/dev/null || true
  find /etc -depth -type d -name __pycache__ -exec rm -rf {} + 2>/dev/null || true
}

# Where each install script's version command is registered, one file per script, read by the contents record
# (scripts/contents-record/record.sh, the image's last step). See docs/contents.md.
TOOL_VERSIONS_DIR=/usr/share/workspace-images/tools

# tool_version_register SCRIPT: every install script declares in its header how its tool's version is read,
# `# version: <command>` (one line of output, e.g. `# version: dpkg-query -W -f='${Version}' cmake`), or
# `# version: none` when it installs no versioned tool (configuration, a user, the repository's own files).
# The command is registered in this layer and run by the contents record; without a declaration the build stops.
tool_version_register() {
  local script=$1 tool command
  tool=$(basename "$(dirname "$script")")
  command=$(sed -n 's/^# version: *//p' "$0" | head -n 1)
  if [ -z "$command" ]; then
    echo "$script: declares no version: add a header line \`# version: <command printing the tool's version>\`" >&2
    echo "  (or \`# version: none\` when it installs no versioned tool); see docs/contents.md" >&2
    exit 1
  fi
  install -d -m 0755 "$TOOL_VERSIONS_DIR"
  printf '%s\n' "$command" >"$TOOL_VERSIONS_DIR/$tool"
}

# What dpkg leaves out of every package it unpacks (the rules of Debian's own slim images): documentation
# but the copyright files, man and info pages, translations. Written before the first install, so it holds
# for every later layer and for `sudo apt-get install` in a workspace too. See docs/images/base.md.
APT_DPKG_EXCLUDES=/etc/dpkg/dpkg.cfg.d/workspace-images-slim

apt_write_dpkg_excludes() {
  install -d -m 0755 "$(dirname "$APT_DPKG_EXCLUDES")"
  cat >"$APT_DPKG_EXCLUDES" <<'CFG'
# Written by scripts/lib/apt.sh (workspace images): no documentation, man or info pages, or translations
# in a workspace image; copyright files stay. Delete this file and reinstall a package to get them back.
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/groff/*
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/linda/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
CFG
}

# apt_remove_leftovers: what an install leaves behind that nobody reads, removed in the layer that made it:
# package lists and downloaded .debs, Python byte code compiled at install time (Python compiles in memory
# when it is missing; root's runs write it back), and the logs and backups apt, dpkg and debconf rewrite.
apt_remove_leftovers() {
  apt-get clean
  rm -rf /var/lib/apt/lists/*
  find /usr -depth -type d -name __pycache__ -exec rm -rf {} +
  rm -f /var/log/dpkg.log /var/log/alternatives.log /var/log/apt/*.log /var/log/apt/eipp.log.xz \
    /var/lib/dpkg/*-old /var/cache/debconf/*-old
}

# apt_install_missing TOOL PACKAGE...: installs the packages that are not installed yet, without
# recommends, with one apt-get update, and leaves nothing else behind (above); says so when none is missing.
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
  apt_write_dpkg_excludes
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  apt_remove_leftovers
}
