#!/usr/bin/env bash
# Shared by the install scripts (sourced, never run): npm at build time, and pinned global npm installs.
# Bind-mounted next to them: RUN --mount=type=bind,source=scripts/lib,target=/scripts/lib ...

# npm_run ARGS...: npm for an install script. The CA bundle (a BuildKit secret during the build, see
# docs/install-scripts.md) and a throw-away cache (npm also writes its logs there) are set for npm's process
# only, so nothing of either stays in the image; global installs go to /usr/local, whatever npm's config says.
npm_run() {
  local cache status=0
  cache=$(mktemp -d)
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cache="$cache" \
    npm_config_prefix=/usr/local \
    npm_config_update_notifier=false \
    npm "$@" || status=$?
  rm -rf "$cache"
  return "$status"
}

# npm_install_missing TOOL [--npm-option...] NAME@VERSION...: installs the pinned packages that are not
# installed at that version, globally, into /usr/local. npm 12 runs no install script of a global
# install unless allowed: a package that needs its own passes --allow-scripts=NAME.
npm_install_missing() {
  local tool=$1 spec installed
  shift
  local options=() specs=() missing=()
  for spec in "$@"; do
    case "$spec" in --*) options+=("$spec") ;; *) specs+=("$spec") ;; esac
  done
  installed=$(npm_run ls -g --depth=0 --json 2>/dev/null | jq -r '.dependencies // {} | to_entries[] | "\(.key)@\(.value.version)"')
  for spec in "${specs[@]}"; do
    grep -qxF "$spec" <<<"$installed" || missing+=("$spec")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "$tool: already installed (${specs[*]})"
    return 0
  fi
  npm_run install --global --no-audit --no-fund --omit=dev "${options[@]}" "${missing[@]}"
}
