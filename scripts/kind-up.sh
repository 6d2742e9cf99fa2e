#!/usr/bin/env bash
# npm run kind:up — a FISCO BCOS chain on a local kind cluster, from stacks/Pulumi.kind.yaml.
#
# 1. checks the tools (docker with a reachable daemon, kind, kubectl, pulumi, node, npm) and PULUMI_CONFIG_PASSPHRASE;
# 2. creates the kind cluster from deploy/kind/cluster.yaml unless it exists (KIND_CLUSTER_NAME, default fisco);
# 3. pulls the chain's images and loads them into the cluster's nodes;
# 4. runs `pulumi up` for the `kind` stack against a local file backend in .pulumi-state/ (PULUMI_BACKEND_URL for
#    these commands only: your own `pulumi login` is left alone), with a kubeconfig that points at this cluster only;
# 5. prints how to reach RPC and web3 from this machine, or, when the update fails, the pods, events and node logs.
#
# Exit status: 0 chain up, 1 a step failed, 2 a prerequisite is missing or bad usage.
set -euo pipefail

SCRIPTS_DIR="${BASH_SOURCE[0]%/*}"
[[ "$SCRIPTS_DIR" != "${BASH_SOURCE[0]}" ]] || SCRIPTS_DIR=.
# shellcheck source=scripts/lib/common.sh
. "$SCRIPTS_DIR/lib/common.sh"

readonly STACK="kind"

usage() {
  print_block <<'EOF'
usage: npm run kind:up [-- --help]

Creates (or reuses) the kind cluster and deploys the `kind` stack to it.
Environment:
  PULUMI_CONFIG_PASSPHRASE   required: encrypts the chain's keys in the local Pulumi state (keep it)
                             (PULUMI_CONFIG_PASSPHRASE_FILE works too)
  KIND_CLUSTER_NAME          cluster name (default fisco)
  FISCO_PULUMI_STATE_DIR     local state directory (default <project>/.pulumi-state)
EOF
}

# Every missing tool, each with how to get it; exit 2 if any is missing. Builtins only, so a bare PATH works.
check_prerequisites() {
  require_docker
  have kind || MISSING+=("kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (or: go install sigs.k8s.io/kind@latest)")
  have kubectl || MISSING+=("kubectl: https://kubernetes.io/docs/tasks/tools/")
  have pulumi || MISSING+=("pulumi: https://www.pulumi.com/docs/install/ (the Pulumi CLI; no account needed, the state stays local)")
  if ! have node; then
    MISSING+=("node: Node.js 20 or 22 from https://nodejs.org/ (or your package manager, or nvm)")
  else
    local version
    version="$(node --version 2>/dev/null || true)"
    case "$version" in
      v20.* | v21.* | v22.*) ;;
      *) MISSING+=("node: found '${version:-unknown}', this project needs Node.js 20 or 22") ;;
    esac
  fi
  have npm || MISSING+=("npm: comes with Node.js 20 or 22 from https://nodejs.org/")
  exit_if_missing
}

check_passphrase() {
  if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
    die 2 "PULUMI_CONFIG_PASSPHRASE is not set. It encrypts the chain's keys in the local Pulumi state: choose one, keep it," \
      "and export it (e.g. read -rs PULUMI_CONFIG_PASSPHRASE && export PULUMI_CONFIG_PASSPHRASE) before npm run kind:up"
  fi
}

install_dependencies() {
  if [[ ! -f "$ROOT/node_modules/.package-lock.json" ]]; then
    step "Installing the project's npm dependencies (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund) || die 1 "npm ci failed"
  fi
}

# Sets CHAIN_NAME, NAMESPACE, SDK_SECRET, IMAGES, RPC_URL, WEB3_URL, SEALERS, RPC_NODE_PORT from the stack file (through the real schema).
read_stack_facts() {
  local facts key value
  CHAIN_NAME="" NAMESPACE="" SDK_SECRET="" IMAGES="" RPC_URL="" WEB3_URL="" SEALERS="" RPC_NODE_PORT=""
  facts="$(cd "$ROOT" && node --import tsx scripts/lib/kind-stack.ts "$STACK")" ||
    die 1 "cannot read stacks/Pulumi.$STACK.yaml together with deploy/kind/cluster.yaml (message above)"
  while IFS='=' read -r key value; do
    case "$key" in
      CHAIN_NAME) CHAIN_NAME="$value" ;;
      NAMESPACE) NAMESPACE="$value" ;;
      SDK_SECRET) SDK_SECRET="$value" ;;
      IMAGES) IMAGES="$value" ;;
      RPC_URL) RPC_URL="$value" ;;
      WEB3_URL) WEB3_URL="$value" ;;
      SEALERS) SEALERS="$value" ;;
      RPC_NODE_PORT) RPC_NODE_PORT="$value" ;;
    esac
  done <<<"$facts"
  [[ -n "$CHAIN_NAME" && -n "$NAMESPACE" && -n "$IMAGES" && -n "$RPC_URL" && -n "$RPC_NODE_PORT" ]] ||
    die 1 "scripts/lib/kind-stack.ts did not report the chain name, namespace, images and RPC address"
}

create_cluster() {
  if kind_cluster_exists "$CLUSTER"; then
    step "kind cluster '$CLUSTER' exists; reusing it"
    check_port_mapping
    return
  fi
  step "Creating kind cluster '$CLUSTER' from deploy/kind/cluster.yaml (1 control plane, 3 workers; takes a minute or two)"
  kind create cluster --name "$CLUSTER" --config "$ROOT/deploy/kind/cluster.yaml" --wait 180s ||
    die 1 "kind create cluster failed (is another cluster using host ports 20200 or 8545? 'kind get clusters' lists them)"
}

# A cluster made without deploy/kind/cluster.yaml (e.g. plain `kind create cluster`) has no host port for RPC.
check_port_mapping() {
  local mapped
  mapped="$(docker port "$CLUSTER-control-plane" "$RPC_NODE_PORT/tcp" 2>/dev/null || true)"
  if [[ -z "$mapped" ]]; then
    warn "cluster '$CLUSTER' maps no host port to NodePort $RPC_NODE_PORT: it was not created from deploy/kind/cluster.yaml," \
      "so RPC and web3 will not be reachable from this machine. To fix: npm run kind:down, then npm run kind:up."
  fi
}

# A kubeconfig holding only this cluster, so nothing here can touch another context (file mode 0600, gitignored).
write_kubeconfig() {
  KUBECONFIG_FILE="$STATE_DIR/kind-$CLUSTER.kubeconfig"
  (umask 077 && kind get kubeconfig --name "$CLUSTER" >"$KUBECONFIG_FILE") || die 1 "kind get kubeconfig --name $CLUSTER failed"
  export KUBECONFIG="$KUBECONFIG_FILE"
  info "kubectl and pulumi use $KUBECONFIG_FILE (context kind-$CLUSTER) in this script"
}

load_images() {
  local image
  for image in $IMAGES; do
    if docker image inspect "$image" >/dev/null 2>&1; then
      step "Image $image is present locally"
    else
      step "Pulling $image"
      docker pull "$image" || die 1 "docker pull $image failed"
    fi
    step "Loading $image into the nodes of '$CLUSTER'"
    kind load docker-image "$image" --name "$CLUSTER" || die 1 "kind load docker-image $image failed"
  done
}

select_stack() {
  step "Pulumi state: $PULUMI_BACKEND_URL (local file backend; your pulumi login is unchanged)"
  pulumi stack select --create "$STACK" --secrets-provider passphrase --non-interactive ||
    die 1 "pulumi stack select --create $STACK failed (a wrong PULUMI_CONFIG_PASSPHRASE for existing state fails here too)"
}

deploy() {
  # --refresh: after kind:down and a new cluster the state still lists the old cluster's objects; refreshing finds
  # them gone so this update creates them again (the keys live in the state, not the cluster, and are kept).
  step "pulumi up -s $STACK (keys, the chain's Secrets and ConfigMaps, the nodes, then the verification Job; several minutes)"
  pulumi up -s "$STACK" --yes --skip-preview --refresh --non-interactive
}

# What a failed update leaves behind: pod status, recent events, each node's last log lines.
print_diagnostics() {
  local pod
  printf '\n[%s] Diagnostics for namespace %s (cluster %s)\n' "$SCRIPT_NAME" "$NAMESPACE" "$CLUSTER" >&2
  printf -- '--- pods\n' >&2
  kubectl get pods -n "$NAMESPACE" -o wide >&2 || true
  printf -- '--- recent events\n' >&2
  kubectl get events -n "$NAMESPACE" --sort-by=.lastTimestamp 2>&1 | tail -n 30 >&2 || true
  while IFS= read -r pod; do
    [[ -n "$pod" ]] || continue
    printf -- '--- last log lines of %s (fisco-bcos)\n' "$pod" >&2
    kubectl logs -n "$NAMESPACE" "$pod" -c fisco-bcos --tail=40 >&2 || true
  done < <(kubectl get pods -n "$NAMESPACE" -l "app.kubernetes.io/instance=$CHAIN_NAME,app.kubernetes.io/component=node" -o name 2>/dev/null || true)
  while IFS= read -r pod; do
    [[ -n "$pod" ]] || continue
    printf -- '--- last log lines of %s (verification)\n' "$pod" >&2
    kubectl logs -n "$NAMESPACE" "$pod" --tail=40 >&2 || true
  done < <(kubectl get pods -n "$NAMESPACE" -l "app.kubernetes.io/component=verification" -o name 2>/dev/null || true)
}

# The SDK Secret's files, for clients on this machine: a private directory, files mode 0600, nothing printed.
extract_sdk() {
  local file
  (umask 077 && mkdir -p "$SDK_DIR")
  for file in ca.crt sdk.crt sdk.key endpoints.json; do
    if ! (umask 077 && kubectl -n "$NAMESPACE" get secret "$SDK_SECRET" \
      -o "go-template={{index .data \"$file\" | base64decode}}" >"$SDK_DIR/$file"); then
      warn "could not copy $file from the Secret $SDK_SECRET; the kubectl command below does the same by hand"
      return 0
    fi
  done
  step "SDK files of the Secret $SDK_SECRET copied to $SDK_DIR (mode 0600)"
}

print_access() {
  print_block <<EOF

[$SCRIPT_NAME] The chain is up (cluster $CLUSTER, namespace $NAMESPACE, stack $STACK).

  kubectl context:  kind-$CLUSTER     e.g. kubectl --context kind-$CLUSTER -n $NAMESPACE get pods
  native RPC:       $RPC_URL   mutual TLS: CA ca.crt, client certificate sdk.crt and key sdk.key;
                    the node certificates carry no SAN, so clients check the chain CA, not the host name
  web3 JSON-RPC:    ${WEB3_URL:-off in this stack}

  SDK certificates: $SDK_DIR (ca.crt, sdk.crt, sdk.key, endpoints.json), from the Secret $SDK_SECRET;
  by hand, one file at a time:
    kubectl --context kind-$CLUSTER -n $NAMESPACE get secret $SDK_SECRET \\
      -o 'go-template={{index .data "sdk.key" | base64decode}}' > sdk.key    # likewise ca.crt, sdk.crt, endpoints.json

  Verify from this machine (endpoints.json names in-cluster addresses, so --rpc points at the host port):
    npm run verify -- --sdk-dir $SDK_DIR --rpc $RPC_URL --expect-sealers $SEALERS
EOF
  if [[ -n "$WEB3_URL" ]]; then
    print_block <<EOF

  web3 from this machine:
    curl -s -H 'content-type: application/json' \\
      --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' $WEB3_URL
EOF
  fi
  print_block <<EOF

  Stack outputs:    PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL pulumi stack output -s $STACK
  Tear down:        npm run kind:down   (the local state is kept unless --purge-state)
EOF
}

main() {
  case "${1:-}" in
    "") ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die 2 "unknown argument: $1"
      ;;
  esac

  step "Checking prerequisites (docker, kind, kubectl, pulumi, node, npm)"
  check_prerequisites
  check_passphrase

  ROOT="$(cd "$SCRIPTS_DIR/.." && pwd)"
  CLUSTER="$(cluster_name)"
  STATE_DIR="$(state_dir "$ROOT")"
  SDK_DIR="$STATE_DIR/kind-sdk"
  mkdir -p "$STATE_DIR"
  export PULUMI_BACKEND_URL="file://$STATE_DIR"
  export PULUMI_SKIP_UPDATE_CHECK=true

  install_dependencies
  read_stack_facts
  info "chain '$CHAIN_NAME' in namespace '$NAMESPACE'; images: $IMAGES"
  create_cluster
  write_kubeconfig
  load_images
  cd "$ROOT"
  select_stack
  if ! deploy; then
    print_diagnostics
    die 1 "pulumi up -s $STACK failed; the diagnostics above show the pods, events and node logs. Fix and run npm run kind:up again (it resumes)."
  fi
  extract_sdk
  print_access
}

main "$@"
