#!/usr/bin/env bash
# Installs the Dev Containers CLI (`devcontainer`, npm package @devcontainers/cli, pinned) system-wide: Coder's
# Dev Containers integration runs it inside the workspace (`devcontainer up` of a project's devcontainer.json,
# against the workspace's own Docker engine). The package is plain JavaScript with no dependencies and no
# install script: nothing outside the npm registry.
# Needs Node.js and npm (scripts/nodejs) and HTTPS to the npm registry: behind a TLS-intercepting
# proxy, mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Idempotent: skipped when the pinned version is already installed.
# version: devcontainer --version
set -euo pipefail

version=0.89.0
package=@devcontainers/cli

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/devcontainers-cli/install.sh"

# shellcheck source=scripts/lib/npm.sh
. "$(dirname "$(readlink -f "$0")")/../lib/npm.sh"
npm_install_missing devcontainers-cli "$package@$version"
devcontainer --version
