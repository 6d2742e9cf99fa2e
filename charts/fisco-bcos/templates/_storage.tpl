{{/*
Storage rules for the per-node PVC: the size may only grow and the class may not change.
"existing" is the live PVC from `lookup` (an empty dict under `helm template`, so nothing is checked).
*/}}

{{/* A quantity with suffix Mi, Gi or Ti, in Mi. Args: list quantity context-for-errors */}}
{{- define "fisco-bcos.sizeToMi" -}}
{{- $q := toString (index . 0) -}}
{{- if not (regexMatch "^[0-9]+(Mi|Gi|Ti)$" $q) -}}
{{- fail (printf "%s: cannot compare storage size %q (expected Mi, Gi or Ti)" (index . 1) $q) -}}
{{- end -}}
{{- $factor := get (dict "Mi" 1 "Gi" 1024 "Ti" 1048576) (regexFind "[MGT]i$" $q) -}}
{{- mul (regexFind "^[0-9]+" $q | atoi) $factor -}}
{{- end -}}

{{/* Fails if the node's storage would shrink or change class. Args: dict "index" i "node" $node "existing" $pvc */}}
{{- define "fisco-bcos.checkStorage" -}}
{{- $key := printf "nodes[%d].storage" (int .index) -}}
{{- $sizeMi := include "fisco-bcos.sizeToMi" (list .node.storage.size (printf "%s.size" $key)) | atoi -}}
{{- if lt $sizeMi 2048 -}}
{{- fail (printf "%s.size must be at least 2Gi: FISCO refuses to start with less than 1 GiB free (got %s, node %s)" $key .node.storage.size .node.name) -}}
{{- end -}}
{{- with .existing -}}
{{- $old := toString .spec.resources.requests.storage -}}
{{- $new := toString $.node.storage.size -}}
{{- $oldMi := include "fisco-bcos.sizeToMi" (list $old (printf "%s.size (live PVC %s)" $key .metadata.name)) | atoi -}}
{{- $newMi := include "fisco-bcos.sizeToMi" (list $new (printf "%s.size" $key)) | atoi -}}
{{- if lt $newMi $oldMi -}}
{{- fail (printf "%s.size may only grow: %s -> %s (node %s, PVC %s)" $key $old $new $.node.name .metadata.name) -}}
{{- end -}}
{{- $requested := index (.metadata.annotations | default dict) "fisco-bcos.io/storage-class" -}}
{{- $newClass := $.node.storage.storageClassName | default "" -}}
{{- if kindIs "string" $requested -}}
{{- if ne $requested $newClass -}}
{{- fail (printf "%s.storageClassName may not change: %q -> %q (node %s, PVC %s; \"\" is the cluster default)" $key $requested $newClass $.node.name .metadata.name) -}}
{{- end -}}
{{- else -}}
{{- $oldClass := .spec.storageClassName | default "" -}}
{{- if and $newClass (ne $oldClass $newClass) -}}
{{- fail (printf "%s.storageClassName may not change: %q -> %q (node %s, PVC %s)" $key $oldClass $newClass $.node.name .metadata.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Fails when the live volume holds the ledger of another genesis: FISCO would refuse to start on it ("The Genesis Data is
inconsistent", bcos-ledger Ledger.cpp), and a new chain must never write into an old chain's volume.
Args: dict "root" $ "node" $node "existing" $pvc
*/}}
{{- define "fisco-bcos.checkLedger" -}}
{{- $wanted := .root.Values.genesisDigest -}}
{{- with .existing -}}
{{- $held := index (.metadata.annotations | default dict) "fisco-bcos.io/genesis-digest" -}}
{{- if and $wanted $held (ne $held $wanted) -}}
{{- fail (printf "volume %s of node %s holds the ledger of another chain (genesis sha256 %s…, this chain's is %s…): nothing was started on it. If this is a reinstall, restore the stack's state (the old keys and genesis) to run the old chain again; to start a new chain here, delete the PVC (its ledger is lost) or use another namespace or chainName" .metadata.name $.node.name (trunc 12 $held) (trunc 12 $wanted)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
