#!/usr/bin/env bash
# Installs the home-persist resolver (/usr/local/bin/home-persist, from home-persist.sh next to this
# script) and its manifest folder /etc/home-persist.d. The workspace entrypoint runs it for coder at
# start; tools add manifests from their own install scripts. See docs/home-persist.md.
# Bind-mounted into image builds (never copied into a layer); run as root. Needs jq (common-tools).
# Idempotent: the resolver is (re)installed with the same content, the folder is created once.
# version: none (the repository's own script)
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/home-persist/install.sh"
command -v jq >/dev/null || { echo "scripts/home-persist/install.sh: needs jq (scripts/common-tools)" >&2; exit 1; }

install -m 0755 "$here/home-persist.sh" /usr/local/bin/home-persist
install -d -m 0755 /etc/home-persist.d
