#!/usr/bin/env bash
# Shared by the install scripts (sourced, never run): pinned global npm installs.
# Bind-mounted next to them: RUN --mount=type=bind,source=scripts/lib,target=/scripts/lib ...

# npm_install_missing TOOL NAME@VERSION...: installs the pinned packages that are not installed at that
# version, globally. The CA bundle (a BuildKit secret during the build, see docs/install-scripts.md)
# and a throw-away cache are set for npm's process only, so nothing of either stays in the image.
npm_install_missing() {
  local tool=$1 spec installed cache
  shift
  installed=$(npm ls -g --depth=0 --json 2>/dev/null | jq -r '.dependencies // {} | to_entries[] | "\(.key)@\(.value.version)"')
  local missing=()
  for spec in "$@"; do
    grep -qxF "$spec" <<<"$installed" || missing+=("$spec")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "$tool: already installed ($*)"
    return 0
  fi
  cache=$(mktemp -d)
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cache="$cache" \
    npm install --global --no-audit --no-fund --omit=dev "${missing[@]}"
  rm -rf "$cache"
}
