//! Per tenant and allowed zone: the namespace and everything that isolates it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{LimitRange, LimitRangeItem, LimitRangeSpec, ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
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
use govcloud_core::meta::labels::{self, tenant_labels};
use govcloud_core::meta::names::{self, namespace_name};

/// Platform default container requests when neither app nor tenant sets them.
pub const DEFAULT_REQUEST: (&str, &str) = ("100m", "128Mi");
/// Platform default container limits when neither app nor tenant sets them.
pub const DEFAULT_LIMIT: (&str, &str) = ("500m", "512Mi");

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
    // Every owner may read the tenant itself (and nothing else cluster-wide).
    let all_owners: Vec<Subject> = OwnerRole::ALL.iter().flat_map(|r| subjects(t, *r)).collect();
    if !all_owners.is_empty() {
        let name = govcloud_core::meta::names::tenant_cluster_role(&t.name_any());
        let labels = labels::owned_by("Tenant", &t.name_any());
        out.push(Owned::ClusterRole(ClusterRole {
            metadata: meta(&name, None, labels.clone()),
            rules: Some(vec![PolicyRule {
                api_groups: Some(vec![govcloud_core::meta::GROUP.into()]),
                resources: Some(vec!["tenants".into()]),
                resource_names: Some(vec![t.name_any()]),
                verbs: vec!["get".into(), "watch".into()],
                ..Default::default()
            }]),
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
                metadata: meta(&govcloud_core::meta::names::cluster_auditor_binding(&t.name_any()), None, labels::owned_by("Tenant", &t.name_any())),
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
    namespace.metadata.labels.get_or_insert_default().insert(labels::HOSTED_IN.into(), zone.spec.cluster.clone().unwrap_or_default());
    let mut hard: BTreeMap<String, Quantity> = DECLARATIONS_ONLY.iter().map(|r| (r.to_string(), Quantity("0".into()))).collect();
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
        ("count/serviceaccounts", workloads + 10),
        ("count/rolebindings.rbac.authorization.k8s.io", 100),
        ("count/resourcerequests.govcloud.io", 1000),
    ]
}

fn render_zone(index: &Index<'_>, t: &Tenant, zone: &NetworkZone, tz: &TenantZone, cluster_auditors: &[Subject]) -> Vec<Owned> {
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
        NetworkPolicySpec { pod_selector: Some(LabelSelector::default()), policy_types: Some(vec!["Ingress".into(), "Egress".into()]), ..Default::default() },
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
        let subjects = sorted_unique([OwnerRole::Admin, OwnerRole::Developer].into_iter().flat_map(|r| subjects(t, r)).collect());
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
        index.tenants.values().filter(|e| e.tenant.spec.audit_scope == AuditScope::Cluster).flat_map(|e| subjects(e.tenant, OwnerRole::Auditor)).collect(),
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
pub(crate) fn endpoint_exits<'z>(index: &Index<'_>, zone: &'z NetworkZone) -> impl Iterator<Item = (&'z str, &'z [i32])> {
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
        .chain(index.cluster_cidrs.iter().cloned())
        .collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use govcloud_core::meta::compare::parse_quantity;
    use govcloud_core::meta::names::{CLUSTER_AUDITORS_BINDING, EXEC_BINDING};
    use govcloud_core::model::{Model, load_str};

    const MODEL: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: ext}
spec:
  kind: extranet
  displayName: {zh: 外网, en: Ext}
  nodePool: {selector: {govcloud.io/zone: ext}, taint: {key: govcloud.io/zone, value: ext}}
  cidrs: [10.10.0.0/16]
  egress: {allowedCidrs: [10.0.0.0/8]}
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: priv}
spec:
  kind: private
  displayName: {zh: 专网, en: Private}
  nodePool: {selector: {govcloud.io/zone: priv}, taint: {key: govcloud.io/zone, value: priv}}
  cidrs: [10.30.0.0/16]
  mlpsLevel: 3
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: sec}
spec:
  kind: private
  displayName: {zh: 专网二, en: Private two}
  nodePool: {selector: {govcloud.io/zone: sec}, taint: {key: govcloud.io/zone, value: sec}}
  cidrs: [10.40.0.0/16]
  mlpsLevel: 3
  allowExec: true
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: admin}
spec:
  displayName: {zh: 管理, en: Admin}
  owners:
    - {kind: User, name: dev, role: developer}
    - {kind: Group, name: admin-admins, role: admin}
    - {kind: Group, name: admin-viewers, role: viewer}
    - {kind: Group, name: admin-auditors, role: auditor}
  allowedRegistries: [harbor.egov.local/admin, harbor.egov.local/shared]
  allowedHosts: [zwfw.chifeng.gov.cn, "*.mzw.chifeng.gov.cn"]
  zones:
    - {name: ext}
    - {name: priv}
    - name: sec
      quota: {cpu: "2", memory: 4Gi, pods: 10, services: 5, storage: 1Ti, persistentVolumeClaims: 7, ephemeralStorage: 5Gi, configMaps: 30, secrets: 40, apps: 3}
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: audit}
spec:
  displayName: {zh: 审计局, en: Audit}
  auditScope: cluster
  owners:
    - {kind: User, name: zed, role: auditor}
    - {kind: Group, name: audit-bureau, role: auditor}
    - {kind: Group, name: audit-admins, role: admin}
  zones: [{name: ext}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: other}
spec:
  displayName: {zh: 其他, en: Other}
  owners: [{kind: Group, name: local-auditors, role: auditor}]
  zones: [{name: priv}]
"#;

    fn model() -> Model {
        load_str("model.yaml", MODEL).unwrap_or_else(|e| panic!("{e:#?}")).model
    }

    fn rendered(model: &Model) -> Vec<Owned> {
        let r = super::super::render(model);
        assert!(r.problems.is_empty(), "{:#?}", r.problems);
        r.objects
    }

    fn find<'a>(objects: &'a [Owned], kind: &str, ns: &str, name: &str) -> Option<&'a Owned> {
        objects.iter().find(|o| o.kind() == kind && o.namespace() == ns && o.name() == name)
    }

    fn subjects_of(o: Option<&Owned>) -> Vec<(String, String)> {
        match o {
            Some(Owned::RoleBinding(rb)) => rb.subjects.clone().unwrap_or_default().into_iter().map(|s| (s.kind, s.name)).collect(),
            Some(Owned::ClusterRoleBinding(rb)) => rb.subjects.clone().unwrap_or_default().into_iter().map(|s| (s.kind, s.name)).collect(),
            other => panic!("not a binding: {other:?}"),
        }
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn quota_covers_storage_ephemeral_storage_and_object_counts() {
        let objects = rendered(&model());
        let hard = |ns: &str| match find(&objects, "ResourceQuota", ns, govcloud_core::meta::names::QUOTA) {
            Some(Owned::ResourceQuota(q)) => {
                q.spec.clone().and_then(|s| s.hard).unwrap_or_default().into_iter().map(|(k, v)| (k, v.0)).collect::<BTreeMap<_, _>>()
            }
            other => panic!("{other:?}"),
        };
        let defaults = hard("admin-ext");
        for (k, v) in [
            ("requests.storage", "100Gi"),
            ("persistentvolumeclaims", "20"),
            ("requests.ephemeral-storage", "20Gi"),
            ("limits.ephemeral-storage", "20Gi"),
            ("count/configmaps", "100"),
            ("count/secrets", "100"),
            (govcloud_core::meta::APP_COUNT_QUOTA, "20"),
        ] {
            assert_eq!(defaults.get(k).map(String::as_str), Some(v), "{k} in {defaults:?}");
        }
        let declared = hard("admin-sec");
        for (k, v) in [
            ("requests.storage", "1Ti"),
            ("persistentvolumeclaims", "7"),
            ("requests.ephemeral-storage", "5Gi"),
            ("limits.ephemeral-storage", "5Gi"),
            ("count/configmaps", "30"),
            ("count/secrets", "40"),
            (govcloud_core::meta::APP_COUNT_QUOTA, "3"),
        ] {
            assert_eq!(declared.get(k).map(String::as_str), Some(v), "{k} in {declared:?}");
        }
        let Some(Owned::LimitRange(lr)) = find(&objects, "LimitRange", "admin-ext", govcloud_core::meta::names::LIMITS) else { panic!("no LimitRange") };
        let item = &lr.spec.as_ref().expect("spec").limits[0];
        assert_eq!(item.default_request.as_ref().and_then(|d| d.get("ephemeral-storage")).map(|q| q.0.as_str()), Some(DEFAULT_EPHEMERAL.0));
        assert_eq!(item.default.as_ref().and_then(|d| d.get("ephemeral-storage")).map(|q| q.0.as_str()), Some(DEFAULT_EPHEMERAL.1));
    }

    #[test]
    fn namespaces_carry_the_tenants_registries_and_hosts_for_admission() {
        let objects = rendered(&model());
        let annotations = |ns: &str| find(&objects, "Namespace", "", ns).and_then(|o| o.meta().annotations.clone()).unwrap_or_default();
        for ns in ["admin-ext", "admin-priv", "admin-sec"] {
            let a = annotations(ns);
            assert_eq!(a.get(labels::ALLOWED_REGISTRIES).map(String::as_str), Some("harbor.egov.local/admin,harbor.egov.local/shared"), "{ns}");
            assert_eq!(a.get(labels::ALLOWED_HOSTS).map(String::as_str), Some("zwfw.chifeng.gov.cn,*.mzw.chifeng.gov.cn"), "{ns}");
        }
        let a = annotations("other-priv");
        assert!(!a.contains_key(labels::ALLOWED_REGISTRIES) && !a.contains_key(labels::ALLOWED_HOSTS), "{a:?}");
        assert!(a.contains_key(govcloud_core::meta::labels::DISPLAY_NAME_ZH));
    }

    #[test]
    fn a_tenant_named_like_a_role_gets_its_own_cluster_names() {
        let objects = rendered(&model());
        let platform: Vec<String> = super::super::render_platform().iter().map(|o| o.name().to_string()).collect();
        for o in objects.iter().filter(|o| o.namespace().is_empty() && matches!(o.kind(), "ClusterRole" | "ClusterRoleBinding")) {
            assert!(!platform.iter().any(|p| p == o.name()), "{} has a platform object's name", o.id());
        }
        assert!(find(&objects, "ClusterRole", "", "govcloud:tenant:admin").is_some());
        let Some(Owned::ClusterRoleBinding(crb)) = find(&objects, "ClusterRoleBinding", "", "govcloud:tenant:admin") else { panic!("no binding") };
        assert_eq!(crb.role_ref.name, "govcloud:tenant:admin");
        let Some(Owned::ClusterRoleBinding(aud)) = find(&objects, "ClusterRoleBinding", "", "govcloud:auditor:audit") else { panic!("no auditor binding") };
        assert_eq!(aud.role_ref.name, super::names::CLUSTER_AUDITOR);
        let mut auditors = subjects_of(find(&objects, "ClusterRoleBinding", "", "govcloud:auditor:audit"));
        auditors.sort();
        assert_eq!(auditors, pairs(&[("Group", "audit-bureau"), ("User", "zed")]));
        assert!(find(&objects, "ClusterRoleBinding", "", "govcloud:auditor:other").is_none(), "tenant-scope auditors get no cluster binding");
    }

    #[test]
    fn exec_is_bound_to_admins_and_developers_at_level_2_or_where_the_zone_allows_it() {
        let objects = rendered(&model());
        let exec = |ns: &str| find(&objects, "RoleBinding", ns, EXEC_BINDING);
        let Some(Owned::RoleBinding(rb)) = exec("admin-ext") else { panic!("no exec binding at level 2") };
        assert_eq!(rb.role_ref.name, super::names::EXEC_ROLE);
        assert_eq!(subjects_of(exec("admin-ext")), pairs(&[("Group", "admin-admins"), ("User", "dev")]));
        assert!(exec("admin-priv").is_none(), "MLPS 3 without allowExec");
        assert_eq!(subjects_of(exec("admin-sec")), pairs(&[("Group", "admin-admins"), ("User", "dev")]));
        assert!(exec("other-priv").is_none(), "no admins or developers");
        assert_eq!(subjects_of(exec("audit-ext")), pairs(&[("Group", "audit-admins")]));

        // A tenant raised to MLPS 3 loses exec in a level-2 zone.
        let mut m = model();
        for t in m.tenants.iter_mut().filter(|t| t.name_any() == "admin") {
            t.spec.mlps_level = Some(3);
        }
        let objects = rendered(&m);
        assert!(find(&objects, "RoleBinding", "admin-ext", EXEC_BINDING).is_none());
        assert!(find(&objects, "RoleBinding", "admin-sec", EXEC_BINDING).is_some());
    }

    #[test]
    fn cluster_auditors_read_every_tenant_namespace_through_a_role_binding() {
        let objects = rendered(&model());
        let namespaces: Vec<&str> = objects.iter().filter(|o| o.kind() == "Namespace").map(|o| o.name()).collect();
        assert_eq!(namespaces, ["admin-ext", "admin-priv", "admin-sec", "audit-ext", "other-priv"]);
        for ns in namespaces {
            let Some(Owned::RoleBinding(rb)) = find(&objects, "RoleBinding", ns, CLUSTER_AUDITORS_BINDING) else { panic!("none in {ns}") };
            assert_eq!(rb.role_ref.name, govcloud_core::meta::names::tenant_role(OwnerRole::Auditor.as_str()));
            assert_eq!(subjects_of(find(&objects, "RoleBinding", ns, CLUSTER_AUDITORS_BINDING)), pairs(&[("Group", "audit-bureau"), ("User", "zed")]));
        }
        // Without a cluster-scope tenant, no such binding anywhere.
        let mut m = model();
        m.tenants.retain(|t| t.name_any() != "audit");
        assert!(rendered(&m).iter().all(|o| o.name() != CLUSTER_AUDITORS_BINDING));
    }

    /// Every ipBlock of every policy, with where it is.
    fn ip_blocks(objects: &[Owned]) -> Vec<(String, IPBlock)> {
        let mut out = Vec::new();
        for o in objects {
            let Owned::NetworkPolicy(p) = o else { continue };
            let spec = p.spec.clone().unwrap_or_default();
            let peers = spec
                .ingress
                .unwrap_or_default()
                .into_iter()
                .flat_map(|r| r.from.unwrap_or_default())
                .chain(spec.egress.unwrap_or_default().into_iter().flat_map(|r| r.to.unwrap_or_default()));
            out.extend(peers.filter_map(|peer| peer.ip_block).map(|b| (o.id(), b)));
        }
        out
    }

    fn excepts_cluster_ranges(objects: &[Owned], cluster: &[&str]) -> usize {
        let mut wide = 0;
        for (id, b) in ip_blocks(objects) {
            let outer: ipnet::IpNet = b.cidr.parse().expect("cidr");
            for c in cluster {
                let inner: ipnet::IpNet = c.parse().expect("cidr");
                if outer.contains(&inner) && outer != inner {
                    wide += 1;
                    assert!(b.except.as_ref().is_some_and(|e| e.iter().any(|x| x == c)), "{id}: ipBlock {} does not except {c}: {:?}", b.cidr, b.except);
                }
            }
        }
        wide
    }

    #[test]
    fn wide_ip_blocks_except_the_clusters_pod_and_service_ranges() {
        let m = model();
        assert_eq!(m.cluster_cidrs, govcloud_core::model::DEFAULT_CLUSTER_CIDRS.map(String::from));
        let objects = rendered(&m);
        assert!(excepts_cluster_ranges(&objects, &govcloud_core::model::DEFAULT_CLUSTER_CIDRS) >= 2, "the 10.0.0.0/8 egress range contains both");
        let Some(Owned::NetworkPolicy(p)) = find(&objects, "NetworkPolicy", "admin-ext", govcloud_core::meta::names::ZONE_EGRESS) else { panic!("no egress") };
        let except = p.spec.clone().and_then(|s| s.egress).and_then(|e| e[0].to.clone()).and_then(|t| t[0].ip_block.clone()).and_then(|b| b.except);
        assert_eq!(except, Some(vec!["10.244.0.0/16".to_string(), "10.30.0.0/16".to_string(), "10.40.0.0/16".to_string(), "10.96.0.0/12".to_string()]));

        // Configurable: other ranges are excepted instead.
        let mut m = model();
        m.cluster_cidrs = vec!["10.128.0.0/14".into(), "172.30.0.0/16".into()];
        let objects = rendered(&m);
        assert!(excepts_cluster_ranges(&objects, &["10.128.0.0/14"]) >= 1);
        assert!(ip_blocks(&objects).iter().all(|(_, b)| b.except.iter().flatten().all(|e| e != "10.244.0.0/16")));

        // The Chifeng model: the internet (0.0.0.0/0) egress and public apps' ingress.
        let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
        let chifeng = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
        let objects = super::super::render(&chifeng).objects;
        let wide = excepts_cluster_ranges(&objects, &govcloud_core::model::DEFAULT_CLUSTER_CIDRS);
        assert!(wide >= 4, "only {wide} wide blocks checked");
    }

    #[test]
    fn the_chifeng_deployments_fit_their_ephemeral_storage_quota() {
        let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
        let chifeng = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
        let objects = super::super::render(&chifeng).objects;
        let limit = parse_quantity(DEFAULT_EPHEMERAL.1).expect("limit");
        let request = parse_quantity(DEFAULT_EPHEMERAL.0).expect("request");
        let mut need: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for o in &objects {
            let Owned::Deployment(d) = o else { continue };
            let spec = d.spec.as_ref().expect("spec");
            let pod = spec.template.spec.as_ref().expect("pod");
            let mut per_pod = (0.0, 0.0);
            for c in &pod.containers {
                let r = c.resources.clone().unwrap_or_default();
                let get = |m: &Option<BTreeMap<String, Quantity>>, fallback: f64| {
                    m.as_ref().and_then(|m| m.get("ephemeral-storage")).and_then(|q| parse_quantity(&q.0)).unwrap_or(fallback)
                };
                per_pod.0 += get(&r.requests, request);
                per_pod.1 += get(&r.limits, limit);
            }
            // Scratch volumes fit inside the pod's limit.
            let scratch: f64 =
                pod.volumes.iter().flatten().filter_map(|v| v.empty_dir.as_ref()?.size_limit.as_ref()).filter_map(|q| parse_quantity(&q.0)).sum();
            assert!(scratch <= per_pod.1, "{}: emptyDir {scratch} over the pod's ephemeral limit {}", o.id(), per_pod.1);
            // A rolling update runs up to 25% more pods (rounded up).
            let replicas = f64::from(spec.replicas.unwrap_or(1));
            let pods = replicas + (replicas * 0.25).ceil();
            let e = need.entry(o.namespace().to_string()).or_default();
            e.0 += pods * per_pod.0;
            e.1 += pods * per_pod.1;
        }
        assert!(!need.is_empty());
        for (ns, (req, lim)) in need {
            let Some(Owned::ResourceQuota(q)) = find(&objects, "ResourceQuota", &ns, govcloud_core::meta::names::QUOTA) else { panic!("no quota in {ns}") };
            let hard = q.spec.clone().and_then(|s| s.hard).unwrap_or_default();
            let get = |k: &str| hard.get(k).and_then(|q| parse_quantity(&q.0)).unwrap_or_else(|| panic!("{k} in {ns}"));
            assert!(req <= get("requests.ephemeral-storage"), "{ns}: requests {req}");
            assert!(lim <= get("limits.ephemeral-storage"), "{ns}: limits {lim}");
        }
    }
}
