# The metrics API of the local control plane (sourced by testenv/testenv):
# metrics-server as a plain process on 127.0.0.1, served through the
# kube-apiserver's aggregation layer, scraping the usage kwok emulates
# (testenv/kwok-metrics.yaml) on kwok's server port.
#
#   kube-apiserver ──/apis/metrics.k8s.io──► APIService v1beta1.metrics.k8s.io
#        (front-proxy client cert)             └► Service kube-system/metrics-server
#                                                 (ExternalName 127.0.0.1, port N+8)
#                                                 └► metrics-server ──https──► kwok N+5
#                                                    /metrics/nodes/<node>/metrics/resource
#
# The aggregator dials the Service's ExternalName (127.0.0.1): kube-apiserver
# runs with --enable-aggregator-routing=false, since with it the aggregator
# looks up the Service's EndpointSlices instead, and those may not point at
# loopback (nor may Endpoints); no kube-proxy routes a ClusterIP here.
#
# Nothing is measured: every figure is what kwok-metrics.yaml makes up.
# shellcheck shell=bash

# The serving certificate (signed by the testenv CA, named as the aggregator
# dials it: metrics-server.kube-system.svc) and the client certificate it
# reads the API with (user system:metrics-server, bound below).
metrics_pki() {
  gen_key "$PKI/metrics-server.key" ec
  gen_key "$PKI/metrics-server-client.key" ec
  local leaf="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment"
  sign_cert metrics-server "/CN=metrics-server.kube-system.svc" "$leaf
extendedKeyUsage=serverAuth
subjectAltName=DNS:metrics-server.kube-system.svc,DNS:localhost,IP:127.0.0.1"
  sign_cert metrics-server-client "/CN=system:metrics-server" "$leaf
extendedKeyUsage=clientAuth"
  chmod 600 "$PKI"/metrics-server*.key
  write_kubeconfig "$DIR/metrics-server.kubeconfig" system:metrics-server metrics-server-client
}

# What upstream's manifests (sigs.k8s.io/metrics-server manifests/base) grant
# its ServiceAccount, granted here to the process's user; the Service is an
# ExternalName to 127.0.0.1, which the aggregator dials directly.
metrics_manifest() {
  cat <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:metrics-server
  labels: {govcloud.io/testenv: "true"}
rules:
- apiGroups: [""]
  resources: [nodes/metrics]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:metrics-server
  labels: {govcloud.io/testenv: "true"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:metrics-server}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: metrics-server:system:auth-delegator
  labels: {govcloud.io/testenv: "true"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: metrics-server-auth-reader
  namespace: kube-system
  labels: {govcloud.io/testenv: "true"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}
---
# As upstream: whoever is bound to view, edit or admin may read usage where bound.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:aggregated-metrics-reader
  labels:
    govcloud.io/testenv: "true"
    rbac.authorization.k8s.io/aggregate-to-view: "true"
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
rules:
- apiGroups: [metrics.k8s.io]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
  labels: {govcloud.io/testenv: "true"}
spec:
  type: ExternalName
  externalName: 127.0.0.1
  ports:
  - {name: https, port: $(port_of metrics-server), protocol: TCP}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
  labels: {govcloud.io/testenv: "true"}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: metrics-server, namespace: kube-system, port: $(port_of metrics-server)}
  caBundle: $(base64 -w0 <"$PKI/ca.crt")
EOF
}

start_metrics_server() {
  start_proc metrics-server "$(binary_path metrics-server)" \
    --bind-address=127.0.0.1 --secure-port="$(port_of metrics-server)" \
    --cert-dir="$PKI/metrics-server-certs" \
    --tls-cert-file="$PKI/metrics-server.crt" --tls-private-key-file="$PKI/metrics-server.key" \
    --kubeconfig="$DIR/metrics-server.kubeconfig" \
    --authentication-kubeconfig="$DIR/metrics-server.kubeconfig" \
    --authorization-kubeconfig="$DIR/metrics-server.kubeconfig" \
    --kubelet-port="$(port_of kwok)" --kubelet-insecure-tls \
    --kubelet-preferred-address-types=InternalIP \
    --metric-resolution=10s --kubelet-request-timeout=5s
}

metrics_api_available() {
  [[ "$(kubectl_ get apiservice v1beta1.metrics.k8s.io \
    -o jsonpath='{.status.conditions[?(@.type=="Available")].status}' 2>/dev/null)" == True ]]
}

# Started after kwok; `up` then waits until the aggregator finds it Available
# (usage itself appears a scrape or two later: 10-20 s after a pod runs).
up_metrics_server() {
  local out
  out="$(metrics_manifest | kubectl_ apply --server-side --field-manager=testenv -f - 2>&1)" ||
    die "installing the metrics API (APIService v1beta1.metrics.k8s.io): $out"
  start_metrics_server
  wait_listen metrics-server "$(port_of metrics-server)" 30
}
