{{/* Names and labels. Object names are fixed: nodes.json refers to <chainName>-<node.name>. */}}

{{- define "fisco-bcos.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* <chainName>-<node.name>: StatefulSet and per-node Service. Args: dict "root" $ "node" $node */}}
{{- define "fisco-bcos.nodeName" -}}
{{ printf "%s-%s" .root.Values.chainName .node.name }}
{{- end -}}

{{/* Labels that select every pod of the chain. */}}
{{- define "fisco-bcos.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Values.chainName }}
app.kubernetes.io/component: node
{{- end -}}

{{/* Labels that select one node's pod. Args: dict "root" $ "node" $node */}}
{{- define "fisco-bcos.nodeSelectorLabels" -}}
{{ include "fisco-bcos.selectorLabels" .root }}
fisco-bcos.io/node: {{ .node.name }}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "fisco-bcos.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Values.chainName }}
app.kubernetes.io/version: {{ .Values.image.tag | trimPrefix "v" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "fisco-bcos.chart" . }}
{{- end -}}

{{/* Labels on every per-node object. Args: dict "root" $ "node" $node */}}
{{- define "fisco-bcos.nodeLabels" -}}
{{ include "fisco-bcos.labels" .root }}
app.kubernetes.io/component: node
fisco-bcos.io/node: {{ .node.name }}
fisco-bcos.io/role: {{ .node.role }}
{{- end -}}

{{/* Checks the schema cannot express; rendered once from validate.yaml. */}}
{{- define "fisco-bcos.validate" -}}
{{- $seen := dict -}}
{{- $sealers := 0 -}}
{{- range $i, $node := .Values.nodes -}}
{{- if hasKey $seen $node.name -}}
{{- fail (printf "nodes[%d].name %q is used twice" $i $node.name) -}}
{{- end -}}
{{- $_ := set $seen $node.name true -}}
{{- if has $node.name (list "rpc" "web3" "headless") -}}
{{- fail (printf "nodes[%d].name %q is reserved: the chart's own Services are %s-rpc, -web3 and -headless, and a node's Service is %s-<name>" $i $node.name $.Values.chainName $.Values.chainName) -}}
{{- end -}}
{{- $name := include "fisco-bcos.nodeName" (dict "root" $ "node" $node) -}}
{{- if gt (len $name) 52 -}}
{{- fail (printf "nodes[%d].name: %q is longer than 52 characters (StatefulSet pod label limit); shorten chainName or the node name" $i $name) -}}
{{- end -}}
{{- if eq $node.role "sealer" -}}{{- $sealers = add1 $sealers -}}{{- end -}}
{{- end -}}
{{- if eq $sealers 0 -}}
{{- fail "nodes: at least one node must have role sealer" -}}
{{- end -}}
{{- if and .Values.readiness.enabled (not .Values.readiness.bundleConfigMap) -}}
{{- fail "readiness.bundleConfigMap: required with readiness.enabled (the ConfigMap holding readiness.js)" -}}
{{- end -}}
{{- end -}}

{{/* Pod anti-affinity that spreads a chain's sealers over hosts. Args: root context */}}
{{- define "fisco-bcos.sealerAntiAffinity" -}}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (merge (include "fisco-bcos.selectorLabels" . | fromYaml) (dict "fisco-bcos.io/role" "sealer"))) -}}
podAntiAffinity:
{{- if eq .Values.scheduling.sealerSpread "required" }}
  requiredDuringSchedulingIgnoredDuringExecution:
    - {{- toYaml $term | nindent 6 }}
{{- else }}
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        {{- toYaml $term | nindent 8 }}
{{- end }}
{{- end -}}

{{/* The small image of the init container and the peer-reload sidecar. */}}
{{- define "fisco-bcos.helperImage" -}}
{{- printf "%s:%s" .Values.peerReload.image.repository .Values.peerReload.image.tag -}}
{{- end }}

{{/* Every container: no privilege escalation, no capabilities, the runtime's default seccomp profile. */}}
{{- define "fisco-bcos.containerSecurity" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Chart v4's ordering annotation value: every node StatefulSet (apps/namespaces/<ns>/StatefulSet/<name>). */}}
{{- define "fisco-bcos.statefulSetRefs" -}}
{{- $refs := list -}}
{{- range $node := .Values.nodes -}}
{{- $refs = append $refs (printf "apps/namespaces/%s/StatefulSet/%s" $.Release.Namespace (include "fisco-bcos.nodeName" (dict "root" $ "node" $node))) -}}
{{- end -}}
{{- join "," $refs -}}
{{- end -}}

{{/* "true" when the node serves clients: values' servesClients, or, when unset, whether it is a sealer. Args: $node */}}
{{- define "fisco-bcos.servesClients" -}}
{{- if hasKey . "servesClients" -}}{{- .servesClients -}}{{- else -}}{{- eq .role "sealer" -}}{{- end -}}
{{- end }}

{{/* Chart v4 depends-on refs of the StatefulSets in one rollout wave ("" for none). Args: dict "root" $ "wave" n */}}
{{- define "fisco-bcos.waveRefs" -}}
{{- $root := .root -}}
{{- $wave := int .wave -}}
{{- $refs := list -}}
{{- range $node := $root.Values.nodes -}}
{{- if and (ge $wave 0) (eq (int ($node.rolloutWave | default 0)) $wave) -}}
{{- $refs = append $refs (printf "apps/namespaces/%s/StatefulSet/%s" $root.Release.Namespace (include "fisco-bcos.nodeName" (dict "root" $root "node" $node))) -}}
{{- end -}}
{{- end -}}
{{- join "," $refs -}}
{{- end }}
