#!/usr/bin/env bash
# Sets up the real build environment the tests use, idempotently:
#   - Docker engine (Debian trixie's docker.io) with buildx and the containerd image store
#   - QEMU user emulation for linux/arm64
#   - a mirror registry on 127.0.0.1:5001 (no auth) serving debian:trixie-slim (amd64 + arm64),
#     made with debootstrap and cached between runs
#   - a password registry on 127.0.0.1:5000 (htpasswd, bcrypt) standing in for GHCR, logged in
#   - cosign (Debian trixie) for the signing tests
#   - $TEST_ENV_HOME/base-pins.json: the mirror's digest of debian:trixie-slim, which replaces the
#     Dockerfiles' pin (IMAGE_BASE_PINS)
# A machine that already runs an engine keeps it and only gets what is missing.
# Environment: TEST_ENV_HOME (state and caches, default /var/cache/image-orchestrator-test-env),
#              TEST_REGISTRY_USER / TEST_REGISTRY_PASSWORD (default ci / ci-password),
#              TEST_ENV_ARCHES (default "amd64 arm64").
set -euo pipefail

STATE="${TEST_ENV_HOME:-/var/cache/image-orchestrator-test-env}"
REG_USER="${TEST_REGISTRY_USER:-ci}"
REG_PASSWORD="${TEST_REGISTRY_PASSWORD:-ci-password}"
ARCHES="${TEST_ENV_ARCHES:-amd64 arm64}"
MIRROR=127.0.0.1:5001
TARGET=127.0.0.1:5000
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$STATE"

log() { printf '[test-env] %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
apt_updated=false
apt_install() {
  if ! $apt_updated; then apt-get update -qq; apt_updated=true; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- packages -----------------------------------------------------------------------------------
# Debian 13 (trixie) as a low-priority (100) source: only what is asked for with -t trixie comes from it.
add_trixie() {
  if [ -f /etc/apt/sources.list.d/trixie.sources ]; then return; fi
  log "adding Debian trixie (pin 100) for Docker Engine and cosign"
  cat >/etc/apt/sources.list.d/trixie.sources <<SRC
Types: deb
URIs: ${DEBIAN_MIRROR}
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >/etc/apt/preferences.d/trixie-low
  apt_updated=false
}
install_packages() {
  local need=()
  dpkg -s qemu-user-static >/dev/null 2>&1 || need+=(qemu-user-static)
  dpkg -s binfmt-support >/dev/null 2>&1 || need+=(binfmt-support)
  dpkg -s docker-registry >/dev/null 2>&1 || need+=(docker-registry)
  dpkg -s debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  dpkg -s apache2-utils >/dev/null 2>&1 || need+=(apache2-utils)
  dpkg -s shellcheck >/dev/null 2>&1 || need+=(shellcheck)
  dpkg -s curl >/dev/null 2>&1 || need+=(curl)
  # The fault-injection tests' private engine makes a bridge of its own (ip) and cleans up (pgrep).
  dpkg -s iproute2 >/dev/null 2>&1 || need+=(iproute2)
  dpkg -s procps >/dev/null 2>&1 || need+=(procps)
  if ((${#need[@]})); then log "installing ${need[*]}"; apt_install "${need[@]}"; fi
  # cosign (the signing tests) is packaged from Debian 13 (trixie) on.
  if ! have cosign; then
    add_trixie
    log "installing cosign from trixie"
    apt_install -t trixie cosign
  fi
  if ! docker info >/dev/null 2>&1 && ! dpkg -s docker.io >/dev/null 2>&1; then
    add_trixie
    log "installing docker.io, docker-cli, docker-buildx from trixie"
    if ! $apt_updated; then apt-get update -qq; apt_updated=true; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t trixie \
      docker.io docker-cli docker-buildx containerd runc iptables >/dev/null
  fi
}

# --- QEMU ---------------------------------------------------------------------------------------
setup_qemu() {
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    log "registering qemu-aarch64 with binfmt_misc"
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
  fi
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || { log "ERROR: could not register qemu-aarch64 (binfmt_misc)"; exit 1; }
}

# --- engine -------------------------------------------------------------------------------------
# An engine someone else started must already have what the tests rely on: the containerd image
# store (multi-platform images in the engine) and the mirror (debian:trixie-slim without Docker Hub).
# Its configuration is the owner's to change, so a gap is an error with the fix, not a restart.
check_reused_engine() {
  local info missing=()
  info=$(docker info --format '{{json .DriverStatus}} {{json .RegistryConfig.Mirrors}}')
  case "$info" in *io.containerd.snapshotter*) ;; *) missing+=('"features": {"containerd-snapshotter": true}') ;; esac
  case "$info" in *"$MIRROR"*) ;; *) missing+=("\"registry-mirrors\": [\"http://$MIRROR\"]") ;; esac
  if [ ${#missing[@]} -gt 0 ]; then
    log "ERROR: the running Docker engine lacks what the tests need: ${missing[*]}"
    log "fix: add that to /etc/docker/daemon.json and restart Docker (or stop it: this script then starts its own engine)"
    exit 1
  fi
}

start_engine() {
  if docker info >/dev/null 2>&1; then log "reusing the running Docker engine"; check_reused_engine; return; fi
  mkdir -p /etc/docker
  cat >/etc/docker/daemon.json <<JSON
{"features":{"containerd-snapshotter":true},"registry-mirrors":["http://${MIRROR}"],"insecure-registries":["${MIRROR}","${TARGET}"]}
JSON
  log "starting dockerd"
  nohup dockerd >"$STATE/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "ERROR: dockerd did not start; see $STATE/dockerd.log"; tail -20 "$STATE/dockerd.log" >&2; exit 1; }
  docker buildx version >/dev/null || { log "ERROR: docker buildx missing"; exit 1; }
}

# --- registries ---------------------------------------------------------------------------------
registry_up() { curl -s -o /dev/null -w '%{http_code}' "http://$1/v2/" 2>/dev/null | grep -qE '^(200|401)$'; }
start_registry() { # name addr auth(yes|no)
  local name=$1 addr=$2 auth=$3 dir="$STATE/$1"
  if registry_up "$addr"; then return; fi
  mkdir -p "$dir/data"
  {
    echo "version: 0.1"
    echo "log: {level: error}"
    echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
    echo "http: {addr: $addr}"
    if [ "$auth" = yes ]; then
      echo "auth: {htpasswd: {realm: test-registry, path: $dir/htpasswd}}"
    fi
  } >"$dir/config.yml"
  if [ "$auth" = yes ]; then htpasswd -Bbc "$dir/htpasswd" "$REG_USER" "$REG_PASSWORD" 2>/dev/null; fi
  log "starting registry $name on $addr"
  nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  for _ in $(seq 1 50); do registry_up "$addr" && return; sleep 0.2; done
  log "ERROR: registry $name did not start; see $dir/registry.log"; exit 1
}

# --- debian:trixie-slim in the mirror -----------------------------------------------------------
seed_mirror() {
  if curl -sf -o /dev/null -H 'Accept: application/vnd.oci.image.index.v1+json' \
      "http://$MIRROR/v2/library/debian/manifests/trixie-slim"; then return; fi
  local refs=()
  for arch in $ARCHES; do
    local tar="$STATE/rootfs/trixie-minbase-$arch.tar"
    if [ ! -s "$tar" ]; then
      log "debootstrap trixie for $arch (cached afterwards in $tar)"
      local dir; dir=$(mktemp -d)
      debootstrap --variant=minbase --arch="$arch" trixie "$dir" "$DEBIAN_MIRROR" >"$STATE/debootstrap-$arch.log" 2>&1 \
        || { log "ERROR: debootstrap $arch failed; see $STATE/debootstrap-$arch.log"; exit 1; }
      rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
      mkdir -p "$STATE/rootfs"
      tar -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
      rm -rf "$dir"
    fi
    log "importing debian:trixie-slim for linux/$arch"
    docker import --platform "linux/$arch" "$tar" "$MIRROR/library/debian:trixie-slim-$arch" >/dev/null
    docker push -q "$MIRROR/library/debian:trixie-slim-$arch" >/dev/null
    refs+=("$MIRROR/library/debian:trixie-slim-$arch")
  done
  docker buildx imagetools create -t "$MIRROR/library/debian:trixie-slim" "${refs[@]}" >/dev/null 2>&1
  log "mirror serves debian:trixie-slim ($ARCHES)"
}

# --- the pins of external bases, replaced by the mirror's -------------------------------------------
# The Dockerfiles pin debian:trixie-slim by the digest Docker Hub serves; this mirror serves a debootstrap
# of its own under that name, with another digest. The plugin replaces a pin by the file IMAGE_BASE_PINS
# names (and says so in every run); tools/scripts/test.sh and the vitest set-up export it.
write_base_pins() {
  local digest
  digest=$(curl -sfI -H 'Accept: application/vnd.oci.image.index.v1+json' \
      -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
      "http://$MIRROR/v2/library/debian/manifests/trixie-slim" | tr -d '\r' \
    | awk 'tolower($1) == "docker-content-digest:" {print $2}')
  [ -n "$digest" ] || { log "ERROR: the mirror has no digest for debian:trixie-slim"; exit 1; }
  printf '{"debian:trixie-slim": "%s"}\n' "$digest" >"$STATE/base-pins.json.tmp"
  mv "$STATE/base-pins.json.tmp" "$STATE/base-pins.json"
  log "base pins for this mirror: $STATE/base-pins.json (debian:trixie-slim -> $digest)"
}

install_packages
setup_qemu
start_engine
start_registry mirror "$MIRROR" no
start_registry target "$TARGET" yes
seed_mirror
write_base_pins
# BuildKit's default SBOM scanner comes from Docker Hub; builds here use the project's own (tools/sbom-scanner).
if ! docker image inspect workspace-images/sbom-scanner:1 >/dev/null 2>&1; then
  log "building the SBOM scanner image workspace-images/sbom-scanner:1"
  docker buildx build -q --load -t workspace-images/sbom-scanner:1 "$(dirname "$0")/../sbom-scanner" >/dev/null
fi
echo "$REG_PASSWORD" | docker login -u "$REG_USER" --password-stdin "$TARGET" >/dev/null 2>&1 \
  || { log "ERROR: docker login $TARGET failed"; exit 1; }
log "ready: engine $(docker version -f '{{.Server.Version}}'), buildx $(docker buildx version | awk '{print $2}'), mirror $MIRROR, registry $TARGET (user $REG_USER)"
