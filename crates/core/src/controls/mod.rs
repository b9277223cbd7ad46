//! Security and isolation controls, each defined once.
//!
//! The [`CATALOGUE`] is the one list of controls: id, titles, what each
//! checks, severity, the MLPS levels it applies to, and how it is enforced.
//! Admission policies are generated from it ([`admission`]); render-time
//! validation and the audit judge objects by those very policies with the one
//! offline evaluator ([`eval`]), and the audit checks each control the way
//! its [`AuditBy`] says.

pub mod admission;
pub mod custody;
pub mod eval;

mod catalogue;
pub use catalogue::{CATALOGUE, control, markdown_table};

/// How severe a failed control is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Severity {
    /// Worth fixing.
    Low,
    /// Weakens a baseline.
    Medium,
    /// Breaks a baseline.
    High,
    /// Breaks isolation between zones or tenants.
    Critical,
}

/// Where a control is enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Enforcement {
    /// A ValidatingAdmissionPolicy generated from the catalogue, bound to every tenant namespace.
    Admission,
    /// A ValidatingAdmissionPolicy that takes the namespace's NetworkZone as its parameter.
    ZoneAdmission,
    /// Pod Security Admission, through the namespace's labels.
    PodSecurity,
    /// Kubernetes RBAC, through the tenant roles.
    Rbac,
    /// Decided when rendering, and audited; no admission form.
    Render,
    /// Only an audit of the cluster can check it.
    Audit,
}

/// How the audit checks a control: each control has exactly one audit path,
/// and the audit runs each path once (in this order), for the controls that
/// name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum AuditBy {
    /// The generated admission CEL, evaluated on every object its policies match.
    Admission,
    /// The admission CEL on pod specs, and the node each running pod is on.
    RunningPods,
    /// The admission CEL on apps' hosts, and no two Ingresses serving one host.
    PublicHosts,
    /// Cluster-wide bindings of department users, exec access by MLPS level,
    /// and who decided ResourceRequests and where surges end.
    TenantPrivileges,
    /// Who runs the pods and templates that carry the app identity label.
    AppIdentity,
    /// Exchange endpoints inside zone ranges; ipBlocks excepting the cluster's ranges.
    ZoneRanges,
    /// Per tenant namespace: default deny, Pod Security, quota and limits.
    Namespaces,
    /// The taints of each zone's nodes.
    ZoneNodes,
    /// Managed objects as govcloud renders them, and not adopted.
    Drift,
    /// NetworkPolicy semantics: who reaches whom, against the granted flows.
    Isolation,
    /// Only a view over every cluster of a city: the clusters' copies of the
    /// model, and both sides' decisions on flows between clusters, compared
    /// (`govcloud_audit::city`); a single cluster's audit has no findings here.
    City,
    /// Apps' sharing declarations and status: who answered each conditional
    /// request, answers past their deadline, and flows between departments
    /// beyond the data's classification.
    Sharing,
    /// Not checkable from a set of objects (a rule about a request, such as a
    /// deletion): the admission policy is the control.
    NotAuditable,
}

impl AuditBy {
    /// Whether this path's controls are (also) judged by the generated admission CEL.
    pub fn evaluates_admission(self) -> bool {
        matches!(self, AuditBy::Admission | AuditBy::RunningPods | AuditBy::PublicHosts)
    }
}

/// One control.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Control {
    /// Stable id, for example `GC-HOST-001`.
    pub id: &'static str,
    /// Title in Chinese.
    pub title_zh: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// What it checks.
    pub checks: &'static str,
    /// How severe a failure is.
    pub severity: Severity,
    /// MLPS 2.0 levels it applies to.
    pub levels: &'static [u8],
    /// How the audit checks it.
    pub audit: AuditBy,
    /// Where it is enforced.
    pub enforcement: Enforcement,
}

/// `GC-NET-001`
pub const DEFAULT_DENY: &str = "GC-NET-001";
/// `GC-NET-002`
pub const TWO_SIDED_FLOWS: &str = "GC-NET-002";
/// `GC-NET-003`
pub const PRIVATE_EGRESS: &str = "GC-NET-003";
/// `GC-POD-001`
pub const POD_SECURITY: &str = "GC-POD-001";
/// `GC-POD-002`
pub const NO_PRIVILEGED: &str = "GC-POD-002";
/// `GC-HOST-001`
pub const HOST_NAMESPACES: &str = "GC-HOST-001";
/// `GC-HOST-002`
pub const HOST_PATH: &str = "GC-HOST-002";
/// `GC-HOST-003`
pub const HOST_PORTS: &str = "GC-HOST-003";
/// `GC-ZONE-001`
pub const ZONE_NODES: &str = "GC-ZONE-001";
/// `GC-ZONE-002`
pub const ZONE_TOLERATIONS: &str = "GC-ZONE-002";
/// `GC-ZONE-003`
pub const NO_NODE_NAME: &str = "GC-ZONE-003";
/// `GC-IMG-001`: images come only from registries the zone (and tenant) allows.
pub const IMAGE_REGISTRY: &str = "GC-IMG-001";
/// `GC-IMG-002`: at MLPS level 3, images are pinned by digest.
pub const IMAGE_DIGEST: &str = "GC-IMG-002";
/// `GC-IMG-003`: images pulled on every start where the zone requires it (MLPS level 3, or the zone says).
pub const IMAGE_PULL: &str = "GC-IMG-003";
/// `GC-RES-001`
pub const RESOURCES: &str = "GC-RES-001";
/// `GC-SVC-001`
pub const EXTERNAL_SERVICES: &str = "GC-SVC-001";
/// `GC-SVC-002`
pub const INGRESS_ZONE: &str = "GC-SVC-002";
/// `GC-APP-001`
pub const APP_ZONE: &str = "GC-APP-001";
/// `GC-MGD-001`
pub const MANAGED_OBJECTS: &str = "GC-MGD-001";
/// `GC-RBAC-001`
pub const TENANT_RBAC: &str = "GC-RBAC-001";
/// `GC-RES-003`: annotations and ConfigMap/Secret data are capped in size.
pub const OBJECT_SIZES: &str = "GC-RES-003";
/// `GC-RES-004`
pub const AUTOSCALING_QUOTA: &str = "GC-RES-004";
/// `GC-ZONE-007`: the quotas granted in a zone fit its nodes' capacity.
pub const ZONE_CAPACITY: &str = "GC-ZONE-007";
/// `GC-ZONE-004`
pub const ZONE_TAINT: &str = "GC-ZONE-004";
/// `GC-RES-002`
pub const QUOTA_AND_LIMITS: &str = "GC-RES-002";
/// `GC-VOL-001`: volume sources from the zone's allow-list only.
pub const VOLUME_SOURCES: &str = "GC-VOL-001";
/// `GC-VOL-002`: claims never name a persistent volume.
pub const CLAIM_BINDING: &str = "GC-VOL-002";
/// `GC-VOL-003`: claims use storage classes from the zone's allow-list only.
pub const STORAGE_CLASSES: &str = "GC-VOL-003";
/// `GC-PRI-001`: priority classes from the zone's allow-list only.
pub const PRIORITY_CLASSES: &str = "GC-PRI-001";
/// `GC-RBAC-002`: tenant role bindings grant tenant roles to named subjects of the tenant.
pub const TENANT_BINDINGS: &str = "GC-RBAC-002";
/// `GC-RBAC-003`: no long-lived service account token Secrets.
pub const NO_TOKEN_SECRETS: &str = "GC-RBAC-003";
/// `GC-RBAC-004`: no exec, attach or port-forward at MLPS level 3 unless the zone allows it.
pub const EXEC_ACCESS: &str = "GC-RBAC-004";
/// `GC-SVC-003`: public host names under the zone's domain (or the tenant's), one owner each.
pub const PUBLIC_HOSTS: &str = "GC-SVC-003";
/// `GC-POD-003`: runtime classes from the zone's allow-list only (and the zone's required one).
pub const RUNTIME_CLASSES: &str = "GC-POD-003";
/// `GC-SVC-004`: Ingresses use an ingress class of the zone's allow-list only.
pub const INGRESS_CLASSES: &str = "GC-SVC-004";
/// `GC-SVC-005`: TLS on Ingresses from a Secret of the namespace or an issuer the zone offers.
pub const TLS_ISSUERS: &str = "GC-SVC-005";
/// `GC-TEN-001`: a cordoned tenant starts no new workloads.
pub const CORDONED: &str = "GC-TEN-001";
/// `GC-TEN-002`: a Tenant marked preventDeletion cannot be deleted.
pub const PREVENT_DELETION: &str = "GC-TEN-002";
/// `GC-MGD-002`: govcloud never adopts an object it did not create.
pub const NO_ADOPTION: &str = "GC-MGD-002";
/// `GC-NET-004`: exchange endpoints lie inside their zone's or a peer zone's ranges.
pub const ENDPOINT_RANGES: &str = "GC-NET-004";
/// `GC-NET-005`: wide address ranges in policies exclude the cluster's pod and service ranges.
pub const CLUSTER_RANGES: &str = "GC-NET-005";
/// `GC-NET-006`: the app identity label NetworkPolicies select by is the platform's.
pub const APP_IDENTITY: &str = "GC-NET-006";
/// `GC-NET-007`: no tenant workload reaches the API server.
pub const API_SERVER_EGRESS: &str = "GC-NET-007";

/// `GC-ZONE-005`: a tenant namespace of a zone another cluster hosts holds declarations only.
pub const DECLARATIONS_ONLY: &str = "GC-ZONE-005";
/// `GC-ZONE-006`: no node of this cluster belongs only to a zone another cluster hosts.
pub const FOREIGN_NODES: &str = "GC-ZONE-006";
/// `GC-CITY-001`: every cluster of a city holds the same model.
pub const CITY_MODEL: &str = "GC-CITY-001";
/// `GC-CITY-002`: a flow between clusters is decided alike on both sides.
pub const CITY_FLOWS: &str = "GC-CITY-002";

/// `GC-REQ-001`: a ResourceRequest is decided by a platform engineer who did not file it, with a reason, once.
pub const REQUEST_DECISIONS: &str = "GC-REQ-001";
/// `GC-REQ-002`: a ResourceRequest is filed in a tenant namespace, for that namespace's zone.
pub const REQUEST_PLACEMENT: &str = "GC-REQ-002";

/// `GC-SHR-001`: a provider's answer to a sharing request names who answered, as the API server recorded it.
pub const SHARING_ANSWERS: &str = "GC-SHR-001";
/// `GC-SHR-002`: a conditional sharing request is answered within 10 working days.
pub const SHARING_DEADLINES: &str = "GC-SHR-002";
/// `GC-SHR-003`: between departments, secret data is reached only from private zones and an internet zone reaches only public data.
pub const SHARING_CLASSIFICATION: &str = "GC-SHR-003";

const ALL_LEVELS: &[u8] = &[2, 3];

/// CEL (in a zone-parameterised policy): the namespace must pull images on every
/// start, at MLPS level 3 (the namespace's, raised by its tenant) or where its
/// zone says `alwaysPullImages`.
pub const ALWAYS_PULL_REQUIRED: &str = "(variables.level3 || (has(params.spec.mlpsLevel) && params.spec.mlpsLevel == 3) || (has(params.spec.alwaysPullImages) && params.spec.alwaysPullImages))";

/// CEL: the claim spec `spec` (a CEL expression) names no storage class,
/// or one the zone (`params`) allows (GC-VOL-003).
pub fn storage_class_allowed(spec: &str) -> String {
    format!(
        "(!has({spec}.storageClassName) || {spec}.storageClassName == '' || (has(params.spec.allowedStorageClasses) && {spec}.storageClassName in params.spec.allowedStorageClasses))"
    )
}

/// The digest rule as a regular expression, used by the generated admission CEL.
pub const DIGEST_PATTERN: &str = "@sha256:[0-9a-f]{64}$";

#[cfg(test)]
mod tests;
