//! ValidatingAdmissionPolicies generated from the catalogue. They live in the
//! API server, so they hold while the operator is down, upgrading or slow.
//!
//! One pod-spec rule set is applied wherever a pod spec appears: pods (create,
//! update and the `ephemeralcontainers` subresource), the templates of
//! Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and
//! ReplicationControllers, and CronJobs' job templates.
//!
//! ```text
//!   govcloud-pods | -workloads | -cronjobs     GC-POD-002 GC-HOST-00x GC-ZONE-003 GC-IMG-001/002 GC-RES-001 GC-VOL-002 GC-TEN-001
//!   govcloud-zone-pods | -workloads | -cronjobs GC-ZONE-001/002 GC-IMG-001 GC-VOL-001 GC-PRI-001   param: the namespace's NetworkZone
//!   govcloud-services                           GC-SVC-001
//!   govcloud-ingresses                          GC-SVC-002
//!   govcloud-claims                             GC-VOL-002
//!   govcloud-secrets                            GC-RBAC-003
//!   govcloud-rolebindings                       GC-RBAC-002
//!   govcloud-apps                               GC-TEN-001 GC-IMG-001/002
//!   govcloud-zone-apps                          GC-APP-001 GC-IMG-001 GC-SVC-003          param: the namespace's NetworkZone
//!   govcloud-managed-objects                    GC-MGD-001   (everything labelled as ours)
//!   govcloud-tenant-prevent-deletion            GC-TEN-002   (DELETE of a Tenant; judges the request, not offline)
//!   govcloud-requests                           GC-REQ-001/002 (CREATE of a ResourceRequest, in every namespace)
//!   govcloud-request-decisions                  GC-REQ-001   (resourcerequests/status: the decision)
//!   govcloud-request-requester  (mutating)      GC-REQ-001   records spec.requester from the user who files
//!   govcloud-request-decider    (mutating)      GC-REQ-001   records status.decision.by from the user who decides
//! ```
//!
//! Every message starts with the control id and names the offending field.
//! Render-time validation and the audit evaluate these very expressions
//! offline, with [`super::eval`].

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::custody::{self, Rule};
use super::*;
use crate::api::{OwnerRole, VolumeType};
use crate::meta::labels::{
    ALLOWED_HOSTS, ALLOWED_REGISTRIES, APP, CHOSEN_CLUSTER_IP, CORDONED as CORDONED_LABEL, MANAGED_BY, MANAGER,
    MLPS_LEVEL, TENANT, ZONE, ZONE_KIND,
};
use crate::meta::names;

/// One CEL validation of a policy, for one control.
pub struct Check {
    /// The control it enforces.
    pub control: &'static str,
    /// CEL that must be true.
    pub expression: String,
    /// Message (after `[control] `); its first word is the offending field.
    pub message: String,
}

impl Check {
    /// The offending field: the message's first word (`spec.image`, `metadata.namespace`).
    pub fn field(&self) -> &str {
        self.message.split_whitespace().next().unwrap_or_default().trim_end_matches(':')
    }
}

/// A generated policy.
pub struct Policy {
    /// Policy name.
    pub name: &'static str,
    /// (apiGroup, resource) it matches; a resource may name a subresource (`pods/ephemeralcontainers`).
    pub resources: Vec<(&'static str, &'static str)>,
    /// Operations it matches.
    pub operations: &'static [&'static str],
    /// Whether it takes the namespace's NetworkZone as parameter.
    pub zone_param: bool,
    /// Conditions under which the policy applies at all (admission only; the audit checks everything).
    pub match_conditions: Vec<(&'static str, String)>,
    /// CEL variables, in order (a variable may use the ones before it).
    pub variables: Vec<(&'static str, String)>,
    /// The checks.
    pub checks: Vec<Check>,
    /// Whether the checks judge a request (who makes it, a deletion), not an
    /// object: the offline evaluator cannot judge them.
    pub request_only: bool,
    /// Whether its binding applies to tenant namespaces only (else to every
    /// request it matches, as for a cluster-scoped resource).
    pub tenant_namespaces: bool,
}

impl Policy {
    /// Whether the policy matches objects of this (group, resource).
    pub fn matches(&self, group: &str, resource: &str) -> bool {
        self.resources.iter().any(|(g, r)| *g == group && *r == resource)
    }
}

/// Where a pod spec sits in an object.
struct Shape {
    suffix: &'static str,
    resources: &'static [(&'static str, &'static str)],
    /// Path of the pod spec, as CEL and as a field path for messages.
    spec: &'static str,
    /// Only a pod's own nodeName may be set after creation (by the scheduler).
    is_pod: bool,
}

const SHAPES: &[Shape] = &[
    Shape { suffix: "pods", resources: &[("", "pods"), ("", "pods/ephemeralcontainers")], spec: "spec", is_pod: true },
    Shape {
        suffix: "workloads",
        resources: &[
            ("apps", "deployments"),
            ("apps", "statefulsets"),
            ("apps", "daemonsets"),
            ("apps", "replicasets"),
            ("batch", "jobs"),
            ("", "replicationcontrollers"),
        ],
        spec: "spec.template.spec",
        is_pod: false,
    },
    Shape {
        suffix: "cronjobs",
        resources: &[("batch", "cronjobs")],
        spec: "spec.jobTemplate.spec.template.spec",
        is_pod: false,
    },
];

/// Volume sources every zone allows.
pub const DEFAULT_VOLUME_SOURCES: &[&str] =
    &["configMap", "secret", "emptyDir", "projected", "downwardAPI", "persistentVolumeClaim", "ephemeral"];

fn ns_label_is(key: &str, value: &str) -> String {
    format!(
        "has(namespaceObject.metadata.labels) && '{key}' in namespaceObject.metadata.labels && namespaceObject.metadata.labels['{key}'] == '{value}'"
    )
}

fn ns_annotation_list(key: &str) -> String {
    format!(
        "has(namespaceObject.metadata.annotations) && '{key}' in namespaceObject.metadata.annotations ? namespaceObject.metadata.annotations['{key}'].split(',') : []"
    )
}

/// Pods made by Kubernetes' workload controllers from an existing workload
/// (a cordoned tenant's running workloads keep their pods).
const BY_WORKLOAD_CONTROLLER: &str = "request.userInfo.username in ['system:serviceaccount:kube-system:replicaset-controller', 'system:serviceaccount:kube-system:statefulset-controller', 'system:serviceaccount:kube-system:job-controller', 'system:serviceaccount:kube-system:daemon-set-controller', 'system:serviceaccount:kube-system:replication-controller']";

fn namespace_variables() -> Vec<(&'static str, String)> {
    vec![
        ("level3", ns_label_is(MLPS_LEVEL, "3")),
        ("internet", ns_label_is(ZONE_KIND, "internet")),
        ("cordoned", ns_label_is(CORDONED_LABEL, "true")),
        ("tenantRegistries", ns_annotation_list(ALLOWED_REGISTRIES)),
        ("tenantHosts", ns_annotation_list(ALLOWED_HOSTS)),
        ("tenant", ns_label(TENANT)),
    ]
}

fn pod_variables(shape: &Shape) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("podSpec", format!("object.{}", shape.spec)),
        ("containers", "variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])".to_string()),
        ("allContainers", "variables.containers + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])".to_string()),
        ("volumes", "has(variables.podSpec.volumes) ? variables.podSpec.volumes : []".to_string()),
        (
            "images",
            "variables.allContainers.filter(c, has(c.image)).map(c, c.image) + variables.volumes.filter(v, has(v.image) && has(v.image.reference)).map(v, v.image.reference)"
                .to_string(),
        ),
    ];
    v.extend(namespace_variables());
    v
}

fn check(control: &'static str, expression: impl Into<String>, message: impl Into<String>) -> Check {
    Check { control, expression: expression.into(), message: message.into() }
}

/// The CEL of the digest rule ([`DIGEST_PATTERN`]) on a string expression.
fn pinned(image: &str) -> String {
    format!("{image}.matches('{DIGEST_PATTERN}')")
}

/// The checks every pod spec gets, wherever it appears.
fn pod_checks(shape: &Shape) -> Vec<Check> {
    let s = shape.spec;
    let node_name = if shape.is_pod {
        "request.operation != 'CREATE' || !has(variables.podSpec.nodeName) || variables.podSpec.nodeName == ''"
    } else {
        "!has(variables.podSpec.nodeName) || variables.podSpec.nodeName == ''"
    };
    let cordon = if shape.is_pod {
        format!("request.operation != 'CREATE' || !variables.cordoned || {BY_WORKLOAD_CONTROLLER}")
    } else {
        "request.operation != 'CREATE' || !variables.cordoned".to_string()
    };
    let mut checks = vec![
        check(
            NO_PRIVILEGED,
            "variables.allContainers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)",
            format!(
                "{s}.containers[].securityContext.privileged must not be true (containers, init and ephemeral containers)"
            ),
        ),
        check(
            NO_PRIVILEGED,
            "variables.allContainers.all(c, !has(c.securityContext) || !has(c.securityContext.allowPrivilegeEscalation) || !c.securityContext.allowPrivilegeEscalation)",
            format!(
                "{s}.containers[].securityContext.allowPrivilegeEscalation must not be true (containers, init and ephemeral containers)"
            ),
        ),
        check(
            NO_PRIVILEGED,
            "variables.allContainers.all(c, !has(c.securityContext) || !has(c.securityContext.procMount) || c.securityContext.procMount == 'Default')",
            format!(
                "{s}.containers[].securityContext.procMount must be Default: an unmasked /proc exposes the node's kernel interfaces (containers, init and ephemeral containers)"
            ),
        ),
        check(
            HOST_NAMESPACES,
            "!has(variables.podSpec.hostNetwork) || !variables.podSpec.hostNetwork",
            format!("{s}.hostNetwork must not be true"),
        ),
        check(
            HOST_NAMESPACES,
            "!has(variables.podSpec.hostPID) || !variables.podSpec.hostPID",
            format!("{s}.hostPID must not be true"),
        ),
        check(
            HOST_NAMESPACES,
            "!has(variables.podSpec.hostIPC) || !variables.podSpec.hostIPC",
            format!("{s}.hostIPC must not be true"),
        ),
        check(
            HOST_PATH,
            "variables.volumes.all(v, !has(v.hostPath))",
            format!("{s}.volumes[].hostPath is not allowed"),
        ),
        check(
            HOST_PORTS,
            "variables.allContainers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))",
            format!("{s}.containers[].ports[].hostPort is not allowed"),
        ),
        check(
            NO_NODE_NAME,
            node_name,
            format!("{s}.nodeName must not be set; the scheduler places pods on their zone's nodes"),
        ),
        check(
            IMAGE_DIGEST,
            format!("!variables.level3 || variables.images.all(i, {})", pinned("i")),
            format!(
                "{s}.containers[].image must be pinned by digest (repository@sha256:<64 hex digits>) at MLPS level 3, in every container and image volume"
            ),
        ),
        check(
            IMAGE_REGISTRY,
            "size(variables.tenantRegistries) == 0 || variables.images.all(i, variables.tenantRegistries.exists(r, i.startsWith(r + '/')))",
            format!(
                "{s}.containers[].image must come from a registry the tenant allows (Tenant spec.allowedRegistries)"
            ),
        ),
        check(
            RESOURCES,
            "variables.containers.all(c, has(c.resources) && has(c.resources.requests) && has(c.resources.limits) && ['cpu', 'memory'].all(r, r in c.resources.requests && r in c.resources.limits))",
            format!("{s}.containers[].resources must set cpu and memory requests and limits"),
        ),
        check(
            CLAIM_BINDING,
            "variables.volumes.all(v, !has(v.ephemeral) || !has(v.ephemeral.volumeClaimTemplate) || !has(v.ephemeral.volumeClaimTemplate.spec.volumeName) || v.ephemeral.volumeClaimTemplate.spec.volumeName == '')",
            format!(
                "{s}.volumes[].ephemeral.volumeClaimTemplate.spec.volumeName must not be set; volumes are bound by the platform"
            ),
        ),
        check(
            CORDONED,
            cordon,
            "metadata.namespace belongs to a cordoned tenant: it may not start new workloads (Tenant spec.cordoned)",
        ),
    ];
    if shape.suffix == "workloads" {
        // A StatefulSet's claims are made by its controller from these templates.
        checks.push(check(
            CLAIM_BINDING,
            "!has(object.spec.volumeClaimTemplates) || object.spec.volumeClaimTemplates.all(t, !has(t.spec) || !has(t.spec.volumeName) || t.spec.volumeName == '')",
            "spec.volumeClaimTemplates[].spec.volumeName must not be set; volumes are bound by the platform",
        ));
    }
    checks
}

/// The checks that need the namespace's zone.
fn zone_pod_checks(shape: &Shape) -> Vec<Check> {
    let s = shape.spec;
    let extra: Vec<String> = VolumeType::ALL
        .iter()
        .map(|t| {
            format!(
                "(has(v.{0}) && has(params.spec.allowedVolumeTypes) && '{0}' in params.spec.allowedVolumeTypes)",
                t.as_str()
            )
        })
        .chain(std::iter::once(
            "(has(v.csi) && has(params.spec.allowedCsiDrivers) && v.csi.driver in params.spec.allowedCsiDrivers)"
                .to_string(),
        ))
        .collect();
    let defaults: Vec<String> = DEFAULT_VOLUME_SOURCES.iter().map(|t| format!("has(v.{t})")).collect();
    vec![
        check(
            ZONE_NODES,
            "params.spec.nodePool.selector.all(k, has(variables.podSpec.nodeSelector) && k in variables.podSpec.nodeSelector && variables.podSpec.nodeSelector[k] == params.spec.nodePool.selector[k])",
            format!(
                "{s}.nodeSelector must select this zone's node pool (the namespace's NetworkZone spec.nodePool.selector)"
            ),
        ),
        check(
            ZONE_TOLERATIONS,
            "!has(variables.podSpec.tolerations) || variables.podSpec.tolerations.all(t, has(t.key) && (t.key.startsWith('node.kubernetes.io/') || (t.key == params.spec.nodePool.taint.key && (!has(t.operator) || t.operator == 'Equal') && has(t.value) && t.value == params.spec.nodePool.taint.value)))",
            format!("{s}.tolerations may tolerate only this zone's taint (operator Equal, the zone's key and value)"),
        ),
        check(
            IMAGE_REGISTRY,
            "variables.images.all(i, params.spec.allowedRegistries.exists(r, i.startsWith(r + '/')))",
            format!(
                "{s}.containers[].image must come from a registry this zone allows (NetworkZone spec.allowedRegistries), in every container and image volume"
            ),
        ),
        check(
            VOLUME_SOURCES,
            // hostPath is GC-HOST-002's alone, so one violation gives one finding.
            format!("variables.volumes.all(v, has(v.hostPath) || {} || {})", defaults.join(" || "), extra.join(" || ")),
            format!(
                "{s}.volumes[] may use only {} volumes, and the types and CSI drivers this zone lists (NetworkZone spec.allowedVolumeTypes, spec.allowedCsiDrivers)",
                DEFAULT_VOLUME_SOURCES.join(", ")
            ),
        ),
        check(
            PRIORITY_CLASSES,
            "!has(variables.podSpec.priorityClassName) || variables.podSpec.priorityClassName == '' || (has(params.spec.allowedPriorityClasses) && variables.podSpec.priorityClassName in params.spec.allowedPriorityClasses)",
            format!(
                "{s}.priorityClassName must be one this zone allows (NetworkZone spec.allowedPriorityClasses); system- classes are the platform's"
            ),
        ),
    ]
}

/// Names of the cluster roles tenant RoleBindings may grant.
fn bindable_roles() -> String {
    let names: Vec<String> =
        OwnerRole::ALL.iter().map(|r| format!("'{}'", crate::meta::names::tenant_role(r.as_str()))).collect();
    format!("[{}]", names.join(", "))
}

fn build_policies() -> Vec<Policy> {
    let mut out = Vec::new();
    let spec_changed =
        |path: &str| format!("request.operation != 'UPDATE' || oldObject == null || object.{path} != oldObject.{path}");
    for shape in SHAPES {
        let mut conditions = vec![(
            "spec-changed",
            spec_changed(if shape.is_pod { "spec" } else { shape.spec.trim_end_matches(".spec") }),
        )];
        if !shape.is_pod {
            conditions.insert(0, ("has-pod-template", format!("has(object.{})", shape.spec.trim_end_matches(".spec"))));
        }
        out.push(Policy {
            name: leak(names::admission_policy(shape.suffix)),
            resources: shape.resources.to_vec(),
            operations: &["CREATE", "UPDATE"],
            zone_param: false,
            match_conditions: conditions.clone(),
            variables: pod_variables(shape),
            checks: pod_checks(shape),
            request_only: false,
            tenant_namespaces: true,
        });
        out.push(Policy {
            name: leak(names::zone_admission_policy(shape.suffix)),
            resources: shape.resources.to_vec(),
            operations: &["CREATE", "UPDATE"],
            zone_param: true,
            match_conditions: conditions,
            variables: pod_variables(shape),
            checks: zone_pod_checks(shape),
            request_only: false,
            tenant_namespaces: true,
        });
        out.push(identity_policy(shape));
    }
    out.push(policy(
        names::admission_policy("services"),
        vec![("", "services")],
        false,
        namespace_variables(),
        vec![
            check(
                EXTERNAL_SERVICES,
                "!has(object.spec.type) || object.spec.type == 'ClusterIP'",
                "spec.type must be ClusterIP: NodePort and LoadBalancer open a port on every node (every zone's), ExternalName forwards to any name; publish an app with exposure public in an internet zone",
            ),
            check(
                EXTERNAL_SERVICES,
                // The API server allocates the address before validating admission
                // runs: the address asked for is recorded by a mutating policy first.
                format!("!has(object.metadata.annotations) || !('{CHOSEN_CLUSTER_IP}' in object.metadata.annotations)"),
                "spec.clusterIP may only be left empty (allocated by the platform) or None (headless): a chosen address can squat a platform service's",
            ),
            check(
                EXTERNAL_SERVICES,
                "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
                "spec.externalIPs is not allowed: it lets a Service capture traffic for any address (CVE-2020-8554); use exposure public in an internet zone",
            ),
        ],
    ));
    out.push(policy(
        names::admission_policy("ingresses"),
        vec![("networking.k8s.io", "ingresses")],
        false,
        namespace_variables(),
        vec![
            check(INGRESS_ZONE, "variables.internet", "metadata.namespace: Ingress objects are allowed only in an internet-zone namespace"),
            check(
                INGRESS_ZONE,
                "!has(object.spec.defaultBackend) && has(object.spec.rules) && object.spec.rules.all(r, has(r.http) && r.http.paths.all(p, has(p.backend.service) && p.backend.service.name == object.metadata.name))",
                "spec.rules[].http.paths[].backend must be the Service of the app the Ingress publishes (named like the Ingress), with no default or resource backend",
            ),
        ],
    ));
    out.push(Policy {
        name: leak(names::admission_policy("ingress-writers")),
        resources: vec![("networking.k8s.io", "ingresses")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![],
        checks: vec![check(
            INGRESS_ZONE,
            custody::allows(Rule::Ingresses),
            "metadata: Ingresses in tenant namespaces are made by govcloud only, for apps with exposure public (DepartmentApp spec.exposure)",
        )],
        request_only: true,
        tenant_namespaces: true,
    });
    out.push(policy(names::admission_policy("claims"), vec![("", "persistentvolumeclaims")], false, vec![], vec![check(
            CLAIM_BINDING,
            format!(
                "!has(object.spec.volumeName) || object.spec.volumeName == '' || (oldObject != null && has(oldObject.spec.volumeName) && oldObject.spec.volumeName == object.spec.volumeName) || {}",
                custody::allows(Rule::ClaimBinding)
            ),
            "spec.volumeName must not be set; claims are bound by the platform's provisioner",
        )]));
    out.push(policy(
        names::admission_policy("secrets"),
        vec![("", "secrets")],
        false,
        vec![],
        vec![check(
            NO_TOKEN_SECRETS,
            "!has(object.type) || object.type != 'kubernetes.io/service-account-token'",
            "type kubernetes.io/service-account-token is not allowed: such a token never expires; request short-lived tokens (projected volumes, TokenRequest)",
        )],
    ));
    out.push(Policy {
        name: leak(names::admission_policy("rolebindings")),
        resources: vec![("rbac.authorization.k8s.io", "rolebindings")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        // Cluster administrators keep a break-glass path; the audit reports what they bind.
        match_conditions: vec![("not-a-cluster-administrator", "!request.userInfo.groups.exists(g, g == 'system:masters')".to_string())],
        variables: vec![
            ("managed", format!("has(object.metadata.labels) && '{MANAGED_BY}' in object.metadata.labels && object.metadata.labels['{MANAGED_BY}'] == '{MANAGER}'")),
        ],
        checks: vec![
            check(
                TENANT_BINDINGS,
                format!(
                    "object.roleRef.kind == 'ClusterRole' && (object.roleRef.name in {} || (variables.managed && object.roleRef.name == '{}'))",
                    bindable_roles(),
                    crate::meta::names::EXEC_ROLE
                ),
                format!("roleRef must be one of govcloud's tenant roles ({})", OwnerRole::ALL.map(|r| crate::meta::names::tenant_role(r.as_str())).join(", ")),
            ),
            check(
                TENANT_BINDINGS,
                "!has(object.subjects) || object.subjects.all(s, s.kind == 'ServiceAccount' ? (has(s.namespace) && s.namespace == object.metadata.namespace) : !s.name.startsWith('system:'))",
                "subjects[] must be named users or groups (no system: users or groups such as system:authenticated) or service accounts of this namespace (a workload of another zone must not act here)",
            ),
        ],
        request_only: false,
        tenant_namespaces: true,
    });
    out.push(policy(
        names::admission_policy("apps"),
        vec![(crate::meta::GROUP, "departmentapps")],
        false,
        namespace_variables(),
        vec![
            check(
                CORDONED,
                "request.operation != 'CREATE' || !variables.cordoned",
                "metadata.namespace belongs to a cordoned tenant: it may not start new apps (Tenant spec.cordoned)",
            ),
            check(
                IMAGE_REGISTRY,
                "size(variables.tenantRegistries) == 0 || variables.tenantRegistries.exists(r, object.spec.image.startsWith(r + '/'))",
                "spec.image must come from a registry the tenant allows (Tenant spec.allowedRegistries)",
            ),
            check(
                IMAGE_DIGEST,
                format!("!variables.level3 || {}", pinned("object.spec.image")),
                "spec.image must be pinned by digest (repository@sha256:<64 hex digits>) at MLPS level 3",
            ),
        ],
    ));
    out.push(policy(names::zone_admission_policy("apps"), vec![(crate::meta::GROUP, "departmentapps")], true, namespace_variables(), vec![
            check(APP_ZONE, "object.spec.zone == params.metadata.name", "spec.zone must be the zone of this namespace"),
            check(
                APP_ZONE,
                "!has(object.spec.exposure) || object.spec.exposure != 'public' || (params.spec.kind == 'internet' && has(params.spec.internetIngress) && params.spec.internetIngress)",
                "spec.exposure public is allowed only in an internet zone with internetIngress",
            ),
            check(
                IMAGE_REGISTRY,
                "params.spec.allowedRegistries.exists(r, object.spec.image.startsWith(r + '/'))",
                "spec.image must come from a registry this zone allows",
            ),
            check(
                PUBLIC_HOSTS,
                "!has(object.spec.host) || (has(params.spec.publicDomain) && object.spec.host.endsWith('.' + params.spec.publicDomain)) || variables.tenantHosts.exists(h, h == object.spec.host || (h.startsWith('*.') && object.spec.host.endsWith(h.substring(1))))",
                "spec.host must lie strictly under this zone's publicDomain (never the domain itself) or be a host the tenant is allowed (Tenant spec.allowedHosts)",
            ),
            check(
                PUBLIC_HOSTS,
                "!has(object.spec.host) || !has(params.status) || !has(params.status.hostOwners) || params.status.hostOwners.all(o, o.tenant == variables.tenant || !(o.host == object.spec.host || (o.host.startsWith('*.') && object.spec.host.endsWith(o.host.substring(1)))))",
                "spec.host belongs to another tenant (its Tenant spec.allowedHosts or an approved Hostname request; NetworkZone status.hostOwners): choose a host of your own",
            ),
        ]));
    out.push(object_sizes_policy());
    out.push(zone_status_policy());
    out.push(prevent_deletion_policy());
    out.extend(request_policies());
    out
}

/// The label of the request's namespace named `key`, or `''`.
fn ns_label(key: &str) -> String {
    format!(
        "has(namespaceObject.metadata.labels) && '{key}' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels['{key}'] : ''"
    )
}

/// GC-REQ-001/002: ResourceRequests. Filing: only in a tenant namespace, for
/// its zone, with the requester the API server recorded (the requester
/// mutating policy sets it). Deciding (the status subresource): a reason
/// (the CRD's schema), final, never by the requester, with the decider the
/// API server recorded; a surge's expiry never moves. Both judge the request
/// (who makes it), so the offline evaluator leaves them out; their bindings
/// match every namespace, so a request outside a tenant namespace is refused.
fn request_policies() -> Vec<Policy> {
    let filing = Policy {
        name: leak(names::admission_policy("requests")),
        resources: vec![(crate::meta::GROUP, "resourcerequests")],
        operations: &["CREATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![("tenant", ns_label(TENANT)), ("zone", ns_label(ZONE))],
        checks: vec![
            check(
                REQUEST_PLACEMENT,
                "variables.tenant != '' && variables.zone != '' && request.namespace == variables.tenant + '-' + variables.zone",
                "metadata.namespace: a ResourceRequest is filed in one of the tenant's namespaces (<tenant>-<zone>); the request is for that tenant",
            ),
            check(
                REQUEST_PLACEMENT,
                "!(object.spec.kind in ['Quota', 'Surge']) || (has(object.spec.zone) && object.spec.zone == variables.zone)",
                "spec.zone of a Quota or Surge request must be the zone of its namespace; file it in the tenant's namespace of that zone",
            ),
            check(
                REQUEST_DECISIONS,
                "has(object.spec.requester) && object.spec.requester.username == request.userInfo.username",
                format!(
                    "spec.requester is recorded by the API server from the user filing the request ({}); it names nobody else",
                    names::REQUESTER_POLICY
                ),
            ),
        ],
        request_only: true,
        tenant_namespaces: false,
    };
    let old_decision = "has(oldObject.status) && has(oldObject.status.decision)";
    let decided = "has(object.status) && has(object.status.decision)";
    let deciding = Policy {
        name: leak(names::admission_policy("request-decisions")),
        resources: vec![(crate::meta::GROUP, "resourcerequests/status")],
        operations: &["UPDATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![
            ("wasDecided", old_decision.to_string()),
            ("newlyDecided", format!("!({old_decision}) && {decided}")),
            ("byOperator", custody::allows(Rule::RequestStatus)),
            // The operator's part of a request's status.
            ("operatorFieldsKept", status_kept(&["phase", "message", "tenant", "expiresAt", "history"])),
        ],
        checks: vec![
            check(
                REQUEST_DECISIONS,
                format!("!variables.wasDecided || ({decided} && object.status.decision == oldObject.status.decision)"),
                "status.decision is final once made; file a new request to change the outcome",
            ),
            check(
                REQUEST_DECISIONS,
                "!variables.newlyDecided || (has(object.spec.requester) && object.spec.requester.username != request.userInfo.username)",
                "status.decision cannot be made by the request's requester (separation of duties): another platform engineer decides it",
            ),
            check(
                REQUEST_DECISIONS,
                "!variables.newlyDecided || (has(object.status.decision.by) && object.status.decision.by == request.userInfo.username)",
                format!(
                    "status.decision.by is recorded by the API server from the deciding user ({}); it names nobody else",
                    names::DECIDER_POLICY
                ),
            ),
            check(
                REQUEST_DECISIONS,
                "!has(oldObject.status) || !has(oldObject.status.expiresAt) || (has(object.status.expiresAt) && object.status.expiresAt == oldObject.status.expiresAt)",
                "status.expiresAt never moves once set: a surge ends when it was set to end; file a new Surge request for more time",
            ),
            check(
                REQUEST_DECISIONS,
                "variables.byOperator || variables.operatorFieldsKept",
                "status: a platform engineer writes only status.decision; phase, message, tenant, expiresAt and history are the operator's",
            ),
            check(
                REQUEST_DECISIONS,
                "!has(object.status) || !has(object.status.expiresAt) || (has(object.spec.minutes) && has(object.status.history) && object.status.history.exists(t, t.phase == 'Approved' && timestamp(string(t.at)) + duration(string(object.spec.minutes) + 'm') == timestamp(string(object.status.expiresAt))))",
                "status.expiresAt is the approval's time (status.history) plus spec.minutes, set by the operator for an approved Surge",
            ),
        ],
        request_only: true,
        tenant_namespaces: false,
    };
    let withdrawing = Policy {
        name: leak(names::admission_policy("requests-delete")),
        resources: vec![(crate::meta::GROUP, "resourcerequests")],
        operations: &["DELETE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![],
        checks: vec![check(
            REQUEST_DECISIONS,
            format!(
                "!(has(oldObject.status) && has(oldObject.status.decision)) || {}",
                custody::allows(Rule::RequestDeletion)
            ),
            "metadata: a decided request is kept for the record (the operator removes it after the retention period); only a pending one can be withdrawn",
        )],
        request_only: true,
        tenant_namespaces: false,
    };
    // GC-ZONE-007: an approval adds to what the zone has granted; the
    // operator keeps both figures in the zone's status.
    let fits = |r: &str| {
        format!(
            "!has(object.spec.resources.{r}) || quantity(params.status.capacity.granted{cap}).add(quantity(object.spec.resources.{r})).compareTo(quantity(params.status.capacity.{r})) <= 0",
            cap = if r == "cpu" { "Cpu" } else { "Memory" }
        )
    };
    let capacity = Policy {
        name: leak(names::zone_admission_policy("request-capacity")),
        resources: vec![(crate::meta::GROUP, "resourcerequests/status")],
        operations: &["UPDATE"],
        zone_param: true,
        match_conditions: vec![(
            "newly-approved",
            format!(
                "!({old_decision}) && {decided} && object.status.decision.state == 'Approved' && object.spec.kind in ['Quota', 'Surge'] && has(object.spec.resources)"
            ),
        )],
        variables: vec![("known", "has(params.status) && has(params.status.capacity)".to_string())],
        checks: vec![check(
            ZONE_CAPACITY,
            format!("!variables.known || (({}) && ({}))", fits("cpu"), fits("memory")),
            "status.decision: approving would grant more CPU or memory in this zone than its Ready nodes give times its over-commit ratio (NetworkZone status.capacity); add nodes, raise spec.overcommit, or reject",
        )],
        request_only: true,
        tenant_namespaces: true,
    };
    vec![filing, deciding, withdrawing, capacity]
}

/// CEL that holds when the status `fields` of an UPDATE are as they were
/// (present and equal, or absent on both sides).
fn status_kept(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| {
            let new = format!("(has(object.status) && has(object.status.{f}))");
            let old = format!("(has(oldObject.status) && has(oldObject.status.{f}))");
            format!("({new} ? ({old} && object.status.{f} == oldObject.status.{f}) : !{old})")
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

/// The mutating policies that record who files and who decides a
/// ResourceRequest from the request's user info, overwriting anything typed
/// in (the validating policies above refuse anything else), with their bindings.
fn request_mutations() -> Vec<Value> {
    let mutating = |name: &str, resource: &str, operation: &str, condition: Option<&str>, mutation: Value| {
        let mut spec = json!({
            "failurePolicy": "Fail",
            "reinvocationPolicy": "Never",
            "matchConstraints": {"resourceRules": rules(&[(crate::meta::GROUP, resource)], &[operation])},
            "mutations": [mutation],
        });
        if let Some(c) = condition {
            spec["matchConditions"] = json!([{"name": "newly-decided", "expression": c}]);
        }
        vec![
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicy", "metadata": {"name": name, "labels": labels()}, "spec": spec}),
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicyBinding", "metadata": {"name": name, "labels": labels()}, "spec": {"policyName": name}}),
        ]
    };
    let mut out = mutating(
        names::REQUESTER_POLICY,
        "resourcerequests",
        "CREATE",
        None,
        // A JSON patch `add` replaces the whole requester, groups included (an
        // apply configuration may not replace an atomic list).
        json!({"patchType": "JSONPatch", "jsonPatch": {"expression":
            "[JSONPatch{op: 'add', path: '/spec/requester', value: Object.spec.requester{username: request.userInfo.username, groups: request.userInfo.groups}}]"}}),
    );
    out.extend(mutating(
        names::DECIDER_POLICY,
        "resourcerequests/status",
        "UPDATE",
        Some("has(object.status) && has(object.status.decision) && !(has(oldObject.status) && has(oldObject.status.decision))"),
        json!({"patchType": "ApplyConfiguration", "applyConfiguration": {"expression":
            "Object{status: Object.status{decision: Object.status.decision{by: request.userInfo.username}}}"}}),
    ));
    out
}

/// GC-SVC-001: the API server allocates a Service's address before the
/// validating policies see it, so an address a department chose looks like
/// an allocated one there. This mutating policy runs before the allocation
/// and records the chosen address in an annotation, which `govcloud-services`
/// refuses (with the reason), in tenant namespaces.
fn service_mutations() -> Vec<Value> {
    let chosen = "(has(object.spec.clusterIP) && !(object.spec.clusterIP in ['', 'None'])) || (has(object.spec.clusterIPs) && object.spec.clusterIPs.exists(ip, !(ip in ['', 'None'])))";
    let value = "has(object.spec.clusterIP) && !(object.spec.clusterIP in ['', 'None']) ? object.spec.clusterIP : object.spec.clusterIPs.filter(ip, !(ip in ['', 'None']))[0]";
    let name = names::CLUSTER_IP_POLICY;
    vec![
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicy", "metadata": {"name": name, "labels": labels()}, "spec": {
            "failurePolicy": "Fail",
            "reinvocationPolicy": "Never",
            "matchConstraints": {"resourceRules": rules(&[("", "services")], &["CREATE"])},
            "matchConditions": [{"name": "address-chosen", "expression": chosen}],
            "mutations": [{"patchType": "ApplyConfiguration", "applyConfiguration": {"expression": format!(
                "Object{{metadata: Object.metadata{{annotations: {{'{CHOSEN_CLUSTER_IP}': {value}}}}}}}"
            )}}],
        }}),
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicyBinding", "metadata": {"name": name, "labels": labels()},
            "spec": {"policyName": name, "matchResources": {"namespaceSelector": tenant_namespaces()}}}),
    ]
}

/// The host owners and the capacity in a NetworkZone's status are what
/// admission reads to keep a tenant's host and a zone's capacity; only the
/// operator writes them (a role granting `networkzones/status` to a platform
/// tool grants no say over them).
fn zone_status_policy() -> Policy {
    let kept = |f: &str| format!("variables.byOperator || {}", status_kept(&[f]));
    Policy {
        name: leak(names::admission_policy("zone-status")),
        resources: vec![(crate::meta::GROUP, "networkzones/status")],
        operations: &["UPDATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![("byOperator", custody::allows(Rule::ZoneStatus))],
        checks: vec![
            check(
                PUBLIC_HOSTS,
                kept("hostOwners"),
                "status.hostOwners is written by the operator only: admission reads it to keep each tenant's hosts",
            ),
            check(
                ZONE_CAPACITY,
                kept("capacity"),
                "status.capacity is written by the operator only: admission reads it to refuse approvals beyond the zone's capacity",
            ),
        ],
        request_only: true,
        // NetworkZones are cluster-scoped: the binding matches every update.
        tenant_namespaces: false,
    }
}

/// Most bytes of annotations an object in a tenant namespace carries (GC-RES-003).
pub const ANNOTATIONS_MAX: i64 = 64 * 1024;
/// Most bytes of a ConfigMap's data and binary data.
pub const CONFIG_MAP_MAX: i64 = 256 * 1024;
/// Most bytes of a Secret's data.
pub const SECRET_MAX: i64 = 64 * 1024;

/// GC-RES-003: with a count quota on every kind, capped sizes bound what a
/// department can put in the cluster's store (Kubernetes' own ceilings,
/// 256 KiB of annotations and 1 MiB an object, times the counts, do not).
fn object_sizes_policy() -> Policy {
    let total = |map: &str| format!("(has({map}) ? {map}.map(k, size(k) + size({map}[k])).sum() : 0)");
    policy(
        names::admission_policy("object-sizes"),
        vec![
            ("", "configmaps"),
            ("", "secrets"),
            ("", "pods"),
            ("", "services"),
            ("", "serviceaccounts"),
            ("", "persistentvolumeclaims"),
            ("apps", "deployments"),
            ("apps", "statefulsets"),
            ("apps", "replicasets"),
            ("batch", "jobs"),
            ("batch", "cronjobs"),
            ("rbac.authorization.k8s.io", "rolebindings"),
            (crate::meta::GROUP, "departmentapps"),
            (crate::meta::GROUP, "resourcerequests"),
        ],
        false,
        vec![],
        vec![
            check(
                OBJECT_SIZES,
                format!("{} <= {ANNOTATIONS_MAX}", total("object.metadata.annotations")),
                format!(
                    "metadata.annotations may hold at most {} KiB; keep data in a ConfigMap or a volume, and apply large objects with kubectl apply --server-side",
                    ANNOTATIONS_MAX / 1024
                ),
            ),
            check(
                OBJECT_SIZES,
                format!(
                    "!has(object.kind) || object.kind != 'ConfigMap' || {} + {} <= {CONFIG_MAP_MAX}",
                    total("object.data"),
                    total("object.binaryData")
                ),
                format!(
                    "data of a ConfigMap may hold at most {} KiB; larger files belong in a persistent volume or the city's object store",
                    CONFIG_MAP_MAX / 1024
                ),
            ),
            check(
                OBJECT_SIZES,
                format!("!has(object.kind) || object.kind != 'Secret' || {} <= {SECRET_MAX}", total("object.data")),
                format!(
                    "data of a Secret may hold at most {} KiB (keys, passwords and certificates fit)",
                    SECRET_MAX / 1024
                ),
            ),
        ],
    )
}

/// GC-TEN-002: a Tenant marked preventDeletion cannot be deleted. It judges a
/// DELETE request (the object is `oldObject`), so only the API server can
/// check it: the offline evaluator leaves it out.
fn prevent_deletion_policy() -> Policy {
    Policy {
        name: names::PREVENT_DELETION_POLICY,
        resources: vec![(crate::meta::GROUP, "tenants")],
        operations: &["DELETE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![],
        checks: vec![check(
            PREVENT_DELETION,
            "!has(oldObject.spec.preventDeletion) || !oldObject.spec.preventDeletion",
            "spec.preventDeletion is true: set it to false before deleting the tenant",
        )],
        request_only: true,
        // Tenants are cluster-scoped: the binding matches every deletion.
        tenant_namespaces: false,
    }
}

/// GC-NET-006 and GC-MGD-001 on pods and pod templates: NetworkPolicies let
/// an app's pods through by the `govcloud.io/app` label, and the managed-by
/// label marks what only govcloud may change. Either label on a pod or a
/// template is accepted only from the identity that makes such an object from
/// govcloud's (the operator for Deployments, the deployment controller for
/// their ReplicaSets, the ReplicaSet and StatefulSet controllers for pods:
/// [`custody::EXEMPTIONS`]), or left as it was on an UPDATE. Never from a
/// label: what a department can write proves nothing.
fn identity_policy(shape: &Shape) -> Policy {
    // The object that carries the pod's metadata: the pod, or the template.
    let holder =
        if shape.is_pod { "object".to_string() } else { format!("object.{}", shape.spec.trim_end_matches(".spec")) };
    let field = if shape.is_pod {
        "metadata.labels".to_string()
    } else {
        format!("{}.metadata.labels", shape.spec.trim_end_matches(".spec"))
    };
    let old_holder = holder.replacen("object", "oldObject", 1);
    let has = |h: &str, key: &str| {
        format!("(has({h}.metadata) && has({h}.metadata.labels) && '{key}' in {h}.metadata.labels)")
    };
    let unchanged = |key: &str| {
        format!(
            "(oldObject != null && {} && {old_holder}.metadata.labels['{key}'] == {holder}.metadata.labels['{key}'])",
            has(&old_holder, key)
        )
    };
    let writers = custody::allows(Rule::Identity);
    let managed = format!("({} && {holder}.metadata.labels['{MANAGED_BY}'] == '{MANAGER}')", has(&holder, MANAGED_BY));
    Policy {
        name: leak(names::identity_admission_policy(shape.suffix)),
        resources: shape.resources.iter().copied().filter(|(_, r)| !r.contains('/')).collect(),
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![("writer", writers)],
        checks: vec![
            check(
                APP_IDENTITY,
                format!("!{} || {} || variables.writer", has(&holder, APP), unchanged(APP)),
                format!(
                    "{field}[{APP}] is set only by govcloud (it selects an app's pods for its granted flows); use another label"
                ),
            ),
            check(
                MANAGED_OBJECTS,
                format!("!{managed} || {} || variables.writer", unchanged(MANAGED_BY)),
                format!("{field}[{MANAGED_BY}]={MANAGER} is set only by govcloud on what it makes; use another label"),
            ),
        ],
        request_only: true,
        tenant_namespaces: true,
    }
}

/// A policy on CREATE and UPDATE of `resources`, applying to every such request.
fn policy(
    name: String,
    resources: Vec<(&'static str, &'static str)>,
    zone_param: bool,
    variables: Vec<(&'static str, String)>,
    checks: Vec<Check>,
) -> Policy {
    Policy {
        name: leak(name),
        resources,
        operations: &["CREATE", "UPDATE"],
        zone_param,
        match_conditions: vec![],
        variables,
        checks,
        request_only: false,
        tenant_namespaces: true,
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Every generated policy (built once).
pub fn policies() -> &'static [Policy] {
    static P: OnceLock<Vec<Policy>> = OnceLock::new();
    P.get_or_init(build_policies)
}

/// Kinds Kubernetes makes from govcloud's objects (labelled as govcloud's
/// through the pod template), or that carry a pod template a department
/// could label: kept for their makers like the kinds govcloud owns.
pub const MADE_FROM_MANAGED: &[(&str, &str)] = &[
    ("", "pods"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
    ("", "persistentvolumeclaims"),
];

/// Resources whose govcloud-labelled objects only their makers may change:
/// every kind govcloud owns, and [`MADE_FROM_MANAGED`].
fn managed_resources() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = crate::meta::kinds::OWNED.iter().map(|k| (k.group, k.plural)).collect();
    out.extend(MADE_FROM_MANAGED.iter().filter(|r| !out.contains(r)).copied().collect::<Vec<_>>());
    out
}

fn labels() -> Value {
    json!({MANAGED_BY: MANAGER})
}

fn rules(resources: &[(&str, &str)], operations: &[&str]) -> Value {
    let mut by_group: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (g, r) in resources {
        by_group.entry(g).or_default().push(r);
    }
    Value::Array(
        by_group
            .into_iter()
            .map(|(g, rs)| json!({"apiGroups": [g], "apiVersions": ["*"], "operations": operations, "resources": rs}))
            .collect(),
    )
}

fn vap(p: &Policy) -> Value {
    let mut spec = json!({
        "failurePolicy": "Fail",
        "matchConstraints": {"resourceRules": rules(&p.resources, p.operations)},
        "variables": p.variables.iter().map(|(n, e)| json!({"name": n, "expression": e})).collect::<Vec<_>>(),
        "validations": p.checks.iter().map(|c| json!({"expression": c.expression, "message": format!("[{}] {}", c.control, c.message), "reason": "Forbidden"})).collect::<Vec<_>>(),
    });
    if !p.match_conditions.is_empty() {
        spec["matchConditions"] = p.match_conditions.iter().map(|(n, e)| json!({"name": n, "expression": e})).collect();
    }
    if p.zone_param {
        spec["paramKind"] = json!({"apiVersion": crate::meta::API_VERSION, "kind": "NetworkZone"});
    }
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": {"name": p.name, "labels": labels()}, "spec": spec})
}

/// The policy that keeps govcloud-managed objects for their makers: anyone
/// else is denied. Who makes what is [`custody::EXEMPTIONS`], one identity
/// and its operations a row (the operator; Kubernetes' controllers for the
/// ReplicaSets and pods they make from govcloud's objects, the garbage
/// collector; cluster administrators as break-glass).
fn managed_objects_policy() -> Value {
    let managed = |o: &str| {
        format!(
            "({o} != null && has({o}.metadata.labels) && '{MANAGED_BY}' in {o}.metadata.labels && {o}.metadata.labels['{MANAGED_BY}'] == '{MANAGER}')"
        )
    };
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": crate::meta::names::MANAGED_OBJECTS_POLICY, "labels": labels()},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": rules(&managed_resources(), &["CREATE", "UPDATE", "DELETE"])},
            "matchConditions": [
                {"name": "managed-by-govcloud", "expression": format!("{} || {}", managed("object"), managed("oldObject"))},
            ],
            "validations": [{
                "expression": custody::allows(Rule::ManagedObjects),
                "messageExpression": format!("'[{MANAGED_OBJECTS}] ' + request.kind.kind + ' ' + (request.namespace != '' ? request.namespace + '/' : '') + request.name + ' is managed by govcloud (label {MANAGED_BY}={MANAGER}); change the Tenant, NetworkZone or DepartmentApp that owns it instead'"),
                "reason": "Forbidden"
            }]
        }
    })
}

/// `v` with the operator's namespace written in for [`custody::OPERATOR_NAMESPACE_PLACEHOLDER`].
fn with_operator_namespace(v: Value, operator_namespace: &str) -> Value {
    match v {
        Value::String(s) if s.contains(custody::OPERATOR_NAMESPACE_PLACEHOLDER) => {
            Value::String(s.replace(custody::OPERATOR_NAMESPACE_PLACEHOLDER, operator_namespace))
        }
        Value::Array(a) => {
            Value::Array(a.into_iter().map(|x| with_operator_namespace(x, operator_namespace)).collect())
        }
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, x)| (k, with_operator_namespace(x, operator_namespace))).collect())
        }
        other => other,
    }
}

fn binding(name: &str, policy: &str, namespace_selector: Option<Value>, param_ref: Option<Value>) -> Value {
    let mut spec = json!({"policyName": policy, "validationActions": ["Deny"]});
    if let Some(sel) = namespace_selector {
        spec["matchResources"] = json!({"namespaceSelector": sel});
    }
    if let Some(p) = param_ref {
        spec["paramRef"] = p;
    }
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": name, "labels": labels()}, "spec": spec})
}

fn tenant_namespaces() -> Value {
    json!({"matchExpressions": [{"key": TENANT, "operator": "Exists"}]})
}

/// The cluster-wide policies and their bindings (the zone-parameter policies'
/// bindings are per zone: `govcloud_render::render_zone`).
pub fn static_objects(operator_namespace: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for p in policies() {
        out.push(vap(p));
        if !p.zone_param {
            out.push(binding(p.name, p.name, p.tenant_namespaces.then(tenant_namespaces), None));
        }
    }
    out.push(managed_objects_policy());
    out.push(binding(
        crate::meta::names::MANAGED_OBJECTS_POLICY,
        crate::meta::names::MANAGED_OBJECTS_POLICY,
        None,
        None,
    ));
    out.extend(request_mutations());
    out.extend(service_mutations());
    out.into_iter().map(|o| with_operator_namespace(o, operator_namespace)).collect()
}

/// The controls each policy enforces, for the README and the audit.
pub fn controls_by_policy() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = policies()
        .iter()
        .map(|p| {
            let mut ids: Vec<&str> = p.checks.iter().map(|c| c.control).collect();
            ids.sort();
            ids.dedup();
            (p.name, ids)
        })
        .collect();
    out.push((crate::meta::names::MANAGED_OBJECTS_POLICY, vec![MANAGED_OBJECTS]));
    out.push((crate::meta::names::REQUESTER_POLICY, vec![REQUEST_DECISIONS]));
    out.push((crate::meta::names::DECIDER_POLICY, vec![REQUEST_DECISIONS]));
    out.push((crate::meta::names::CLUSTER_IP_POLICY, vec![EXTERNAL_SERVICES]));
    out
}

#[cfg(test)]
mod tests;
