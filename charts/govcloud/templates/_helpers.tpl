{{- define "govcloud.labels" -}}
app.kubernetes.io/managed-by: govcloud
app.kubernetes.io/name: govcloud
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "govcloud.selectorLabels" -}}
app.kubernetes.io/name: govcloud
{{- end -}}

{{/* repository:tag, or repository@digest when a digest is set. */}}
{{- define "govcloud.image" -}}
{{- if .Values.image.digest -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" .Values.image.digest) -}}
{{- fail (printf "image.digest must be sha256: and 64 lowercase hex digits, got %q" .Values.image.digest) -}}
{{- end -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}
