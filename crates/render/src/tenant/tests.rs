use super::*;
use govcloud_core::meta::names::{CLUSTER_AUDITORS_BINDING, EXEC_BINDING};
use govcloud_core::meta::quantity::Quantity as Exact;
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
        Some(Owned::RoleBinding(rb)) => {
            rb.subjects.clone().unwrap_or_default().into_iter().map(|s| (s.kind, s.name)).collect()
        }
        Some(Owned::ClusterRoleBinding(rb)) => {
            rb.subjects.clone().unwrap_or_default().into_iter().map(|s| (s.kind, s.name)).collect()
        }
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
        Some(Owned::ResourceQuota(q)) => q
            .spec
            .clone()
            .and_then(|s| s.hard)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect::<BTreeMap<_, _>>(),
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
    let Some(Owned::LimitRange(lr)) = find(&objects, "LimitRange", "admin-ext", govcloud_core::meta::names::LIMITS)
    else {
        panic!("no LimitRange")
    };
    let item = &lr.spec.as_ref().expect("spec").limits[0];
    assert_eq!(
        item.default_request.as_ref().and_then(|d| d.get("ephemeral-storage")).map(|q| q.0.as_str()),
        Some(DEFAULT_EPHEMERAL.0)
    );
    assert_eq!(
        item.default.as_ref().and_then(|d| d.get("ephemeral-storage")).map(|q| q.0.as_str()),
        Some(DEFAULT_EPHEMERAL.1)
    );
}

#[test]
fn namespaces_carry_the_tenants_registries_and_hosts_for_admission() {
    let objects = rendered(&model());
    let annotations =
        |ns: &str| find(&objects, "Namespace", "", ns).and_then(|o| o.meta().annotations.clone()).unwrap_or_default();
    for ns in ["admin-ext", "admin-priv", "admin-sec"] {
        let a = annotations(ns);
        assert_eq!(
            a.get(labels::ALLOWED_REGISTRIES).map(String::as_str),
            Some("harbor.egov.local/admin,harbor.egov.local/shared"),
            "{ns}"
        );
        assert_eq!(
            a.get(labels::ALLOWED_HOSTS).map(String::as_str),
            Some("zwfw.chifeng.gov.cn,*.mzw.chifeng.gov.cn"),
            "{ns}"
        );
    }
    let a = annotations("other-priv");
    assert!(!a.contains_key(labels::ALLOWED_REGISTRIES) && !a.contains_key(labels::ALLOWED_HOSTS), "{a:?}");
    assert!(a.contains_key(govcloud_core::meta::labels::DISPLAY_NAME_ZH));
}

#[test]
fn a_tenant_named_like_a_role_gets_its_own_cluster_names() {
    let objects = rendered(&model());
    let platform: Vec<String> = super::super::render_platform().iter().map(|o| o.name().to_string()).collect();
    for o in
        objects.iter().filter(|o| o.namespace().is_empty() && matches!(o.kind(), "ClusterRole" | "ClusterRoleBinding"))
    {
        assert!(!platform.iter().any(|p| p == o.name()), "{} has a platform object's name", o.id());
    }
    assert!(find(&objects, "ClusterRole", "", "govcloud:tenant:admin").is_some());
    let Some(Owned::ClusterRoleBinding(crb)) = find(&objects, "ClusterRoleBinding", "", "govcloud:tenant:admin") else {
        panic!("no binding")
    };
    assert_eq!(crb.role_ref.name, "govcloud:tenant:admin");
    let Some(Owned::ClusterRoleBinding(aud)) = find(&objects, "ClusterRoleBinding", "", "govcloud:auditor:audit")
    else {
        panic!("no auditor binding")
    };
    assert_eq!(aud.role_ref.name, super::names::CLUSTER_AUDITOR);
    let mut auditors = subjects_of(find(&objects, "ClusterRoleBinding", "", "govcloud:auditor:audit"));
    auditors.sort();
    assert_eq!(auditors, pairs(&[("Group", "audit-bureau"), ("User", "zed")]));
    assert!(
        find(&objects, "ClusterRoleBinding", "", "govcloud:auditor:other").is_none(),
        "tenant-scope auditors get no cluster binding"
    );
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
        let Some(Owned::RoleBinding(rb)) = find(&objects, "RoleBinding", ns, CLUSTER_AUDITORS_BINDING) else {
            panic!("none in {ns}")
        };
        assert_eq!(rb.role_ref.name, govcloud_core::meta::names::tenant_role(OwnerRole::Auditor.as_str()));
        assert_eq!(
            subjects_of(find(&objects, "RoleBinding", ns, CLUSTER_AUDITORS_BINDING)),
            pairs(&[("Group", "audit-bureau"), ("User", "zed")])
        );
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
                assert!(
                    b.except.as_ref().is_some_and(|e| e.iter().any(|x| x == c)),
                    "{id}: ipBlock {} does not except {c}: {:?}",
                    b.cidr,
                    b.except
                );
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
    assert!(
        excepts_cluster_ranges(&objects, &govcloud_core::model::DEFAULT_CLUSTER_CIDRS) >= 2,
        "the 10.0.0.0/8 egress range contains both"
    );
    let Some(Owned::NetworkPolicy(p)) =
        find(&objects, "NetworkPolicy", "admin-ext", govcloud_core::meta::names::ZONE_EGRESS)
    else {
        panic!("no egress")
    };
    let except = p
        .spec
        .clone()
        .and_then(|s| s.egress)
        .and_then(|e| e[0].to.clone())
        .and_then(|t| t[0].ip_block.clone())
        .and_then(|b| b.except);
    assert_eq!(
        except,
        Some(vec![
            "10.244.0.0/16".to_string(),
            "10.30.0.0/16".to_string(),
            "10.40.0.0/16".to_string(),
            "10.96.0.0/12".to_string()
        ])
    );

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
    let exact = |q: &str| Exact::parse(q).ok();
    let limit = exact(DEFAULT_EPHEMERAL.1).expect("limit");
    let request = exact(DEFAULT_EPHEMERAL.0).expect("request");
    let mut need: BTreeMap<String, (Exact, Exact)> = BTreeMap::new();
    for o in &objects {
        let Owned::Deployment(d) = o else { continue };
        let spec = d.spec.as_ref().expect("spec");
        let pod = spec.template.spec.as_ref().expect("pod");
        let mut per_pod = (Exact::ZERO, Exact::ZERO);
        for c in &pod.containers {
            let r = c.resources.clone().unwrap_or_default();
            let get = |m: &Option<BTreeMap<String, Quantity>>, fallback: Exact| {
                m.as_ref().and_then(|m| m.get("ephemeral-storage")).and_then(|q| exact(&q.0)).unwrap_or(fallback)
            };
            per_pod.0 += get(&r.requests, request);
            per_pod.1 += get(&r.limits, limit);
        }
        // Scratch volumes fit inside the pod's limit.
        let scratch: Exact = pod
            .volumes
            .iter()
            .flatten()
            .filter_map(|v| v.empty_dir.as_ref()?.size_limit.as_ref())
            .filter_map(|q| exact(&q.0))
            .sum();
        assert!(scratch <= per_pod.1, "{}: emptyDir {scratch} over the pod's ephemeral limit {}", o.id(), per_pod.1);
        // A rolling update runs up to 25% more pods (rounded up).
        let replicas = spec.replicas.unwrap_or(1);
        let pods = replicas + (replicas + 3) / 4;
        let e = need.entry(o.namespace().to_string()).or_default();
        e.0 += per_pod.0.percent(100 * pods);
        e.1 += per_pod.1.percent(100 * pods);
    }
    assert!(!need.is_empty());
    for (ns, (req, lim)) in need {
        let Some(Owned::ResourceQuota(q)) = find(&objects, "ResourceQuota", &ns, govcloud_core::meta::names::QUOTA)
        else {
            panic!("no quota in {ns}")
        };
        let hard = q.spec.clone().and_then(|s| s.hard).unwrap_or_default();
        let get = |k: &str| hard.get(k).and_then(|q| exact(&q.0)).unwrap_or_else(|| panic!("{k} in {ns}"));
        assert!(req <= get("requests.ephemeral-storage"), "{ns}: requests {req}");
        assert!(lim <= get("limits.ephemeral-storage"), "{ns}: limits {lim}");
    }
}

#[test]
fn a_tenants_owners_read_it_and_its_zones_by_name_and_list_only_the_catalogue() {
    let objects = rendered(&model());
    let Some(Owned::ClusterRole(role)) = find(&objects, "ClusterRole", "", "govcloud:tenant:other") else {
        panic!("no tenant cluster role")
    };
    let rules: Vec<(Vec<String>, Vec<String>, Vec<String>)> = role
        .rules
        .iter()
        .flatten()
        .map(|r| {
            (r.resources.clone().unwrap_or_default(), r.resource_names.clone().unwrap_or_default(), r.verbs.clone())
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        rules,
        vec![
            (s(&["tenants"]), s(&["other"]), s(&["get", "watch"])),
            (s(&["networkzones"]), s(&["priv"]), s(&["get", "watch"])),
            (s(&["sharedresources"]), vec![], s(&["get", "list", "watch"])),
        ],
        "named reads of its own tenant and zones; no list but the catalogue's"
    );
}

#[test]
fn a_tenant_without_zones_reads_no_zone() {
    let mut model = model();
    for t in model.tenants.iter_mut().filter(|t| t.name_any() == "other") {
        t.spec.zones.clear();
    }
    let objects = rendered(&model);
    let Some(Owned::ClusterRole(role)) = find(&objects, "ClusterRole", "", "govcloud:tenant:other") else {
        panic!("no tenant cluster role")
    };
    // A zone rule here could only have empty resourceNames: every zone.
    for r in role.rules.iter().flatten() {
        assert!(!r.resources.clone().unwrap_or_default().contains(&"networkzones".to_string()), "{r:?}");
    }
}
