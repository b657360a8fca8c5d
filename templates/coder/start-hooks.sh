#!/bin/sh
# The image's start hooks, run by the Coder agent as coder at every workspace start (coder_script
# "start_hooks" in main.tf; logins wait for it). Every executable file in /etc/coder/start.d runs
# once, in name order (10-name, 20-name, ...); install scripts drop hooks there. Hooks must be
# idempotent. The first hook that fails stops the run, naming it and its exit status.
set -eu

hooks=/etc/coder/start.d

if [ ! -d "$hooks" ]; then
  echo "no start hooks: $hooks does not exist"
  exit 0
fi
ran=0
for hook in "$hooks"/*; do
  if [ ! -f "$hook" ] || [ ! -x "$hook" ]; then continue; fi
  echo "start hook $hook"
  status=0
  "$hook" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "start hook $hook failed with exit status $status" >&2
    exit "$status"
  fi
  ran=$((ran + 1))
done
echo "$ran start hook(s) ran"
