#!/usr/bin/env bash
# Writes the image's contents record, /usr/share/workspace-images/contents.json: every installed Debian package
# with its version (dpkg-query -W), the global npm packages of /usr/local and of each user's ~/.npm-global, and
# one entry per install script with its tool's version, read by the command the script declares in its header
# (`# version: <command>`, registered at install time by require_root in scripts/lib/apt.sh). The image's last
# step, a layer of its own: `images diff` reads only that layer's blob from the registry, no image pull.
# Deterministic (sorted, no dates): the same image gives the same record, so builds stay reproducible. A child's
# record is complete (its parent's packages too) and names its ancestors ("lineage", from the parent's record).
# Bind-mounted into image builds (never copied into a layer); run as root. See docs/contents.md.
# Usage: record.sh IMAGE (the image's name, its folder under images/).
set -euo pipefail
export LC_ALL=C
# The version commands run Node.js, which would leave its compile cache in /tmp, in this layer.
export NODE_DISABLE_COMPILE_CACHE=1
trap 'rm -rf /tmp/node-compile-cache' EXIT

image=${1:?usage: record.sh IMAGE (the image name, e.g. base)}
dir=/usr/share/workspace-images
record=$dir/contents.json
tools_dir=$dir/tools

# json_string TEXT: TEXT as a JSON string (one line: what version commands and dpkg print).
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/}
  printf '"%s"' "$s"
}

# lineage: the parent's lineage and the parent itself, from the record the parent left (none: no parent of ours).
lineage() {
  [ -f "$record" ] || return 0
  local parent ancestors
  parent=$(sed -n 's/^  "image": "\(.*\)",$/\1/p' "$record")
  ancestors=$(sed -n 's/^  "lineage": \[\(.*\)\],$/\1/p' "$record")
  [ -n "$parent" ] && printf '%s"%s"' "${ancestors:+$ancestors, }" "$parent"
}

# debian_entries: every installed package (status ii), sorted by name.
debian_entries() {
  dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Version}\n' | awk -F '\t' '$1 ~ /^ii/ { print $2 "\t" $3 }' |
    sort -u | while IFS=$'\t' read -r name version; do
    printf '    {"name": %s, "version": %s}\n' "$(json_string "$name")" "$(json_string "$version")"
  done
}

# npm_entries: the global packages of /usr/local (root's prefix) and of each ~/.npm-global, from their package.json.
npm_entries() {
  command -v node >/dev/null || return 0
  # shellcheck disable=SC2016 # node's code, not the shell's
  node -e '
    const fs = require("fs"), path = require("path");
    for (const prefix of process.argv.slice(1)) {
      const root = path.join(prefix, "lib/node_modules");
      if (!fs.existsSync(root)) continue;
      for (const entry of fs.readdirSync(root)) {
        const names = entry.startsWith("@") ? fs.readdirSync(path.join(root, entry)).map((n) => entry + "/" + n) : [entry];
        for (const name of names) {
          const file = path.join(root, name, "package.json");
          if (!fs.existsSync(file)) continue;
          console.log([prefix, name, JSON.parse(fs.readFileSync(file, "utf8")).version].join("\t"));
        }
      }
    }' /usr/local /home/*/.npm-global | sort -u | while IFS=$'\t' read -r prefix name version; do
    printf '    {"name": %s, "version": %s, "prefix": %s}\n' \
      "$(json_string "$name")" "$(json_string "$version")" "$(json_string "$prefix")"
  done
}

# tool_entries: each registered install script (sorted) with its declared command and what it prints (first
# line), in a throw-away home; `none` declares no versioned tool. A command that fails or prints nothing stops.
tool_entries() {
  [ -d "$tools_dir" ] || return 0
  local file tool command version home status
  for file in "$tools_dir"/*; do
    [ -f "$file" ] || continue
    tool=$(basename "$file")
    command=$(head -n 1 "$file")
    case "$command" in
      none | 'none '*) version=null ;;
      *)
        home=$(mktemp -d)
        status=0
        version=$(cd "$home" && HOME=$home bash -c "$command" 2>"$home.err" </dev/null) || status=$?
        version=${version%%$'\n'*}
        if [ "$status" -ne 0 ] || [ -z "$version" ]; then
          echo "scripts/$tool/install.sh: its version command failed or printed nothing: $command" >&2
          sed 's/^/  /' "$home.err" >&2
          echo "  fix: correct the \`# version:\` line of scripts/$tool/install.sh (see docs/contents.md)" >&2
          rm -rf "$home" "$home.err"
          exit 1
        fi
        rm -rf "$home" "$home.err"
        version=$(json_string "$version")
        ;;
    esac
    printf '    {"script": %s, "version": %s, "command": %s}\n' \
      "$(json_string "$tool")" "$version" "$(json_string "$command")"
  done
}

# list ENTRIES: the lines of a JSON array's entries, commas between them.
list() {
  [ -z "$1" ] && return 0
  printf '%s\n' "$1" | sed '$!s/$/,/'
}

ancestry=$(lineage)
debian=$(debian_entries)
npm=$(npm_entries)
tools=$(tool_entries)
install -d -m 0755 "$dir"
{
  printf '{\n  "schema": 1,\n  "image": %s,\n  "lineage": [%s],\n' "$(json_string "$image")" "$ancestry"
  printf '  "debian": [\n%s  ],\n' "$(list "$debian")${debian:+$'\n'}"
  printf '  "npm": [\n%s  ],\n' "$(list "$npm")${npm:+$'\n'}"
  printf '  "tools": [\n%s  ]\n}\n' "$(list "$tools")${tools:+$'\n'}"
} >"$record.new"
mv "$record.new" "$record"
echo "contents record of $image: $(printf '%s' "$debian" | grep -c .) Debian packages, $(printf '%s' "$npm" | grep -c .) npm packages, $(printf '%s' "$tools" | grep -c .) install scripts"
