use crate::isolation::{INTERNET_CLIENT, INTERNET_PROBE, scene, tenant_of, zone_of};

use crate::admission::{admission_form, admission_namespaces};
use crate::ctx::{Ctx, id_of, kind_of, label, name_of, ns_of};
use crate::isolation::{Scene, isolation, private_egress, private_zone_probes, workloads};
use crate::privileges::resource_requests;

use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::netpol::{Network, Workload};
use govcloud_core::api::ZoneKind;
use govcloud_core::controls::eval;
use govcloud_core::meta::labels;

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn docs(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .filter_map(|d| <serde_norway::Value as serde::Deserialize>::deserialize(d).ok())
        .filter(|v| !v.is_null())
        .map(|v| serde_json::to_value(v).expect("json"))
        .collect()
}

fn rendered(model: &Model) -> Vec<Value> {
    govcloud_render::render(model).objects.iter().map(|o| serde_json::to_value(o).expect("json")).collect()
}

fn chifeng() -> (Model, Vec<Value>) {
    let model = govcloud_core::model::load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
    let objects = rendered(&model);
    (model, objects)
}

/// Chifeng with an allow-all NetworkPolicy (both directions, every pod) in
/// the population database's private namespace, with or without the admin tier.
fn chifeng_widened(admin_tier: bool) -> (Model, Vec<Value>) {
    let mut model = govcloud_core::model::load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
    model.admin_tier = admin_tier;
    let mut objects = rendered(&model);
    objects.push(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "allow-all", "namespace": "public-security-private"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}], "egress": [{}]}}));
    (model, objects)
}

/// A failed private-egress finding of the public security bureau's private namespace.
fn escapes_public_security(f: &Finding) -> bool {
    f.control == controls::PRIVATE_EGRESS
        && f.subject.namespace.as_deref() == Some("public-security-private")
        && f.outcome == Outcome::Fail
}

#[test]
fn a_widening_policy_the_admin_tier_denies_opens_no_path_out_of_the_private_zone() {
    let escapes = |a: &Audit| -> Vec<String> {
        a.findings.iter().filter(|f| escapes_public_security(f)).map(|f| f.evidence.to_string()).collect()
    };
    let private_to_internet = |a: &Audit| -> usize {
        let c = &a.connectivity;
        let mut n = 0;
        for (i, (_, zi)) in c.apps.iter().enumerate() {
            for (j, (_, zj)) in c.apps.iter().enumerate() {
                if c.reach[i][j] && ((zi == "private" && zj == "internet") || (zi == "internet" && zj == "private")) {
                    n += 1;
                }
            }
            if zi == "private" && c.internet_out[i] {
                n += 1;
            }
        }
        n
    };
    // NetworkPolicies alone: the added policy opens the internet and other zones.
    let (model, objects) = chifeng_widened(false);
    let without = audit(&model, &objects);
    assert!(!escapes(&without).is_empty(), "the widening is seen without the admin tier");
    assert!(private_to_internet(&without) > 0);
    // With the admin tier, nothing leaves the private zone but its exchange endpoints.
    let (model, objects) = chifeng_widened(true);
    assert!(serves_admin_tier(&objects));
    let with = audit(&model, &objects);
    assert_eq!(escapes(&with), Vec::<String>::new());
    assert_eq!(private_to_internet(&with), 0);
    // The declared flows still hold: every granted cross-zone flow is reachable.
    let granted = with.flows.iter().filter(|f| f.state == FlowState::Granted).count();
    let two_sided_fail =
        with.findings.iter().filter(|f| f.control == controls::TWO_SIDED_FLOWS && f.outcome == Outcome::Fail).count();
    assert!(granted > 10 && two_sided_fail == 0, "{granted} granted, {two_sided_fail} failing");
    let (model, objects) = chifeng();
    let plain = audit(&model, &objects);
    let reachable = |a: &Audit| a.connectivity.reach.iter().flatten().filter(|r| **r).count();
    assert_eq!(
        reachable(&plain),
        reachable(&audit(&chifeng_widened(true).0, &rendered(&chifeng_widened(true).0))),
        "the admin tier closes nothing that was open"
    );
}

#[test]
fn someone_elses_admin_tier_accept_above_govcloud_opens_paths_the_audit_sees() {
    let mut model = govcloud_core::model::load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
    model.admin_tier = true;
    let mut objects = rendered(&model);
    let private_fails = |a: &Audit| a.findings.iter().filter(|f| escapes_public_security(f)).count();
    assert_eq!(private_fails(&audit(&model, &objects)), 0);
    // A vendor's policy, at a priority before govcloud's, accepts all egress
    // of a private namespace: no NetworkPolicy is involved, and the Admin
    // tier's Accept is final.
    objects.push(json!({"apiVersion": "policy.networking.k8s.io/v1beta1", "kind": "ClusterNetworkPolicy", "metadata": {"name": "vendor-open"},
            "spec": {"tier": "Admin", "priority": 5,
                     "subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "public-security-private"}}},
                     "egress": [{"name": "all", "action": "Accept", "to": [{"networks": ["0.0.0.0/0"]}]}]}}));
    let a = audit(&model, &objects);
    assert!(private_fails(&a) > 0, "the Accept opens the private namespace to the internet");
    let evidence: Vec<String> = a
        .findings
        .iter()
        .filter(|f| f.control == controls::PRIVATE_EGRESS && f.outcome == Outcome::Fail)
        .map(|f| f.evidence.to_string())
        .collect();
    assert!(
        evidence.iter().any(|e| e.contains("vendor-open/all")),
        "the deciding policy and rule are named: {evidence:?}"
    );
    // After govcloud's (priority 500): govcloud's zone policy has denied first.
    objects.last_mut().expect("the vendor's policy")["spec"]["priority"] = json!(500);
    assert_eq!(private_fails(&audit(&model, &objects)), 0);
    // Pods too: Accept from the private namespace to every pod, and into every pod from it.
    objects.pop();
    let private_ns = json!({"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "public-security-private"}}});
    objects.push(json!({"apiVersion": "policy.networking.k8s.io/v1beta1", "kind": "ClusterNetworkPolicy", "metadata": {"name": "vendor-out"},
            "spec": {"tier": "Admin", "priority": 5, "subject": private_ns, "egress": [{"name": "pods", "action": "Accept", "to": [{"namespaces": {}}]}]}}));
    objects.push(json!({"apiVersion": "policy.networking.k8s.io/v1beta1", "kind": "ClusterNetworkPolicy", "metadata": {"name": "vendor-in"},
            "spec": {"tier": "Admin", "priority": 6, "subject": {"namespaces": {}}, "ingress": [{"name": "from-private", "action": "Accept", "from": [private_ns]}]}}));
    let a = audit(&model, &objects);
    let c = &a.connectivity;
    let crossing = c
        .apps
        .iter()
        .enumerate()
        .filter(|(_, (_, z))| z == "private")
        .flat_map(|(i, _)| c.apps.iter().enumerate().filter(move |(j, (_, z))| z == "internet" && c.reach[i][*j]));
    assert!(crossing.count() > 0, "the audit sees the private namespace reach the internet zone's pods");
}

#[test]
fn a_missing_or_changed_cluster_policy_is_drift_where_the_admin_tier_is_served() {
    let (model, mut objects) = chifeng_widened(true);
    let drift = |objects: &[Value]| -> Vec<(String, Outcome)> {
        audit(&model, objects)
            .findings
            .iter()
            .filter(|f| f.control == controls::MANAGED_OBJECTS && f.subject.object.starts_with("ClusterNetworkPolicy/"))
            .map(|f| (f.subject.object.to_string(), f.outcome))
            .collect()
    };
    let all = drift(&objects);
    assert!(all.len() >= 9 && all.iter().all(|(_, o)| *o == Outcome::Pass), "{all:?}");
    let private = govcloud_core::meta::names::zone_admin_policy("private");
    objects.retain(|o| !(admin_tier::is_cluster_policy(o) && name_of(o) == private));
    let isolation = govcloud_core::meta::names::zone_isolation_policy("internet");
    for o in objects.iter_mut().filter(|o| admin_tier::is_cluster_policy(o) && name_of(o) == isolation) {
        o["spec"]["ingress"][0]["action"] = json!("Pass");
    }
    let failing: Vec<String> =
        drift(&objects).into_iter().filter(|(_, o)| *o == Outcome::Fail).map(|(id, _)| id).collect();
    assert_eq!(failing, [format!("ClusterNetworkPolicy/{isolation}"), format!("ClusterNetworkPolicy/{private}")]);
}

/// The fixture of tests/offline/audit_fixture.rs: the rendered model with the violations on top.
fn noncompliant() -> (Model, Vec<Value>) {
    let dir = repo().join("tests/fixtures/noncompliant");
    let model = govcloud_core::model::load_paths(&[dir.join("model.yaml")]).expect("fixture").model;
    let mut objects = rendered(&model);
    for v in docs(&std::fs::read_to_string(dir.join("violations.yaml")).expect("violations")) {
        objects.retain(|o| id_of(o) != id_of(&v));
        objects.push(v);
    }
    (model, objects)
}

/// Chifeng with alike and duplicate workloads, a namespace open to
/// everything and one without its default deny.
fn chifeng_twisted() -> (Model, Vec<Value>) {
    let (model, mut objects) = chifeng();
    let deployments: Vec<Value> = objects.iter().filter(|o| kind_of(o) == "Deployment").cloned().collect();
    let mut alike = deployments[0].clone();
    alike["metadata"]["name"] = json!("alike");
    objects.push(alike);
    objects.push(deployments[1].clone());
    let open_ns = ns_of(&deployments[2]).to_string();
    objects.push(json!({"kind": "NetworkPolicy", "metadata": {"name": "open", "namespace": open_ns}, "spec": {"podSelector": {}, "ingress": [{}], "egress": [{"to": []}], "policyTypes": ["Ingress", "Egress"]}}));
    let bare_ns = ns_of(&deployments[3]).to_string();
    objects.retain(|o| {
        !(kind_of(o) == "NetworkPolicy"
            && ns_of(o) == bare_ns
            && name_of(o) == govcloud_core::meta::names::DEFAULT_DENY)
    });
    (model, objects)
}

type Emitted = Vec<(&'static str, Outcome, String, String, String)>;

fn emitted(ctx: &Ctx<'_>) -> Emitted {
    ctx.findings
        .iter()
        .map(|f| (f.control, f.outcome, f.subject.object.to_string(), f.evidence.to_string(), f.message.to_string()))
        .collect()
}

/// The isolation checks as the audit made them before classes: every ordered pair of workloads.
fn isolation_pairwise(
    ctx: &mut Ctx<'_>,
    model: &Model,
    flows: &[govcloud_render::FlowDecision],
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
) -> Connectivity {
    let policies = crate::netpol::policies_in(objects.iter().copied());
    let Scene { net, ws, granted, nss } =
        scene(ctx, objects, policies, crate::isolation::workloads(objects, tenant_ns), flows);
    let tenant_of = |w: &Workload| tenant_of(&nss, w);
    let zone_of = |w: &Workload| zone_of(&nss, w);
    let mut conn = Connectivity::default();
    let (internet_probe, internet_client) = (INTERNET_PROBE, INTERNET_CLIENT);
    let mut pending_findings = Vec::new();
    for a in &ws {
        conn.apps.push((format!("{}/{}", tenant_of(a), a.app), zone_of(a)));
        let mut row = Vec::new();
        for b in &ws {
            let how = if a.id != b.id { net.reaches(a, b) } else { None };
            let reach = how.is_some();
            row.push(reach);
            let (ta, tb) = (tenant_of(a), tenant_of(b));
            if a.id != b.id && ta != tb {
                let key = (format!("{ta}/{}/{}", zone_of(a), a.app), format!("{tb}/{}/{}", zone_of(b), b.app));
                let ok = !reach || granted.contains(&key);
                let evidence = match &how {
                    Some(e) => format!("{} -> {}: reachable ({e})", key.0, key.1),
                    None => format!("{} -> {}: not reachable", key.0, key.1),
                };
                if !ok || reach {
                    pending_findings.push((
                        controls::TWO_SIDED_FLOWS,
                        if ok { Outcome::Pass } else { Outcome::Fail },
                        a.id.clone(),
                        a.namespace.clone(),
                        evidence,
                        if ok {
                            govcloud_core::msg!(govcloud_core::messages::Code::GrantedBothSides)
                        } else {
                            govcloud_core::msg!(govcloud_core::messages::Code::ReachableWithoutGrant)
                        },
                    ));
                }
            }
        }
        conn.reach.push(row);
        conn.internet_out.push(net.reaches_ip(a, internet_probe, &[80, 443]).is_some());
        conn.internet_in
            .push(a.ports.iter().any(|(p, proto)| net.ingress(a, &netpol::Target::Ip(internet_client), *p, proto).0));
    }
    for (c, o, id, ns, ev, msg) in pending_findings {
        ctx.add(c, o, &id, Some(&ns), "NetworkPolicy", ev, msg);
    }
    for z in model.zones.iter().filter(|z| z.spec.kind == ZoneKind::Private) {
        let (allowed, probes) =
            private_zone_probes(model, &govcloud_render::Index::build(model, &Default::default()), z, internet_probe);
        for w in ws.iter().filter(|w| zone_of(w) == z.name_any()) {
            let escapes: Vec<govcloud_core::messages::Message> = probes
                .iter()
                .filter(|ip| !allowed.iter().any(|a| a.contains(*ip)))
                .filter_map(|ip| net.reaches_ip(w, *ip, &[22, 53, 80, 443, 3128, 8080, 8443]))
                .collect();
            private_egress(ctx, w, &z.name_any(), &escapes);
        }
    }
    conn
}

fn namespaces(objects: &[Value]) -> (BTreeMap<String, &Value>, BTreeSet<String>) {
    let namespaces: BTreeMap<String, &Value> =
        objects.iter().filter(|o| kind_of(o) == "Namespace").map(|o| (name_of(o).to_string(), o)).collect();
    let tenant_ns = namespaces.iter().filter(|(_, o)| label(o, TENANT).is_some()).map(|(n, _)| n.clone()).collect();
    (namespaces, tenant_ns)
}

/// The class-based isolation emits what the pairwise scan emits, in the
/// same order, and the same connectivity (as a matrix, or as pairs above
/// `limit`). Returns the number of reachable pairs across tenants.
fn assert_isolation_as_pairwise(model: &Model, objects: &[Value], limit: usize) -> usize {
    let (namespaces, tenant_ns) = namespaces(objects);
    let objects: Vec<&Value> = objects.iter().collect();
    let objects = objects.as_slice();
    let planned = govcloud_render::plan(model, &Default::default());
    let rendered = planned.render_all();
    let mut new = Ctx::new(namespaces.clone());
    let conn = isolation(
        &mut new,
        model,
        &planned,
        objects,
        crate::netpol::policies_in(objects.iter().copied()),
        crate::isolation::workloads(objects, &tenant_ns),
        &BTreeMap::new(),
        limit,
    );
    let mut old = Ctx::new(namespaces);
    let want = isolation_pairwise(&mut old, model, &rendered.flows, objects, &tenant_ns);
    assert_eq!(emitted(&new), emitted(&old));
    assert_eq!(
        (&conn.apps, &conn.internet_out, &conn.internet_in),
        (&want.apps, &want.internet_out, &want.internet_in)
    );
    let pairs: Vec<(usize, usize)> = (0..want.apps.len())
        .flat_map(|i| (0..want.apps.len()).map(move |j| (i, j)))
        .filter(|(i, j)| want.reach[*i][*j])
        .collect();
    if want.apps.len() <= limit {
        assert_eq!(conn.reach, want.reach);
        assert!(conn.reachable.is_none() && conn.note.is_none());
    } else {
        assert!(conn.reach.is_empty() && conn.note.is_some());
        assert_eq!(conn.reachable.as_ref(), Some(&pairs));
    }
    old.findings.iter().filter(|f| f.control == controls::TWO_SIDED_FLOWS).count()
}

/// The Chifeng model with its zones in two clusters (extranet and internet in egov, private in private).
fn chifeng_clusters() -> Model {
    let paths = [
        repo().join("examples/chifeng-clusters"),
        repo().join("examples/chifeng/tenants.yaml"),
        repo().join("examples/chifeng/apps"),
    ];
    govcloud_core::model::load_paths(&paths).expect("chifeng-clusters").model
}

/// What `cluster` holds of the Chifeng city: its model and its rendering.
fn in_cluster(cluster: &str) -> (Model, Vec<Value>) {
    let mut model = chifeng_clusters();
    model.cluster = Some(cluster.into());
    let objects = rendered(&model);
    (model, objects)
}

fn deployment(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
               "spec": {"selector": {"matchLabels": {"run": name}}, "template": {"metadata": {"labels": {"run": name}},
               "spec": {"containers": [{"name": "c", "image": "harbor.egov.local/x/y:1", "ports": [{"containerPort": 8080}]}]}}}})
}

fn node(name: &str, labels: &[(&str, &str)]) -> Value {
    let labels: serde_json::Map<String, Value> = labels.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}, "spec": {}})
}

#[test]
fn a_node_of_a_zone_hosted_elsewhere_fails_where_it_joined() {
    let foreign = |a: &Audit| -> Vec<(Outcome, String, String)> {
        a.findings
            .iter()
            .filter(|f| f.control == controls::FOREIGN_NODES)
            .map(|f| (f.outcome, f.subject.object.to_string(), f.evidence.to_string()))
            .collect()
    };
    // The private network's machine registered with the egov cluster.
    let (model, mut objects) = in_cluster("egov");
    objects.push(node("n-private", &[("govcloud.io/zone", "private")]));
    objects.push(node("n-extranet", &[("govcloud.io/zone", "extranet")]));
    assert_eq!(
        foreign(&audit(&model, &objects)),
        vec![(
            Outcome::Fail,
            "Node/n-private".to_string(),
            "matches the node pool of private (runs in cluster private) and of no zone this cluster hosts".to_string()
        )]
    );
    // In its own cluster it is no finding of this kind.
    let (model, mut objects) = in_cluster("private");
    objects.push(node("n-private", &[("govcloud.io/zone", "private")]));
    assert_eq!(foreign(&audit(&model, &objects)), vec![]);
    // Pools of zones in different clusters may share labels: a node that
    // also matches a zone hosted here is that zone's.
    let (mut model, mut objects) = in_cluster("egov");
    for z in model.zones.iter_mut().filter(|z| z.name_any() == "private") {
        z.spec.node_pool.selector = [("pool".to_string(), "general".to_string())].into();
    }
    for z in model.zones.iter_mut().filter(|z| z.name_any() == "extranet") {
        z.spec.node_pool.selector.insert("pool".into(), "general".into());
    }
    objects.push(node("n-shared", &[("govcloud.io/zone", "extranet"), ("pool", "general")]));
    objects.push(node("n-general", &[("pool", "general")]));
    let found = foreign(&audit(&model, &objects));
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!((found[0].0, found[0].1.as_str()), (Outcome::Fail, "Node/n-general"));
    assert_eq!((found[1].0, found[1].1.as_str()), (Outcome::Pass, "Node/n-shared"));
    assert!(found[1].2.ends_with("and of extranet hosted here"), "{found:?}");
    // One cluster for every zone: nothing is elsewhere, no finding.
    let (model, mut objects) = chifeng();
    objects.push(node("n", &[("govcloud.io/zone", "private")]));
    assert_eq!(foreign(&audit(&model, &objects)), vec![]);
}

fn failures(a: &Audit) -> Vec<(&'static str, String, String)> {
    a.findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .map(|f| (f.control, f.subject.object.to_string(), f.evidence.to_string()))
        .collect()
}

#[test]
fn each_cluster_is_judged_on_what_it_hosts() {
    for (cluster, hosted, elsewhere) in [("egov", "extranet", "private"), ("private", "private", "extranet")] {
        let (model, objects) = in_cluster(cluster);
        let a = audit(&model, &objects);
        assert_eq!(failures(&a), vec![], "{cluster}");
        assert!(a.findings.iter().all(|f| f.subject.cluster.as_deref() == Some(cluster)), "tagged with {cluster}");
        // The zones of the other cluster: no nodes, namespaces or workloads expected here.
        let of_zone = |z: &str, control: &str| {
            a.findings
                .iter()
                .filter(|f| f.control == control && f.subject.object.contains(&format!("NetworkZone/{z}")))
                .count()
        };
        assert_eq!(of_zone(elsewhere, controls::ZONE_TAINT), 0);
        assert_eq!(of_zone(hosted, controls::ZONE_TAINT), 1, "skipped without nodes");
        let declared = a
            .findings
            .iter()
            .filter(|f| f.control == controls::DECLARATIONS_ONLY && f.subject.zone.as_deref() == Some(elsewhere))
            .count();
        assert!(declared >= 6, "{cluster}: the declaration namespaces of {elsewhere} are checked ({declared})");
        assert!(
            !a.findings
                .iter()
                .any(|f| f.control == controls::DEFAULT_DENY && f.subject.zone.as_deref() == Some(elsewhere))
        );
        // Flows: those with a side here, the five to the population database among them.
        assert!(a.flows.iter().all(|f| {
            [&f.from, &f.to]
                .iter()
                .any(|k| k.split('/').nth(1) == Some(hosted) || (cluster == "egov" && k.contains("/internet/")))
        }));
        let across: Vec<&FlowRow> = a.flows.iter().filter(|f| f.address.is_some()).collect();
        assert_eq!(across.len(), 5, "{cluster}");
        assert!(across.iter().all(|f| f.address.as_deref() == Some("10.30.255.20/32") && f.ports == [8443]));
        let sides = a
            .findings
            .iter()
            .filter(|f| f.control == controls::TWO_SIDED_FLOWS && f.field.starts_with("NetworkPolicy "))
            .count();
        assert_eq!(
            (sides, a.connectivity.across.len()),
            (5, 5),
            "{cluster}: this cluster's side of each flow between clusters"
        );
        assert!(a.connectivity.across.iter().all(|x| x.open && x.consumer == (cluster == "egov")));
    }
}

#[test]
fn a_declaration_namespace_holds_nothing_that_runs() {
    let (model, mut objects) = in_cluster("egov");
    objects.push(deployment("general-office-private", "stray"));
    objects.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "public-security-private"}, "spec": {"ports": [{"port": 80}]}}));
    for o in objects.iter_mut().filter(|o| kind_of(o) == "ResourceQuota" && ns_of(o) == "public-security-private") {
        o["spec"]["hard"]["pods"] = json!("10");
    }
    for o in objects.iter_mut().filter(|o| kind_of(o) == "Namespace" && name_of(o) == "general-office-private") {
        o["metadata"]["labels"].as_object_mut().expect("labels").remove(labels::HOSTED_IN);
    }
    // A namespace of a zone this cluster hosts that claims to be a declaration.
    for o in objects.iter_mut().filter(|o| kind_of(o) == "Namespace" && name_of(o) == "health-extranet") {
        o["metadata"]["labels"][labels::HOSTED_IN] = json!("private");
    }
    let a = audit(&model, &objects);
    let found: Vec<(&str, String)> = failures(&a)
        .into_iter()
        .filter(|(c, _, _)| *c == controls::DECLARATIONS_ONLY)
        .map(|(_, o, e)| (o.leak() as &str, e))
        .collect();
    let objects_failed: BTreeSet<&str> = found.iter().map(|(o, _)| *o).collect();
    assert_eq!(
        objects_failed,
        BTreeSet::from([
            "Deployment/general-office-private/stray",
            "Namespace/general-office-private",
            "Namespace/health-extranet",
            "Namespace/public-security-private",
            "Service/public-security-private/db",
        ])
    );
    assert!(found.iter().any(|(o, e)| *o == "Namespace/public-security-private" && e == "pods=10"), "{found:?}");
    assert!(
        found
            .iter()
            .any(|(o, e)| *o == "Namespace/general-office-private" && e.starts_with("no govcloud.io/hosted-in label")),
        "{found:?}"
    );
    // The mislabelled namespace is still judged as one of this cluster (its default deny is there).
    assert!(a.findings.iter().any(|f| f.control == controls::DEFAULT_DENY
        && &*f.subject.object == "Namespace/health-extranet"
        && f.outcome == Outcome::Pass));
}

#[test]
fn a_flow_between_clusters_is_judged_on_this_clusters_side() {
    let side = |a: &Audit, object: &str| -> Vec<(Outcome, String)> {
        a.findings
            .iter()
            .filter(|f| {
                f.control == controls::TWO_SIDED_FLOWS
                    && &*f.subject.object == object
                    && f.evidence.contains("population-db:")
            })
            .map(|f| (f.outcome, f.evidence.to_string()))
            .collect()
    };
    let consumer = "Deployment/health-extranet/health-records";
    // The consumer without its egress to the exchange address.
    let (model, mut objects) = in_cluster("egov");
    objects.retain(|o| !(kind_of(o) == "NetworkPolicy" && name_of(o) == "govcloud-app-health-records-egress"));
    let a = audit(&model, &objects);
    assert_eq!(
            side(&a, consumer),
            vec![(
                Outcome::Fail,
                "health/extranet/health-records -> public-security/private/population-db: no egress to 10.30.255.20:8443 (the exchange address); nothing wider"
                    .to_string()
            )]
        );
    assert!(a.connectivity.across.iter().any(|x| !x.open));
    // Egress wider than the address: the whole private network.
    let (model, mut objects) = in_cluster("egov");
    objects.push(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "wide", "namespace": "health-extranet"},
            "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "10.30.0.0/16"}}]}]}}));
    let a = audit(&model, &objects);
    let found = side(&a, consumer);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, Outcome::Fail);
    assert!(
        found[0].1.contains("wider: 10.30.255.20:22 via wide") && found[0].1.contains("10.30.0.1:8443 via wide"),
        "{found:?}"
    );
    // The provider without ingress from the extranet's ranges.
    let (model, mut objects) = in_cluster("private");
    objects.retain(|o| !(kind_of(o) == "NetworkPolicy" && name_of(o) == "govcloud-app-population-db-ingress"));
    let a = audit(&model, &objects);
    let found = side(&a, "StatefulSet/public-security-private/population-db");
    assert_eq!(found.len(), 5);
    assert!(
        found.iter().all(|(o, e)| *o == Outcome::Fail
            && e.ends_with("no ingress from 10.10.0.1 on 8443/TCP (zone extranet); nothing wider")),
        "{found:?}"
    );
    // As rendered: from the extranet's ranges on 8443, nothing wider.
    let (model, objects) = in_cluster("private");
    let found = side(&audit(&model, &objects), "StatefulSet/public-security-private/population-db");
    assert!(
        !found.is_empty() && found.iter().all(|(o, e)| *o == Outcome::Pass && e.ends_with("; nothing wider")),
        "{found:?}"
    );
    // A policy someone adds that admits more than the consumer zone: the
    // internet, the other zones, other ports.
    for (from, port, wider) in [
        ("0.0.0.0/0", 8443, "203.0.113.1 on 8443/TCP"),
        ("10.0.0.0/8", 22, "10.10.0.1 on 22/TCP"),
        ("10.10.0.0/16", 80, "10.10.0.1 on 80/TCP"),
    ] {
        let (model, mut objects) = in_cluster("private");
        objects.push(
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "wide", "namespace": "public-security-private"},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"ipBlock": {"cidr": from}}], "ports": [{"port": port}]}]}}),
            );
        let found = side(&audit(&model, &objects), "StatefulSet/public-security-private/population-db");
        assert!(!found.is_empty(), "{from}");
        assert!(
            found.iter().all(|(o, e)| *o == Outcome::Fail && e.contains("; wider: ") && e.contains(wider)),
            "{from}: {found:?}"
        );
    }
}

fn the_city() -> Vec<ClusterAudit> {
    ["egov", "private"]
        .map(|c| {
            let (model, objects) = in_cluster(c);
            let a = audit(&model, &objects);
            (Some(c.to_string()), model, a)
        })
        .into()
}

#[test]
fn the_city_is_one_report_of_its_clusters() {
    let clusters = the_city();
    let counts: usize = clusters.iter().map(|(_, _, a)| a.findings.len()).sum();
    let apps: usize = clusters.iter().map(|(_, _, a)| a.connectivity.apps.len()).sum();
    let a = city(clusters);
    assert_eq!(failures(&a), vec![]);
    let own = a.findings.iter().filter(|f| f.subject.cluster.is_none()).count();
    assert_eq!(a.findings.len(), counts + own, "every cluster's findings, plus the city's own");
    assert!(
        a.findings
            .iter()
            .filter(|f| f.subject.cluster.is_none())
            .all(|f| f.control == controls::CITY_MODEL || f.control == controls::CITY_FLOWS)
    );
    let model = chifeng_clusters();
    assert_eq!(
        a.findings.iter().filter(|f| f.control == controls::CITY_MODEL).count(),
        model.zones.len() + model.tenants.len() + model.apps.len()
    );
    assert_eq!(
        a.findings.iter().filter(|f| f.control == controls::CITY_FLOWS).count(),
        6,
        "five granted, one pending, between clusters"
    );
    // Side by side, and reachable across clusters where both sides are open.
    assert_eq!(a.connectivity.apps.len(), apps);
    let at = |app: &str| a.connectivity.apps.iter().position(|(n, _)| n == app).expect(app);
    assert!(a.connectivity.reach[at("health/health-records")][at("public-security/population-db")]);
    assert!(!a.connectivity.reach[at("songshan/songshan-services")][at("public-security/population-db")]);
    assert_eq!(a.flows.len(), chifeng_clusters_flows(), "each flow once");
}

fn chifeng_clusters_flows() -> usize {
    govcloud_render::render(&chifeng_clusters()).flows.len()
}

#[test]
fn the_city_finds_copies_that_differ_and_flows_decided_apart() {
    let mut clusters = the_city();
    // The private cluster lags: the health app is not there yet, and the
    // population database has withdrawn its answer to education.
    let (_, model, _) = &mut clusters[1];
    model.apps.retain(|a| a.name_any() != "health-records");
    for app in model.apps.iter_mut().filter(|a| a.name_any() == "population-db") {
        if let Some(sharing) = app.spec.sharing.as_mut() {
            sharing.answers.retain(|a| !a.consumer.starts_with("education/"));
        }
    }
    let (model, objects) = (model.clone(), rendered(model));
    clusters[1].2 = audit(&model, &objects);
    let a = city(clusters);
    let found: Vec<(&'static str, String, String)> =
        failures(&a).into_iter().filter(|(c, _, _)| c.starts_with("GC-CITY")).collect();
    assert_eq!(
            found,
            vec![
                (controls::CITY_MODEL, "DepartmentApp/health-extranet/health-records".to_string(), "present in cluster egov, absent in cluster private".to_string()),
                (
                    controls::CITY_MODEL,
                    "DepartmentApp/public-security-private/population-db".to_string(),
                    found.get(1).map(|f| f.2.clone()).unwrap_or_default()
                ),
                (
                    controls::CITY_FLOWS,
                    "DepartmentApp/education-extranet/student-registry".to_string(),
                    "education/extranet/student-registry -> public-security/private/population-db: Granted on 8443 at 10.30.255.20/32 in cluster egov, Pending in cluster private".to_string()
                ),
                (
                    controls::CITY_FLOWS,
                    "DepartmentApp/health-extranet/health-records".to_string(),
                    "health/extranet/health-records -> public-security/private/population-db: Granted on 8443 at 10.30.255.20/32 in cluster egov, not declared in cluster private".to_string()
                ),
            ]
        );
    assert!(
        found[1].2.starts_with("cluster private and cluster egov hold different copies: spec.sharing"),
        "{}",
        found[1].2
    );
}

#[test]
fn isolation_by_class_equals_the_pairwise_scan() {
    let (model, objects) = chifeng();
    assert!(assert_isolation_as_pairwise(&model, &objects, MATRIX_LIMIT) > 0);
    // Above the limit, the pairs replace the matrix.
    assert_isolation_as_pairwise(&model, &objects, 3);
    let (model, objects) = noncompliant();
    assert!(assert_isolation_as_pairwise(&model, &objects, MATRIX_LIMIT) > 0);
    let (model, objects) = chifeng_twisted();
    assert!(assert_isolation_as_pairwise(&model, &objects, MATRIX_LIMIT) > 0);
}

#[test]
fn chifeng_reachability_by_class_equals_pairwise() {
    for (_, objects) in [chifeng(), chifeng_twisted(), chifeng_widened(true), chifeng_widened(false)] {
        let (namespaces, tenant_ns) = namespaces(&objects);
        let labels = namespaces
            .iter()
            .map(|(n, o)| (n.clone(), netpol::tests::string_labels(&o["metadata"]["labels"])))
            .collect();
        let net = Network::new(objects.iter().filter(|o| kind_of(o) == "NetworkPolicy"), labels)
            .with_admin_tier(objects.iter().filter(|o| admin_tier::is_cluster_policy(o)));
        let ws = workloads(&objects.iter().collect::<Vec<_>>(), &tenant_ns);
        assert!(netpol::tests::assert_same_as_pairwise(&net, &ws) > ws.len());
    }
}

/// Large inventories are checked on several threads: the findings are
/// those of one thread, in the same order.
#[test]
fn admission_checks_on_threads_find_what_one_thread_finds() {
    let (model, mut objects) = chifeng();
    let copies = objects.clone();
    for _ in 0..16 {
        objects.extend(copies.iter().cloned());
    }
    let refs: Vec<&Value> = objects.iter().collect();
    let (namespaces, tenant_ns) = namespaces(&objects);
    let zones: BTreeMap<String, Value> =
        model.zones.iter().map(|z| (z.name_any(), serde_json::to_value(z).expect("zone"))).collect();
    let mut threads = Ctx::new(namespaces.clone());
    admission_form(&mut threads, &refs, &tenant_ns, &zones);
    let mut by_ns: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for o in refs.iter().filter(|o| tenant_ns.contains(ns_of(o)) && eval::resource_of(kind_of(o)).is_some()) {
        by_ns.entry(ns_of(o)).or_default().push(o);
    }
    assert!(by_ns.values().map(Vec::len).sum::<usize>() >= 2000, "enough objects for threads");
    let mut one = Ctx::new(namespaces);
    admission_namespaces(&mut one, &by_ns.into_iter().collect::<Vec<_>>(), &zones);
    assert_eq!(emitted(&threads), emitted(&one));
}

/// Verdicts are kept across audits, by the digest of what was judged: an
/// object changed since is judged again, and changed back, judged as
/// before; a zone whose status alone changed keeps its verdicts.
#[test]
fn a_kept_verdict_follows_what_was_judged() {
    let (mut model, mut objects) = chifeng();
    let at = objects.iter().position(|o| kind_of(o) == "Deployment").expect("a deployment");
    let id = id_of(&objects[at]);
    let failures = |a: &Audit| -> Vec<(&'static str, String)> {
        a.findings
            .iter()
            .filter(|f| *f.subject.object == *id && f.outcome == Outcome::Fail)
            .map(|f| (f.control, f.evidence.to_string()))
            .collect()
    };
    let before = failures(&audit(&model, &objects));
    let original = objects[at].clone();
    objects[at]["spec"]["template"]["spec"]["hostNetwork"] = json!(true);
    let changed = failures(&audit(&model, &objects));
    assert!(changed.len() > before.len(), "host network is judged: {changed:?}");
    objects[at] = original;
    assert_eq!(failures(&audit(&model, &objects)), before);
    // What the report loop writes after each audit changes no verdict.
    for z in &mut model.zones {
        z.status.get_or_insert_with(Default::default).compliance =
            Some(govcloud_core::api::ComplianceSummary { fail: 7, ..Default::default() });
        z.metadata.resource_version = Some("42".into());
    }
    assert_eq!(failures(&audit(&model, &objects)), before);
}

#[test]
fn findings_are_sorted_as_a_stable_sort_on_their_keys() {
    let (model, objects) = noncompliant();
    let mut findings = audit(&model, &objects).findings;
    // Shuffled deterministically, with the evidence telling equal keys apart.
    findings.reverse();
    let third = findings.len() / 3;
    findings.rotate_left(third);
    let mut want = findings.clone();
    want.sort_by(|a, b| {
        (a.control, &a.subject.object, &a.field, a.outcome).cmp(&(b.control, &b.subject.object, &b.field, b.outcome))
    });
    sort_findings(&mut findings);
    let show = |fs: &[Finding]| {
        fs.iter()
            .map(|f| format!("{} {} {} {:?} {}", f.control, f.subject.object, f.field, f.outcome, f.evidence))
            .collect::<Vec<_>>()
    };
    assert_eq!(show(&findings), show(&want));
    assert!(want.windows(2).any(|w| (w[0].control, &w[0].subject.object, &w[0].field, w[0].outcome)
        == (w[1].control, &w[1].subject.object, &w[1].field, w[1].outcome)));
}

#[test]
fn every_control_is_audited_on_exactly_one_path() {
    let plan = plan();
    let mut ids: Vec<&str> = plan.iter().flat_map(|(_, ids)| ids.iter().copied()).collect();
    ids.sort();
    let dispatched = ids.len();
    ids.dedup();
    assert_eq!((dispatched, ids.len()), (controls::CATALOGUE.len(), controls::CATALOGUE.len()), "every control once");
    let mut paths: Vec<AuditBy> = plan.iter().map(|(p, _)| *p).collect();
    paths.dedup();
    assert_eq!(paths.len(), plan.len(), "every path once");
    // Each path alone records only its own controls (a stray one trips the
    // recorder's assertion), and every auditable control has findings.
    let mut found: BTreeSet<&str> = BTreeSet::new();
    // Chifeng in two clusters, with a workload where only declarations belong.
    let (egov, mut held) = in_cluster("egov");
    held.push(deployment("general-office-private", "stray"));
    held.push(node("n-private", &[("govcloud.io/zone", "private")]));
    // A request its requester decided (judged where the catalogue puts GC-REQ-001, if anywhere).
    held.push(resource_request("own", "Quota", "li", json!({"decision": decided("Approved", Some("li"))})));
    for (mut model, objects) in [noncompliant(), chifeng(), (egov, held)] {
        // Where the API server listens (GC-NET-007 judges who reaches it).
        model.api_server = vec!["192.168.1.10".into()];
        let (namespaces, tenant_ns) = namespaces(&objects);
        // The declared apps are objects too, as `audit_with` adds them.
        let apps: Vec<Value> = model.apps.iter().map(|a| serde_json::to_value(a).expect("app")).collect();
        let refs: Vec<&Value> = objects.iter().chain(&apps).collect();
        let planned = govcloud_render::plan(&model, &Default::default());
        let zones: BTreeMap<String, Value> =
            model.zones.iter().map(|z| (z.name_any(), serde_json::to_value(z).expect("zone"))).collect();
        let remote = hosted_elsewhere(&model);
        let inputs =
            Inputs { model: &model, objects: &refs, tenant_ns: &tenant_ns, planned: &planned, remote: &remote };
        for (path, own) in &plan {
            let mut ctx = Ctx::new(namespaces.clone()).on(*path);
            if *path == AuditBy::Admission {
                admission_form(&mut ctx, &refs, &tenant_ns, &zones);
            } else {
                run_path(*path, &mut ctx, &inputs);
            }
            for f in &ctx.findings {
                let c = controls::control(f.control).expect("catalogued");
                assert!(
                    own.contains(&f.control) || (*path == AuditBy::Admission && c.audit.evaluates_admission()),
                    "{} on {path:?}",
                    f.control
                );
                found.insert(f.control);
            }
        }
    }
    // The city's controls are checked by `city` over several clusters' audits (see its tests).
    let unaudited: Vec<&str> = controls::CATALOGUE
        .iter()
        .filter(|c| !matches!(c.audit, AuditBy::NotAuditable | AuditBy::City) && !found.contains(c.id))
        .map(|c| c.id)
        .collect();
    assert_eq!(unaudited, Vec::<&str>::new());
    assert!(!found.contains(controls::PREVENT_DELETION));
}

// === app identity, ingress backends, resource requests ===

/// The fixture's model (tests/fixtures/noncompliant/model.yaml) as
/// govcloud renders it, without the violations.
fn small() -> (Model, Vec<Value>) {
    let model = govcloud_core::model::load_paths(&[repo().join("tests/fixtures/noncompliant/model.yaml")])
        .expect("fixture")
        .model;
    let objects = rendered(&model);
    (model, objects)
}

/// The rendered object `kind` `namespace/name`.
fn object_mut<'o>(objects: &'o mut [Value], kind: &str, ns: &str, name: &str) -> &'o mut Value {
    objects.iter_mut().find(|o| kind_of(o) == kind && ns_of(o) == ns && name_of(o) == name).expect("rendered")
}

fn owner(api_version: &str, kind: &str, name: &str, uid: &str) -> Value {
    json!([{"apiVersion": api_version, "kind": kind, "name": name, "uid": uid, "controller": true}])
}

/// A pod of namespace a-ext with `labels`, run by `owners` (none: a bare pod).
fn labelled_pod(name: &str, labels: Value, owners: Option<Value>) -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "a-ext", "uid": format!("{name}-uid"), "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "harbor.egov.local/a/c:1"}]}});
    if let Some(o) = owners {
        p["metadata"]["ownerReferences"] = o;
    }
    p
}

/// What a cluster running the fixture holds for app a-ext/portal: the
/// DepartmentApp (with its uid), govcloud's Deployment controlled by it,
/// the ReplicaSet the Deployment controller made, and its pod.
fn portal_running() -> (Model, Vec<Value>) {
    let (mut model, mut objects) = small();
    for a in model.apps.iter_mut().filter(|a| a.name_any() == "portal") {
        a.metadata.uid = Some("app-uid".into());
    }
    let deployment = object_mut(&mut objects, "Deployment", "a-ext", "portal");
    deployment["metadata"]["uid"] = json!("deployment-uid");
    deployment["metadata"]["ownerReferences"] = owner("govcloud.io/v1alpha1", "DepartmentApp", "portal", "app-uid");
    let mut template = deployment["spec"]["template"].clone();
    template["metadata"]["labels"]["pod-template-hash"] = json!("5d8f");
    let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "portal-5d8f", "namespace": "a-ext", "uid": "rs-uid", "labels": template["metadata"]["labels"].clone(),
                         "ownerReferences": owner("apps/v1", "Deployment", "portal", "deployment-uid")},
            "spec": {"selector": {"matchLabels": template["metadata"]["labels"].clone()}, "template": template.clone()}});
    objects.push(rs);
    objects.push(labelled_pod(
        "portal-5d8f-x1",
        template["metadata"]["labels"].clone(),
        Some(owner("apps/v1", "ReplicaSet", "portal-5d8f", "rs-uid")),
    ));
    (model, objects)
}

fn identity(a: &Audit) -> BTreeMap<String, (Outcome, String)> {
    a.findings
        .iter()
        .filter(|f| f.control == controls::APP_IDENTITY)
        .map(|f| (f.subject.object.to_string(), (f.outcome, f.evidence.to_string())))
        .collect()
}

#[test]
fn the_real_owner_chain_to_govclouds_deployment_carries_the_app_identity() {
    let (model, objects) = portal_running();
    let found = identity(&audit(&model, &objects));
    for id in ["Pod/a-ext/portal-5d8f-x1", "ReplicaSet/a-ext/portal-5d8f", "Deployment/a-ext/portal"] {
        assert_eq!(
            found.get(id),
            Some(&(
                Outcome::Pass,
                "govcloud.io/app=portal, run by Deployment/a-ext/portal (govcloud's, for DepartmentApp portal)"
                    .to_string()
            )),
            "{id}"
        );
    }
    assert!(found.values().all(|(o, _)| *o == Outcome::Pass), "{found:?}");
}

#[test]
fn labels_alone_never_carry_the_app_identity() {
    let (model, mut objects) = portal_running();
    // Every forgery also carries the managed-by label: anyone who writes an object writes its labels.
    let forged = json!({labels::APP: "portal", labels::MANAGED_BY: labels::MANAGER});
    objects.push(labelled_pod("bare", forged.clone(), None));
    // A department's own Deployment and ReplicaSet, running pods as portal.
    let mut web = deployment("a-ext", "web");
    web["metadata"]["labels"] = forged.clone();
    web["metadata"]["uid"] = json!("web-uid");
    web["spec"]["template"]["metadata"]["labels"] = forged.clone();
    let mut web_rs = web.clone();
    web_rs["kind"] = json!("ReplicaSet");
    web_rs["metadata"] = json!({"name": "web-1", "namespace": "a-ext", "uid": "web-1-uid", "labels": forged.clone(),
                                    "ownerReferences": owner("apps/v1", "Deployment", "web", "web-uid")});
    objects.extend([web, web_rs]);
    objects.push(labelled_pod("web-1-x", forged.clone(), Some(owner("apps/v1", "ReplicaSet", "web-1", "web-1-uid"))));
    // A Job and its pod.
    objects.push(
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "nightly", "namespace": "a-ext", "uid": "job-uid", "labels": forged.clone()},
            "spec": {"template": {"metadata": {"labels": forged.clone()}, "spec": {"containers": [{"name": "c", "image": "harbor.egov.local/a/c:1"}]}}}}),
        );
    objects.push(labelled_pod("nightly-x", forged.clone(), Some(owner("batch/v1", "Job", "nightly", "job-uid"))));
    // A pod claiming govcloud's Deployment itself, one claiming the real
    // ReplicaSet by a stale uid, and one of the real ReplicaSet labelled as another app.
    objects.push(labelled_pod(
        "claims-deployment",
        forged.clone(),
        Some(owner("apps/v1", "Deployment", "portal", "deployment-uid")),
    ));
    objects.push(labelled_pod("stale", forged.clone(), Some(owner("apps/v1", "ReplicaSet", "portal-5d8f", "old-uid"))));
    objects.push(labelled_pod(
        "as-db",
        json!({labels::APP: "db", labels::MANAGED_BY: labels::MANAGER}),
        Some(owner("apps/v1", "ReplicaSet", "portal-5d8f", "rs-uid")),
    ));
    let found = identity(&audit(&model, &objects));
    let failed = |id: &str| match found.get(id) {
        Some((Outcome::Fail, e)) => e.clone(),
        other => panic!("{id}: {other:?}"),
    };
    assert_eq!(failed("Pod/a-ext/bare"), "govcloud.io/app=portal on a bare pod: no owner chain to govcloud's workload");
    assert_eq!(
        failed("Pod/a-ext/web-1-x"),
        "govcloud.io/app=portal owned by ReplicaSet web-1 of Deployment web, not made from govcloud's workload: govcloud renders no Deployment web in a-ext"
    );
    assert_eq!(
        failed("ReplicaSet/a-ext/web-1"),
        "govcloud.io/app=portal owned by Deployment web, not made from govcloud's workload: govcloud renders no Deployment web in a-ext"
    );
    assert_eq!(
        failed("Deployment/a-ext/web"),
        "govcloud.io/app=portal on Deployment web: govcloud renders no Deployment web in a-ext"
    );
    assert_eq!(
        failed("Pod/a-ext/nightly-x"),
        "govcloud.io/app=portal owned by Job nightly, which has no controller: not made from govcloud's workload"
    );
    assert_eq!(
        failed("Job/a-ext/nightly"),
        "govcloud.io/app=portal on a Job, which has no controller: not made from govcloud's workload"
    );
    assert_eq!(
        failed("Pod/a-ext/claims-deployment"),
        "govcloud.io/app=portal owned by Deployment portal, not by a ReplicaSet of govcloud's Deployment, its StatefulSet or a Job of its CronJob"
    );
    assert_eq!(
        failed("Pod/a-ext/stale"),
        "govcloud.io/app=portal owned by ReplicaSet portal-5d8f: the reference is not to the ReplicaSet of that name (another group or uid)"
    );
    assert_eq!(
        failed("Pod/a-ext/as-db"),
        "govcloud.io/app=db owned by ReplicaSet portal-5d8f, whose template carries govcloud.io/app=portal"
    );
    // The real chain still passes beside them.
    assert_eq!(found.get("Pod/a-ext/portal-5d8f-x1").map(|f| f.0), Some(Outcome::Pass));
}

#[test]
fn govclouds_deployment_is_known_by_custody_not_by_its_name() {
    // A Deployment under the app's name that govcloud did not create (the adoption case).
    let (model, mut objects) = portal_running();
    object_mut(&mut objects, "Deployment", "a-ext", "portal")["metadata"]["labels"]
        .as_object_mut()
        .expect("labels")
        .remove(labels::MANAGED_BY);
    let found = identity(&audit(&model, &objects));
    assert_eq!(
            found.get("Pod/a-ext/portal-5d8f-x1"),
            Some(&(
                Outcome::Fail,
                "govcloud.io/app=portal owned by ReplicaSet portal-5d8f of Deployment portal, not made from govcloud's workload: Deployment portal holds the name of govcloud's but was not created by govcloud (no app.kubernetes.io/managed-by=govcloud label)".to_string()
            ))
        );
    // Controlled by something other than its DepartmentApp: another app, or the app of that name before it was recreated.
    for (kind, name, uid) in [
        ("DepartmentApp", "db", "app-uid"),
        ("DepartmentApp", "portal", "older-app-uid"),
        ("ConfigMap", "portal", "app-uid"),
    ] {
        let (model, mut objects) = portal_running();
        let api_version = if kind == "ConfigMap" { "v1" } else { "govcloud.io/v1alpha1" };
        object_mut(&mut objects, "Deployment", "a-ext", "portal")["metadata"]["ownerReferences"] =
            owner(api_version, kind, name, uid);
        let found = identity(&audit(&model, &objects));
        let (outcome, evidence) = found.get("Deployment/a-ext/portal").expect("judged");
        assert_eq!(*outcome, Outcome::Fail, "{kind} {name} {uid}");
        assert_eq!(
            *evidence,
            format!(
                "govcloud.io/app=portal on Deployment portal: Deployment portal is controlled by {kind} {name}, not by DepartmentApp portal"
            )
        );
    }
    // The template of govcloud's Deployment, changed to run another app's identity.
    let (model, mut objects) = portal_running();
    let deployment = object_mut(&mut objects, "Deployment", "a-ext", "portal");
    deployment["spec"]["template"]["metadata"]["labels"][labels::APP] = json!("db");
    let found = identity(&audit(&model, &objects));
    assert_eq!(
        found.get("Deployment/a-ext/portal"),
        Some(&(
            Outcome::Fail,
            "govcloud.io/app=db on Deployment portal: govcloud's Deployment portal runs govcloud.io/app=portal"
                .to_string()
        ))
    );
}

#[test]
fn an_ingress_routes_only_to_govclouds_services() {
    let backends = |a: &Audit| -> Vec<(Outcome, String, String)> {
        a.findings
            .iter()
            .filter(|f| f.control == controls::INGRESS_ZONE && f.message.starts_with("an Ingress routes only"))
            .map(|f| (f.outcome, f.subject.object.to_string(), f.evidence.to_string()))
            .collect()
    };
    // As rendered: the public app's Ingress to its ClusterIP Service.
    let (model, mut objects) = small();
    assert_eq!(
        backends(&audit(&model, &objects)),
        vec![(Outcome::Pass, "Ingress/a-dmz/site".to_string(), "routes only to govcloud's Service site".to_string())]
    );
    // The department's ExternalName Service in its place, proxying the internet into the private network.
    objects.retain(|o| !(kind_of(o) == "Service" && ns_of(o) == "a-dmz" && name_of(o) == "site"));
    objects.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "site", "namespace": "a-dmz"},
            "spec": {"type": "ExternalName", "externalName": "vault.a-prv.svc.cluster.local"}}));
    // A second route to a Service that is not there, and a default backend that is no Service.
    let ingress = object_mut(&mut objects, "Ingress", "a-dmz", "site");
    let mut route = ingress["spec"]["rules"][0]["http"]["paths"][0].clone();
    route["path"] = json!("/admin");
    route["backend"] = json!({"service": {"name": "admin", "port": {"number": 80}}});
    ingress["spec"]["rules"][0]["http"]["paths"].as_array_mut().expect("paths").push(route);
    ingress["spec"]["defaultBackend"] =
        json!({"resource": {"apiGroup": "example.io", "kind": "Bucket", "name": "files"}});
    let found = backends(&audit(&model, &objects));
    assert_eq!(
            found,
            vec![(
                Outcome::Fail,
                "Ingress/a-dmz/site".to_string(),
                [
                    "spec.defaultBackend: a resource backend (Bucket files), not a Service",
                    "spec.rules[0].http.paths[0].backend: Service site is not govcloud's (no app.kubernetes.io/managed-by=govcloud label) and of type ExternalName, to vault.a-prv.svc.cluster.local",
                    "spec.rules[0].http.paths[1].backend: Service admin does not exist",
                ]
                .join("; ")
            )]
        );
    // Even govcloud's own Service, turned into an ExternalName.
    let (model, mut objects) = small();
    let service = object_mut(&mut objects, "Service", "a-dmz", "site");
    service["spec"]["type"] = json!("ExternalName");
    service["spec"]["externalName"] = json!("example.com");
    let found = backends(&audit(&model, &objects));
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].0, found[0].2.as_str()),
        (Outcome::Fail, "spec.rules[0].http.paths[0].backend: Service site is of type ExternalName, to example.com")
    );
}

/// A ResourceRequest of namespace a-ext filed by `requester`, with `status`.
fn resource_request(name: &str, kind: &str, requester: &str, status: Value) -> Value {
    let mut spec = json!({"kind": kind, "zone": "ext", "justification": "flood season", "project": "应急指挥", "requester": {"username": requester}});
    if kind == "Surge" {
        spec["minutes"] = json!(30);
    }
    if kind == "Surge" || kind == "Quota" {
        spec["resources"] = json!({"cpu": "2"});
    }
    json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "ResourceRequest", "metadata": {"name": name, "namespace": "a-ext"}, "spec": spec, "status": status})
}

/// GC-REQ-001's findings on `requests` (in the fixture's cluster), by request and field.
fn request_findings(requests: &[Value]) -> BTreeMap<(String, String), (Outcome, String)> {
    let (_, mut objects) = small();
    objects.extend(requests.iter().cloned());
    let (namespaces, _) = namespaces(&objects);
    let refs: Vec<&Value> = objects.iter().collect();
    let mut ctx = Ctx::new(namespaces);
    resource_requests(&mut ctx, &refs);
    assert!(
        ctx.findings
            .iter()
            .all(|f| f.control == controls::REQUEST_DECISIONS && f.subject.tenant.as_deref() == Some("a"))
    );
    ctx.findings
        .iter()
        .map(|f| ((f.subject.object.to_string(), f.field.to_string()), (f.outcome, f.evidence.to_string())))
        .collect()
}

fn decided(state: &str, by: Option<&str>) -> Value {
    let mut d = json!({"state": state, "reason": "flood season"});
    if let Some(by) = by {
        d["by"] = json!(by);
    }
    d
}

#[test]
fn a_request_decided_by_its_requester_fails() {
    let found = request_findings(&[
        resource_request("own", "Quota", "li", json!({"decision": decided("Approved", Some("li"))})),
        resource_request("other", "Quota", "li", json!({"decision": decided("Rejected", Some("wang"))})),
        resource_request("unrecorded", "Quota", "li", json!({"decision": decided("Approved", None)})),
        resource_request("pending", "Quota", "li", json!({"phase": "Pending"})),
    ]);
    let by =
        |name: &str| found.get(&(format!("ResourceRequest/a-ext/{name}"), "status.decision.by".to_string())).cloned();
    assert_eq!(by("own"), Some((Outcome::Fail, "Approved by li, who filed it".to_string())));
    assert_eq!(by("other"), Some((Outcome::Pass, "filed by li, rejected by wang".to_string())));
    assert_eq!(
        by("unrecorded"),
        Some((Outcome::Fail, "Approved with no status.decision.by: who decided was not recorded".to_string()))
    );
    assert_eq!(by("pending"), None, "nothing decided yet");
}

#[test]
fn a_surge_whose_end_moved_fails() {
    let history =
        |phases: &[(&str, &str)]| -> Value { phases.iter().map(|(p, at)| json!({"phase": p, "at": at})).collect() };
    let surge = |name: &str, expires: &str, phases: &[(&str, &str)]| {
        resource_request(
            name,
            "Surge",
            "li",
            json!({"decision": decided("Approved", Some("wang")), "phase": phases.last().map(|p| p.0), "expiresAt": expires, "history": history(phases)}),
        )
    };
    let approved = [("Pending", "2026-01-01T00:00:00Z"), ("Approved", "2026-01-01T01:00:00Z")];
    let found = request_findings(&[
        surge("as-fixed", "2026-01-01T01:30:00Z", &approved),
        surge("moved", "2026-01-01T03:00:00Z", &approved),
        // Invalid for a while after its approval, then approved again: the end is the first approval's.
        surge(
            "again",
            "2026-01-01T01:30:00Z",
            &[
                ("Pending", "2026-01-01T00:00:00Z"),
                ("Approved", "2026-01-01T01:00:00Z"),
                ("Invalid", "2026-01-01T01:10:00Z"),
                ("Approved", "2026-01-01T01:20:00Z"),
            ],
        ),
        surge("expired", "2026-01-01T01:30:00Z", &[approved[0], approved[1], ("Expired", "2026-01-01T01:30:01Z")]),
        surge("undated", "2026-01-01T01:30:00Z", &[("Pending", "2026-01-01T00:00:00Z")]),
    ]);
    let end =
        |name: &str| found.get(&(format!("ResourceRequest/a-ext/{name}"), "status.expiresAt".to_string())).cloned();
    let fixed = Some((
        Outcome::Pass,
        "ends at 2026-01-01T01:30:00Z: approved at 2026-01-01T01:00:00Z plus 30 minutes".to_string(),
    ));
    assert_eq!(end("as-fixed"), fixed);
    assert_eq!(end("again"), fixed);
    assert_eq!(end("expired"), fixed);
    assert_eq!(
            end("moved"),
            Some((
                Outcome::Fail,
                "the surge end moved: expiresAt 2026-01-01T03:00:00Z, approved at 2026-01-01T01:00:00Z plus 30 minutes is 2026-01-01T01:30:00Z".to_string()
            ))
        );
    assert_eq!(
        end("undated"),
        Some((
            Outcome::Fail,
            "expiresAt 2026-01-01T01:30:00Z, and no Approved transition in status.history to date the end from"
                .to_string()
        ))
    );
    // Approved, and the operator has not seen it yet: no end to judge.
    let found = request_findings(&[resource_request(
        "new",
        "Surge",
        "li",
        json!({"decision": decided("Approved", Some("wang"))}),
    )]);
    assert_eq!(found.keys().map(|(_, field)| field.as_str()).collect::<Vec<_>>(), vec!["status.decision.by"]);
}

#[test]
fn only_an_approved_surge_has_an_end() {
    let end = json!("2027-01-01T00:00:00Z");
    let found = request_findings(&[
        resource_request(
            "quota",
            "Quota",
            "li",
            json!({"decision": decided("Approved", Some("wang")), "expiresAt": end}),
        ),
        resource_request("pending-surge", "Surge", "li", json!({"phase": "Pending", "expiresAt": end})),
        resource_request(
            "rejected-surge",
            "Surge",
            "li",
            json!({"decision": decided("Rejected", Some("wang")), "expiresAt": end}),
        ),
    ]);
    let end =
        |name: &str| found.get(&(format!("ResourceRequest/a-ext/{name}"), "status.expiresAt".to_string())).cloned();
    assert_eq!(
        end("quota"),
        Some((
            Outcome::Fail,
            "expiresAt 2027-01-01T00:00:00Z on a Quota request that is approved: only an approved surge ends"
                .to_string()
        ))
    );
    assert_eq!(
        end("pending-surge"),
        Some((
            Outcome::Fail,
            "expiresAt 2027-01-01T00:00:00Z on a Surge request that is undecided: only an approved surge ends"
                .to_string()
        ))
    );
    assert_eq!(
        end("rejected-surge"),
        Some((
            Outcome::Fail,
            "expiresAt 2027-01-01T00:00:00Z on a Surge request that is rejected: only an approved surge ends"
                .to_string()
        ))
    );
}

/// A finding serialises as it did when its subject was its own fields: the
/// same keys in the same order, the reason flattened, the optional ones
/// left out when absent.
#[test]
fn a_finding_serialises_with_its_subject_as_its_own_fields() {
    use govcloud_core::messages::Code;
    let subject = Subject {
        object: "Deployment/a-ext/portal".into(),
        namespace: Some("a-ext".into()),
        tenant: Some("a".into()),
        zone: Some("ext".into()),
        cluster: Some("east".into()),
    };
    let mut f = Finding {
        subject: Arc::new(subject),
        check: std::sync::Arc::new(crate::Check {
            control: "GC-APP-001",
            outcome: Outcome::Fail,
            severity: Severity::High,
            field: "spec".into(),
            evidence: "image=x".into(),
            evidence_message: Some(Arc::new(govcloud_core::msg!(Code::NoDrift))),
            message: "m".into(),
            reason: Arc::new(govcloud_core::msg!(Code::ChangedByHand, "Deployment/a-ext/portal")),
        }),
    };
    assert_eq!(
        serde_json::to_string(&f).expect("json"),
        r#"{"control":"GC-APP-001","outcome":"fail","severity":"High","object":"Deployment/a-ext/portal","namespace":"a-ext","tenant":"a","zone":"ext","field":"spec","evidence":"image=x","evidence_message":{"code":"NoDrift"},"message":"m","code":"ChangedByHand","args":["Deployment/a-ext/portal"],"cluster":"east"}"#
    );
    let other = f.clone();
    *f.subject_mut() = Subject { object: "Namespace/a-ext".into(), ..Subject::default() };
    f.check_mut().evidence_message = None;
    f.check_mut().reason = Arc::new(govcloud_core::msg!(Code::NoDrift));
    assert_eq!(
        serde_json::to_string(&f).expect("json"),
        r#"{"control":"GC-APP-001","outcome":"fail","severity":"High","object":"Namespace/a-ext","field":"spec","evidence":"image=x","message":"m","code":"NoDrift"}"#
    );
    assert_eq!(&*other.subject.object, "Deployment/a-ext/portal", "a changed subject is the finding's own");
}

/// A finding is two pointers, its subject and its check, and findings of
/// other objects that check the same and find the same share one check;
/// changing one finding's check leaves the others' as they were.
#[test]
fn findings_that_check_the_same_share_one_check() {
    use govcloud_core::messages::Code;
    assert_eq!(std::mem::size_of::<Finding>(), 2 * std::mem::size_of::<usize>());
    let mut ctx = Ctx::new(BTreeMap::new());
    let mut add = |object: &str, evidence: &str| {
        let (control, field) = (controls::MANAGED_OBJECTS, "spec.template");
        ctx.add(control, Outcome::Pass, object, Some("a-ext"), field, evidence, govcloud_core::msg!(Code::NoDrift))
    };
    add("Deployment/a-ext/one", "complies");
    add("Deployment/a-ext/two", "complies");
    add("Deployment/a-ext/three", "image=x");
    let [one, two, three] = &ctx.findings[..] else { panic!("three findings: {:?}", ctx.findings) };
    assert!(Arc::ptr_eq(&one.check, &two.check), "the same check, held once");
    assert!(!Arc::ptr_eq(&one.check, &three.check), "other evidence, another check");
    assert!(!Arc::ptr_eq(&one.subject, &two.subject), "each object its own subject");
    let mut changed = two.clone();
    changed.check_mut().outcome = Outcome::Fail;
    assert_eq!((one.outcome, two.outcome, changed.outcome), (Outcome::Pass, Outcome::Pass, Outcome::Fail));
    assert_eq!(&*changed.subject.object, "Deployment/a-ext/two");
}

/// Findings of one object share its subject, and stamping a cluster keeps
/// them sharing one (tagged) subject, not one copy each.
#[test]
fn findings_share_their_subject_and_the_cluster_stamp_keeps_it_shared() {
    let (model, objects) = chifeng();
    let a = audit(&model, &objects);
    let distinct =
        |fs: &[Finding]| fs.iter().map(|f| Arc::as_ptr(&f.subject)).collect::<std::collections::HashSet<_>>().len();
    let objects_found: std::collections::HashSet<&str> = a.findings.iter().map(|f| &*f.subject.object).collect();
    assert!(a.findings.len() > 2 * objects_found.len(), "{} findings", a.findings.len());
    // One per object on each path that checks it (each path records its own).
    let subjects = distinct(&a.findings);
    assert!(subjects * 3 < a.findings.len(), "{subjects} subjects for {} findings", a.findings.len());
    let mut tagged = a.findings.clone();
    let c: Arc<str> = "east".into();
    tag_cluster(&mut tagged, &c);
    assert!(tagged.iter().all(|f| f.subject.cluster.as_deref() == Some("east")));
    assert!(distinct(&tagged) <= distinct(&a.findings));
    for (before, after) in a.findings.iter().zip(&tagged) {
        assert_eq!(
            (&before.subject.object, &before.subject.namespace, &before.subject.tenant),
            (&after.subject.object, &after.subject.namespace, &after.subject.tenant)
        );
    }
}

/// What one finding takes, its subject shared (a province's audit holds
/// about 469,000 at once): 176 bytes when the subject was its own fields.
#[test]
fn a_finding_takes_what_its_fields_need_and_no_copy_of_its_subject() {
    let size = std::mem::size_of::<Finding>();
    eprintln!("a finding: {size} bytes");
    assert!(size <= 96, "{size} bytes");
}
