//! `ResourceRequest`: a department asks the platform for more (quota in a
//! zone, a new zone, a public host name, emergency capacity for a while), and
//! a platform engineer decides.
//!
//! ```text
//!   department admin ──create──► spec (immutable; spec.requester set by the API server)
//!   platform engineer ──status──► status.decision {state, reason} (by: set by the API server)
//!   operator ─────────status──► status.phase, expiresAt, history; the tenant's effective quota
//! ```
//!
//! The request never names its tenant: the tenant is the one whose namespace
//! holds the request. The Tenant object is never rewritten; what is granted
//! is the Tenant plus its approved, unexpired requests
//! (`govcloud_render::effective_tenant`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Longest emergency surge, in minutes (30 days).
pub const SURGE_MAX_MINUTES: i32 = 43_200;

/// Spec of a `ResourceRequest` (namespaced: filed in one of the tenant's
/// namespaces, `<tenant>-<zone>`). Immutable once created.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "govcloud.io",
    doc = "A department's request for more resources (quota in a zone, access to a zone, a public host name, or an emergency surge that expires by itself), decided by a platform engineer.",
    version = "v1alpha1",
    kind = "ResourceRequest",
    plural = "resourcerequests",
    singular = "resourcerequest",
    shortname = "rreq",
    category = "govcloud",
    namespaced,
    status = "ResourceRequestStatus",
    cel,
    validation = Rule::new("self.metadata.name.size() <= 63").message("metadata.name: a request name must be at most 63 characters"),
    printcolumn = r#"{"name":"Kind","type":"string","jsonPath":".spec.kind"}"#,
    printcolumn = r#"{"name":"Zone","type":"string","jsonPath":".spec.zone"}"#,
    printcolumn = r#"{"name":"Host","type":"string","jsonPath":".spec.hostname","priority":1}"#,
    printcolumn = r#"{"name":"Project","type":"string","jsonPath":".spec.project","priority":1}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Requester","type":"string","jsonPath":".spec.requester.username"}"#,
    printcolumn = r#"{"name":"Expires","type":"date","jsonPath":".status.expiresAt","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("self == oldSelf").message("spec is immutable: file a new request instead of changing this one"))]
#[x_kube(validation = Rule::new("self.kind == 'Hostname' ? has(self.hostname) : !has(self.hostname)").message("hostname is set by a Hostname request, and only by one").field_path(".hostname"))]
#[x_kube(validation = Rule::new("self.kind == 'Hostname' ? !has(self.zone) : has(self.zone)").message("zone is set by Quota, ZoneAccess and Surge requests, and not by a Hostname request").field_path(".zone"))]
#[x_kube(validation = Rule::new("self.kind in ['Quota', 'Surge'] ? has(self.resources) : (self.kind == 'ZoneAccess' || !has(self.resources))").message("resources: a Quota or Surge request says what to add; a Hostname request takes none").field_path(".resources"))]
#[x_kube(validation = Rule::new("self.kind == 'Surge' ? has(self.minutes) : !has(self.minutes)").message("minutes is set by a Surge request (how long the extra capacity lasts), and only by one").field_path(".minutes"))]
pub struct ResourceRequestSpec {
    /// What is asked for: `Quota` (more quota in the namespace's zone),
    /// `ZoneAccess` (a namespace in another zone, with its quota), `Hostname`
    /// (a public host name for internet-facing apps) or `Surge` (more quota in
    /// the namespace's zone for `minutes`, then it expires by itself; 应急).
    pub kind: RequestKind,

    /// The zone: for Quota and Surge the zone of the namespace the request is
    /// filed in; for ZoneAccess the zone asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]{1,15}$')").message("zone must be a zone name such as extranet"))]
    #[schemars(length(max = 15))]
    pub zone: Option<String>,

    /// Quota and Surge: what to add to the zone's quota. ZoneAccess: the quota
    /// in the new zone (unset fields take the platform default quota).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<QuotaIncrement>,

    /// Hostname: the public host name asked for, exact (`zwfw.chifeng.gov.cn`)
    /// or `*.` and a domain (`*.mzw.chifeng.gov.cn`), as in Tenant `allowedHosts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^(\\\\*\\\\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\\\\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("hostname must be a DNS name such as zwfw.chifeng.gov.cn, or *. and a domain"))]
    #[schemars(length(max = 253))]
    pub hostname: Option<String>,

    /// Surge: how long the extra capacity lasts once approved, in minutes (1 to 43200, 30 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 43200").message("minutes must be between 1 and 43200 (30 days)"))]
    pub minutes: Option<i32>,

    /// Why the department needs it: the platform engineer decides on it.
    #[x_kube(validation = Rule::new("self.matches('\\\\S')").message("justification must say why the resources are needed"))]
    #[schemars(length(max = 2000))]
    pub justification: String,

    /// The e-government project the resources are for (电子政务项目), so
    /// approvals can be traced to project approval and funding.
    #[x_kube(validation = Rule::new("self.matches('\\\\S')").message("project must name the e-government project the resources are for"))]
    #[schemars(length(max = 128))]
    pub project: String,

    /// Who filed the request: set by the API server from the request's user
    /// (anything typed here is replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<Requester>,
}

/// What a request asks for.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
pub enum RequestKind {
    /// More quota in the namespace's zone, for good.
    Quota,
    /// A namespace in another zone, with its quota.
    ZoneAccess,
    /// A public host name for the tenant's internet-facing apps.
    Hostname,
    /// More quota in the namespace's zone for a while (应急), then it expires.
    Surge,
}

impl RequestKind {
    /// The name used in manifests and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Quota => "Quota",
            RequestKind::ZoneAccess => "ZoneAccess",
            RequestKind::Hostname => "Hostname",
            RequestKind::Surge => "Surge",
        }
    }
}

/// Resources to add to a zone's quota (or, for ZoneAccess, the new zone's quota).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.cpu) || has(self.memory) || has(self.pods) || has(self.services) || has(self.storage) || has(self.persistentVolumeClaims) || has(self.ephemeralStorage) || has(self.configMaps) || has(self.secrets) || has(self.apps)").message("resources must name at least one resource"))]
pub struct QuotaIncrement {
    /// CPU, for example `2` or `500m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))").message("cpu must be a positive Kubernetes quantity such as 2"))]
    #[schemars(length(max = 32))]
    pub cpu: Option<String>,
    /// Memory, for example `4Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))").message("memory must be a positive Kubernetes quantity such as 4Gi"))]
    #[schemars(length(max = 32))]
    pub memory: Option<String>,
    /// Number of pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 10000").message("pods must be between 1 and 10000"))]
    pub pods: Option<i32>,
    /// Number of Services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 1000").message("services must be between 1 and 1000"))]
    pub services: Option<i32>,
    /// Storage of persistent volume claims, for example `100Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))").message("storage must be a positive Kubernetes quantity such as 100Gi"))]
    #[schemars(length(max = 32))]
    pub storage: Option<String>,
    /// Number of persistent volume claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 1000").message("persistentVolumeClaims must be between 1 and 1000"))]
    pub persistent_volume_claims: Option<i32>,
    /// Node-local scratch space, for example `10Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))").message("ephemeralStorage must be a positive Kubernetes quantity such as 10Gi"))]
    #[schemars(length(max = 32))]
    pub ephemeral_storage: Option<String>,
    /// Number of ConfigMaps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 10000").message("configMaps must be between 1 and 10000"))]
    pub config_maps: Option<i32>,
    /// Number of Secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 10000").message("secrets must be between 1 and 10000"))]
    pub secrets: Option<i32>,
    /// Number of DepartmentApps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 1000").message("apps must be between 1 and 1000"))]
    pub apps: Option<i32>,
}

/// The user who filed a request, as the API server authenticated them.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Requester {
    /// User name.
    #[serde(default)]
    pub username: String,
    /// Groups the user was in when filing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// Where a request stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum RequestPhase {
    /// Waiting for a platform engineer.
    Pending,
    /// Cannot take effect as filed (the message names the field and the fix).
    Invalid,
    /// Approved and in effect.
    Approved,
    /// Rejected; nothing changed.
    Rejected,
    /// An approved surge whose time ran out; no longer in effect.
    Expired,
}

impl RequestPhase {
    /// The name shown in status and Events.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestPhase::Pending => "Pending",
            RequestPhase::Invalid => "Invalid",
            RequestPhase::Approved => "Approved",
            RequestPhase::Rejected => "Rejected",
            RequestPhase::Expired => "Expired",
        }
    }
}

/// A platform engineer's decision.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum DecisionState {
    /// The request takes effect.
    Approved,
    /// The request changes nothing.
    Rejected,
}

/// A decision on a request: final once made.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Approved or Rejected.
    pub state: DecisionState,
    /// Why: shown to the department and kept in the history.
    #[x_kube(validation = Rule::new("self.matches('\\\\S')").message("reason must say why the request is approved or rejected"))]
    #[schemars(length(max = 1000))]
    pub reason: String,
    /// Who decided: set by the API server from the deciding user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub by: Option<String>,
}

/// One transition of a request, kept in its status.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    /// The phase entered.
    pub phase: RequestPhase,
    /// When the operator saw it.
    pub at: Time,
    /// Who caused it (the requester, the decider), when a person did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Why (the decision's reason, what is invalid, the expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Observed state of a `ResourceRequest`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequestStatus {
    /// The decision, written by a platform engineer through the status
    /// subresource (`govcloud request approve|reject`); final once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Where the request stands: Pending, Invalid, Approved, Rejected or Expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<RequestPhase>,
    /// What the phase means for this request (for Invalid: the field and the fix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The tenant the request is for: the one whose namespace holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Surge: when the extra capacity ends (set when the approval is first seen; never moved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Time>,
    /// Every phase the request went through, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    pub history: Vec<Transition>,
}
