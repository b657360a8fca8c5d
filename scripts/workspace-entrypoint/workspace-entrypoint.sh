#!/usr/bin/env bash
# workspace-entrypoint: prepares the container as root, then `exec "$@"` (the image's CMD: /sbin/init).
#   1. Fresh named volumes go to the workspace user: /home/coder/projects, /mnt/home-persist (and its
#      owner/ and workspace/ sub-volumes) are chowned when they are owned by root and empty (or hold
#      only the other sub-volumes' mount points). Volumes with content are never touched.
#   2. A bind-mounted Docker socket (/var/run/docker.sock): the `docker` group takes the socket's GID,
#      so coder can use it; a group that already has that GID is moved to a free GID first.
#   3. CODER_* variables of the container go to /etc/coder/agent.env (0600) for coder-agent.service;
#      CODER_AGENT_INIT_SCRIPT, when set, is written to /etc/coder/agent-init.sh.
#   4. home-persist links the $HOME paths of /etc/home-persist.d/*.json into /mnt/home-persist, as coder.
# Not root (docker run --user ...): nothing to prepare, it only runs the command.
set -euo pipefail

user=${WORKSPACE_USER:-coder}
socket=${WORKSPACE_DOCKER_SOCKET:-/var/run/docker.sock}

log() { printf 'workspace-entrypoint: %s\n' "$*" >&2; }

[ "$#" -gt 0 ] || set -- /sbin/init

if [ "$(id -u)" -ne 0 ]; then
  exec "$@"
fi

home=$(getent passwd "$user" | cut -d: -f6)
home=${home:-/home/$user}

# --- 1. fresh volumes ------------------------------------------------------------------------------
volumes=("$home/projects" /mnt/home-persist /mnt/home-persist/owner /mnt/home-persist/workspace)
# shellcheck disable=SC2206 # a space-separated list of extra paths
volumes+=(${WORKSPACE_VOLUMES:-})

is_volume_path() {
  local candidate
  for candidate in "${volumes[@]}"; do [ "$1" = "$candidate" ] && return 0; done
  return 1
}

# Owned by root, and nothing inside but the mount points of other managed volumes.
is_fresh() {
  local dir=$1 entry
  [ -d "$dir" ] && [ ! -L "$dir" ] || return 1
  [ "$(stat -c %u "$dir")" = 0 ] || return 1
  for entry in "$dir"/* "$dir"/.[!.]* "$dir"/..?*; do
    { [ -e "$entry" ] || [ -L "$entry" ]; } || continue
    is_volume_path "$entry" || return 1
  done
}

for dir in "${volumes[@]}"; do
  if is_fresh "$dir"; then
    chown "$user:$user" "$dir"
    log "$dir: fresh volume, now owned by $user"
  fi
done

# --- 2. Docker socket group ----------------------------------------------------------------------
free_gid() {
  local gid=2000
  while getent group "$gid" >/dev/null; do gid=$((gid + 1)); done
  echo "$gid"
}

if [ -S "$socket" ]; then
  gid=$(stat -c %g "$socket")
  current=$(getent group docker | cut -d: -f3 || true)
  if [ "$gid" = 0 ]; then
    log "$socket belongs to the root group: not aligning the docker group (use sudo, or give the socket a group on the host)"
  elif [ "$gid" != "$current" ]; then
    holder=$(getent group "$gid" | cut -d: -f1 || true)
    if [ -n "$holder" ] && [ "$holder" != docker ]; then
      moved=$(free_gid)
      groupmod -g "$moved" "$holder"
      log "group $holder had GID $gid: moved to GID $moved"
    fi
    if [ -n "$current" ]; then groupmod -g "$gid" docker; else groupadd -g "$gid" docker; fi
    log "docker group now has GID $gid, the GID of $socket"
  fi
  id -nG "$user" | tr ' ' '\n' | grep -qx docker || usermod -aG docker "$user"
fi

# --- 3. Coder agent environment --------------------------------------------------------------------
install -d -m 0755 /etc/coder
if [ -n "${CODER_AGENT_INIT_SCRIPT:-}" ]; then
  printf '%s\n' "$CODER_AGENT_INIT_SCRIPT" > /etc/coder/agent-init.sh
  chmod 0755 /etc/coder/agent-init.sh
fi
coder_vars=$(compgen -e | grep '^CODER_' | grep -vx 'CODER_AGENT_INIT_SCRIPT' || true)
if [ -n "$coder_vars" ]; then
  umask_was=$(umask)
  umask 077
  : > /etc/coder/agent.env
  for name in $coder_vars; do
    value=${!name}
    case "$value" in *$'\n'*) log "$name has a newline: not passed to the agent"; continue ;; esac
    printf '%s=%s\n' "$name" "$value" >> /etc/coder/agent.env
  done
  umask "$umask_was"
fi

# --- 4. home-persist -------------------------------------------------------------------------------
if [ -d /mnt/home-persist ] && command -v home-persist >/dev/null; then
  runuser -u "$user" -- env HOME="$home" home-persist || log "home-persist reported problems (above); starting anyway"
fi

exec "$@"
