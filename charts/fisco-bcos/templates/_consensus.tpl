{{/*
maxUnavailable for the sealers' PodDisruptionBudget, from the PBFT vote weights:
W = sum of sealer weights, f = floor((W-1)/3); the answer is the largest k such that the k
heaviest sealers together weigh at most f (losing any k sealers then leaves a quorum).
Sprig has no numeric sort: weights are zero-padded, sorted as strings and reversed.
*/}}
{{- define "fisco-bcos.sealerMaxUnavailable" -}}
{{- $padded := list -}}
{{- $total := 0 -}}
{{- range .Values.nodes -}}
{{- if eq .role "sealer" -}}
{{- $padded = append $padded (printf "%010d" (int64 .weight)) -}}
{{- $total = add $total (int64 .weight) -}}
{{- end -}}
{{- end -}}
{{- $f := div (sub $total 1) 3 -}}
{{- $sum := 0 -}}
{{- $k := 0 -}}
{{- range $padded | sortAlpha | reverse -}}
{{- $sum = add $sum (atoi .) -}}
{{- if le $sum $f -}}{{- $k = add1 $k -}}{{- end -}}
{{- end -}}
{{- $k -}}
{{- end -}}
