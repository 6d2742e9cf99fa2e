#!/usr/bin/env bash
# Builds the e2e toolchain (Pulumi engine, Node language host, providers, a Kubernetes control plane and kwok)
# from Go modules with the ordinary `go` client, into a cache folder keyed by the pinned versions:
#
#   ${FISCO_E2E_TOOLS:-$HOME/.cache/fisco-bcos-provisioner/e2e-tools}/<version-key>/bin
#
# Usage: bash e2e/tools/build.sh [--print-bin] [step ...]
#   steps: etcd kube kwok pulumi langhost kubernetes tls standin (default: all)
#   --print-bin  print the bin folder and exit (builds nothing)
# What is already built is skipped; a second run only checks. Go's module and build caches stay in their
# default locations (outside the repo), so a rebuild under a new key is mostly link time.
# Compiles run under `nice -n 10`. The only files written are wrapper modules (go.mod, a generated main.go or
# shim) under <version-key>/work; no upstream source is copied anywhere.
set -euo pipefail

# ---- pins ------------------------------------------------------------------------------------------------------
# Pulumi engine. @pulumi/pulumi must stay <= 3.248.0 (3.249+ needs Node 22); the CLI is pinned to the same release.
PULUMI_V=3.248.0
# Node language host: its module has no tags and the proxy serves exactly one version of it, a pseudo-version at a
# commit between pkg/v3.187.0 and v3.188.0, so it is compiled against pkg/sdk of that era (against v3.248.0 it does
# not compile: the gRPC interfaces and codegen APIs moved on). It speaks the language-host gRPC protocol to the CLI.
LANGHOST_PV=v3.0.0-20250806165243-bee5e4fa4815
LANGHOST_PKG_V=3.188.0
# Its checksum is not in the public checksum database (lookup answers 404), so it alone is exempt from that check.
LANGHOST_NOSUMDB=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs
# Kubernetes provider: the only version of github.com/pulumi/pulumi-kubernetes/provider/v4 the proxy serves is the
# release commit of v4.25.0 (f47bc2d6f199). @pulumi/kubernetes 4.34.2 (package.json) is not buildable.
K8SP_V=4.25.0
K8SP_PV=v4.0.0-20260115033456-f47bc2d6f199
K8SP_SDK_V=4.25.0
# TLS / random providers: see README (release pseudo-versions of provider/v5 and provider/v4 are refused).
TLS_V=5.6.1
TLS_PV=v5.0.0-20260917103128-ab4644ab6b46
RANDOM_V=4.21.2
RANDOM_PV=v4.0.0-20260917102437-48ee6c4732b1
# Control plane.
KUBE_V=1.36.3
STAGING_V=0.36.3
ETCD_V=3.6.16
KWOK_V=0.8.0
CLIPBOARD=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e

# ---- layout ----------------------------------------------------------------------------------------------------
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${FISCO_E2E_TOOLS:-$HOME/.cache/fisco-bcos-provisioner/e2e-tools}
PINS="pulumi=$PULUMI_V langhost=$LANGHOST_PV/$LANGHOST_PKG_V k8sp=$K8SP_PV tls=$TLS_PV random=$RANDOM_PV kube=$KUBE_V/$STAGING_V etcd=$ETCD_V kwok=$KWOK_V"
KEY="p$PULUMI_V-k$KUBE_V-$(printf '%s' "$PINS" | sha256sum | cut -c1-8)"
BASE="$ROOT/$KEY"
BIN="$BASE/bin"
WORK="$BASE/work"

if [[ "${1:-}" == "--print-bin" ]]; then
  echo "$BIN"
  exit 0
fi

ALL_STEPS=(etcd kube kwok pulumi langhost kubernetes tls standin)
if (($# > 0)); then STEPS=("$@"); else STEPS=("${ALL_STEPS[@]}"); fi
for s in "${STEPS[@]}"; do
  case " ${ALL_STEPS[*]} " in *" $s "*) ;; *) echo "build.sh: unknown step '$s' (steps: ${ALL_STEPS[*]})" >&2; exit 2 ;; esac
done

START=$SECONDS
log() {
  local e=$((SECONDS - START))
  printf '[e2e-tools %02d:%02d:%02d] %s\n' $((e / 3600)) $((e % 3600 / 60)) $((e % 60)) "$*"
}

command -v go >/dev/null || { [[ -x /usr/local/go/bin/go ]] && PATH="/usr/local/go/bin:$PATH"; }
command -v go >/dev/null || { echo "build.sh: needs the go command (Go >= 1.26)" >&2; exit 2; }

export GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-trimpath"
gox() { nice -n 10 go "$@"; }

mkdir -p "$BIN" "$WORK"
printf '%s\n' "$PINS" | tr ' ' '\n' >"$BASE/versions.txt"
log "go: $(go version | cut -d' ' -f3-); tools: $BIN"

# A wrapper module per tool: the tool's module becomes an ordinary dependency, so its replace directives (which
# `go install pkg@version` refuses) no longer apply and sibling modules come from their published versions.
mkmod() {
  mkdir -p "$WORK/$1"
  cd "$WORK/$1"
  [[ -f go.mod ]] || go mod init "e2etools.local/$1" >/dev/null 2>&1
}
have() { [[ -x "$BIN/$1" ]]; }
moddir() { go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }
modfile() { go mod download -json "$1" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p'; }

# ---- etcd ------------------------------------------------------------------------------------------------------
step_etcd() {
  have etcd && { log "etcd: cached ($("$BIN/etcd" --version | head -1))"; return; }
  log "etcd: building go.etcd.io/etcd/server/v3@v$ETCD_V"
  mkmod etcd
  gox get -tool "go.etcd.io/etcd/server/v3@v$ETCD_V"
  gox build -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$BIN/etcd.tmp" "$BIN/etcd"
  log "etcd: done ($("$BIN/etcd" --version | head -1))"
}

# ---- kube-apiserver, kube-controller-manager, kube-scheduler, kubectl ----------------------------------------
step_kube() {
  if have kube-apiserver && have kube-controller-manager && have kube-scheduler && have kubectl; then
    log "kube: cached ($("$BIN/kube-apiserver" --version))"
    return
  fi
  log "kube: building k8s.io/kubernetes@v$KUBE_V (apiserver, controller-manager, scheduler, kubectl)"
  mkmod kube
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/...; point each one
  # at its published version instead. The list comes from k8s.io/kubernetes's own go.mod.
  local gm tmp
  gm=$(modfile "k8s.io/kubernetes@v$KUBE_V")
  tmp=$(mktemp -d)
  cp "$gm" "$tmp/go.mod"
  local -a staging args=()
  mapfile -t staging < <(go mod edit -json "$tmp/go.mod" |
    python3 -c 'import json,sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["New"]["Path"].startswith("./staging/"): print(r["Old"]["Path"])')
  rm -rf "$tmp"
  log "kube: ${#staging[@]} staging modules pinned to v$STAGING_V"
  for m in "${staging[@]}"; do args+=("-replace=$m=$m@v$STAGING_V"); done
  go mod edit "${args[@]}"
  local -a pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  local p
  args=()
  for p in "${pkgs[@]}"; do args+=("$p@v$KUBE_V"); done
  gox get -tool "${args[@]}"
  # kwokctl reads `--version` to choose flags, so the version variables must be set.
  local minor ldf now
  minor=$(cut -d. -f2 <<<"$KUBE_V")
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ldf="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $p.gitVersion=v$KUBE_V -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$now"
  done
  mkdir -p "$WORK/kube/out"
  gox build -ldflags "$ldf" -o "$WORK/kube/out/" "${pkgs[@]}"
  for p in kube-apiserver kube-controller-manager kube-scheduler kubectl; do mv "$WORK/kube/out/$p" "$BIN/$p"; done
  log "kube: done ($("$BIN/kube-apiserver" --version))"
}

# ---- kwok, kwokctl ---------------------------------------------------------------------------------------------
step_kwok() {
  if have kwok && have kwokctl; then log "kwok: cached ($("$BIN/kwokctl" --version))"; return; fi
  log "kwok: building sigs.k8s.io/kwok@v$KWOK_V (kwok, kwokctl)"
  mkmod kwok
  gox get -tool "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_V" "sigs.k8s.io/kwok/cmd/kwokctl@v$KWOK_V"
  mkdir -p out
  gox build -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_V -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBE_V" \
    -o out/ sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
  mv out/kwok out/kwokctl "$BIN/"
  log "kwok: done ($("$BIN/kwokctl" --version))"
}

PLDF="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_V"

# ---- pulumi CLI ------------------------------------------------------------------------------------------------
step_pulumi() {
  have pulumi && { log "pulumi: cached ($("$BIN/pulumi" version))"; return; }
  log "pulumi: building github.com/pulumi/pulumi/pkg/v3@v$PULUMI_V cmd/pulumi"
  mkmod pulumi
  go mod edit "-replace=github.com/atotto/clipboard=$CLIPBOARD"
  gox get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_V"
  gox build -tags osusergo,grpcnotrace -ldflags "$PLDF" -o "$BIN/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  mv "$BIN/pulumi.tmp" "$BIN/pulumi"
  log "pulumi: done ($("$BIN/pulumi" version))"
}

# ---- pulumi-language-nodejs (sits next to `pulumi`, where the CLI looks for bundled language hosts) -----------
step_langhost() {
  have pulumi-language-nodejs && { log "langhost: cached"; return; }
  log "langhost: building pulumi-language-nodejs/v3@$LANGHOST_PV against pkg/sdk v$LANGHOST_PKG_V"
  mkmod langhost
  go mod edit "-replace=github.com/atotto/clipboard=$CLIPBOARD"
  GONOSUMDB="$LANGHOST_NOSUMDB" gox get -tool "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$LANGHOST_PV"
  # Upstream builds it against the pkg and sdk of its own tree; the nearest releases stand in for them.
  GONOSUMDB="$LANGHOST_NOSUMDB" gox get "github.com/pulumi/pulumi/pkg/v3@v$LANGHOST_PKG_V" "github.com/pulumi/pulumi/sdk/v3@v$LANGHOST_PKG_V"
  GONOSUMDB="$LANGHOST_NOSUMDB" gox mod tidy
  GONOSUMDB="$LANGHOST_NOSUMDB" gox build -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_PKG_V" -o "$BIN/pulumi-language-nodejs.tmp" \
    github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
  mv "$BIN/pulumi-language-nodejs.tmp" "$BIN/pulumi-language-nodejs"
  log "langhost: done"
}

# ---- pulumi-resource-kubernetes --------------------------------------------------------------------------------
# The upstream main embeds schema-embed.json and terraform-mapping-embed.json, which are generated and not in the
# module zip, so the wrapper has a main.go of its own that embeds files generated here from the module's data.
step_kubernetes() {
  have pulumi-resource-kubernetes && { log "kubernetes: cached (v$K8SP_V)"; return; }
  log "kubernetes: building pulumi-kubernetes/provider/v4@$K8SP_PV (release v$K8SP_V)"
  mkmod kubernetes
  gox get "github.com/pulumi/pulumi-kubernetes/provider/v4@$K8SP_PV" "github.com/pulumi/pulumi-kubernetes/sdk/v4@v$K8SP_SDK_V"
  local src
  src=$(moddir "github.com/pulumi/pulumi-kubernetes/provider/v4@$K8SP_PV")/cmd/pulumi-resource-kubernetes
  node -e 'const fs=require("fs"),[d,v]=process.argv.slice(1);
    const s=JSON.parse(fs.readFileSync(d+"/schema.json","utf8")); s.version=v;
    fs.writeFileSync("schema-embed.json",JSON.stringify(s));
    fs.writeFileSync("terraform-mapping-embed.json",JSON.stringify(JSON.parse(fs.readFileSync(d+"/terraform-mapping.json","utf8"))));' \
    "$src" "$K8SP_V"
  # Newer releases also embed helm-mapping.json (committed) and pass it to provider.Serve; v4.25.0 does not.
  if [[ -f "$src/helm-mapping.json" ]]; then
    install -m 0644 "$src/helm-mapping.json" helm-mapping.json
    write_kubernetes_main helm
  else
    write_kubernetes_main
  fi
  gox mod tidy
  gox build -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8SP_V" \
    -o "$BIN/pulumi-resource-kubernetes.tmp" .
  mv "$BIN/pulumi-resource-kubernetes.tmp" "$BIN/pulumi-resource-kubernetes"
  log "kubernetes: done"
}

write_kubernetes_main() {
  local embed_helm="" serve_helm=""
  if [[ ${1:-} == helm ]]; then
    embed_helm=$'\n//go:embed helm-mapping.json\nvar helmMapping []byte\n'
    serve_helm=", helmMapping"
  fi
  cat >main.go <<EOF
// Generated by e2e/tools/build.sh: serves the Kubernetes provider with embedded data generated at build time.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte
$embed_helm
func main() { provider.Serve("kubernetes", version.Version, schema, terraformMapping$serve_helm) }
EOF
}

# ---- pulumi-resource-tls / pulumi-resource-random --------------------------------------------------------------
# The real providers cannot be built here: the module proxy refuses github.com/pulumi/pulumi-tls/provider/v5 and
# github.com/pulumi/pulumi-random/provider/v4 at their release pseudo-versions (403 "This module version is not
# available"). Step `tls` records that refusal; `standin` builds e2e/tools/standin-provider (our own code, see its
# header) as pulumi-resource-tls and pulumi-resource-random so the real engine can run the program end to end.
step_tls() {
  log "tls/random: probing the real providers (expected to be refused)"
  mkmod probe
  local m ok=0
  for m in "github.com/pulumi/pulumi-tls/provider/v5@$TLS_PV" "github.com/pulumi/pulumi-random/provider/v4@$RANDOM_PV"; do
    if go mod download "$m" 2>"$WORK/probe/err"; then
      log "tls/random: $m IS served now: build the real provider instead of the stand-in"
      ok=1
    else
      log "tls/random: $m refused: $(tail -1 "$WORK/probe/err" | sed 's/^[[:space:]]*//')"
    fi
  done
  ((ok == 0)) || log "tls/random: update e2e/tools/build.sh to build the real provider"
}

step_standin() {
  if have pulumi-resource-tls && have pulumi-resource-random; then log "standin: cached (tls v$TLS_V, random v$RANDOM_V)"; return; fi
  log "standin: building the stand-in tls/random provider against sdk v$PULUMI_V"
  mkmod standin
  install -m 0644 "$HERE/standin-provider/main.go" main.go
  gox get "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_V"
  gox mod tidy
  local name ver
  for name in tls random; do
    if [[ $name == tls ]]; then ver=$TLS_V; else ver=$RANDOM_V; fi
    gox build -ldflags "-s -w -X main.pkgName=$name -X main.pkgVersion=$ver" -o "$BIN/pulumi-resource-$name.tmp" .
    mv "$BIN/pulumi-resource-$name.tmp" "$BIN/pulumi-resource-$name"
  done
  log "standin: done (pulumi-resource-tls $TLS_V, pulumi-resource-random $RANDOM_V: STAND-INS, not the real providers)"
}

failed=()
for s in "${STEPS[@]}"; do
  set +e
  (
    set -e
    "step_$s"
  )
  rc=$?
  set -e
  if ((rc != 0)); then
    failed+=("$s")
    log "$s: FAILED (exit $rc)"
  fi
done
log "bin: $BIN"
find "$BIN" -maxdepth 1 -type f -printf '  %f\n' | sort
if ((${#failed[@]})); then
  log "failed steps: ${failed[*]}"
  exit 1
fi
log "all steps done"
