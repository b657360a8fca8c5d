# shellcheck shell=bash
# Sourced by install scripts whose tool keeps state in $HOME (see docs/home-persist.md).

# home_persist_manifest <tool> <owner|workspace> <path>:<dir|file>...
# Writes /etc/home-persist.d/<tool>.json, the manifest the home-persist resolver reads at start:
# the paths of $HOME (relative to it) that live in the persistence volume, and the volume's scope.
home_persist_manifest() {
  local tool=$1 scope=$2 entry sep=''
  shift 2
  case "$scope" in owner | workspace) ;; *) echo "home_persist_manifest: scope must be owner or workspace, got '$scope'" >&2; return 2 ;; esac
  for entry in "$@"; do
    case "${entry##*:}" in dir | file) ;; *) echo "home_persist_manifest: '$entry' is not <path>:dir or <path>:file" >&2; return 2 ;; esac
  done
  install -d -m 0755 /etc/home-persist.d
  {
    printf '{\n  "tool": "%s",\n  "scope": "%s",\n  "paths": [\n' "$tool" "$scope"
    for entry in "$@"; do
      printf '%s    { "path": "%s", "type": "%s" }' "$sep" "${entry%:*}" "${entry##*:}"
      sep=$',\n'
    done
    printf '\n  ]\n}\n'
  } >"/etc/home-persist.d/$tool.json"
}
