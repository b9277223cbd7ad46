use futures::StreamExt;

use futures::Stream;

use govcloud_core::meta::labels::{OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};
use k8s_openapi::api::core::v1::Node;
use kube::api::DynamicObject;
use kube::runtime::reflector::ObjectRef;

use crate::triggers::graph::cluster_auditors_of;

use super::*;

fn tenant(yaml: &str) -> Tenant {
    govcloud_core::model::load_str("t.yaml", yaml).unwrap_or_else(|e| panic!("{e:#?}")).model.tenants.remove(0)
}

#[test]
fn only_cluster_scope_auditors_fan_out() {
    let base = "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: audit}\nspec:\n  displayName: {zh: 审计, en: Audit}\n  owners: [{kind: Group, name: b, role: auditor}, {kind: User, name: a, role: auditor}, {kind: Group, name: adm, role: admin}]\n";
    let mut t = tenant(&format!("{base}  auditScope: cluster\n"));
    assert_eq!(cluster_auditors_of(&t), vec!["Group/b".to_string(), "User/a".to_string()]);
    assert!(cluster_auditors_of(&tenant(base)).is_empty(), "tenant scope binds nothing elsewhere");
    t.metadata.deletion_timestamp =
        Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::now()));
    assert!(cluster_auditors_of(&t).is_empty(), "a tenant being deleted binds nothing");

    // The remembered set changes only when the auditors do.
    let tr = Triggers::new();
    let t = tenant(&format!("{base}  auditScope: cluster\n"));
    let seen = |tr: &Triggers| tr.0.cluster_auditors.lock().map(|m| m.clone()).unwrap_or_default();
    tr.tenant_changed(&t);
    assert_eq!(seen(&tr).get("audit").map(Vec::len), Some(2));
    tr.tenant_changed(&tenant(base));
    assert!(seen(&tr).is_empty());
}

#[test]
fn only_spec_creation_and_deletion_change_the_model() {
    let tr = Triggers::new();
    let mut t = tenant(
        "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: a}\nspec: {displayName: {zh: 甲, en: A}}\n",
    );
    t.metadata.uid = Some("u1".into());
    t.metadata.generation = Some(1);
    assert!(tr.changes_model(&t, false), "first sight");
    let v1 = tr.model_version();
    assert_eq!(tr.needed_version("Tenant", "", "a"), v1);
    // A status write (or a label) changes neither uid nor generation.
    t.status = Some(Default::default());
    t.metadata.resource_version = Some("999".into());
    assert!(!tr.changes_model(&t, false), "status only");
    assert_eq!(tr.model_version(), v1);
    t.metadata.generation = Some(2);
    assert!(tr.changes_model(&t, false), "spec change");
    assert!(tr.model_version() > v1);
    assert_eq!(tr.needed_version("Tenant", "", "a"), tr.model_version());
    // A new object of the same name is a change too, and so is a deletion.
    t.metadata.uid = Some("u2".into());
    assert!(tr.changes_model(&t, false), "recreated");
    assert!(tr.changes_model(&t, true), "deleted");
    // Sending a reconcile records the version it must see.
    let before = tr.model_version();
    tr.send_zone(ObjectRef::new("z"));
    assert_eq!(tr.needed_version("NetworkZone", "", "z"), before);
}

fn app(ns: &str, name: &str, extra: &str) -> DepartmentApp {
    let zone = govcloud_core::meta::names::split_namespace(ns).map(|(_, z)| z).unwrap_or_default();
    let y = format!(
        "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{zone: {zone}, image: harbor.egov.local/x/y:1{extra}}}\n"
    );
    govcloud_core::model::load_str("a.yaml", &y).unwrap_or_else(|e| panic!("{e:#?}")).model.apps.remove(0)
}

fn drain(s: &mut (impl Stream<Item = ObjectRef<DepartmentApp>> + Unpin)) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    while let Some(Some(r)) = futures::FutureExt::now_or_never(s.next()) {
        out.insert(format!("{}/{}", r.namespace.unwrap_or_default(), r.name));
    }
    out
}

#[test]
fn an_app_change_reaches_its_callers_and_its_old_and_new_callees_only() {
    let tr = Triggers::new();
    let mut apps = Box::pin(tr.app_stream());
    let caller = app("a-ext", "portal", ", flows: {calls: [{tenant: b, app: db}]}");
    tr.app_changed(&caller, false);
    tr.app_changed(&app("b-ext", "db", ""), false);
    tr.app_changed(&app("b-ext", "other", ""), false);
    tr.app_changed(&app("c-ext", "lonely", ""), false);
    drain(&mut apps);
    // The provider changes: its caller hears of it, nobody else.
    tr.app_changed(&app("b-ext", "db", ""), false);
    assert_eq!(drain(&mut apps), BTreeSet::from(["a-ext/portal".to_string()]));
    // The caller switches to another provider: the old and the new one hear of it.
    tr.app_changed(&app("a-ext", "portal", ", flows: {calls: [{tenant: b, app: other}]}"), false);
    assert_eq!(drain(&mut apps), BTreeSet::from(["b-ext/db".to_string(), "b-ext/other".to_string()]));
    // The caller is deleted: its provider hears of it.
    tr.app_changed(&app("a-ext", "portal", ", flows: {calls: [{tenant: b, app: other}]}"), true);
    assert_eq!(drain(&mut apps), BTreeSet::from(["b-ext/other".to_string()]));
    tr.app_changed(&app("b-ext", "other", ""), false);
    assert!(drain(&mut apps).is_empty(), "no caller left");
}

fn deployment(ready: i64, observed: i64, image: &str) -> DynamicObject {
    serde_json::from_value(serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "portal", "namespace": "a-ext", "resourceVersion": format!("{ready}{observed}{image}"),
                "labels": {OWNER_KIND: "DepartmentApp", OWNER_NAME: "portal", OWNER_NAMESPACE: "a-ext"}},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}},
            "status": {"readyReplicas": ready, "updatedReplicas": ready, "observedGeneration": observed, "conditions": [{"type": "Progressing", "lastUpdateTime": format!("t{observed}")}]}
        }))
        .expect("deployment")
}

fn drain_any<K: kube::Resource<DynamicType = ()>>(s: &mut (impl Stream<Item = ObjectRef<K>> + Unpin)) -> usize {
    let mut n = 0;
    while let Some(Some(_)) = futures::FutureExt::now_or_never(s.next()) {
        n += 1;
    }
    n
}

#[test]
fn only_what_an_owner_reads_wakes_it_and_never_its_own_echo() {
    let tr = Triggers::new();
    let (mut apps, mut statuses) = (Box::pin(tr.app_stream()), Box::pin(tr.app_status_stream()));
    tr.owned_listed("Deployment", &deployment(0, 1, "i:1"));
    assert_eq!((drain_any(&mut apps), drain_any(&mut statuses)), (0, 0), "a listed object wakes nobody");
    // Status bookkeeping that no status reports: nobody.
    assert!(!tr.owned_changed("Deployment", &deployment(0, 2, "i:1"), false, false));
    assert_eq!((drain_any(&mut apps), drain_any(&mut statuses)), (0, 0));
    // Replicas turning ready: the app's status is refreshed, no reconcile.
    assert!(tr.owned_changed("Deployment", &deployment(1, 2, "i:1"), false, false));
    assert_eq!((drain_any(&mut apps), drain_any(&mut statuses)), (0, 1));
    // Someone changes the spec: the app repairs it.
    assert!(tr.owned_changed("Deployment", &deployment(1, 2, "evil:1"), false, false));
    assert_eq!(drain_any(&mut apps), 1);
    // The app's own write back: recorded, nobody woken.
    assert!(tr.owned_changed("Deployment", &deployment(1, 2, "i:1"), false, true));
    assert_eq!(drain_any(&mut apps), 0);
    // A deletion by someone else always wakes the owner; its own does not.
    assert!(tr.owned_changed("Deployment", &deployment(1, 2, "i:1"), true, false));
    assert_eq!(drain_any(&mut apps), 1);
    assert!(tr.owned_changed("Deployment", &deployment(1, 2, "i:1"), true, true));
    assert_eq!(drain_any(&mut apps), 0);
}

#[test]
fn a_zone_tenant_or_app_reconciles_on_spec_and_finalizer_changes_not_on_status() {
    let tr = Triggers::new();
    let mut t = tenant(
        "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: a}\nspec: {displayName: {zh: 甲, en: A}}\n",
    );
    t.metadata.uid = Some("u1".into());
    t.metadata.generation = Some(1);
    assert_eq!(tr.observe(&t, false), (true, true), "first sight");
    t.status = Some(Default::default());
    assert_eq!(tr.observe(&t, false), (false, false), "its own status write");
    t.metadata.finalizers = Some(vec!["govcloud.io/cleanup".into()]);
    assert_eq!(tr.observe(&t, false), (false, true), "the finalizer it waits for");
    t.metadata.generation = Some(2);
    assert_eq!(tr.observe(&t, false), (true, true), "a spec change");
    assert_eq!(tr.observe(&t, true), (true, false), "gone: the model changes, nothing to reconcile");
}

#[test]
fn an_app_ready_again_wakes_the_reports_its_own_compliance_writes_do_not() {
    let app = |ready: &str, since: &str, replicas: i32| -> DepartmentApp {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "portal", "namespace": "t-ext", "generation": 1},
            "spec": {"zone": "ext", "image": "registry.local/portal:1", "replicas": 1},
            "status": {"readyReplicas": replicas, "conditions": [
                {"type": "Ready", "status": ready, "reason": "R", "message": "", "lastTransitionTime": since}
            ]}
        }))
        .expect("app")
    };
    let tr = Triggers::new();
    let woken = |tr: &Triggers| futures::FutureExt::now_or_never(tr.reports_woken()).is_some();
    let seen = |tr: &Triggers, a: &DepartmentApp| tr.status_read(a, govcloud_evaluate::app_status_read(a), false);
    seen(&tr, &app("True", "2026-11-27T00:00:00Z", 1));
    assert!(!woken(&tr), "first sight is the model's change to tell");
    seen(&tr, &app("True", "2026-11-27T00:00:00Z", 1));
    assert!(!woken(&tr), "the same status");
    seen(&tr, &app("False", "2026-11-27T00:00:10Z", 1));
    assert!(woken(&tr), "not ready: the evaluation is out of date");
    seen(&tr, &app("True", "2026-11-27T00:00:11Z", 1));
    assert!(woken(&tr), "ready again after the repair");
    seen(&tr, &app("True", "2026-11-27T00:00:11Z", 0));
    assert!(woken(&tr), "a replica less");
    let mut other = app("True", "2026-11-27T00:00:11Z", 0);
    other.status.as_mut().expect("status").endpoints = vec!["portal.t-ext.svc".into()];
    seen(&tr, &other);
    assert!(!woken(&tr), "what the evaluation does not read");
    // A tenant's compliance summary, written by the reports themselves,
    // does not wake them again; its quota use does.
    let tenant = |used: &str, at: &str| -> Tenant {
        serde_json::from_value(serde_json::json!({
                "metadata": {"name": "t"},
                "spec": {"displayName": {"zh": "T", "en": "T"}, "zones": []},
                "status": {"quota": [{"zone": "ext", "namespace": "t-ext", "granted": {"requests.cpu": "4"}, "used": {"requests.cpu": used}}],
                           "compliance": {"pass": 1, "fail": 0, "warn": 0, "skip": 0, "evaluatedAt": at}}
            }))
            .expect("tenant")
    };
    let seen = |tr: &Triggers, t: &Tenant| tr.status_read(t, govcloud_evaluate::tenant_status_read(t), false);
    seen(&tr, &tenant("1", "2026-11-27T00:00:00Z"));
    seen(&tr, &tenant("1", "2026-11-27T00:00:05Z"));
    assert!(!woken(&tr), "its compliance summary");
    seen(&tr, &tenant("2", "2026-11-27T00:00:05Z"));
    assert!(woken(&tr), "its quota use");
}

#[test]
fn node_heartbeats_wake_no_zone() {
    let node = |beat: &str, ready: &str| -> Node {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "n1", "labels": {"govcloud.io/zone": "ext"}},
            "status": {"conditions": [{"type": "Ready", "status": ready, "lastHeartbeatTime": beat}]}
        }))
        .expect("node")
    };
    let tr = Triggers::new();
    assert!(
        tr.relevant(
            "Node",
            &serde_json::from_value(serde_json::to_value(node("2026-11-27T00:00:00Z", "True")).expect("json"))
                .expect("dyn"),
            false
        )
    );
    let seen = |tr: &Triggers, n: Node| {
        tr.relevant("Node", &serde_json::from_value(serde_json::to_value(n).expect("json")).expect("dyn"), false)
    };
    assert!(!seen(&tr, node("2026-11-27T00:00:10Z", "True")), "a heartbeat");
    assert!(seen(&tr, node("2026-11-27T00:00:20Z", "False")), "readiness");
    // Through node_changed: a heartbeat wakes no report, a change does.
    let woken = |tr: &Triggers| futures::FutureExt::now_or_never(tr.reports_woken()).is_some();
    woken(&tr);
    tr.node_changed(&node("2026-11-27T00:00:30Z", "False"), false);
    assert!(!woken(&tr), "a heartbeat");
    let mut moved = node("2026-11-27T00:00:40Z", "False");
    moved.metadata.labels = Some([(govcloud_core::meta::labels::ZONE.to_string(), "internet".to_string())].into());
    tr.node_changed(&moved, false);
    assert!(woken(&tr), "a node moved to another zone");
}

#[test]
fn tenants_and_zones_hear_of_apps_that_appear_or_leave_not_of_spec_changes() {
    let tr = Triggers::new();
    let (mut tenants, mut zones) = (Box::pin(tr.tenant_status_stream()), Box::pin(tr.zone_status_stream()));
    let (mut tenant_reconciles, mut zone_reconciles) = (Box::pin(tr.tenant_stream()), Box::pin(tr.zone_stream()));
    tr.app_changed(&app("a-ext", "portal", ""), false);
    assert_eq!((drain_any(&mut tenants), drain_any(&mut zones)), (1, 1), "a new app");
    tr.app_changed(&app("a-ext", "portal", ", replicas: 3"), false);
    assert_eq!((drain_any(&mut tenants), drain_any(&mut zones)), (0, 0), "a spec change");
    tr.app_changed(&app("a-ext", "portal", ", replicas: 3"), true);
    assert_eq!((drain_any(&mut tenants), drain_any(&mut zones)), (1, 1), "gone");
    // Counts are statuses: none of it is a reconcile.
    assert_eq!((drain_any(&mut tenant_reconciles), drain_any(&mut zone_reconciles)), (0, 0));
}

#[test]
fn a_grant_or_call_that_changes_recounts_the_tenants_at_both_ends() {
    let tr = Triggers::new();
    let mut tenants = Box::pin(tr.tenant_status_stream());
    fn names(s: &mut (impl Stream<Item = ObjectRef<Tenant>> + Unpin)) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        while let Some(Some(r)) = futures::FutureExt::now_or_never(s.next()) {
            out.insert(r.name);
        }
        out
    }
    tr.app_changed(&app("b-ext", "db", ""), false);
    tr.app_changed(&app("a-ext", "portal", ", flows: {calls: [{tenant: b, app: db}]}"), false);
    names(&mut tenants);
    tr.app_changed(&app("b-ext", "db", ", flows: {allowFrom: [{tenant: a}]}"), false);
    assert_eq!(
        names(&mut tenants),
        BTreeSet::from(["a".to_string(), "b".to_string()]),
        "a grant: the provider gives, the caller receives"
    );
    tr.app_changed(&app("b-ext", "db", ", flows: {allowFrom: [{tenant: a}]}, replicas: 4"), false);
    assert!(names(&mut tenants).is_empty(), "not a flow change");
    tr.app_changed(&app("b-ext", "db", ", flows: {allowFrom: [{tenant: a}]}"), true);
    assert_eq!(names(&mut tenants), BTreeSet::from(["a".to_string(), "b".to_string()]), "the provider gone");
}

#[test]
fn a_config_map_wakes_the_apps_of_its_namespace_that_read_it_when_its_data_changes() {
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::runtime::{reflector, watcher};
    let tr = Triggers::new();
    let (zones, _zones) = reflector::store::<NetworkZone>();
    let (tenants, mut tw) = reflector::store::<Tenant>();
    let (apps, mut aw) = reflector::store::<DepartmentApp>();
    let (requests, _requests) = reflector::store::<ResourceRequest>();
    tw.apply_watcher_event(&watcher::Event::Apply(tenant(
        "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: a}\nspec: {displayName: {zh: 甲, en: A}}\n",
    )));
    let reads = ", env: [{name: X, valueFrom: {configMapKeyRef: {name: cfg, key: k}}}]";
    for a in [app("a-ext", "portal", reads), app("a-ext", "other", ""), app("b-ext", "portal", reads)] {
        aw.apply_watcher_event(&watcher::Event::Apply(a));
    }
    tr.attach(zones, tenants, apps, requests);
    let mut queued = Box::pin(tr.app_stream());
    // As the ConfigMap cache keeps it: its name and the digest of its data.
    let cm = |ns: &str, name: &str, host: &str| {
        let mut cm: ConfigMap = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": ns, "labels": {"team": "x"}}, "data": {"db-host": host}
        }))
        .expect("configmap");
        crate::watch::slim_config_map(&mut cm);
        cm
    };
    let slim = cm("a-ext", "cfg", "db1");
    assert!(slim.data.is_none() && slim.metadata.labels.is_none(), "{slim:?}");
    assert_eq!(
        digest_of(&slim),
        Some(govcloud_core::model::config_map_digest(&serde_json::json!({"data": {"db-host": "db1"}}))).as_deref()
    );

    let v = tr.model_version();
    assert_eq!(tr.config_map_changed(&cm("a-ext", "cfg", "db1"), false), 1);
    assert!(tr.model_version() > v, "the plans must see the new digest");
    assert_eq!(drain(&mut queued), BTreeSet::from(["a-ext/portal".to_string()]));
    // The same data again (a label, a resync): nothing.
    let v = tr.model_version();
    assert_eq!(tr.config_map_changed(&cm("a-ext", "cfg", "db1"), false), 0);
    assert_eq!(tr.model_version(), v);
    // New data: the reader again.
    assert_eq!(tr.config_map_changed(&cm("a-ext", "cfg", "db2"), false), 1);
    assert_eq!(drain(&mut queued), BTreeSet::from(["a-ext/portal".to_string()]));
    // One nobody reads, one in the namespace of a tenant out of scope, one of kube-system: nothing.
    assert_eq!(tr.config_map_changed(&cm("a-ext", "unread", "x"), false), 0);
    assert_eq!(tr.config_map_changed(&cm("b-ext", "cfg", "x"), false), 0);
    assert_eq!(tr.config_map_changed(&cm("kube-system", "cfg", "x"), false), 0);
    assert!(drain(&mut queued).is_empty());
    // Deleted: the reader renders it absent.
    assert_eq!(tr.config_map_changed(&cm("a-ext", "cfg", "db2"), true), 1);
    assert_eq!(drain(&mut queued), BTreeSet::from(["a-ext/portal".to_string()]));
}

#[test]
fn the_catalogue_reconciles_the_providers_tenant_when_its_entry_or_the_calls_to_it_change() {
    let tr = Triggers::new();
    let mut reconciles = Box::pin(tr.tenant_stream());
    fn names(s: &mut (impl Stream<Item = ObjectRef<Tenant>> + Unpin)) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        while let Some(Some(r)) = futures::FutureExt::now_or_never(s.next()) {
            out.insert(r.name);
        }
        out
    }
    let shared = |class: &str, more: &str| {
        format!(
            ", sharing: {{class: {class}, catalogue: {{names: {{zh: 库, en: DB}}, description: d, updateFrequency: daily, contact: c}}{more}}}"
        )
    };
    let b = || BTreeSet::from(["b".to_string()]);
    tr.app_changed(&app("b-ext", "db", &shared("conditional", "")), false);
    assert_eq!(names(&mut reconciles), b(), "a new entry");
    tr.app_changed(&app("b-ext", "db", &format!("{}, replicas: 3", shared("conditional", ""))), false);
    assert!(names(&mut reconciles).is_empty(), "nothing of the entry changed");
    let answered = shared("conditional", ", answers: [{consumer: a/ext/portal, decision: Granted}]");
    tr.app_changed(&app("b-ext", "db", &answered), false);
    assert_eq!(names(&mut reconciles), b(), "an answer changes the counts");
    // A caller of another tenant: the provider's tenant counts its calls; its own shares nothing.
    let calls = ", flows: {calls: [{tenant: b, app: db, purpose: p}]}";
    tr.app_changed(&app("a-ext", "portal", calls), false);
    assert_eq!(names(&mut reconciles), b(), "a new call");
    tr.app_changed(&app("a-ext", "portal", &format!("{calls}, replicas: 2")), false);
    assert!(names(&mut reconciles).is_empty(), "not a call change");
    tr.app_changed(&app("a-ext", "portal", calls), true);
    assert_eq!(names(&mut reconciles), b(), "the caller gone");
    tr.app_changed(&app("b-ext", "db", ""), false);
    assert_eq!(names(&mut reconciles), b(), "the app stops sharing: its entry goes");
    tr.app_changed(&app("b-ext", "db", ", replicas: 2"), false);
    assert!(names(&mut reconciles).is_empty(), "an app that shares nothing is not in the catalogue");
}
