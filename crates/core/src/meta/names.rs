//! The name of every object govcloud owns or installs, built in exactly one
//! place, and the parsing of a tenant namespace's name back into its parts.
//!
//! Per-tenant cluster-scoped names contain `:`, which no platform object's
//! name does, so no tenant name (`admin`, `auditor`, ...) can make one equal
//! a platform object's name.

use super::labels::MANAGER;

/// Default namespace of the operator.
pub const OPERATOR_NAMESPACE: &str = "govcloud-system";
/// The operator's ServiceAccount, ClusterRole, Deployment and bindings.
pub const OPERATOR: &str = "govcloud-operator";
/// The web console: its session cookie, and its User-Agent's product name.
pub const CONSOLE: &str = "govcloud-console";
/// The operator's metrics Service.
pub const METRICS_SERVICE: &str = "govcloud-metrics";
/// The leader-election Lease.
pub const LEADER_LEASE: &str = "govcloud-leader";
/// The ConfigMap that holds a model for the operator (`govcloud run --model-configmap`).
pub const MODEL_CONFIGMAP: &str = "govcloud-model";
/// Field manager of the compliance reports and of `status.compliance`.
pub const AUDIT_MANAGER: &str = "govcloud-audit";

/// Cluster role of auditors whose tenant has `auditScope: cluster`: cluster-scoped
/// reads only; their namespaced reads come from a RoleBinding to the tenant
/// auditor role in each tenant namespace, never kube-system or govcloud-system.
pub const CLUSTER_AUDITOR: &str = "govcloud-auditor";
/// Cluster role for exec, attach and port-forward, bound to a tenant's admins
/// and developers only where the namespace allows it (GC-RBAC-004).
pub const EXEC_ROLE: &str = "govcloud-tenant-exec";
/// Cluster role of the platform engineers who decide departments'
/// ResourceRequests (read them, write their status); bound by the platform.
pub const REQUEST_APPROVER: &str = "govcloud-request-approver";
/// The policy that records who files a ResourceRequest (MutatingAdmissionPolicy).
pub const REQUESTER_POLICY: &str = "govcloud-request-requester";
/// The policy that records who decides a ResourceRequest (MutatingAdmissionPolicy).
pub const DECIDER_POLICY: &str = "govcloud-request-decider";
/// The policy refusing a sharing answer whose `by` is not who made it (ValidatingAdmissionPolicy).
pub const SHARING_ANSWERS_POLICY: &str = "govcloud-sharing-answers";
/// The policy that records who answers a sharing request (MutatingAdmissionPolicy).
pub const SHARING_ANSWERER_POLICY: &str = "govcloud-sharing-answerer";
/// Mutating policy recording a Service's chosen cluster address before the API server allocates one.
pub const CLUSTER_IP_POLICY: &str = "govcloud-service-cluster-ip";
/// The Admin-tier ClusterNetworkPolicy that keeps a zone from the zones it
/// may never reach.
pub fn zone_isolation_policy(zone: &str) -> String {
    format!("govcloud-zone-{zone}-isolation")
}
/// The Admin-tier ClusterNetworkPolicy of a zone's namespaces: what stays
/// for their NetworkPolicies, what is denied.
pub fn zone_admin_policy(zone: &str) -> String {
    format!("govcloud-zone-{zone}")
}
/// The Admin-tier ClusterNetworkPolicy of an app registered as an exchange
/// endpoint of its zone.
pub fn exchange_admin_policy(zone: &str, tenant: &str, app: &str) -> String {
    format!("govcloud-exchange-{zone}-{tenant}-{app}")
}
/// The namespace of the cluster DNS.
pub const DNS_NAMESPACE: &str = "kube-system";
/// The pod label (key, value) of the cluster DNS.
pub const DNS_POD: (&str, &str) = ("k8s-app", "kube-dns");

/// The RoleBinding of a tenant role's owners in a tenant namespace.
pub fn tenant_role_binding(role: &str) -> String {
    format!("govcloud-{role}")
}
/// The RoleBinding of [`EXEC_ROLE`] in a tenant namespace.
pub const EXEC_BINDING: &str = "govcloud-exec";
/// The RoleBinding of cluster-scope auditors to the tenant auditor role in a tenant namespace.
pub const CLUSTER_AUDITORS_BINDING: &str = "govcloud-cluster-auditors";

/// Name of the cluster role bound to a tenant role (`admin`, `developer`,
/// `viewer`, `auditor`) in each tenant namespace.
pub fn tenant_role(role: &str) -> String {
    format!("govcloud-tenant-{role}")
}

/// Name of a tenant's own ClusterRole (read its Tenant object).
pub fn tenant_cluster_role(tenant: &str) -> String {
    format!("govcloud:tenant:{tenant}")
}

/// Name of the ClusterRoleBinding of a tenant's owners to [`tenant_cluster_role`].
pub fn tenant_cluster_role_binding(tenant: &str) -> String {
    tenant_cluster_role(tenant)
}

/// Name of the ClusterRoleBinding of a cluster-scope tenant's auditors to the
/// cluster auditor role.
pub fn cluster_auditor_binding(tenant: &str) -> String {
    format!("govcloud:auditor:{tenant}")
}

/// The ResourceQuota of a tenant namespace.
pub const QUOTA: &str = "govcloud-quota";
/// The LimitRange of a tenant namespace.
pub const LIMITS: &str = "govcloud-limits";

/// Secret where cert-manager keeps the certificate of a public app whose
/// `spec.tls` names an issuer (in the app's namespace; govcloud never writes it).
pub fn app_tls_secret(app: &str) -> String {
    format!("{app}-tls")
}
/// NetworkPolicy: deny all ingress and egress not allowed by another policy.
pub const DEFAULT_DENY: &str = "govcloud-default-deny";
/// NetworkPolicy: DNS lookups.
pub const ALLOW_DNS: &str = "govcloud-allow-dns";
/// NetworkPolicy: traffic within one tenant in one zone.
pub const SAME_TENANT: &str = "govcloud-same-tenant";
/// NetworkPolicy: what the zone lets out.
pub const ZONE_EGRESS: &str = "govcloud-zone-egress";
/// The headless Service of a stateful app, which gives its pods their
/// stable DNS names. App names never start with `govcloud-` (the CRD), so
/// no app's own Service takes it.
pub fn app_pods_service(app: &str) -> String {
    format!("govcloud-{app}-pods")
}
/// The field manager that holds an autoscaled workload's count while
/// govcloud hands it to the autoscaler (the operator's `apply::handover`).
pub const AUTOSCALING_HANDOVER: &str = "govcloud-autoscaling-handover";
/// NetworkPolicy: what an app lets in (its granted consumers).
pub fn app_ingress_policy(app: &str) -> String {
    format!("govcloud-app-{app}-ingress")
}
/// NetworkPolicy: where an app may go (its granted providers).
pub fn app_egress_policy(app: &str) -> String {
    format!("govcloud-app-{app}-egress")
}

/// A ValidatingAdmissionPolicy generated from the catalogue, by what it checks (`pods`, `services`, ...).
pub fn admission_policy(what: &str) -> String {
    format!("govcloud-{what}")
}
/// A zone-parameter ValidatingAdmissionPolicy (`pods`, `apps`, ...).
pub fn zone_admission_policy(what: &str) -> String {
    format!("govcloud-zone-{what}")
}
/// The binding of a zone-parameter admission policy for one zone.
pub fn zone_binding(policy: &str, zone: &str) -> String {
    format!("{policy}-{zone}")
}
/// The policy that checks who sets the app identity label on pods, by what holds their spec (`pods`, ...).
pub fn identity_admission_policy(what: &str) -> String {
    format!("govcloud-{what}-identity")
}
/// The policy that keeps govcloud-managed objects for the operator.
pub const MANAGED_OBJECTS_POLICY: &str = "govcloud-managed-objects";
/// The policy that keeps a Tenant with namespaces from being deleted.
pub const PREVENT_DELETION_POLICY: &str = "govcloud-tenant-prevent-deletion";

/// The policy a control's results belong to in a report (`govcloud-gc-net-001`).
pub fn control_policy(control: &str) -> String {
    format!("govcloud-{}", control.to_lowercase())
}

/// The compliance report in each tenant namespace.
pub const REPORT: &str = MANAGER;

/// The cluster-wide compliance report: [`MANAGER`], or `govcloud-<scope>`
/// for an operator that manages one scope of the cluster.
pub fn cluster_report(scope: Option<&str>) -> String {
    scope.map_or_else(|| MANAGER.to_string(), |v| format!("{MANAGER}-{v}"))
}

/// The catalogue entry (`SharedResource`, cluster-scoped) of the app `app`
/// of `tenant` in `zone`: tenant, zone and app names have no dots, so the
/// name is unique and reads back as `tenant.zone.app`.
pub fn shared_resource(tenant: &str, zone: &str, app: &str) -> String {
    format!("{tenant}.{zone}.{app}")
}

/// Namespace of a tenant in a zone. Zone names contain no hyphen, so the name
/// splits back unambiguously at its last hyphen ([`split_namespace`]).
pub fn namespace_name(tenant: &str, zone: &str) -> String {
    format!("{tenant}-{zone}")
}

/// The (tenant, zone) a tenant namespace's name is made of, split at its
/// last hyphen; None when the name has no hyphen or an empty part.
pub fn split_namespace(namespace: &str) -> Option<(&str, &str)> {
    namespace.rsplit_once('-').filter(|(t, z)| !t.is_empty() && !z.is_empty())
}

/// The zone of a namespace of `tenant`: what follows `<tenant>-`, when that
/// is a zone name (no hyphen).
pub fn zone_of_namespace<'a>(tenant: &str, namespace: &'a str) -> Option<&'a str> {
    namespace.strip_prefix(tenant)?.strip_prefix('-').filter(|z| !z.is_empty() && !z.contains('-'))
}

#[cfg(test)]
mod tests;
