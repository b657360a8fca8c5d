#!/bin/sh
# coder-agent-start: the main process of coder-agent.service (installed as
# /usr/local/libexec/coder-agent-start). It runs /etc/coder/agent-init.sh, the Coder template's init
# script, once the template gave the two things an agent needs: that script and its token
# (CODER_AGENT_TOKEN, or CODER_AGENT_TOKEN_FILE, from /etc/coder/agent.env). When one is missing it
# says which, and how to fix the template, and exits 78 (EX_CONFIG): the unit does not restart, it
# fails, so `systemctl is-system-running` says degraded instead of a workspace that looks healthy.
script=/etc/coder/agent-init.sh

fail() {
  echo "coder-agent: $*" >&2
  exit 78
}

if [ ! -s "$script" ]; then
  fail "$script is missing or empty:" \
    "the Coder template must upload coder_agent.<name>.init_script there (docs/coder.md)"
fi
if [ -z "${CODER_AGENT_TOKEN:-}${CODER_AGENT_TOKEN_FILE:-}" ]; then
  fail "CODER_AGENT_TOKEN is not set:" \
    "the Coder template must pass coder_agent.<name>.token in the container's environment (docs/coder.md)"
fi
if [ -x "$script" ]; then exec "$script"; fi
exec /bin/sh "$script"
