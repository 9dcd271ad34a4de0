{{/* Chart name. */}}
{{- define "alb-asyncjob-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name when it contains the chart name (so release "alb-asyncjob-operator"
gives "alb-asyncjob-operator"), else "<release>-<chart>".
*/}}
{{- define "alb-asyncjob-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "alb-asyncjob-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Standard labels of every object. */}}
{{- define "alb-asyncjob-operator.labels" -}}
helm.sh/chart: {{ include "alb-asyncjob-operator.chart" . }}
{{ include "alb-asyncjob-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: alb-asyncjob-operator
{{- end }}

{{- define "alb-asyncjob-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "alb-asyncjob-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "alb-asyncjob-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "alb-asyncjob-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "alb-asyncjob-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion (toString .Values.image.tag)) }}
{{- end }}

{{- define "alb-asyncjob-operator.leaseName" -}}
{{- default (include "alb-asyncjob-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/* The job label of the operator's up series (AlbAsyncJobOperatorDown). */}}
{{- define "alb-asyncjob-operator.operatorJob" -}}
{{- default (include "alb-asyncjob-operator.fullname" .) .Values.prometheusRule.operatorJob }}
{{- end }}

{{/*
The rules the operator needs on the objects it watches, in cluster mode (ClusterRole) and in
namespaced mode (a Role per watched namespace) alike. Exactly what the code calls:
- AsyncJob/AsyncJobWatch informers: get, list, watch;
- AsyncJobs it creates, label-patches (phase), and deletes (retention);
- status subresource writes (server-side apply, or JSON patch where SSA is missing);
- Events (core/v1 today; events.k8s.io/v1 so that a recorder switch needs no RBAC change);
- Secrets named by spec.credentialsSecretRef: get only.
Not granted: CRD read (JOSDK's CRD check is off), finalizers (ownerReferences use
blockOwnerDeletion: false), Secrets list/watch.
*/}}
{{- define "alb-asyncjob-operator.rules" -}}
- apiGroups: ["albjobs.io"]
  resources: ["asyncjobs", "asyncjobwatches"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["albjobs.io"]
  resources: ["asyncjobs"]
  verbs: ["create", "patch", "update", "delete"]
- apiGroups: ["albjobs.io"]
  resources: ["asyncjobs/status", "asyncjobwatches/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.rbac.readSecrets }}
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
{{- end }}
{{- end }}

{{/* Fails rendering on combinations that cannot work. */}}
{{- define "alb-asyncjob-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: without a Lease every replica would poll ALB and write status" }}
{{- end }}
{{- if ne (len .Values.watchNamespaces) (len (uniq .Values.watchNamespaces)) }}
{{- fail "watchNamespaces lists a namespace twice" }}
{{- end }}
{{- end }}
