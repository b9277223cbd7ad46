{{- define "govcloud.labels" -}}
app.kubernetes.io/managed-by: govcloud
app.kubernetes.io/name: govcloud
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
