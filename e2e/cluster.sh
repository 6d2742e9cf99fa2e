#!/usr/bin/env bash
# A local Kubernetes control plane for the e2e runs: etcd, kube-apiserver, kube-controller-manager and kube-scheduler
# as local processes (kwokctl's `binary` runtime), with kwok simulating nodes and pods. Uses only the binaries that
# e2e/tools/build.sh built; nothing is downloaded.
#
# Usage: bash e2e/cluster.sh up [--nodes N] [--pvs N] [--pv-size SIZE] [--stages FILE] [--storage-class NAME]
#        bash e2e/cluster.sh down
#        bash e2e/cluster.sh status
#        bash e2e/cluster.sh env        # prints `export PATH=… KUBECONFIG=…` for the built tools and this cluster
#
# State lives in ${FISCO_E2E_DIR:-<repo>/.e2e}: kubeconfig, kwok/ (PKI, etcd data, component logs).
# `up` also creates N fake nodes (default 4) and N static PersistentVolumes without a storage class (default 8,
# 10Gi each), so claims with storageClassName "" bind: kwok runs no volume provisioner.
# --storage-class NAME: the PVs get class NAME and a StorageClass NAME (no provisioner) is made the cluster default,
# so the API server fills it into claims that name no class, as on a real cluster.
# --stages FILE: kwok reads its Stage objects from the API server (--enable-crds=Stage), and FILE (e2e/kwok/stages.yaml)
# is applied before the nodes are added; a run may then swap Stages while the cluster runs. Without it, kwok's
# built-in stages: pods are Ready at once and pods of Jobs succeed at once.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
E2E_DIR=${FISCO_E2E_DIR:-$REPO/.e2e}
NAME=${FISCO_E2E_CLUSTER:-fisco-e2e}
BIN=$(bash "$HERE/tools/build.sh" --print-bin)

export KWOK_WORKDIR="$E2E_DIR/kwok"
export KUBECONFIG="$E2E_DIR/kubeconfig"
export PATH="$BIN:$PATH"

log() { printf '[e2e-cluster] %s\n' "$*"; }
die() { printf 'e2e/cluster.sh: %s\n' "$*" >&2; exit "${2:-1}"; }

need_tools() {
  local t missing=()
  for t in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl; do
    [[ -x "$BIN/$t" ]] || missing+=("$t")
  done
  ((${#missing[@]} == 0)) || die "missing in $BIN: ${missing[*]} (run: bash e2e/tools/build.sh)" 2
}

exists() { kwokctl get clusters 2>/dev/null | grep -qx "$NAME"; }

cmd_up() {
  local nodes=4 pvs=8 pv_size=10Gi stages="" class=""
  while (($#)); do
    case "$1" in
      --nodes) nodes=$2; shift 2 ;;
      --pvs) pvs=$2; shift 2 ;;
      --pv-size) pv_size=$2; shift 2 ;;
      --stages) stages=$2; shift 2 ;;
      --storage-class) class=$2; shift 2 ;;
      *) die "unknown option $1" 2 ;;
    esac
  done
  need_tools
  [[ -z "$stages" || -f "$stages" ]] || die "no stages file $stages" 2
  local -a crds=()
  [[ -z "$stages" ]] || crds=(--enable-crds=Stage)
  mkdir -p "$E2E_DIR"
  if exists; then
    log "cluster $NAME exists; starting it"
    kwokctl --name "$NAME" start cluster
  else
    local t0=$SECONDS
    log "creating cluster $NAME (kwokctl --runtime binary, $("$BIN/kube-apiserver" --version))"
    kwokctl --name "$NAME" create cluster --runtime binary \
      --kube-apiserver-binary "$BIN/kube-apiserver" \
      --kube-controller-manager-binary "$BIN/kube-controller-manager" \
      --kube-scheduler-binary "$BIN/kube-scheduler" \
      --kwok-controller-binary "$BIN/kwok" \
      --etcd-binary "$BIN/etcd" \
      --kube-authorization --kube-admission "${crds[@]}" \
      --kubeconfig "$KUBECONFIG" --wait 3m
    log "control plane up in $((SECONDS - t0))s"
  fi
  if [[ -n "$stages" ]]; then
    kubectl apply -f "$stages" >/dev/null
    log "kwok stages from $stages"
  fi
  if [[ -n "$class" ]]; then
    kubectl apply -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $class
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
reclaimPolicy: Retain
EOF
  fi
  kwokctl --name "$NAME" scale node --replicas "$nodes"
  local i
  for ((i = 0; i < pvs; i++)); do
    cat <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: e2e-pv-$i
  labels: {e2e.fisco-bcos/static: "true"}
spec:
  capacity: {storage: $pv_size}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: "$class"
  hostPath: {path: /tmp/fisco-e2e-pv-$i}
---
EOF
  done | kubectl apply -f - >/dev/null
  kubectl wait --for=condition=Ready node --all --timeout=120s >/dev/null
  log "nodes: $(kubectl get nodes --no-headers | wc -l) Ready; static PVs: $pvs x $pv_size, class \"$class\"${class:+ (the cluster default)}"
  log "KUBECONFIG=$KUBECONFIG"
}

cmd_down() {
  if [[ -x "$BIN/kwokctl" ]] && exists; then
    kwokctl --name "$NAME" delete cluster
    log "cluster $NAME deleted"
  else
    log "no cluster $NAME"
  fi
  rm -f "$KUBECONFIG"
}

cmd_status() {
  need_tools
  exists || { log "no cluster $NAME"; exit 1; }
  kwokctl --name "$NAME" get components
  kubectl get nodes
}

cmd_env() {
  # shellcheck disable=SC2016 # $PATH is meant to stay literal in the printed line
  printf 'export PATH=%q:"$PATH"\nexport KUBECONFIG=%q\nexport KWOK_WORKDIR=%q\n' "$BIN" "$KUBECONFIG" "$KWOK_WORKDIR"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) die "usage: bash e2e/cluster.sh up [--nodes N] [--pvs N] [--pv-size SIZE] [--stages FILE] [--storage-class NAME] | down | status | env" 2 ;;
esac
