//! Per tenant and allowed zone: the namespace and everything that isolates it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::ResourceExt;

use super::Owned;
use super::index::{Index, TenantEntry, mlps_level};
use super::labels::{self, namespace_name, tenant_labels};
use super::objects::meta;
use crate::api::{AuditScope, CpuMemory, NetworkZone, OwnerRole, Tenant, TenantZone, ZoneKind, pod_security_level};

/// Platform default container requests when neither app nor tenant sets them.
pub const DEFAULT_REQUEST: (&str, &str) = ("100m", "128Mi");
/// Platform default container limits when neither app nor tenant sets them.
pub const DEFAULT_LIMIT: (&str, &str) = ("500m", "512Mi");

/// Name of the default-deny policy in every tenant namespace.
pub const DEFAULT_DENY: &str = "govcloud-default-deny";

/// Objects of one tenant, in every zone it may use.
pub fn render(index: &Index<'_>, entry: &TenantEntry<'_>) -> Vec<Owned> {
    let t = entry.tenant;
    let mut out = Vec::new();
    for (zone, tz) in &entry.zones {
        out.extend(render_zone(index, t, zone, tz));
    }
    // Every owner may read the tenant itself (and nothing else cluster-wide).
    let all_owners: Vec<Subject> = OwnerRole::ALL.iter().flat_map(|r| subjects(t, *r)).collect();
    if !all_owners.is_empty() {
        let name = format!("govcloud-tenant-{}", t.name_any());
        let labels = labels::owned_by("Tenant", &t.name_any());
        out.push(Owned::ClusterRole(ClusterRole {
            metadata: meta(&name, None, labels.clone()),
            rules: Some(vec![PolicyRule {
                api_groups: Some(vec!["govcloud.io".into()]),
                resources: Some(vec!["tenants".into()]),
                resource_names: Some(vec![t.name_any()]),
                verbs: vec!["get".into(), "watch".into()],
                ..Default::default()
            }]),
            aggregation_rule: None,
        }));
        let mut unique = all_owners;
        unique.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
        unique.dedup_by(|a, b| a.kind == b.kind && a.name == b.name);
        out.push(Owned::ClusterRoleBinding(ClusterRoleBinding {
            metadata: meta(&name, None, labels),
            role_ref: cluster_role_ref(&name),
            subjects: Some(unique),
        }));
    }
    if t.spec.audit_scope == AuditScope::Cluster {
        let subjects = subjects(t, OwnerRole::Auditor);
        if !subjects.is_empty() {
            out.push(Owned::ClusterRoleBinding(ClusterRoleBinding {
                metadata: meta(&format!("govcloud-auditor-{}", t.name_any()), None, labels::owned_by("Tenant", &t.name_any())),
                role_ref: cluster_role_ref(super::platform::CLUSTER_AUDITOR),
                subjects: Some(subjects),
            }));
        }
    }
    out
}

fn render_zone(index: &Index<'_>, t: &Tenant, zone: &NetworkZone, tz: &TenantZone) -> Vec<Owned> {
    let tname = t.name_any();
    let zname = zone.name_any();
    let ns = namespace_name(&tname, &zname);
    let level = mlps_level(zone, t);
    let base = tenant_labels(&tname, &zname);
    let mut out = Vec::new();

    // Namespace
    let mut ns_labels = base.clone();
    let psa = pod_security_level(level);
    ns_labels.insert(labels::ZONE_KIND.into(), zone.spec.kind.to_string());
    ns_labels.insert(labels::MLPS_LEVEL.into(), level.to_string());
    ns_labels.insert("pod-security.kubernetes.io/enforce".into(), psa.into());
    ns_labels.insert("pod-security.kubernetes.io/enforce-version".into(), "latest".into());
    ns_labels.insert("pod-security.kubernetes.io/audit".into(), "restricted".into());
    ns_labels.insert("pod-security.kubernetes.io/warn".into(), "restricted".into());
    if t.spec.cordoned {
        ns_labels.insert(labels::CORDONED.into(), "true".into());
    }
    let mut ns_meta = meta(&ns, None, ns_labels);
    ns_meta.annotations = Some(BTreeMap::from([
        ("govcloud.io/display-name-zh".to_string(), t.spec.display_name.zh.clone()),
        ("govcloud.io/display-name-en".to_string(), t.spec.display_name.en.clone()),
    ]));
    out.push(Owned::Namespace(Namespace { metadata: ns_meta, ..Default::default() }));

    // ResourceQuota
    let q = &tz.quota;
    let mut hard = BTreeMap::from([
        ("requests.cpu".to_string(), Quantity(q.cpu.clone())),
        ("limits.cpu".to_string(), Quantity(q.cpu.clone())),
        ("requests.memory".to_string(), Quantity(q.memory.clone())),
        ("limits.memory".to_string(), Quantity(q.memory.clone())),
        ("pods".to_string(), Quantity(q.pods.to_string())),
        ("services".to_string(), Quantity(q.services.to_string())),
    ]);
    if zone.spec.kind != ZoneKind::Internet {
        // Only the internet zone may publish services outside the cluster network.
        hard.insert("services.loadbalancers".into(), Quantity("0".into()));
        hard.insert("services.nodeports".into(), Quantity("0".into()));
    }
    out.push(Owned::ResourceQuota(ResourceQuota {
        metadata: meta("govcloud-quota", Some(&ns), base.clone()),
        spec: Some(ResourceQuotaSpec { hard: Some(hard), ..Default::default() }),
        ..Default::default()
    }));

    // LimitRange
    let limits = t.spec.limits.clone().unwrap_or_default();
    let quantities = |cm: &Option<CpuMemory>, fallback: (&str, &str)| {
        let cm = cm.clone().unwrap_or_default();
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cm.cpu.unwrap_or_else(|| fallback.0.into()))),
            ("memory".to_string(), Quantity(cm.memory.unwrap_or_else(|| fallback.1.into()))),
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
        metadata: meta("govcloud-limits", Some(&ns), base.clone()),
        spec: Some(LimitRangeSpec {
            limits: vec![LimitRangeItem {
                type_: "Container".into(),
                default: Some(quantities(&limits.default_limit, DEFAULT_LIMIT)),
                default_request: Some(quantities(&limits.default_request, DEFAULT_REQUEST)),
                max: max.filter(|m| !m.is_empty()),
                ..Default::default()
            }],
        }),
    }));

    // NetworkPolicies: default deny, DNS, same namespace, the zone's way out.
    out.push(policy(
        &ns,
        DEFAULT_DENY,
        &base,
        NetworkPolicySpec { pod_selector: Some(LabelSelector::default()), policy_types: Some(vec!["Ingress".into(), "Egress".into()]), ..Default::default() },
    ));
    out.push(policy(
        &ns,
        "govcloud-allow-dns",
        &base,
        NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Egress".into()]),
            egress: Some(vec![NetworkPolicyEgressRule {
                to: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(match_labels(&[(labels::NAMESPACE_NAME, "kube-system")])),
                    pod_selector: Some(match_labels(&[("k8s-app", "kube-dns")])),
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
        "govcloud-same-tenant",
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
            "govcloud-zone-egress",
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
            metadata: meta(&format!("govcloud-{}", role.as_str()), Some(&ns), base.clone()),
            role_ref: cluster_role_ref(&super::platform::tenant_role(role)),
            subjects: Some(subjects),
        }));
    }
    out
}

/// Where a zone's workloads may send traffic outside the cluster's pods.
fn zone_egress_rules(index: &Index<'_>, zone: &NetworkZone) -> Vec<NetworkPolicyEgressRule> {
    let mut rules = Vec::new();
    let others: Vec<String> = index.zones.values().filter(|z| z.name_any() != zone.name_any()).flat_map(|z| z.spec.cidrs.iter().cloned()).collect();
    match zone.spec.kind {
        ZoneKind::Private => {
            for ep in &zone.spec.exchange_endpoints {
                if let Some(cidr) = &ep.cidr {
                    rules.push(ip_rule(cidr, &others, &ep.ports));
                }
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
            for ep in &zone.spec.exchange_endpoints {
                if let Some(cidr) = &ep.cidr {
                    rules.push(ip_rule(cidr, &others, &ep.ports));
                }
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
    LabelSelector { match_labels: Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()), match_expressions: None }
}

fn subjects(t: &Tenant, role: OwnerRole) -> Vec<Subject> {
    let mut owners: Vec<_> = t.spec.owners.iter().filter(|o| o.role == role).collect();
    owners.sort();
    owners
        .into_iter()
        .map(|o| Subject { kind: o.kind.as_str().into(), name: o.name.clone(), api_group: Some("rbac.authorization.k8s.io".into()), namespace: None })
        .collect()
}

fn cluster_role_ref(name: &str) -> RoleRef {
    RoleRef { api_group: "rbac.authorization.k8s.io".into(), kind: "ClusterRole".into(), name: name.into() }
}
