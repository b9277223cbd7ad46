//! `govcloud import`: the rendered Chifeng model comes back as equivalent
//! DepartmentApps (and Tenants), and the non-compliant fixture is reported
//! workload by workload with the control that would refuse each thing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use govcloud::api::{DepartmentApp, Exposure};
use govcloud::cli::render_strict;
use govcloud::import::{Handling, Import, Options, Target, import};
use govcloud::model::{DEFAULT_CLUSTER_CIDRS, Model};
use govcloud::render;
use kube::ResourceExt;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cidrs() -> Vec<String> {
    DEFAULT_CLUSTER_CIDRS.iter().map(|c| c.to_string()).collect()
}

/// The Chifeng model as granted, and every object `govcloud render` prints for it.
fn chifeng() -> (Model, Vec<Value>) {
    let (loaded, rendered) =
        render_strict(&[repo().join("examples/chifeng")], &cidrs(), None).expect("Chifeng renders");
    let objects = render::render_platform()
        .iter()
        .chain(rendered.objects.iter())
        .map(|o| serde_json::to_value(o).expect("json"))
        .collect();
    (loaded.model, objects)
}

fn zones_only(model: &Model) -> Model {
    Model { zones: model.zones.clone(), cluster_cidrs: cidrs(), ..Default::default() }
}

#[test]
fn import_round_trips_the_rendered_chifeng_model() {
    let (model, objects) = chifeng();
    let result = import(&objects, &zones_only(&model), &Options::default());

    // Rendered by govcloud: nothing to change, nothing refused.
    for e in &result.entries {
        assert!(e.changes.is_empty(), "{}: {:#?}", e.object, e.changes);
    }
    assert_eq!(result.apps.len(), model.apps.len());
    // The model has apps of every workload kind, TLS of both kinds, autoscaling.
    assert!(result.apps.iter().any(|a| a.spec.autoscaling.is_some()));
    assert!(result.apps.iter().any(|a| a.spec.tls.as_ref().is_some_and(|t| t.issuer.is_some())));
    assert!(result.apps.iter().any(|a| a.spec.tls.as_ref().is_some_and(|t| t.secret_name.is_some())));
    for kind in govcloud::api::WorkloadKind::ALL {
        assert!(result.apps.iter().any(|a| a.spec.workload_kind() == kind), "no {kind:?} came back");
    }
    assert_eq!(result.tenants.len(), model.tenants.len());

    // Field by field, what render carries. displayName is not rendered
    // anywhere: it does not come back (documented).
    let by_key: BTreeMap<(String, String), &DepartmentApp> =
        result.apps.iter().map(|a| ((a.namespace().unwrap_or_default(), a.name_any()), a)).collect();
    for original in &model.apps {
        let key = (original.namespace().unwrap_or_default(), original.name_any());
        let got = by_key.get(&key).unwrap_or_else(|| panic!("{key:?} was not imported"));
        let (o, g) = (&original.spec, &got.spec);
        assert_eq!(
            (&o.zone, &o.image, o.replicas, &o.ports, &o.command, &o.args),
            (&g.zone, &g.image, g.replicas, &g.ports, &g.command, &g.args),
            "{key:?}"
        );
        assert_eq!(
            (&o.env, &o.config_files, &o.image_pull_secrets),
            (&g.env, &g.config_files, &g.image_pull_secrets),
            "{key:?}"
        );
        assert_eq!(
            (&o.readiness_probe, &o.liveness_probe, &o.startup_probe),
            (&g.readiness_probe, &g.liveness_probe, &g.startup_probe),
            "{key:?}"
        );
        assert_eq!((o.exposure, o.data_classification), (g.exposure, g.data_classification), "{key:?}");
        assert_eq!((&o.schedule, &o.tls, &o.autoscaling), (&g.schedule, &g.tls, &g.autoscaling), "{key:?}");
        // A class left to the zone's default comes back named.
        for (declared, got) in [(&o.ingress_class, &g.ingress_class), (&o.runtime_class, &g.runtime_class)] {
            if declared.is_some() {
                assert_eq!(declared, got, "{key:?}");
            }
        }
        // A storage class left to the zone's default comes back named.
        let storage = |s: &[govcloud::api::AppStorage]| -> Vec<(String, String, String)> {
            s.iter().map(|s| (s.name.clone(), s.size.clone(), s.mount_path.clone())).collect()
        };
        assert_eq!(storage(&o.storage), storage(&g.storage), "{key:?}");
        if o.resources.is_some() {
            assert_eq!(o.resources, g.resources, "{key:?}");
        }
        if o.exposure == Exposure::Public {
            // The default host comes back as no host; a chosen one as itself.
            assert_eq!(o.host, g.host, "{key:?}");
        }
        // Every call that was granted comes back (pending ones render nothing).
        for call in &g.flows.calls {
            assert!(
                o.flows.calls.iter().any(|c| c.app == call.app && c.tenant == call.tenant && c.zone == call.zone),
                "{key:?}: {call:?} was not declared"
            );
        }
    }

    // Equivalent: the drafts render exactly the objects the model did.
    let again = Model {
        zones: model.zones.clone(),
        tenants: result.tenants.clone(),
        apps: result.apps.clone(),
        cluster_cidrs: cidrs(),
        ..Default::default()
    };
    let rendered = render::render(&again);
    assert!(rendered.problems.is_empty(), "{:#?}", rendered.problems);
    let original = render::render(&model);
    let granted = |r: &render::Rendered| -> Vec<(String, String)> {
        r.flows
            .iter()
            .filter(|f| f.state == govcloud::api::FlowState::Granted)
            .map(|f| (f.consumer.to_string(), f.provider.to_string()))
            .collect()
    };
    assert_eq!(granted(&rendered), granted(&original));
    // The catalogue entries (SharedResources) come from sharing declarations,
    // which import does not draft (a department declares them after moving).
    let a: Vec<Value> = original
        .objects
        .iter()
        .filter(|o| !matches!(o, render::Owned::SharedResource(_)))
        .map(|o| serde_json::to_value(o).expect("json"))
        .collect();
    let b: Vec<Value> = rendered.objects.iter().map(|o| serde_json::to_value(o).expect("json")).collect();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "the first object that differs");
    }
    assert_eq!(a.len(), b.len());
}

fn fixture() -> Vec<Value> {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/import/legacy.yaml")).expect("fixture");
    let mut out = Vec::new();
    for doc in serde_norway::Deserializer::from_str(&text) {
        let v: Value = serde::Deserialize::deserialize(doc).expect("yaml");
        out.push(v);
    }
    out
}

fn legacy() -> Import {
    let (model, _) = chifeng();
    let options = Options {
        map: BTreeMap::from([(
            "culture-portal".to_string(),
            Target { tenant: Some("culture".into()), zone: "internet".into() },
        )]),
        default_zone: Some("extranet".into()),
    };
    import(&fixture(), &zones_only(&model), &options)
}

/// The change of `object` with `control` (or, with `None`, on `field`), which must be there.
fn change<'a>(result: &'a Import, object: &str, control: Option<&str>, field: &str) -> &'a govcloud::import::Change {
    let entry = result.entries.iter().find(|e| e.object == object).unwrap_or_else(|| panic!("no entry {object}"));
    entry
        .changes
        .iter()
        .find(|c| c.control.as_deref() == control && c.field.contains(field))
        .unwrap_or_else(|| panic!("{object}: no change {control:?} on {field}: {:#?}", entry.changes))
}

#[test]
fn import_reports_each_non_compliant_workload_with_its_reason_and_control() {
    use govcloud::controls::{
        HOST_NAMESPACES, HOST_PATH, HOST_PORTS, IMAGE_REGISTRY, NO_PRIVILEGED, RESOURCES, ZONE_NODES,
    };
    let r = legacy();
    let portal = "Deployment culture-portal/portal";
    let c = change(&r, portal, Some(IMAGE_REGISTRY), "image");
    assert!(c.reason.contains("docker.io/library/nginx:1.25") && c.handling == Handling::MustChange, "{c:?}");
    assert!(change(&r, portal, Some(RESOURCES), "resources").reason.contains("not set"));
    assert_eq!(change(&r, portal, Some(ZONE_NODES), "nodeSelector").handling, Handling::Rendered);
    assert!(change(&r, portal, None, "env[2].valueFrom.fieldRef").reason.contains("POD_IP"));
    assert!(change(&r, portal, None, "spec.type").reason.contains("NodePort"));
    assert!(change(&r, portal, None, "spec.ports[].port").reason.contains("port 80 from the container's 8080"));
    assert!(change(&r, portal, None, "spec.metrics").reason.contains("only its CPU target carries over"));

    let agent = "DaemonSet culture-portal/log-agent";
    assert!(change(&r, agent, Some(NO_PRIVILEGED), "privileged").reason.contains("= true"));
    assert!(change(&r, agent, Some(HOST_NAMESPACES), "hostNetwork").reason.contains("= true"));
    assert!(change(&r, agent, Some(HOST_PATH), "hostPath").reason.contains("/var/log"));
    assert!(change(&r, agent, Some(HOST_PORTS), "hostPort").reason.contains("24224"));
    assert!(change(&r, agent, None, "kind").reason.contains("every node"));

    let db = "StatefulSet culture-portal/archive-db";
    assert!(change(&r, db, None, "containers[1]").reason.contains("a second container (backup"));
    assert!(change(&r, db, None, "volumeMounts[0]").reason.contains("service-account token"));
    assert!(change(&r, db, None, "serviceAccountName").reason.contains("archive"));
    // The sidecar has no resources: the workload as a whole is refused.
    change(&r, db, Some(RESOURCES), "resources");

    let job = "CronJob culture-portal/nightly-report";
    assert!(change(&r, job, None, "containers[0].ports").reason.contains("serves no ports"));
    assert!(change(&r, job, None, "containers[0].readinessProbe").reason.contains("serve nothing"));
    change(&r, job, Some(RESOURCES), "resources");
    change(&r, "Service culture-portal/portal", Some(govcloud::controls::EXTERNAL_SERVICES), "spec.type");

    // Drafts: what carries over does.
    let apps: BTreeMap<String, &DepartmentApp> = r.apps.iter().map(|a| (a.name_any(), a)).collect();
    assert_eq!(apps.keys().collect::<Vec<_>>(), ["archive-db", "log-agent", "nightly-report", "portal"]);
    let portal = &apps["portal"].spec;
    assert_eq!((portal.exposure, portal.host.as_deref()), (Exposure::Public, Some("wenhua.chifeng.gov.cn")));
    assert_eq!((portal.replicas, portal.env.len(), portal.ports[0].port), (2, 2, 8080));
    assert_eq!(portal.tls.as_ref().and_then(|t| t.issuer.as_deref()), Some("chifeng-acme"));
    assert_eq!(portal.ingress_class.as_deref(), Some("nginx-internet"));
    let scaling = portal.autoscaling.as_ref().expect("the autoscaler carries over");
    assert_eq!((scaling.min_replicas, scaling.max_replicas, scaling.target_cpu_utilization), (2, 6, 60));
    assert_eq!(
        portal.readiness_probe.as_ref().and_then(|p| p.http_get.as_ref()).map(|h| h.port.as_str()),
        Some("http")
    );
    assert_eq!(apps["portal"].namespace().as_deref(), Some("culture-internet"));
    assert_eq!(apps["archive-db"].spec.config_files[0].config_map.as_deref(), Some("archive-conf"));
    let storage = &apps["archive-db"].spec.storage;
    assert_eq!(
        storage.iter().map(|s| (s.name.as_str(), s.size.as_str(), s.mount_path.as_str())).collect::<Vec<_>>(),
        [("data", "10Gi", "/var/lib/postgresql")]
    );
    let schedule = apps["nightly-report"].spec.schedule.as_ref().expect("a schedule");
    // Kubernetes' default concurrency (Allow) is what runs today: kept.
    assert_eq!(
        (schedule.cron.as_str(), schedule.concurrency_policy),
        ("0 2 * * *", govcloud::api::ConcurrencyPolicy::Allow)
    );
    assert!(apps["nightly-report"].spec.ports.is_empty() && apps["nightly-report"].spec.readiness_probe.is_none());
    assert_eq!(r.tenants.len(), 1);

    // Not imported, each with why.
    let skipped = |object: &str, why: &str| {
        let s = r.skipped.iter().find(|s| s.object == object).unwrap_or_else(|| panic!("{object}: {:#?}", r.skipped));
        assert!(s.reason.contains(why), "{s:?}");
    };
    skipped("Widget culture-portal/gadget", "not a kind govcloud imports");
    skipped("Deployment orphan", "without metadata.namespace");
    skipped("Namespace default", "--map default=TENANT/extranet");
    skipped("Deployment default/forgotten", "not mapped");
}

#[test]
fn import_report_formats() {
    use govcloud::audit::output::Lang;
    use govcloud::import::output;
    let r = legacy();
    let en = output::table(&r, Lang::En);
    assert!(en.contains("[must change] GC-IMG-001") && en.contains("not imported:"), "{en}");
    let zh = output::table(&r, Lang::Zh);
    assert!(zh.contains("[须修改] GC-IMG-001") && zh.contains("未导入"), "{zh}");
    let json = output::json(&r);
    let portal =
        json["entries"].as_array().unwrap().iter().find(|e| e["object"] == "Deployment culture-portal/portal").unwrap();
    assert!(
        portal["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["control"] == "GC-IMG-001" && c["handling"] == "mustChange")
    );
    let html = output::html(&r, Lang::Zh);
    assert!(html.starts_with("<!doctype html>") && html.contains("迁移报告") && html.contains("GC-HOST-002"), "{html}");
}

#[test]
fn import_report_in_chinese_gives_every_reason_and_fix_in_chinese() {
    use govcloud::audit::output::Lang;
    use govcloud::import::output;
    let r = legacy();
    let changes: Vec<&govcloud::import::Change> = r.entries.iter().flat_map(|e| &e.changes).collect();
    assert!(changes.len() > 20 && r.skipped.len() > 3, "{} changes, {} skipped", changes.len(), r.skipped.len());
    let (zh, html) = (output::table(&r, Lang::Zh), output::html(&r, Lang::Zh));
    let en = output::table(&r, Lang::En);
    // The English text of each reason and fix is in the English report only; the Chinese has its Chinese text.
    let texts = changes
        .iter()
        .flat_map(|c| [(&c.reason, &c.reason_message), (&c.fix, &c.fix_message)])
        .chain(r.skipped.iter().map(|s| (&s.reason, &s.reason_message)));
    for (english, message) in texts {
        assert_eq!(english, &message.to_string());
        assert!(en.contains(english.as_str()), "{english}");
        let chinese = message.text(Lang::Zh);
        assert_ne!(&chinese, english);
        assert!(!zh.contains(english.as_str()), "English in the Chinese report: {english}");
        assert!(zh.contains(&chinese), "{chinese}");
        assert!(html.contains(&maud::html! { (chinese) }.into_string()), "{chinese}");
    }
    // What carries over, too: in the Chinese lines, each item's Chinese text, none of its English.
    let carried_zh: Vec<&str> = zh.lines().filter(|l| l.starts_with("  沿用")).collect();
    assert!(carried_zh.len() > 3, "{zh}");
    for e in &r.entries {
        assert_eq!(e.carried, e.carried_messages.iter().map(|m| m.to_string()).collect::<Vec<_>>());
        for m in &e.carried_messages {
            let english = m.to_string();
            assert!(carried_zh.iter().any(|l| l.contains(&m.text(Lang::Zh))), "{}", m.text(Lang::Zh));
            assert!(!english.contains(' ') || carried_zh.iter().all(|l| !l.contains(&english)), "{english}");
        }
    }
    // No English sentence is left: the words every English reason or fix uses.
    for english in
        ["nothing to do", "a DepartmentApp", "govcloud renders", "is not", "ask the platform team", "carries over"]
    {
        assert!(!zh.contains(english) && !html.contains(english), "{english} in the Chinese report");
    }
    // An admission check's reason gives the control's Chinese title and what was seen.
    let registry = change(&r, "Deployment culture-portal/portal", Some(govcloud::controls::IMAGE_REGISTRY), "image");
    let title = govcloud::controls::control(govcloud::controls::IMAGE_REGISTRY).map(|c| c.title_zh).unwrap_or("?");
    assert!(registry.reason_message.text(Lang::Zh).starts_with(&format!("不符合准入规则：{title}（")));
    // JSON keeps the English text and adds the message beside it.
    let json = output::json(&r);
    let first = &json["entries"][0]["changes"][0];
    assert!(first["reason"].is_string() && first["reasonMessage"]["code"].is_string(), "{first}");
    assert!(first["fix"].is_string() && first["fixMessage"]["code"].is_string(), "{first}");
    assert!(json["skipped"][0]["reasonMessage"]["code"].is_string(), "{}", json["skipped"]);
}

#[test]
fn import_cli_writes_drafts_and_refuses_bad_input() {
    use crate::support::offline::govcloud;
    let dir = tempfile::tempdir().unwrap();
    let fixture = repo().join("tests/fixtures/import/legacy.yaml");
    let zones = repo().join("examples/chifeng/zones.yaml");
    let (code, stdout, stderr) = govcloud(&[
        "import",
        "-f",
        fixture.to_str().unwrap(),
        "-f",
        zones.to_str().unwrap(),
        "--map",
        "culture-portal=culture/internet",
        "--out-dir",
        dir.path().to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("the report is JSON");
    assert_eq!(report["tenants"], serde_json::json!(["culture"]));
    let portal = std::fs::read_to_string(dir.path().join("apps/culture-internet/portal.yaml")).unwrap();
    assert!(portal.contains("kind: DepartmentApp") && portal.contains("host: wenhua.chifeng.gov.cn"), "{portal}");
    assert!(dir.path().join("tenants/culture.yaml").is_file());

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "this: is: not: yaml: [\n").unwrap();
    for args in [
        vec!["import", "-f", bad.to_str().unwrap()],
        vec!["import", "-f", "/nonexistent/manifests.yaml"],
        vec!["import"],
    ] {
        let (code, stdout, stderr) = govcloud(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty() && !stderr.contains("panicked"), "{args:?}: {stderr}");
        // What to do, in the locale's language (none set: Chinese).
        assert!(stderr.contains("做法：") || stderr.contains("nothing to import"), "{args:?}: {stderr}");
    }
}
