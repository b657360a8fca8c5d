#!/usr/bin/env bash
# Installs the workspace entrypoint (/usr/local/bin/workspace-entrypoint, from workspace-entrypoint.sh
# next to this script): root-side preparation at container start, then exec of the command
# (ENTRYPOINT ["/usr/local/bin/workspace-entrypoint"], CMD ["/sbin/init"]). See docs/images/base.md.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: installs the same file again.
# version: none (the repository's own script)
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/workspace-entrypoint/install.sh"

install -m 0755 "$here/workspace-entrypoint.sh" /usr/local/bin/workspace-entrypoint
