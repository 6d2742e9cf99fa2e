#!/usr/bin/env bash
# npm run kind:down — delete the local kind cluster made by npm run kind:up.
#
# Asks before deleting unless --yes; in CI (CI=true) or without a terminal it refuses without --yes.
# The local Pulumi state (.pulumi-state/, with the chain's keys encrypted by PULUMI_CONFIG_PASSPHRASE) is kept, so the
# next kind:up recreates the same chain identity; --purge-state deletes it too.
#
# Exit status: 0 done (or nothing to delete), 1 a step failed, 2 bad usage, a missing tool or no confirmation.
set -euo pipefail

SCRIPTS_DIR="${BASH_SOURCE[0]%/*}"
[[ "$SCRIPTS_DIR" != "${BASH_SOURCE[0]}" ]] || SCRIPTS_DIR=.
# shellcheck source=scripts/lib/common.sh
. "$SCRIPTS_DIR/lib/common.sh"

usage() {
  print_block <<'EOF'
usage: npm run kind:down [-- [--yes] [--purge-state]]

  --yes           do not ask for confirmation (required in CI and without a terminal)
  --purge-state   also delete the local Pulumi state of the kind stack (the chain's keys; cannot be undone)
Environment: KIND_CLUSTER_NAME (default fisco), FISCO_PULUMI_STATE_DIR (default <project>/.pulumi-state)
EOF
}

YES=false
PURGE=false

parse_args() {
  while (($# > 0)); do
    case "$1" in
      -y | --yes) YES=true ;;
      --purge-state) PURGE=true ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        die 2 "unknown argument: $1"
        ;;
    esac
    shift
  done
}

check_prerequisites() {
  require_docker
  have kind || MISSING+=("kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation")
  exit_if_missing
}

# Ask on the terminal; refuse where nobody can answer.
confirm() {
  local question="$1" answer
  [[ "$YES" == true ]] && return 0
  if is_ci; then
    die 2 "refusing to $question in CI without --yes (npm run kind:down -- --yes)"
  fi
  if [[ ! -t 0 ]]; then
    die 2 "refusing to $question without a terminal to ask on; pass --yes (npm run kind:down -- --yes)"
  fi
  read -r -p "[$SCRIPT_NAME] $question? [y/N] " answer
  case "$answer" in
    y | Y | yes | YES) return 0 ;;
    *) die 2 "not confirmed; nothing deleted" ;;
  esac
}

# A Pulumi file backend keeps its stacks under <dir>/.pulumi; refuse to delete a directory that is not one.
purge_state() {
  if [[ ! -d "$STATE_DIR" ]]; then
    step "No local Pulumi state at $STATE_DIR"
    return
  fi
  if [[ ! -d "$STATE_DIR/.pulumi" ]]; then
    die 1 "$STATE_DIR does not look like a Pulumi file backend (no .pulumi/ inside); not deleting it"
  fi
  step "Deleting the local Pulumi state $STATE_DIR (the kind chain's keys and history)"
  rm -rf -- "$STATE_DIR"
}

main() {
  parse_args "$@"
  check_prerequisites
  ROOT="$(cd "$SCRIPTS_DIR/.." && pwd)"
  CLUSTER="$(cluster_name)"
  STATE_DIR="$(state_dir "$ROOT")"

  local what="delete the kind cluster '$CLUSTER'"
  if [[ "$PURGE" == true ]]; then
    what="$what and the local Pulumi state in $STATE_DIR"
  fi

  if kind_cluster_exists "$CLUSTER"; then
    confirm "$what"
    step "Deleting kind cluster '$CLUSTER'"
    kind delete cluster --name "$CLUSTER" || die 1 "kind delete cluster --name $CLUSTER failed"
  else
    step "No kind cluster named '$CLUSTER' (kind get clusters lists the others)"
    if [[ "$PURGE" == true ]]; then
      confirm "delete the local Pulumi state in $STATE_DIR"
    fi
  fi
  rm -f -- "$STATE_DIR/kind-$CLUSTER.kubeconfig"

  if [[ "$PURGE" == true ]]; then
    purge_state
  elif [[ -d "$STATE_DIR/.pulumi" ]]; then
    step "Kept the local Pulumi state in $STATE_DIR (kind stack; the chain's keys, encrypted with PULUMI_CONFIG_PASSPHRASE)."
    info "The next npm run kind:up (same passphrase) refreshes it against the new cluster and recreates the chain with the"
    info "same keys and genesis and an empty ledger. To discard it: npm run kind:down -- --purge-state"
  else
    step "No local Pulumi state at $STATE_DIR"
  fi
}

main "$@"
