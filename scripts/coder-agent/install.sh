#!/usr/bin/env bash
# Installs and enables coder-agent.service (from coder-agent.service next to this script): systemd runs
# /etc/coder/agent-init.sh (the Coder template's init script) as coder when that file exists, with
# CODER_AGENT_TOKEN and the other CODER_* variables from /etc/coder/agent.env, restarting on failure;
# without the script or the token it fails with a message (coder-agent-start.sh). Creates
# /etc/coder/start.d, the folder of start hooks the Coder template runs as coder (docs/coder.md).
# Bind-mounted into image builds (never copied into a layer); run as root. Needs systemd (scripts/systemd).
# Idempotent: installs the same unit again; enabling twice changes nothing.
# version: none (the repository's own unit and start script)
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/coder-agent/install.sh"

install -d -m 0755 /etc/coder /etc/coder/start.d
install -D -m 0755 "$here/coder-agent-start.sh" /usr/local/libexec/coder-agent-start
install -m 0644 "$here/coder-agent.service" /etc/systemd/system/coder-agent.service
systemctl enable coder-agent.service
