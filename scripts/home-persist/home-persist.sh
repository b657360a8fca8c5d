#!/usr/bin/env bash
# home-persist: links the $HOME paths that tools list in /etc/home-persist.d/*.json into the
# persistence volume (/mnt/home-persist), so logins, settings and caches survive a rebuilt workspace.
#
# A manifest (see docs/home-persist.md):
#   { "tool": "gh", "scope": "owner", "paths": [ { "path": ".config/gh", "type": "dir" } ] }
# scope: "owner" (kept in <root>/owner, shared by the owner's workspaces) or "workspace"
# (<root>/workspace, this workspace only); a path's own "scope" wins over the manifest's; the default
# is "workspace". type: "dir" (default, created in the volume when missing) or "file".
#
# For each path, $HOME/<path> becomes a symlink to <root>/<scope>/<path>:
#   - both exist: the volume wins; the $HOME copy is kept as <path>.home-persist-old
#   - only in $HOME: it moves into the volume
#   - only in the volume: linked
#   - neither: a dir is created in the volume, a file is skipped until it exists
# Absolute paths and paths with `.`, `..` or empty components are rejected.
#
# Environment: HOME_PERSIST_ROOT (default /mnt/home-persist), HOME_PERSIST_MANIFESTS (default
# /etc/home-persist.d). Runs as the workspace user (the entrypoint runs it for coder at start).
# Exit status 1 when a manifest or a path was rejected or failed; the others are still handled.
set -euo pipefail

root=${HOME_PERSIST_ROOT:-/mnt/home-persist}
manifests=${HOME_PERSIST_MANIFESTS:-/etc/home-persist.d}
home=${HOME:?home-persist: HOME is not set}
status=0

log() { printf 'home-persist: %s\n' "$*" >&2; }
fail() { log "error: $*"; status=1; }

# A relative path below $HOME: no leading /, no empty, `.` or `..` component.
valid_path() {
  local path=$1 part
  local -a parts
  case "$path" in '' | /* | */ | *$'\n'*) return 1 ;; esac
  IFS=/ read -r -a parts <<<"$path"
  for part in "${parts[@]}"; do
    case "$part" in '' | . | ..) return 1 ;; esac
  done
}

exists() { [ -e "$1" ] || [ -L "$1" ]; }

# link <path> <type> <scope>; runs where errexit does not apply, so every step says `|| return 1`.
link() {
  local path=$1 type=$2 scope=$3
  local src="$home/$path" dst="$root/$scope/$path"
  if [ -L "$src" ] && [ "$(readlink "$src")" = "$dst" ]; then
    if ! exists "$dst" && [ "$type" = dir ]; then mkdir -p "$dst" || return 1; fi
    return 0
  fi
  mkdir -p "$(dirname "$dst")" "$(dirname "$src")" || return 1
  if exists "$dst"; then
    if exists "$src"; then
      rm -rf "$src.home-persist-old" || return 1
      mv "$src" "$src.home-persist-old" || return 1
      log "$path: the volume's copy wins; the home copy is kept as ~/$path.home-persist-old"
    fi
  elif exists "$src"; then
    mv "$src" "$dst" || return 1
    log "$path: moved into the volume ($scope)"
  elif [ "$type" = dir ]; then
    mkdir -p "$dst" || return 1
  else
    return 0 # a file that does not exist yet: linked on a later run, once the tool has written it
  fi
  ln -sfn "$dst" "$src" || return 1
  log "$path -> $dst"
}

if [ ! -d "$root" ]; then
  log "no persistence volume at $root: nothing to do"
  exit 0
fi

shopt -s nullglob
for manifest in "$manifests"/*.json; do
  if ! entries=$(jq -r '
      (.scope // "workspace") as $scope
      | .paths[]
      | [(.path | tostring), (.type // "dir"), (.scope // $scope)]
      | @tsv' "$manifest" 2>&1); then
    fail "$manifest: not a valid manifest (${entries%%$'\n'*})"
    continue
  fi
  while IFS=$'\t' read -r path type scope; do
    [ -n "$path$type$scope" ] || continue
    if ! valid_path "$path"; then
      fail "$manifest: path \"$path\" rejected (relative to \$HOME, without \`..\`, \`.\` or empty components)"
      continue
    fi
    case "$scope" in owner | workspace) ;; *)
      fail "$manifest: $path: unknown scope \"$scope\" (owner or workspace)"
      continue
      ;;
    esac
    case "$type" in dir | file) ;; *)
      fail "$manifest: $path: unknown type \"$type\" (dir or file)"
      continue
      ;;
    esac
    if ! link "$path" "$type" "$scope"; then
      fail "$manifest: $path: could not link into $root/$scope"
    fi
  done <<<"$entries"
done
exit "$status"
