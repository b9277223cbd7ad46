//! `govcloud evaluate` beyond the four axes (issue 28): the fifth axis
//! (创新服务), money from a price table, results per project (专项评估) and
//! the candidates of duplicated construction, on a fixture whose numbers are
//! computed here by hand (tests/fixtures/evaluate-five: its model, an
//! earlier evaluation that starts the period, round prices); a bad price
//! table is named with its field and fix; the Chifeng example has all of it.

use crate::support::offline::{govcloud, repo};
use std::path::PathBuf;

use serde_json::Value;

const AT: &str = "2026-12-01T00:00:00Z";
const GI: f64 = 1024.0 * 1024.0 * 1024.0;

fn fixture(name: &str) -> String {
    repo().join("tests/fixtures/evaluate-five").join(name).to_str().expect("utf8").to_string()
}

fn evaluate(extra: &[&str]) -> Value {
    let (model, prices) = (fixture("model.yaml"), fixture("prices.yaml"));
    let mut args = vec!["evaluate", "-f", &model, "--prices", &prices, "--at", AT, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = govcloud(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("json")
}

fn tenant<'a>(e: &'a Value, name: &str) -> &'a Value {
    e["tenants"].as_array().expect("tenants").iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("{name}"))
}

#[track_caller]
fn close(got: &Value, want: f64, what: &str) {
    let g = got.as_f64().unwrap_or_else(|| panic!("{what}: {got}"));
    assert!((g - want).abs() < 1e-9, "{what}: got {g}, want {want}");
}

fn value<'a>(t: &'a Value, id: &str) -> &'a Value {
    &t["figures"][id]["value"]
}

#[test]
fn the_fifth_axis_and_the_sharing_rules_give_the_numbers_computed_by_hand() {
    let e = evaluate(&["--snapshot", &fixture("earlier.json")]);
    let (pop, web, idle, wait) = (tenant(&e, "pop"), tenant(&e, "web"), tenant(&e, "idle"), tenant(&e, "wait"));

    // Innovation against the earlier evaluation (2026-11-01). web: hall,
    // people and mirror are new apps, hall a new public service, pop -> api a
    // new flow in effect; of its public services hall and site, hall has a
    // Mongolian name. pop: the same new flow, no public service.
    for (t, want) in [(web, [3.0, 1.0, 1.0, 2.0]), (pop, [0.0, 0.0, 1.0, 0.0]), (wait, [0.0; 4]), (idle, [0.0; 4])] {
        let ids = ["new_apps", "new_public_services", "new_flows_granted", "public_services"];
        for (id, w) in ids.iter().zip(want) {
            close(value(t, id), w, &format!("{} {id}", t["name"]));
        }
        assert_eq!(t["figures"]["apps_migrated"]["missing"], "noImportMarker", "{}", t["name"]);
    }
    close(value(web, "mongolian_public_services"), 1.0, "web mongolian");
    assert_eq!(pop["figures"]["mongolian_public_services"]["missing"], "noPublicServices");
    // web: growth min(1, 5 ÷ 2) = 1, Mongolian share 1 ÷ 2. pop: growth 1 ÷ 2 alone. wait, idle: nothing new.
    close(&web["scores"]["innovation"], 100.0 * (1.0 + 0.5) / 2.0, "web innovation");
    close(&pop["scores"]["innovation"], 50.0, "pop innovation");
    close(&wait["scores"]["innovation"], 0.0, "wait innovation");
    close(&idle["scores"]["innovation"], 0.0, "idle innovation");

    // Sharing. pop holds population-db and shares nothing: 0, although it receives a flow.
    close(value(pop, "base_databases_not_shared"), 1.0, "pop base");
    close(value(pop, "flows_received"), 1.0, "pop received");
    close(&pop["scores"]["sharing"], 0.0, "pop sharing");
    close(&web["scores"]["sharing"], 100.0, "web sharing");
    // wait only waits on pop: not its fault, nothing else to judge: no score, not 0.
    close(value(wait, "requests_made"), 1.0, "wait made");
    assert!(wait["scores"].get("sharing").is_none(), "{wait}");

    // idle has nothing to judge on effect and sharing: both count at the
    // departments' mean in its overall, neither 0 nor 100.
    assert_eq!(idle["overallAtGroupMean"], serde_json::json!(["effect", "sharing"]));
    let departments = e["groups"].as_array().expect("groups").iter().find(|g| g["kind"] == "department").expect("g");
    close(&departments["scores"]["sharing"], 50.0, "departments' sharing mean");
    let mut parts: Vec<f64> =
        ["cost", "security", "innovation"].iter().map(|a| idle["scores"][a].as_f64().expect(a)).collect();
    parts.extend(["effect", "sharing"].iter().map(|a| departments["scores"][a].as_f64().expect(a)));
    close(&idle["overall"], parts.iter().sum::<f64>() / 5.0, "idle overall");
    assert!(idle["ranks"].get("sharing").is_none(), "no rank on an axis it has no score on");
}

#[test]
fn money_projects_and_duplicates_give_the_numbers_computed_by_hand() {
    let e = evaluate(&["--snapshot", &fixture("earlier.json")]);
    let m = &e["money"];
    assert_eq!(m["currency"], "CNY");
    // ext: 100/core, 10/GiB, 1/GiB of storage; net: 200, 20, 2.
    // pop: granted 4 cores, 8Gi, 10Gi = 490; in use 1 core, 2Gi = 120; reclaimable 3 × 100 + 6 × 10 + 10 = 370.
    // web: ext 490 / 150 + 30 / 310; net 400 + 80 + 10 = 490 / 200 + 20 / 270.
    // idle: 200 + 40 + 10 = 250, nothing in use. wait: 250 / 25 + 2.5 / 175 + 37.5 + 10.
    for (t, [g, u, r]) in [
        ("pop", [490.0, 120.0, 370.0]),
        ("web", [980.0, 400.0, 580.0]),
        ("idle", [250.0, 0.0, 250.0]),
        ("wait", [250.0, 27.5, 222.5]),
    ] {
        close(&m["tenants"][t]["granted"], g, &format!("{t} granted"));
        close(&m["tenants"][t]["used"], u, &format!("{t} used"));
        close(&m["tenants"][t]["reclaimable"], r, &format!("{t} reclaimable"));
    }
    close(&m["tenantZones"]["web"]["net"]["used"], 220.0, "web in net");
    close(&m["zones"]["ext"]["granted"], 1480.0, "ext granted");
    close(&m["zones"]["net"]["reclaimable"], 270.0, "net reclaimable");
    close(&m["total"]["granted"], 1970.0, "total granted");
    close(&m["total"]["used"], 547.5, "total used");
    close(&m["total"]["reclaimable"], 1422.5, "total reclaimable");

    // Projects. 一网通办: api (1 × 500m, 1Gi in ext) and hall (2 × 250m, 512Mi in net);
    // its request asks for 1 core and 2Gi in net; pop -> api is in effect.
    let projects = e["projects"].as_array().expect("projects");
    let names: Vec<&str> = projects.iter().map(|p| p["name"].as_str().expect("name")).collect();
    assert_eq!(names, ["一网通办", "人口基础信息库"]);
    let p = &projects[0];
    assert_eq!(p["apps"], serde_json::json!(["web/ext/api", "web/net/hall"]));
    assert_eq!(p["tenants"], serde_json::json!(["web"]));
    assert_eq!(p["requests"], 1);
    close(&p["cpuRequested"], 1.0, "cpu requested");
    close(&p["memoryRequested"], 2.0 * GI, "memory requested");
    close(&p["monthlyCost"], (0.5 * 100.0 + 10.0) + (0.5 * 200.0 + 20.0), "monthly cost");
    close(&p["requestedCost"], 200.0 + 2.0 * 20.0, "requested cost");
    close(&p["appsReady"]["value"], 1.0, "ready");
    assert_eq!(p["cpuUsed"]["missing"], "noUsage");
    assert_eq!((p["flowsInEffect"].as_u64(), p["resourcesShared"].as_u64()), (Some(1), Some(0)));
    let pdb = &projects[1];
    close(&pdb["monthlyCost"], 100.0 + 2.0 * 10.0, "population-db cost");
    assert_eq!(pdb["flowsInEffect"], 1);

    // Duplicated construction: the four planted ones (site twice: public
    // outside the cluster and idle in both evaluations), nothing else.
    let found: Vec<(String, Value)> = e["duplicates"]
        .as_array()
        .expect("duplicates")
        .iter()
        .map(|c| (c["kind"].as_str().expect("kind").to_string(), c["apps"].clone()))
        .collect();
    let want = [
        ("sameImage", serde_json::json!(["pop/ext/population-db", "web/ext/mirror"])),
        ("baseDatabase", serde_json::json!(["pop/ext/population-db", "web/ext/people"])),
        ("websiteOutsideCluster", serde_json::json!(["web/net/site"])),
        ("idleApp", serde_json::json!(["web/net/site"])),
        ("quotaNeverUsed", serde_json::json!(["idle/ext"])),
    ];
    assert_eq!(found, want.map(|(k, v)| (k.to_string(), v)).to_vec());
    for c in e["duplicates"].as_array().expect("duplicates") {
        assert!(
            !c["evidenceZh"].as_str().unwrap_or("").is_empty() && !c["evidenceEn"].as_str().unwrap_or("").is_empty()
        );
    }
    // Candidates, not verdicts, in both languages.
    assert!(e["methods"]["duplicates"]["en"].as_str().expect("note").contains("not verdicts"));
    assert!(e["methods"]["duplicates"]["zh"].as_str().expect("note").contains("不是结论"));
    for (lang, words) in [("en", "not verdicts"), ("zh", "不是结论")] {
        let (model, prices) = (fixture("model.yaml"), fixture("prices.yaml"));
        let (code, out, err) =
            govcloud(&["evaluate", "-f", &model, "--prices", &prices, "--at", AT, "--lang", lang, "--format", "html"]);
        assert_eq!(code, 0, "{err}");
        let section = &out[out.find(r#"<section id="duplicates""#).expect("duplicates section")..];
        assert!(section.contains(words) && section.contains("harbor.egov.local/pop/population-db"), "{lang}");
        assert!(out.contains(r#"<section id="money""#) && out.contains(r#"<section id="projects""#), "{lang}");
    }
}

#[test]
fn one_evaluation_has_no_period_and_its_json_starts_the_next_ones() {
    let first = evaluate(&[]);
    assert_eq!(tenant(&first, "web")["figures"]["new_apps"]["missing"], "noPeriod");
    // Without an earlier evaluation, no app is idle "across evaluations".
    assert!(first["duplicates"].as_array().expect("d").iter().all(|c| c["kind"] != "idleApp"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("first.json");
    std::fs::write(&path, first.to_string()).expect("write");
    let second = evaluate(&["--snapshot", path.to_str().expect("utf8")]);
    for t in ["pop", "web", "idle", "wait"] {
        close(value(tenant(&second, t), "new_apps"), 0.0, t);
    }
    let idle: Vec<&Value> =
        second["duplicates"].as_array().expect("d").iter().filter(|c| c["kind"] == "idleApp").collect();
    assert_eq!(idle.len(), 1, "site, idle in both");
}

#[test]
fn a_bad_price_table_is_named_with_its_field_and_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = fixture("model.yaml");
    let cases: [(&str, &str); 3] = [
        (
            "zones:\n  ext: {cpuCoreMonth: -5, memoryGiBMonth: 1, storageGiBMonth: 1}\n",
            "zones.ext.cpuCoreMonth: -5 is not a price",
        ),
        ("zones:\n  ext: {cpuCoreMonth: 1, memoryGiBMonth: 1}\n", "zones.ext: missing field `storageGiBMonth`"),
        (
            "zones:\n  ext: {cpuCoreMonth: 1, memoryGiBMonth: 1, storageGiBMonth: 1}\n",
            "zones.net: missing: the model declares zone net",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let path: PathBuf = dir.path().join(format!("prices{i}.yaml"));
        std::fs::write(&path, text).expect("write");
        let p = path.to_str().expect("utf8");
        let (code, out, err) = govcloud(&["evaluate", "-f", &model, "--prices", p, "--format", "json"]);
        assert_ne!(code, 0, "{out}");
        assert!(err.contains(&format!("--prices {p}")) && err.contains(want), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_blank_project_is_refused_offline_as_the_api_server_would() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = dir.path().join("app.yaml");
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: x, namespace: pop-ext}\nspec:\n  zone: ext\n  project: '  '\n  image: harbor.egov.local/pop/x:1\n";
    std::fs::write(&app, text).expect("write");
    let (code, _, err) = govcloud(&["evaluate", "-f", &fixture("model.yaml"), "-f", app.to_str().expect("utf8")]);
    assert_ne!(code, 0);
    assert!(err.contains("spec.project: project must name the e-government project"), "{err}");
}

#[test]
fn chifeng_has_five_axes_money_per_department_and_per_project() {
    let chifeng = repo().join("examples/chifeng");
    let prices = chifeng.join("prices.yaml");
    let (code, out, err) = govcloud(&[
        "evaluate",
        "-f",
        chifeng.to_str().expect("utf8"),
        "--prices",
        prices.to_str().expect("utf8"),
        "--at",
        AT,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let e: Value = serde_json::from_str(&out).expect("json");
    let axes: Vec<&str> = e["methods"]["scores"].as_object().expect("scores").keys().map(String::as_str).collect();
    assert_eq!(axes, ["cost", "effect", "innovation", "security", "sharing"]);
    // ethnic-affairs's Mongolian website has a Mongolian name: the share is 1.
    close(&tenant(&e, "ethnic-affairs")["scores"]["innovation"], 100.0, "ethnic-affairs innovation");
    // public-security's quota is in the private zone (16 cores, 64Gi, 100Gi of storage by default)
    // at 180 per core, 22 per GiB and 0.8 per GiB stored; offline, nothing is known in use.
    close(&e["money"]["tenants"]["public-security"]["granted"], 16.0 * 180.0 + 64.0 * 22.0 + 100.0 * 0.8, "ps ¥");
    assert!(e["money"]["tenants"]["public-security"].get("used").is_none());
    let projects: Vec<&str> =
        e["projects"].as_array().expect("projects").iter().map(|p| p["name"].as_str().expect("name")).collect();
    assert_eq!(projects, ["人口基础信息库", "政府网站群", "网上综合服务平台"]);
    assert!(e["projects"].as_array().expect("p").iter().all(|p| p["monthlyCost"].as_f64().is_some_and(|c| c > 0.0)));
    // The model loader skips the price table beside the model; nothing in Chifeng is a candidate.
    assert_eq!(e["duplicates"], serde_json::json!([]));
}
