//! Per tenant and allowed zone: the namespace and everything that isolates it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{LimitRange, LimitRangeItem, LimitRangeSpec, ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::ResourceExt;

use super::Owned;
use super::index::{Index, TenantEntry};
use super::namespaces::{mlps_level, namespace};
use super::objects::meta;
use govcloud_core::api::{AuditScope, CpuMemory, NetworkZone, OwnerRole, Tenant, TenantZone, ZoneKind};
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels::{self, tenant_labels};
use govcloud_core::meta::names::{self, namespace_name};

pub use crate::defaults::{DEFAULT_LIMIT, DEFAULT_REQUEST};

/// Platform default container ephemeral storage (request, limit): scratch
/// space, container logs and writable layers, counted against the quota's
/// `requests.ephemeral-storage` and `limits.ephemeral-storage`. The limit
/// holds an app's 64Mi `/tmp` emptyDir with room to spare.
pub const DEFAULT_EPHEMERAL: (&str, &str) = ("64Mi", "1Gi");

/// Objects of one tenant, in every zone it may use.
pub fn render(index: &Index<'_>, entry: &TenantEntry<'_>) -> Vec<Owned> {
    let t = entry.tenant;
    let mut out = Vec::new();
    let cluster_auditors = cluster_auditors(index);
    for (zone, tz) in &entry.zones {
        if index.hosts(zone) {
            out.extend(render_zone(index, t, zone, tz, &cluster_auditors));
        } else {
            out.extend(declarations_only(t, zone, tz));
        }
    }
    // Every owner may read the tenant itself, the zones it uses and the
    // catalogue of shared resources (and nothing else cluster-wide): the
    // tenant and its zones by name only, so that `kubectl get tenant NAME`
    // and `kubectl get nz NAME` work while a list (which would name every
    // other department, and the ranges of zones it does not use) stays
    // forbidden; the catalogue is listed, as every department reads it.
    let all_owners: Vec<Subject> = OwnerRole::ALL.iter().flat_map(|r| subjects(t, *r)).collect();
    if !all_owners.is_empty() {
        let name = govcloud_core::meta::names::tenant_cluster_role(&t.name_any());
        let labels = labels::owned_by(OwnerKind::Tenant, &t.name_any());
        let mut zones: Vec<String> = t.spec.zones.iter().map(|z| z.name.clone()).collect();
        zones.sort();
        zones.dedup();
        let rules = [
            Some(PolicyRule {
                api_groups: Some(vec![govcloud_core::meta::GROUP.into()]),
                resources: Some(vec!["tenants".into()]),
                resource_names: Some(vec![t.name_any()]),
                verbs: vec!["get".into(), "watch".into()],
                ..Default::default()
            }),
            // No rule for a tenant without zones: empty resourceNames would
            // grant every zone.
            (!zones.is_empty()).then(|| PolicyRule {
                api_groups: Some(vec![govcloud_core::meta::GROUP.into()]),
                resources: Some(vec!["networkzones".into()]),
                resource_names: Some(zones),
                verbs: vec!["get".into(), "watch".into()],
                ..Default::default()
            }),
            Some(PolicyRule {
                api_groups: Some(vec![govcloud_core::meta::GROUP.into()]),
                resources: Some(vec![govcloud_core::meta::kinds::SHARED_RESOURCES.into()]),
                verbs: vec!["get".into(), "list".into(), "watch".into()],
                ..Default::default()
            }),
        ];
        out.push(Owned::ClusterRole(ClusterRole {
            metadata: meta(&name, None, labels.clone()),
            rules: Some(rules.into_iter().flatten().collect()),
            aggregation_rule: None,
        }));
        let unique = sorted_unique(all_owners);
        out.push(Owned::ClusterRoleBinding(ClusterRoleBinding {
            metadata: meta(&govcloud_core::meta::names::tenant_cluster_role_binding(&t.name_any()), None, labels),
            role_ref: cluster_role_ref(&name),
            subjects: Some(unique),
        }));
    }
    if t.spec.audit_scope == AuditScope::Cluster {
        let subjects = subjects(t, OwnerRole::Auditor);
        if !subjects.is_empty() {
            out.push(Owned::ClusterRoleBinding(ClusterRoleBinding {
                metadata: meta(
                    &govcloud_core::meta::names::cluster_auditor_binding(&t.name_any()),
                    None,
                    labels::owned_by(OwnerKind::Tenant, &t.name_any()),
                ),
                role_ref: cluster_role_ref(names::CLUSTER_AUDITOR),
                subjects: Some(subjects),
            }));
        }
    }
    out
}

/// A tenant's namespace in a zone another cluster hosts: the model is applied
/// to every cluster, so the tenant's apps there are declared here too (both
/// sides of a flow between clusters decide it alike), but nothing runs here.
/// The namespace says which cluster hosts the zone; its quota admits the
/// declarations and nothing that runs or serves. No policies, no bindings: no
/// department works here.
fn declarations_only(t: &Tenant, zone: &NetworkZone, tz: &TenantZone) -> Vec<Owned> {
    let (tname, zname) = (t.name_any(), zone.name_any());
    let ns = namespace_name(&tname, &zname);
    let mut namespace = namespace(t, zone);
    namespace
        .metadata
        .labels
        .get_or_insert_default()
        .insert(labels::HOSTED_IN.into(), zone.spec.cluster.clone().unwrap_or_default());
    let mut hard: BTreeMap<String, Quantity> =
        DECLARATIONS_ONLY.iter().map(|r| (r.to_string(), Quantity("0".into()))).collect();
    hard.insert(govcloud_core::meta::APP_COUNT_QUOTA.to_string(), Quantity(tz.quota.apps.to_string()));
    vec![
        Owned::Namespace(namespace),
        Owned::ResourceQuota(ResourceQuota {
            metadata: meta(names::QUOTA, Some(&ns), tenant_labels(&tname, &zname)),
            spec: Some(ResourceQuotaSpec { hard: Some(hard), ..Default::default() }),
            ..Default::default()
        }),
    ]
}

/// What a declaration namespace's quota holds at zero: nothing runs, serves,
/// stores or is computed there.
pub const DECLARATIONS_ONLY: &[&str] = &[
    "pods",
    "services",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
    "requests.storage",
    "persistentvolumeclaims",
    "requests.ephemeral-storage",
    "count/deployments.apps",
    "count/statefulsets.apps",
    "count/daemonsets.apps",
    "count/replicasets.apps",
    "count/jobs.batch",
    "count/cronjobs.batch",
    "count/ingresses.networking.k8s.io",
    "count/secrets",
];

/// Count quotas of the kinds a department may create besides those the
/// Tenant's quota names: at most one workload per pod, the ReplicaSets their
/// revision history keeps (govcloud keeps 5, Kubernetes' default is 10),
/// and fixed ceilings for accounts, bindings and requests.
pub fn object_counts(q: &govcloud_core::api::ZoneQuota) -> Vec<(&'static str, i64)> {
    let workloads = i64::from(q.pods.max(q.apps));
    vec![
        ("count/deployments.apps", workloads),
        ("count/statefulsets.apps", workloads),
        ("count/replicasets.apps", workloads * 11),
        ("count/jobs.batch", workloads),
        ("count/cronjobs.batch", workloads),
        ("count/horizontalpodautoscalers.autoscaling", workloads),
        ("count/serviceaccounts", workloads + 10),
        ("count/rolebindings.rbac.authorization.k8s.io", 100),
        ("count/resourcerequests.govcloud.io", 1000),
    ]
}

fn render_zone(
    index: &Index<'_>,
    t: &Tenant,
    zone: &NetworkZone,
    tz: &TenantZone,
    cluster_auditors: &[Subject],
) -> Vec<Owned> {
    let tname = t.name_any();
    let zname = zone.name_any();
    let ns = namespace_name(&tname, &zname);
    let level = mlps_level(zone, t);
    let base = tenant_labels(&tname, &zname);
    let mut out = Vec::new();

    out.push(Owned::Namespace(namespace(t, zone)));

    // ResourceQuota
    let q = &tz.quota;
    let mut hard = BTreeMap::from([
        ("requests.cpu".to_string(), Quantity(q.cpu.clone())),
        ("limits.cpu".to_string(), Quantity(q.cpu.clone())),
        ("requests.memory".to_string(), Quantity(q.memory.clone())),
        ("limits.memory".to_string(), Quantity(q.memory.clone())),
        ("pods".to_string(), Quantity(q.pods.to_string())),
        ("services".to_string(), Quantity(q.services.to_string())),
        ("requests.storage".to_string(), Quantity(q.storage.clone())),
        ("persistentvolumeclaims".to_string(), Quantity(q.persistent_volume_claims.to_string())),
        ("requests.ephemeral-storage".to_string(), Quantity(q.ephemeral_storage.clone())),
        ("limits.ephemeral-storage".to_string(), Quantity(q.ephemeral_storage.clone())),
        ("count/configmaps".to_string(), Quantity(q.config_maps.to_string())),
        ("count/secrets".to_string(), Quantity(q.secrets.to_string())),
        (govcloud_core::meta::APP_COUNT_QUOTA.to_string(), Quantity(q.apps.to_string())),
        // No zone publishes a port on the nodes: the internet zone's exposure is its Ingress.
        ("services.loadbalancers".to_string(), Quantity("0".into())),
        ("services.nodeports".to_string(), Quantity("0".into())),
    ]);
    // Every other kind a department may create is counted too, so no one fills etcd.
    hard.extend(object_counts(q).into_iter().map(|(k, v)| (k.to_string(), Quantity(v.to_string()))));
    out.push(Owned::ResourceQuota(ResourceQuota {
        metadata: meta(names::QUOTA, Some(&ns), base.clone()),
        spec: Some(ResourceQuotaSpec { hard: Some(hard), ..Default::default() }),
        ..Default::default()
    }));

    // LimitRange
    let limits = t.spec.limits.clone().unwrap_or_default();
    let quantities = |cm: &Option<CpuMemory>, fallback: (&str, &str), ephemeral: &str| {
        let cm = cm.clone().unwrap_or_default();
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cm.cpu.unwrap_or_else(|| fallback.0.into()))),
            ("memory".to_string(), Quantity(cm.memory.unwrap_or_else(|| fallback.1.into()))),
            ("ephemeral-storage".to_string(), Quantity(ephemeral.into())),
        ])
    };
    let max = limits.max.as_ref().map(|m| {
        let mut v = BTreeMap::new();
        if let Some(c) = &m.cpu {
            v.insert("cpu".to_string(), Quantity(c.clone()));
        }
        if let Some(mem) = &m.memory {
            v.insert("memory".to_string(), Quantity(mem.clone()));
        }
        v
    });
    out.push(Owned::LimitRange(LimitRange {
        metadata: meta(names::LIMITS, Some(&ns), base.clone()),
        spec: Some(LimitRangeSpec {
            limits: vec![LimitRangeItem {
                type_: "Container".into(),
                default: Some(quantities(&limits.default_limit, DEFAULT_LIMIT, DEFAULT_EPHEMERAL.1)),
                default_request: Some(quantities(&limits.default_request, DEFAULT_REQUEST, DEFAULT_EPHEMERAL.0)),
                max: max.filter(|m| !m.is_empty()),
                ..Default::default()
            }],
        }),
    }));

    // NetworkPolicies: default deny, DNS, same namespace, the zone's way out.
    out.push(policy(
        &ns,
        names::DEFAULT_DENY,
        &base,
        NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ..Default::default()
        },
    ));
    out.push(policy(
        &ns,
        names::ALLOW_DNS,
        &base,
        NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Egress".into()]),
            egress: Some(vec![NetworkPolicyEgressRule {
                to: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(match_labels(&[(labels::NAMESPACE_NAME, names::DNS_NAMESPACE)])),
                    pod_selector: Some(match_labels(&[names::DNS_POD])),
                    ..Default::default()
                }]),
                ports: Some(vec![port(53, "UDP"), port(53, "TCP")]),
            }]),
            ..Default::default()
        },
    ));
    let same_ns = NetworkPolicyPeer { pod_selector: Some(LabelSelector::default()), ..Default::default() };
    out.push(policy(
        &ns,
        names::SAME_TENANT,
        &base,
        NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule { from: Some(vec![same_ns.clone()]), ports: None }]),
            egress: Some(vec![NetworkPolicyEgressRule { to: Some(vec![same_ns]), ports: None }]),
        },
    ));
    let egress = zone_egress_rules(index, zone);
    if !egress.is_empty() {
        out.push(policy(
            &ns,
            names::ZONE_EGRESS,
            &base,
            NetworkPolicySpec {
                pod_selector: Some(LabelSelector::default()),
                policy_types: Some(vec!["Egress".into()]),
                egress: Some(egress),
                ..Default::default()
            },
        ));
    }

    // RoleBindings, after the isolation above (apply order follows Owned's order).
    for role in OwnerRole::ALL {
        let subjects = subjects(t, role);
        if subjects.is_empty() {
            continue;
        }
        out.push(Owned::RoleBinding(RoleBinding {
            metadata: meta(&names::tenant_role_binding(role.as_str()), Some(&ns), base.clone()),
            role_ref: cluster_role_ref(&govcloud_core::meta::names::tenant_role(role.as_str())),
            subjects: Some(subjects),
        }));
    }
    // exec, attach and port-forward: for admins and developers, at MLPS level 2
    // or where the zone allows them at level 3.
    if level < 3 || zone.spec.allow_exec {
        let subjects =
            sorted_unique([OwnerRole::Admin, OwnerRole::Developer].into_iter().flat_map(|r| subjects(t, r)).collect());
        if !subjects.is_empty() {
            out.push(Owned::RoleBinding(RoleBinding {
                metadata: meta(names::EXEC_BINDING, Some(&ns), base.clone()),
                role_ref: cluster_role_ref(names::EXEC_ROLE),
                subjects: Some(subjects),
            }));
        }
    }
    // Auditors of every cluster-scope tenant read each tenant namespace through
    // the tenant auditor role (and nothing in the platform's namespaces).
    if !cluster_auditors.is_empty() {
        out.push(Owned::RoleBinding(RoleBinding {
            metadata: meta(names::CLUSTER_AUDITORS_BINDING, Some(&ns), base.clone()),
            role_ref: cluster_role_ref(&govcloud_core::meta::names::tenant_role(OwnerRole::Auditor.as_str())),
            subjects: Some(cluster_auditors.to_vec()),
        }));
    }
    out
}

/// Auditors of every tenant with `auditScope: cluster`, sorted, each once.
fn cluster_auditors(index: &Index<'_>) -> Vec<Subject> {
    sorted_unique(
        index
            .tenants
            .values()
            .filter(|e| e.tenant.spec.audit_scope == AuditScope::Cluster)
            .flat_map(|e| subjects(e.tenant, OwnerRole::Auditor))
            .collect(),
    )
}

fn sorted_unique(mut subjects: Vec<Subject>) -> Vec<Subject> {
    subjects.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    subjects.dedup_by(|a, b| a.kind == b.kind && a.name == b.name);
    subjects
}

/// The addresses outside the cluster a zone's exchange endpoints open, with
/// their ports: endpoints with a cidr, except those outside the zone's and
/// its peer zones' ranges.
pub(crate) fn endpoint_exits<'z>(
    index: &Index<'_>,
    zone: &'z NetworkZone,
) -> impl Iterator<Item = (&'z str, &'z [i32])> {
    let zname = zone.name_any();
    let rejected: Vec<usize> = index.rejected_endpoints.iter().filter(|(z, _)| *z == zname).map(|(_, i)| *i).collect();
    zone.spec
        .exchange_endpoints
        .iter()
        .enumerate()
        .filter(move |(i, _)| !rejected.contains(i))
        .filter_map(|(_, ep)| Some((ep.cidr.as_deref()?, ep.ports.as_slice())))
}

/// Where a zone's workloads may send traffic outside the cluster's pods.
fn zone_egress_rules(index: &Index<'_>, zone: &NetworkZone) -> Vec<NetworkPolicyEgressRule> {
    let mut rules = Vec::new();
    let others: Vec<String> = index
        .zones
        .values()
        .filter(|z| z.name_any() != zone.name_any())
        .flat_map(|z| z.spec.cidrs.iter().cloned())
        .collect();
    let others = index.egress_except(others);
    let endpoints = || endpoint_exits(index, zone);
    match zone.spec.kind {
        ZoneKind::Private => {
            for (cidr, ports) in endpoints() {
                rules.push(ip_rule(cidr, &others, ports));
            }
        }
        ZoneKind::Extranet | ZoneKind::Internet => {
            if let Some(e) = &zone.spec.egress {
                for cidr in &e.allowed_cidrs {
                    rules.push(ip_rule(cidr, &others, &[]));
                }
                if let Some(g) = &e.gateway {
                    rules.push(ip_rule(&g.cidr, &others, &g.ports));
                }
            }
            for (cidr, ports) in endpoints() {
                rules.push(ip_rule(cidr, &others, ports));
            }
        }
    }
    rules
}

/// An egress rule to `cidr`, minus other zones' ranges inside it, so a wide
/// egress range never opens a path into another zone's network.
fn ip_rule(cidr: &str, other_zones: &[String], ports: &[i32]) -> NetworkPolicyEgressRule {
    NetworkPolicyEgressRule {
        to: Some(vec![NetworkPolicyPeer { ip_block: Some(ip_block(cidr, other_zones)), ..Default::default() }]),
        ports: (!ports.is_empty()).then(|| ports.iter().map(|p| port(*p, "TCP")).collect()),
    }
}

/// An ipBlock for `cidr` excepting the given ranges that lie strictly inside it.
pub(crate) fn ip_block(cidr: &str, except: &[String]) -> IPBlock {
    let outer: Option<ipnet::IpNet> = cidr.parse().ok();
    let mut ex: Vec<String> = except
        .iter()
        .filter(|c| match (outer, c.parse::<ipnet::IpNet>()) {
            (Some(o), Ok(inner)) => o.contains(&inner) && o != inner,
            _ => false,
        })
        .cloned()
        .collect();
    ex.sort();
    ex.dedup();
    IPBlock { cidr: cidr.to_string(), except: (!ex.is_empty()).then_some(ex) }
}

pub(crate) fn policy(ns: &str, name: &str, labels: &BTreeMap<String, String>, spec: NetworkPolicySpec) -> Owned {
    Owned::NetworkPolicy(NetworkPolicy { metadata: meta(name, Some(ns), labels.clone()), spec: Some(spec) })
}

pub(crate) fn port(p: i32, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort { port: Some(IntOrString::Int(p)), protocol: Some(protocol.into()), end_port: None }
}

pub(crate) fn match_labels(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
        match_expressions: None,
    }
}

fn subjects(t: &Tenant, role: OwnerRole) -> Vec<Subject> {
    let mut owners: Vec<_> = t.spec.owners.iter().filter(|o| o.role == role).collect();
    owners.sort();
    owners
        .into_iter()
        .map(|o| Subject {
            kind: o.kind.as_str().into(),
            name: o.name.clone(),
            api_group: Some("rbac.authorization.k8s.io".into()),
            namespace: None,
        })
        .collect()
}

fn cluster_role_ref(name: &str) -> RoleRef {
    RoleRef { api_group: "rbac.authorization.k8s.io".into(), kind: "ClusterRole".into(), name: name.into() }
}

#[cfg(test)]
mod api_server_tests;
#[cfg(test)]
mod tests;
