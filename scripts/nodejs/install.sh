#!/usr/bin/env bash
# Installs Node.js and npm system-wide under /usr/local from what scripts/nodejs/fetch.sh fetched and checked in
# the `node-dist` stage (bind-mounted at DIST: bin/node, bin/npm, bin/npx, lib/node_modules/npm, include/node),
# with Node.js's one runtime library that a Debian image may lack (libatomic1, from Debian's archive).
# npm's global config (/usr/local/etc/npmrc) gives each user a prefix of their own, ~/.npm-global: coder's
# `npm install -g` needs no root, its bin folder is on every session's PATH (scripts/lib/environment.sh; the
# Dockerfile's ENV PATH has it too) and home-persist keeps it with npm's cache. Root keeps /usr/local (/root/.npmrc).
# coder's prefix exists in the image (lib and bin), so `npm ls -g` works on a fresh home.
# node-gyp finds the headers in /usr/local/include/node through npm_package_config_node_gyp_nodedir (node-gyp's
# own variable for its options since npm 11; the image's ENV and /etc/environment): npm 12 warns about `nodedir`
# in an npmrc or as npm_config_nodedir on every command.
# Bind-mounted into image builds (never copied into a layer); run as root.
# Usage: install.sh DIST. Idempotent: the same files are installed again, config files are written whole.
# version: node --version
set -euo pipefail

dist=${1:?usage: install.sh DIST (the node-dist stage, bind-mounted)}
user_prefix_dir=.npm-global

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
# shellcheck source=scripts/lib/environment.sh
. "$(dirname "$(readlink -f "$0")")/../lib/environment.sh"
# shellcheck source=scripts/lib/home-persist.sh
. "$(dirname "$(readlink -f "$0")")/../lib/home-persist.sh"
require_root "scripts/nodejs/install.sh"
[ -x "$dist/bin/node" ] || { echo "scripts/nodejs/install.sh: no $dist/bin/node: mount the node-dist stage there (see images/base/Dockerfile)" >&2; exit 1; }

apt_install_missing nodejs libatomic1
cp -a "$dist/." /usr/local/

install -d -m 0755 /usr/local/etc
cat >/usr/local/etc/npmrc <<NPMRC
# Written by scripts/nodejs/install.sh. \`npm install -g\` goes to a prefix in the user's own home, so it needs
# no root; root's /root/.npmrc keeps root's global installs (the image's tools) in /usr/local.
prefix=\${HOME}/$user_prefix_dir
# The image pins npm's version (images/base/Dockerfile): no nagging to upgrade it.
update-notifier=false
NPMRC
printf 'prefix=/usr/local\n' >/root/.npmrc

environment_path_prepend "/home/coder/$user_prefix_dir/bin"
# node-gyp builds native addons against the headers in /usr/local/include/node instead of downloading them.
environment_set npm_package_config_node_gyp_nodedir /usr/local

# coder's prefix with the folders npm reads (`npm ls -g` fails on a missing lib): a fresh home volume is filled
# from here, and home-persist moves it into its volume at the first start.
id coder >/dev/null 2>&1 || { echo "scripts/nodejs/install.sh: no user coder: run scripts/coder-user/install.sh first" >&2; exit 1; }
install -d -m 0755 -o coder -g coder "/home/coder/$user_prefix_dir" "/home/coder/$user_prefix_dir/lib" "/home/coder/$user_prefix_dir/bin"

# npm's download cache and coder's global installs survive a rebuilt workspace (see docs/home-persist.md):
# this workspace only, since a global package may hold a native binary of this image's platform.
home_persist_manifest npm workspace .npm:dir "$user_prefix_dir:dir"

cache=$(mktemp -d)
echo "node $(node --version), npm $(npm_config_cache=$cache npm --version), npx $(npm_config_cache=$cache npx --version)"
rm -rf "$cache"
