//! Label, annotation and finalizer keys, and the labels govcloud puts on what
//! it owns, so pruning and auditing can find every object and its owner.

use std::collections::BTreeMap;

macro_rules! managed_by {
    () => {
        "app.kubernetes.io/managed-by"
    };
}
macro_rules! manager {
    () => {
        "govcloud"
    };
}

/// `app.kubernetes.io/managed-by` — set to [`MANAGER`] on every owned object.
pub const MANAGED_BY: &str = managed_by!();
/// Value of [`MANAGED_BY`], also the server-side-apply field manager.
pub const MANAGER: &str = manager!();
/// The label selector of everything govcloud manages: [`MANAGED_BY`]=[`MANAGER`].
pub const MANAGED_SELECTOR: &str = concat!(managed_by!(), "=", manager!());
/// `app.kubernetes.io/name` of the operator's own objects.
pub const APP_NAME: &str = "app.kubernetes.io/name";
/// Tenant an object belongs to.
pub const TENANT: &str = "govcloud.io/tenant";
/// On a Tenant: `district` for a district, county or banner (旗县区); a
/// tenant without it is a department (委办局). The evaluation groups by it.
pub const TENANT_KIND: &str = "govcloud.io/tenant-kind";

/// Annotation of a report: when it was made (RFC 3339; see `provenance`).
pub const PROVENANCE_GENERATED_AT: &str = "govcloud.io/generated-at";
/// Annotation of a report: the govcloud version that made it.
pub const PROVENANCE_VERSION: &str = "govcloud.io/version";
/// Annotation of a report: its source, as JSON (`provenance::Source`).
pub const PROVENANCE_SOURCE: &str = "govcloud.io/source";
/// Annotation of a report: the filters applied, as JSON (absent: none).
pub const PROVENANCE_FILTERS: &str = "govcloud.io/filters";

/// A tenant's kind by its [`TENANT_KIND`] label (on a Tenant, which only
/// platform engineers write): `district`, or `department` without it.
pub fn tenant_kind(labels: &std::collections::BTreeMap<String, String>) -> &'static str {
    if labels.get(TENANT_KIND).map(String::as_str) == Some("district") { "district" } else { "department" }
}
/// Zone an object belongs to.
pub const ZONE: &str = "govcloud.io/zone";
/// Kind of the zone (extranet, private, internet).
pub const ZONE_KIND: &str = "govcloud.io/zone-kind";
/// On a tenant namespace of a zone another cluster hosts: that cluster's name
/// (empty for the cluster without a name). Only declarations live there.
pub const HOSTED_IN: &str = "govcloud.io/hosted-in";
/// On a ConfigMap: it holds the evaluation's price table (key `prices.yaml`,
/// the format `govcloud evaluate --prices` reads). The model loader skips it.
pub const PRICES: &str = "govcloud.io/prices";
/// On a ConfigMap: it holds the list of domestic platforms (国产化; key
/// `domestic-platforms.yaml`, the format `govcloud evaluate
/// --domestic-platforms` reads). The model loader skips it.
pub const DOMESTIC_PLATFORMS: &str = "govcloud.io/domestic-platforms";
/// App an object or pod belongs to; NetworkPolicies select pods by it.
pub const APP: &str = "govcloud.io/app";
/// Annotation the API server (a mutating admission policy) puts on a Service
/// in a tenant namespace whose creator chose its cluster address; such a
/// Service is refused (GC-SVC-001).
pub const CHOSEN_CLUSTER_IP: &str = "govcloud.io/chosen-cluster-ip";
/// Kind of the govcloud resource that owns an object.
pub const OWNER_KIND: &str = "govcloud.io/owner-kind";
/// Name of the govcloud resource that owns an object.
pub const OWNER_NAME: &str = "govcloud.io/owner-name";
/// Namespace of the owning resource, when it is namespaced.
pub const OWNER_NAMESPACE: &str = "govcloud.io/owner-namespace";
/// MLPS level in force in a namespace.
pub const MLPS_LEVEL: &str = "govcloud.io/mlps-level";
/// Data classification of an app.
pub const CLASSIFICATION: &str = "govcloud.io/data-classification";
/// Set on the namespaces of a cordoned tenant.
pub const CORDONED: &str = "govcloud.io/cordoned";
/// Label the platform puts on the namespace of the ingress controller that
/// serves public apps.
pub const INGRESS_CONTROLLER_NS: &str = "govcloud.io/ingress-controller";
/// Pod Security Admission: the level a namespace enforces.
pub const PSA_ENFORCE: &str = "pod-security.kubernetes.io/enforce";
/// Pod Security Admission: the version of the enforced level.
pub const PSA_ENFORCE_VERSION: &str = "pod-security.kubernetes.io/enforce-version";
/// Pod Security Admission: the level audited.
pub const PSA_AUDIT: &str = "pod-security.kubernetes.io/audit";
/// Pod Security Admission: the level warned about.
pub const PSA_WARN: &str = "pod-security.kubernetes.io/warn";
/// Namespace annotation: the tenant's name in Chinese.
pub const DISPLAY_NAME_ZH: &str = "govcloud.io/display-name-zh";
/// Namespace annotation: the tenant's name in English.
pub const DISPLAY_NAME_EN: &str = "govcloud.io/display-name-en";
/// Pod template annotation: a digest of the data of the ConfigMaps an app
/// reads; when their data changes, so does the template, and the pods roll.
pub const CONFIG_DIGEST: &str = "govcloud.io/config-digest";
/// Annotation: the hash of the desired state last applied.
pub const APPLIED_HASH: &str = "govcloud.io/applied-hash";
/// Report annotation: what a report leaves out to fit, counted.
pub const OMITTED_RESULTS: &str = "govcloud.io/omitted-results";
/// kubectl's copy of the last applied object; the audit's inventory drops it.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// Finalizer: a zone stays while tenants or apps use it.
pub const ZONE_FINALIZER: &str = "govcloud.io/zone-in-use";
/// Finalizer: a tenant's namespaces are removed before the tenant.
pub const TENANT_FINALIZER: &str = "govcloud.io/tenant-cleanup";
/// Set by the API server on every namespace; cannot be forged by tenants.
pub const NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";
/// Namespace annotation: the registries (comma-separated prefixes) the
/// tenant narrowed its images to; absent when the zone's apply. Read by the
/// admission policies.
pub const ALLOWED_REGISTRIES: &str = "govcloud.io/allowed-registries";
/// Namespace annotation: the public host names (comma-separated, exact or
/// `*.`-prefixed) the tenant may claim besides its zone's domain; absent when
/// none. Read by the admission policies.
pub const ALLOWED_HOSTS: &str = "govcloud.io/allowed-hosts";
/// Namespace annotation: the tenant's admin users, one per line, who alone
/// may answer sharing requests (GC-SHR-001 reads it).
pub const ADMIN_USERS: &str = "govcloud.io/admin-users";
/// Namespace annotation: the tenant's admin groups, one per line.
pub const ADMIN_GROUPS: &str = "govcloud.io/admin-groups";
/// Namespace annotation: the pods the tenant's quota in the namespace's zone
/// allows (its ResourceQuota's `pods`). Read by the admission policy that
/// bounds autoscaling (GC-RES-004); written by govcloud only (GC-MGD-001).
pub const QUOTA_PODS: &str = "govcloud.io/quota-pods";
/// Namespace annotation: the CPU the tenant's quota in the zone allows (its
/// ResourceQuota's `requests.cpu` and `limits.cpu`). Read by GC-RES-004.
pub const QUOTA_CPU: &str = "govcloud.io/quota-cpu";
/// Namespace annotation: the memory the tenant's quota in the zone allows
/// (`requests.memory` and `limits.memory`). Read by GC-RES-004.
pub const QUOTA_MEMORY: &str = "govcloud.io/quota-memory";
/// Namespace annotation: the CPU limit a container gets when it sets none
/// (the LimitRange's default). Read by GC-RES-004.
pub const DEFAULT_LIMIT_CPU: &str = "govcloud.io/default-limit-cpu";
/// Namespace annotation: the memory limit a container gets when it sets
/// none (the LimitRange's default). Read by GC-RES-004.
pub const DEFAULT_LIMIT_MEMORY: &str = "govcloud.io/default-limit-memory";

/// Labels of an object owned by a cluster-scoped resource.
pub fn owned_by(kind: super::kinds::OwnerKind, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_string(), MANAGER.to_string()),
        (OWNER_KIND.to_string(), kind.as_str().to_string()),
        (OWNER_NAME.to_string(), name.to_string()),
    ])
}

/// Labels of an object owned by a tenant, in one of its zones.
pub fn tenant_labels(tenant: &str, zone: &str) -> BTreeMap<String, String> {
    let mut l = owned_by(super::kinds::OwnerKind::Tenant, tenant);
    l.insert(TENANT.into(), tenant.into());
    l.insert(ZONE.into(), zone.into());
    l
}

/// Labels of an object owned by a DepartmentApp.
pub fn app_labels(tenant: &str, zone: &str, namespace: &str, app: &str) -> BTreeMap<String, String> {
    let mut l = owned_by(super::kinds::OwnerKind::DepartmentApp, app);
    l.insert(OWNER_NAMESPACE.into(), namespace.into());
    l.insert(TENANT.into(), tenant.into());
    l.insert(ZONE.into(), zone.into());
    l.insert(APP.into(), app.into());
    l
}
