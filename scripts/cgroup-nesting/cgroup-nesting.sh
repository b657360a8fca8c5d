#!/usr/bin/env bash
# cgroup-nesting: prepares cgroup v2 for a nested container engine (Docker-in-Docker). On cgroup v2 the
# root of the container's cgroup namespace must hold no processes before controllers can be enabled
# for its children ("no internal processes"): move what is there into /init, then enable every
# available controller in cgroup.subtree_control. Does nothing on cgroup v1 (no cgroup.controllers).
# Runs as root before containerd and docker (cgroup-nesting.service).
set -euo pipefail

cg=${CGROUP_ROOT:-/sys/fs/cgroup}

if [ ! -f "$cg/cgroup.controllers" ]; then
  echo "cgroup-nesting: $cg is not cgroup v2: nothing to do"
  exit 0
fi

mkdir -p "$cg/init"
# A process may exit or be moved by systemd meanwhile: move what can be moved.
while read -r pid; do
  echo "$pid" > "$cg/init/cgroup.procs" 2>/dev/null || true
done < "$cg/cgroup.procs"

controllers=$(cat "$cg/cgroup.controllers")
enabled=()
for c in $controllers; do
  if echo "+$c" > "$cg/cgroup.subtree_control" 2>/dev/null; then enabled+=("$c"); fi
done
echo "cgroup-nesting: enabled controllers: ${enabled[*]:-none}"
