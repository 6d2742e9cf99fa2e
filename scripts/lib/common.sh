# shellcheck shell=bash
# Helpers shared by scripts/kind-up.sh and scripts/kind-down.sh. Source it; it defines functions only.
# Until the prerequisite check has passed these use shell builtins only (no dirname, grep, sed …), so a
# script can report a missing tool even when PATH holds nothing else.

# The calling script's name, for message prefixes (set SCRIPT_NAME before sourcing to override).
SCRIPT_NAME="${SCRIPT_NAME:-${0##*/}}"
SCRIPT_NAME="${SCRIPT_NAME%.sh}"

# A progress line.
step() {
  printf '[%s] %s\n' "$SCRIPT_NAME" "$*"
}

# A line of information, indented under the last step.
info() {
  printf '[%s]   %s\n' "$SCRIPT_NAME" "$*"
}

warn() {
  printf '[%s] warning: %s\n' "$SCRIPT_NAME" "$*" >&2
}

# die <exit code> <message…>
die() {
  local code="$1"
  shift
  printf '[%s] error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit "$code"
}

# Copies stdin to stdout with builtins only (a here-document printer that needs no cat).
print_block() {
  local line
  while IFS= read -r line || [[ -n "$line" ]]; do
    printf '%s\n' "$line"
  done
}

# True when the command is on PATH.
have() {
  command -v "$1" >/dev/null 2>&1
}

# True when running under a CI system (CI=true, as GitHub Actions, GitLab CI and most others set it).
is_ci() {
  case "${CI:-}" in
    "" | false | 0) return 1 ;;
    *) return 0 ;;
  esac
}

# Where the local Pulumi file backend keeps the kind stack's state (gitignored). FISCO_PULUMI_STATE_DIR overrides it.
state_dir() {
  local root="$1"
  printf '%s\n' "${FISCO_PULUMI_STATE_DIR:-$root/.pulumi-state}"
}

# The kind cluster's name: KIND_CLUSTER_NAME (which kind itself also honours), default fisco.
cluster_name() {
  printf '%s\n' "${KIND_CLUSTER_NAME:-fisco}"
}

# True when a kind cluster of that name exists.
kind_cluster_exists() {
  local name="$1" line
  while IFS= read -r line; do
    [[ "$line" == "$name" ]] && return 0
  done < <(kind get clusters 2>/dev/null)
  return 1
}

# Prerequisite checks collect every problem in MISSING, then report them all at once.
MISSING=()

# Docker: the client, and a daemon it can reach.
require_docker() {
  if ! have docker; then
    MISSING+=("docker: install Docker Engine (Linux) or Docker Desktop (macOS, Windows) and start it")
  elif ! docker info >/dev/null 2>&1; then
    MISSING+=("docker daemon: 'docker info' failed; start Docker, or add your user to the docker group and log in again")
  fi
}

# Exit 2 naming every missing prerequisite, if any.
exit_if_missing() {
  if ((${#MISSING[@]} > 0)); then
    printf '[%s] error: missing prerequisites:\n' "$SCRIPT_NAME" >&2
    printf '  - %s\n' "${MISSING[@]}" >&2
    exit 2
  fi
}
