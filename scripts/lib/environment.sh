#!/usr/bin/env bash
# Shared by the install scripts (sourced, never run): variables and PATH directories a tool needs at run time,
# for every kind of session. Bind-mounted next to them: RUN --mount=type=bind,source=scripts/lib,target=/scripts/lib
#
# One record, /etc/environment (NAME=VALUE lines), read by:
#   - PAM (su -, login, sshd) and coder-agent.service (EnvironmentFile=), so the agent and what it starts;
#   - /etc/profile.d/workspace-environment.sh (written below): login shells, after /etc/profile resets PATH;
#   - the same file from /etc/bash.bashrc: interactive shells that are not login shells (bash -i, terminals).
# `docker exec ... sh -c` reads no file: it gets the image's ENV. So the Dockerfile sets the same value in ENV
# before the step, and these functions stop the build when it does not (the test of every kind of shell is in
# images/base/image-test.yaml). See docs/install-scripts.md.

ENVIRONMENT_FILE=/etc/environment
ENVIRONMENT_HOOK=/etc/profile.d/workspace-environment.sh
ENVIRONMENT_DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# environment_set NAME VALUE: NAME=VALUE in every session (a value set before the session starts wins).
environment_set() {
  local name=$1 value=$2
  environment_check_name "$name" || return 2
  case "$value" in
    *[!A-Za-z0-9_./:,+=@%-]*)
      echo "environment_set: the value of $name ('$value') has a character /etc/environment and the shells read differently: use letters, digits and _ . / : , + = @ % -" >&2
      return 2
      ;;
  esac
  environment_require_image_env "$name" "$value" "ENV $name=$value" || return 2
  environment_write "$name" "$value"
}

# environment_path_prepend DIR: DIR in front of PATH in every session.
environment_path_prepend() {
  local dir=$1 path
  case "$dir" in
    /*) ;;
    *)
      echo "environment_path_prepend: '$dir' is not an absolute path" >&2
      return 2
      ;;
  esac
  case ":$(environment_at_start PATH | sed 's/^PATH=//'):" in
    *":$dir:"*) ;;
    *)
      echo "environment_path_prepend: $dir is not on the image's PATH: add it to ENV PATH in the Dockerfile, before this step (docker exec ... sh -c sees only the image's ENV)" >&2
      return 2
      ;;
  esac
  path=$(environment_get PATH)
  path=${path:-$ENVIRONMENT_DEFAULT_PATH}
  case ":$path:" in *":$dir:"*) ;; *) path="$dir:$path" ;; esac
  environment_write PATH "$path"
}

environment_check_name() {
  case "$1" in
    '' | [0-9]* | *[!A-Za-z0-9_]*)
      echo "environment: '$1' is not a variable name" >&2
      return 2
      ;;
  esac
}

# The environment this script started with is the image's ENV so far (plus build args): the value must be there.
# Read from /proc, so a variable the script exports itself does not count.
environment_require_image_env() {
  local name=$1 value=$2 fix=$3 started
  started=$(environment_at_start "$name")
  if [ "$started" != "$name=$value" ]; then
    echo "environment: $name=$value is not in the image's ENV (this step started with ${started:-$name unset}): add \`$fix\` to the Dockerfile before this step; docker exec ... sh -c sees only the image's ENV" >&2
    return 2
  fi
}

# environment_at_start NAME: NAME=VALUE as this script's process started, or nothing.
environment_at_start() {
  tr '\0' '\n' <"/proc/$$/environ" | grep -m1 "^$1=" || true
}

environment_get() {
  [ -r "$ENVIRONMENT_FILE" ] || return 0
  sed -n "s/^$1=//p" "$ENVIRONMENT_FILE" | tail -n 1
}

# Replaces NAME's line (or appends it), then makes sure the shells read the file.
environment_write() {
  local name=$1 value=$2 tmp
  tmp=$(mktemp)
  if [ -e "$ENVIRONMENT_FILE" ]; then grep -v "^$name=" "$ENVIRONMENT_FILE" >"$tmp" || true; fi
  printf '%s=%s\n' "$name" "$value" >>"$tmp"
  install -m 0644 "$tmp" "$ENVIRONMENT_FILE"
  rm -f "$tmp"
  environment_install_hook
}

environment_install_hook() {
  install -d -m 0755 "$(dirname "$ENVIRONMENT_HOOK")"
  cat >"$ENVIRONMENT_HOOK" <<'SH'
# Written by scripts/lib/environment.sh (workspace images). The tools' variables of /etc/environment, which PAM
# and coder-agent.service read too, for shells that start without them: login shells (after /etc/profile has
# reset PATH) and, from /etc/bash.bashrc, interactive shells. A variable that is already set keeps its value;
# PATH gets the directories it lacks, in front, in their order.
if [ -r /etc/environment ]; then
  _wsenv_front=
  while IFS= read -r _wsenv_line || [ -n "$_wsenv_line" ]; do
    case "$_wsenv_line" in
      PATH=*)
        _wsenv_ifs=$IFS
        IFS=:
        for _wsenv_dir in ${_wsenv_line#PATH=}; do
          case ":$PATH:" in
            *":$_wsenv_dir:"*) ;;
            *) _wsenv_front="${_wsenv_front:+$_wsenv_front:}$_wsenv_dir" ;;
          esac
        done
        IFS=$_wsenv_ifs
        ;;
      [A-Za-z_]*=*)
        _wsenv_name=${_wsenv_line%%=*}
        case "$_wsenv_name" in *[!A-Za-z0-9_]*) continue ;; esac
        eval "_wsenv_set=\${$_wsenv_name+set}"
        [ "$_wsenv_set" = set ] || export "$_wsenv_line"
        ;;
    esac
  done </etc/environment
  [ -z "$_wsenv_front" ] || export PATH="$_wsenv_front${PATH:+:$PATH}"
  unset _wsenv_front _wsenv_line _wsenv_ifs _wsenv_dir _wsenv_name _wsenv_set
fi
SH
  chmod 0644 "$ENVIRONMENT_HOOK"
  grep -qxF ". $ENVIRONMENT_HOOK" /etc/bash.bashrc 2>/dev/null ||
    printf '\n# The tools'"'"' variables for interactive shells (scripts/lib/environment.sh).\n. %s\n' "$ENVIRONMENT_HOOK" >>/etc/bash.bashrc
}
