//! `Tenant`: one department (委办局) or district (旗县区) of the city.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CpuMemory, DisplayName, MlpsLevel};

/// Spec of a `Tenant` (cluster-scoped). govcloud creates one namespace per
/// allowed zone, named `<tenant>-<zone>`, with quota, limits, RBAC, Pod
/// Security labels and default-deny network policy.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "govcloud.io",
    doc = "A department (委办局) or district (旗县区) of the city: owners, allowed zones with quotas, limits. govcloud gives it one isolated namespace per zone.",
    version = "v1alpha1",
    kind = "Tenant",
    plural = "tenants",
    singular = "tenant",
    shortname = "tn",
    category = "govcloud",
    status = "TenantStatus",
    cel,
    validation = Rule::new("self.metadata.name.size() <= 40 && self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("metadata.name: a tenant name must be a DNS label of at most 40 characters, for example public-security"),
    validation = Rule::new("!(self.metadata.name in ['kube', 'govcloud', 'default', 'openshift', 'system']) && !self.metadata.name.startsWith('kube-') && !self.metadata.name.startsWith('govcloud-') && !self.metadata.name.startsWith('openshift-') && !self.metadata.name.startsWith('system-')").message("metadata.name: kube, govcloud, default, openshift, system (and names starting with them and a hyphen) are reserved for the platform: their namespaces would be the platform's own; choose the department's name"),
    printcolumn = r#"{"name":"Name (zh)","type":"string","jsonPath":".spec.displayName.zh"}"#,
    printcolumn = r#"{"name":"Zones","type":"string","jsonPath":".spec.zones[*].name"}"#,
    printcolumn = r#"{"name":"Kind","type":"string","jsonPath":".status.kind","description":"department (委办局) or district (旗县区), by the govcloud.io/tenant-kind label"}"#,
    printcolumn = r#"{"name":"Apps","type":"integer","jsonPath":".status.apps"}"#,
    printcolumn = r#"{"name":"CPU used/granted","type":"string","jsonPath":".status.cpuSummary","description":"CPU requests in use / granted by the quota, over its zones (已用/已分配)"}"#,
    printcolumn = r#"{"name":"Memory used/granted","type":"string","jsonPath":".status.memorySummary","description":"memory requests in use / granted by the quota, over its zones (已用/已分配)"}"#,
    printcolumn = r#"{"name":"Failing","type":"integer","jsonPath":".status.compliance.fail","description":"compliance checks failing (不通过); the Report in each namespace has the details"}"#,
    printcolumn = r#"{"name":"Passing","type":"integer","jsonPath":".status.compliance.pass","priority":1,"description":"compliance checks passing (通过)"}"#,
    printcolumn = r#"{"name":"Mongolian","type":"string","jsonPath":".spec.displayName.mn","priority":1,"description":"the name in traditional Mongolian script (蒙古文名称)"}"#,
    printcolumn = r#"{"name":"Cordoned","type":"boolean","jsonPath":".spec.cordoned","priority":1}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct TenantSpec {
    /// Names of the department or district shown to people (zh, en, and mn where the city serves Mongolian).
    pub display_name: DisplayName,

    /// People and groups who act for the tenant, each with one role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 256))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["kind".into(), "name".into(), "role".into()]))]
    pub owners: Vec<Owner>,

    /// Zones the tenant may use, each with its quota. One namespace is created per entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["name".into()]))]
    pub zones: Vec<TenantZone>,

    /// Default container resources, applied by a LimitRange in every namespace of the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitDefaults>,

    /// When true, deleting the tenant is refused until this is set to false.
    #[serde(default)]
    pub prevent_deletion: bool,

    /// When true, the tenant may not start new workloads; running ones are kept.
    #[serde(default)]
    pub cordoned: bool,

    /// Raises the MLPS baseline level of all the tenant's namespaces (for example 3
    /// for a department holding sensitive data). Never lowers a zone's level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 2 && self <= 3").message("mlpsLevel must be 2 or 3"))]
    pub mlps_level: Option<MlpsLevel>,

    /// Narrows the registries the tenant's images may come from (within the zone's).
    /// Empty means the zone's registries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(r, r.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*$'))").message("each registry is a host[:port][/path] prefix without a scheme"))]
    #[schemars(length(max = 16), inner(length(max = 253)))]
    pub allowed_registries: Vec<String>,

    /// `tenant` (default): auditor owners read this tenant only. `cluster`: auditor
    /// owners read compliance data of every tenant (the audit bureau, 审计局).
    #[serde(default)]
    pub audit_scope: AuditScope,

    /// Public host names the tenant's internet-facing apps may claim besides
    /// those under their zone's `publicDomain`: exact names
    /// (`zwfw.chifeng.gov.cn`) or `*.`-prefixed domains (`*.mzw.chifeng.gov.cn`).
    /// A name belongs to the first app that claims it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(h, h.matches('^(\\\\*\\\\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\\\\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$'))").message("each entry is a DNS name such as zwfw.chifeng.gov.cn, or *. and a domain"))]
    #[schemars(length(max = 32), inner(length(max = 253)))]
    pub allowed_hosts: Vec<String>,

    /// The city's base databases (基础信息资源库: population, legal-entity,
    /// credit, geospatial, macro-economy, culture) this tenant holds, by app
    /// name (in any of its zones), as the platform designates them. The
    /// evaluation's sharing axis judges the tenant on sharing each: one
    /// that shares nothing (no `spec.sharing`, class `none`, or no such app)
    /// counts 0. Departments cannot write a Tenant, so none can drop its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(a, a.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$') && a.size() <= 40)").message("each entry is an app name such as population-db"))]
    #[schemars(length(max = 16), inner(length(max = 40)))]
    pub base_databases: Vec<String>,

    /// The tenant's public apps the platform recognises (by app name, in any
    /// of its zones): part of the city's unified website cluster (政府网站群),
    /// or a public service platform that is no website. The evaluation lists
    /// every other public app as a candidate of duplicated construction.
    /// Departments cannot write a Tenant, so none can recognise its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(p, self.exists_one(q, q.app == p.app))").message("each app is recognised once"))]
    #[schemars(length(max = 32))]
    pub public_apps: Vec<RecognizedPublicApp>,
}

/// A public app the platform recognises ([`TenantSpec::public_apps`]).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct RecognizedPublicApp {
    /// The app's name (a DepartmentApp of this tenant with exposure public).
    #[x_kube(validation = Rule::new("self.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')").message("an app name such as website-cluster"))]
    #[schemars(length(max = 40))]
    pub app: String,
    /// What it is: part of the unified website cluster, or a public service platform.
    pub role: PublicAppRole,
}

/// What a recognised public app is.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PublicAppRole {
    /// Part of the city's unified website cluster (政府网站群).
    #[serde(rename = "websiteCluster")]
    WebsiteCluster,
    /// A public service platform, not a website.
    #[serde(rename = "servicePlatform")]
    ServicePlatform,
}

/// A user or group acting for a tenant.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// `User` or `Group`, as authenticated by the cluster.
    pub kind: OwnerKind,
    /// User or group name as the cluster's authenticator reports it.
    #[x_kube(validation = Rule::new("self.size() > 0 && self.size() <= 253").message("name must be 1 to 253 characters"))]
    #[x_kube(validation = Rule::new("!self.startsWith('system:')").message("system: users and groups belong to Kubernetes (system:authenticated is everyone); name the department's own users or groups"))]
    #[schemars(length(max = 253))]
    pub name: String,
    /// What the owner may do in the tenant's namespaces.
    pub role: OwnerRole,
}

/// Kind of subject an owner is.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
pub enum OwnerKind {
    /// An individual user.
    User,
    /// A group of users.
    Group,
}

impl OwnerKind {
    /// The RBAC subject kind.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::User => "User",
            OwnerKind::Group => "Group",
        }
    }
}

/// Role of an owner in the tenant's namespaces.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OwnerRole {
    /// Manages apps, workloads and the tenant's own role bindings.
    Admin,
    /// Manages apps and workloads.
    Developer,
    /// Reads apps, workloads and status.
    Viewer,
    /// Reads everything needed for compliance; changes nothing; reads no Secret values.
    Auditor,
}

impl OwnerRole {
    /// Every role, in binding order.
    pub const ALL: [OwnerRole; 4] = [OwnerRole::Admin, OwnerRole::Developer, OwnerRole::Viewer, OwnerRole::Auditor];

    /// The lowercase name used in manifests and object names.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerRole::Admin => "admin",
            OwnerRole::Developer => "developer",
            OwnerRole::Viewer => "viewer",
            OwnerRole::Auditor => "auditor",
        }
    }
}

/// A zone the tenant may use and what it may consume there.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TenantZone {
    /// Name of a NetworkZone.
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]{1,15}$')").message("name must be a zone name such as extranet"))]
    #[schemars(length(max = 15))]
    pub name: String,
    /// Resources granted in the zone (a ResourceQuota on the tenant's namespace there).
    #[serde(default)]
    pub quota: ZoneQuota,
}

/// A tenant's quota in one zone.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ZoneQuota {
    /// Total CPU (requests and limits) the tenant's pods may use in the zone.
    #[x_kube(validation = Rule::new("isQuantity(self) && !quantity(self).isLessThan(quantity('0'))").message("cpu must be a Kubernetes quantity such as 8"))]
    #[schemars(length(max = 32))]
    pub cpu: String,
    /// Total memory (requests and limits) the tenant's pods may use in the zone.
    #[x_kube(validation = Rule::new("isQuantity(self) && !quantity(self).isLessThan(quantity('0'))").message("memory must be a Kubernetes quantity such as 16Gi"))]
    #[schemars(length(max = 32))]
    pub memory: String,
    /// Maximum number of pods.
    #[x_kube(validation = Rule::new("self >= 0 && self <= 10000").message("pods must be between 0 and 10000"))]
    pub pods: i32,
    /// Maximum number of Services.
    #[x_kube(validation = Rule::new("self >= 0 && self <= 1000").message("services must be between 0 and 1000"))]
    pub services: i32,
    /// Storage all persistent volume claims may request together.
    #[serde(default = "default_storage")]
    #[x_kube(validation = Rule::new("isQuantity(self) && !quantity(self).isLessThan(quantity('0'))").message("storage must be a Kubernetes quantity such as 100Gi"))]
    #[schemars(length(max = 32))]
    pub storage: String,
    /// Number of persistent volume claims (generic ephemeral volumes count too).
    #[serde(default = "default_pvcs")]
    #[x_kube(validation = Rule::new("self >= 0 && self <= 1000").message("persistentVolumeClaims must be between 0 and 1000"))]
    pub persistent_volume_claims: i32,
    /// Node-local scratch space (emptyDir, container layers) all pods may use together.
    #[serde(default = "default_ephemeral_storage")]
    #[x_kube(validation = Rule::new("isQuantity(self) && !quantity(self).isLessThan(quantity('0'))").message("ephemeralStorage must be a Kubernetes quantity such as 20Gi"))]
    #[schemars(length(max = 32))]
    pub ephemeral_storage: String,
    /// Number of ConfigMaps.
    #[serde(default = "default_object_count")]
    #[x_kube(validation = Rule::new("self >= 0 && self <= 10000").message("configMaps must be between 0 and 10000"))]
    pub config_maps: i32,
    /// Number of Secrets.
    #[serde(default = "default_object_count")]
    #[x_kube(validation = Rule::new("self >= 0 && self <= 10000").message("secrets must be between 0 and 10000"))]
    pub secrets: i32,
    /// Number of DepartmentApps.
    #[serde(default = "default_apps")]
    #[x_kube(validation = Rule::new("self >= 0 && self <= 1000").message("apps must be between 0 and 1000"))]
    pub apps: i32,
}

fn default_storage() -> String {
    "100Gi".into()
}
fn default_pvcs() -> i32 {
    20
}
fn default_ephemeral_storage() -> String {
    "20Gi".into()
}
fn default_object_count() -> i32 {
    100
}
fn default_apps() -> i32 {
    20
}

impl Default for ZoneQuota {
    fn default() -> Self {
        ZoneQuota {
            cpu: "4".into(),
            memory: "8Gi".into(),
            pods: 20,
            services: 10,
            storage: default_storage(),
            persistent_volume_claims: default_pvcs(),
            ephemeral_storage: default_ephemeral_storage(),
            config_maps: default_object_count(),
            secrets: default_object_count(),
            apps: default_apps(),
        }
    }
}

/// Container resource defaults and ceilings for the tenant's namespaces.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LimitDefaults {
    /// Requests given to a container that declares none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_request: Option<CpuMemory>,
    /// Limits given to a container that declares none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_limit: Option<CpuMemory>,
    /// Largest limits one container may declare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<CpuMemory>,
}

/// Reach of a tenant's auditor owners.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuditScope {
    /// Auditors read this tenant's namespaces.
    #[default]
    Tenant,
    /// Auditors read compliance data across the whole cloud.
    Cluster,
}

/// Quota granted and used in one zone.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ZoneUsage {
    /// Zone name.
    pub zone: String,
    /// Namespace of the tenant in the zone.
    pub namespace: String,
    /// Quota granted (ResourceQuota `hard`).
    #[serde(default)]
    pub granted: std::collections::BTreeMap<String, String>,
    /// Quota in use (ResourceQuota `used`).
    #[serde(default)]
    pub used: std::collections::BTreeMap<String, String>,
}

/// Observed state of a `Tenant`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantStatus {
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Namespaces of the tenant, one per allowed zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Quota granted and used, per zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quota: Vec<ZoneUsage>,
    /// `department` or `district`, as its `govcloud.io/tenant-kind` label says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// CPU requests in use / granted, over its zones (`1500m/8`), for `kubectl get`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_summary: Option<String>,
    /// Memory requests in use / granted, over its zones (`3Gi/16Gi`), for `kubectl get`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_summary: Option<String>,
    /// DepartmentApps of the tenant.
    #[serde(default)]
    pub apps: i32,
    /// Flows the tenant's apps grant to other tenants and that are in effect.
    #[serde(default)]
    pub flows_given: i32,
    /// Flows the tenant's apps receive from other tenants' apps and that are in effect.
    #[serde(default)]
    pub flows_received: i32,
    /// Compliance results from govcloud's audit (see the Report objects for details).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<super::ComplianceSummary>,
    /// Conditions: `Ready`, `Degraded`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
