use std::collections::HashMap;

use super::*;
use crate::api::FlowState;
use crate::cli::mine::view::{Identity, tests as fixtures, view};

fn chrome(lang: Lang) -> Chrome {
    Chrome { lang, user: "li".into(), csrf: "c5rf".into(), login: true }
}

const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: macro-db-7d9f-x2k, namespace: tongji-extranet}
spec: {nodeName: extranet-node-1, containers: [{name: app, image: a}, {name: proxy, image: b}]}
status: {phase: Running, containerStatuses: [{name: app, ready: true, restartCount: 0, image: a, imageID: "", started: true}, {name: proxy, ready: false, restartCount: 0, image: b, imageID: ""}]}
"#;

/// The fixture's pods: one on a node whose zone the user may read, one
/// pending, one on a node the API server refuses it.
fn pods() -> Vec<pods::PodsIn> {
    let on = |name: &str, node: Option<&str>| {
        let mut p: k8s_openapi::api::core::v1::Pod = serde_norway::from_str(POD).expect("pod");
        p.metadata.name = Some(name.into());
        if let Some(s) = p.spec.as_mut() {
            s.node_name = node.map(str::to_string);
        }
        if node.is_none() {
            p.status = None;
        }
        p
    };
    let forbidden = Refusal {
        doing: "get node private-node-1".into(),
        code: 403,
        reason: "Forbidden".into(),
        message: "nodes \"private-node-1\" is forbidden".into(),
    };
    let zones = std::collections::BTreeMap::from([
        ("extranet-node-1".to_string(), Ok(Some("extranet".to_string()))),
        ("private-node-1".to_string(), Err(forbidden)),
    ]);
    let listed =
        [on("b-running", Some("extranet-node-1")), on("a-pending", None), on("c-elsewhere", Some("private-node-1"))];
    vec![pods::PodsIn { namespace: "tongji-extranet".into(), rows: Ok(pods::rows(&listed, &zones)) }]
}

fn sharing_page() -> sharing::SharingPage {
    let (asked, filed) = sharing::model(&[fixtures::read()]);
    sharing::SharingPage { catalogue: Ok(vec![]), asked, filed }
}

fn mine() -> Mine {
    view(Identity { username: "li".into(), groups: vec!["tongji-admins".into()] }, vec![fixtures::read()])
}

#[test]
fn the_main_colours_of_the_style_sheet_have_a_contrast_of_at_least_4_5() {
    for (fg, bg) in COLOURS {
        assert!(STYLE.contains(fg) && STYLE.contains(bg), "{fg} on {bg} is not in the style sheet");
        let c = contrast(fg, bg).expect("colours");
        assert!(c >= 4.5, "{fg} on {bg}: contrast {c:.2} < 4.5");
    }
    assert!((contrast("#000000", "#ffffff").expect("c") - 21.0).abs() < 0.01);
    assert!(contrast("#777777", "#ffffff").expect("c") < 4.5);
}

#[test]
fn the_home_shows_the_tenant_its_quota_as_bars_apps_flows_requests_and_compliance_in_both_languages() {
    let zh = home(&chrome(Lang::Zh), &mine(), &pods());
    assert!(zh.starts_with("<!DOCTYPE html><html lang=\"zh\">"), "{zh}");
    for s in [
        "租户 tongji · 市统计局",
        "<meter id=\"q-tongji-extranet-requests-cpu\" min=\"0\" max=\"4.000\" value=\"0.500\">",
        "<label for=\"q-tongji-extranet-requests-cpu\">requests.cpu</label>",
        "500m / 4",
        "href=\"/app/tongji-extranet/macro-db\"",
        "1/1/1",
        "weijian/extranet/clinic → tongji-extranet/macro-db: 人口基数 ⚠",
        "tongji-extranet/more-cpu · Quota · Pending",
        "无权读取的命名空间: tongji-private",
        "name=\"csrf\" value=\"c5rf\"",
        "href=\"/lang/en\"",
        "<link rel=\"stylesheet\" href=\"/style.css\">",
    ] {
        assert!(zh.contains(s), "{s} not in {zh}");
    }
    assert!(!zh.contains("<style") && !zh.contains("<script") && !zh.contains("style="), "inline style or script");
    let en = home(&chrome(Lang::En), &mine(), &pods());
    assert!(en.contains("<html lang=\"en\">") && en.contains("Tenant tongji · Statistics Bureau"), "{en}");
}

#[test]
fn values_are_escaped() {
    let mut c = chrome(Lang::En);
    c.user = "<script>alert(1)</script>".into();
    let r = Refusal { doing: "x".into(), code: 403, reason: "Forbidden".into(), message: "\"<b>".into() };
    let p = refused_page(&c, &r);
    assert!(p.contains("&lt;script&gt;") && p.contains("&quot;&lt;b&gt;") && !p.contains("<script>"), "{p}");
    assert!(p.contains("(403 Forbidden)"), "{p}");
}

#[test]
fn every_form_control_has_a_label_and_every_form_the_csrf_token() {
    let request: crate::api::ResourceRequest = serde_norway::from_str(fixtures::REQUEST).expect("request");
    let pages = [
        home(&chrome(Lang::Zh), &mine(), &pods()),
        login(&chrome(Lang::Zh), None),
        requests::requests(&chrome(Lang::Zh), &["tongji-extranet".into()], &[], None, &HashMap::new()),
        requests::queue(&chrome(Lang::En), Ok(&[]), Ok(std::slice::from_ref(&request)), None),
        sharing::sharing(&chrome(Lang::Zh), &sharing_page(), None),
    ];
    let id = regex::Regex::new(r#"<(input|select|textarea|meter)[^>]*\bid="([^"]+)""#).expect("re");
    let control = regex::Regex::new(r#"<(input|select|textarea)\b[^>]*>"#).expect("re");
    for p in &pages {
        for c in control.find_iter(p) {
            let c = c.as_str();
            assert!(c.contains("type=\"hidden\"") || c.contains(" id=\""), "a control without id: {c}");
        }
        for cap in id.captures_iter(p) {
            assert!(p.contains(&format!("<label for=\"{}\">", &cap[2])), "no label for {} in {p}", &cap[2]);
        }
        assert_eq!(p.matches("<form").count(), p.matches("name=\"csrf\" value=\"c5rf\"").count(), "{p}");
    }
    assert!(pages[3].contains("value=\"Approved\"") && pages[3].contains("required"), "{}", pages[3]);
}

#[test]
fn the_form_goes_to_the_api_server_as_typed() {
    let f: HashMap<String, String> = [
        ("namespace", "tongji-extranet"),
        ("kind", "Quota"),
        ("zone", "extranet"),
        ("cpu", "2"),
        ("pods", "many"),
        ("minutes", ""),
        ("justification", "  "),
        ("project", "人口普查"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (ns, obj) = requests::from_form(&f);
    assert_eq!(ns, "tongji-extranet");
    assert_eq!(
        obj["spec"],
        serde_json::json!({"kind": "Quota", "zone": "extranet", "resources": {"cpu": "2", "pods": "many"}, "justification": "", "project": "人口普查"})
    );
    assert_eq!(obj["metadata"]["generateName"], "request-");
    let mut f = f;
    f.insert("pods".into(), "8".into());
    assert_eq!(requests::from_form(&f).1["spec"]["resources"]["pods"], 8);
}

#[test]
fn pods_show_phase_readiness_node_and_the_node_s_zone_and_a_refused_node_is_shown_refused() {
    let rows = match &pods()[0].rows {
        Ok(r) => r.clone(),
        Err(r) => panic!("{r:?}"),
    };
    let names: Vec<&str> = rows.iter().map(|r| r.pod.as_str()).collect();
    assert_eq!(names, ["tongji-extranet/a-pending", "tongji-extranet/b-running", "tongji-extranet/c-elsewhere"]);
    assert_eq!((rows[0].phase.as_str(), rows[0].node.as_str(), &rows[0].zone), ("Pending", "", &Ok(None)));
    assert_eq!((rows[1].phase.as_str(), rows[1].ready.as_str()), ("Running", "1/2"));
    assert_eq!(rows[1].zone, Ok(Some("extranet".into())));
    assert_eq!(rows[2].zone.as_ref().map_err(|r| r.code), Err(403));

    let mut m = mine();
    m.tenants[0].name_mn = Some("ᠰᠲᠠᠲ᠋ᠢᠰᠲ᠋ᠢᠺ".into());
    m.tenants[0].zones_mn.insert("extranet".into(), "ᠭᠠᠳᠠᠨ᠎ᠠ".into());
    m.tenants[0].apps[0].name_mn = Some("ᠮᠠᠺᠷᠣ".into());
    let zh = home(&chrome(Lang::Zh), &m, &pods());
    for s in [
        "Pod 及其运行位置 (3)",
        "<td>tongji-extranet/b-running</td><td>Running</td><td>1/2</td><td>extranet-node-1</td>",
        "<td class=\"zone\">extranet <span class=\"mn\" lang=\"mn-Mong\">ᠭᠠᠳᠠᠨ᠎ᠠ</span></td>",
        "<td>未调度</td>",
        "<span class=\"warn\">403 Forbidden</span>",
        "get node private-node-1: nodes &quot;private-node-1&quot; is forbidden",
        "租户 tongji · 市统计局 <span class=\"mn\" lang=\"mn-Mong\">ᠰᠲᠠᠲ᠋ᠢᠰᠲ᠋ᠢᠺ</span>",
        "macro-db</a> <span class=\"mn\" lang=\"mn-Mong\">ᠮᠠᠺᠷᠣ</span>",
    ] {
        assert!(zh.contains(s), "{s} not in {zh}");
    }
    // The one fragment of the static pages, and the same rule in the console's sheet.
    assert!(zh.contains(&crate::audit::output::page::mongolian("ᠭᠠᠳᠠᠨ᠎ᠠ").into_string()));
    assert!(STYLE.contains(".mn{writing-mode:vertical-lr;"), "{STYLE}");
    // A list refused is shown, not left out.
    let refused = vec![pods::PodsIn {
        namespace: "tongji-extranet".into(),
        rows: Err(Refusal {
            doing: "list pods in tongji-extranet".into(),
            code: 403,
            reason: "Forbidden".into(),
            message: "no".into(),
        }),
    }];
    let page = home(&chrome(Lang::En), &mine(), &refused);
    assert!(page.contains("(403 Forbidden)") && page.contains("list pods in tongji-extranet: no"), "{page}");
}

#[test]
fn the_sharing_page_lists_what_is_asked_of_the_department_pending_first_and_what_its_apps_asked() {
    let p = sharing_page();
    let asked: Vec<(String, FlowState)> = p.asked.iter().map(|a| (a.consumer.clone(), a.state)).collect();
    assert_eq!(
        asked,
        [
            ("weijian/extranet/clinic".to_string(), FlowState::Pending),
            ("economy/extranet/portal".to_string(), FlowState::Granted)
        ]
    );
    assert!(p.asked[0].overdue && p.asked[0].purpose == "人口基数");
    let filed: Vec<&str> = p.filed.iter().map(|f| f.target.as_str()).collect();
    assert_eq!(filed, ["gongan/population-db", "economy/portal", "weijian/clinic"], "pending first");
    assert_eq!(p.filed[0].due.as_deref(), Some("2026-12-18T00:00:00Z"));

    let zh = sharing::sharing(&chrome(Lang::Zh), &p, None);
    let id = sharing::field_id("tongji-extranet/macro-db", "weijian/extranet/clinic");
    for s in [
        "<form method=\"post\" action=\"/sharing\">".to_string(),
        "<input type=\"hidden\" name=\"consumer\" value=\"weijian/extranet/clinic\">".into(),
        format!("<input id=\"{id}\" name=\"reason\" type=\"text\" required"),
        "value=\"Granted\"".into(),
        "value=\"Refused\"".into(),
        "⚠ 已逾期".into(),
        "href=\"/sharing\"".into(),
    ] {
        assert!(zh.contains(&s), "{s} not in {zh}");
    }
}

#[test]
fn an_answer_replaces_the_earlier_one_for_its_consumer_keeps_the_others_and_needs_a_reason() {
    use crate::api::{AnswerDecision, SharingAnswer, answers_patch, with_answer};
    let form = |d: &str, reason: &str| -> HashMap<String, String> {
        [
            ("app", "tongji-extranet/macro-db"),
            ("consumer", "weijian/extranet/clinic"),
            ("decision", d),
            ("reason", reason),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let (ns, name, a) = sharing::answer_of(&form("Refused", " 仅用于社会救助 ")).expect("answer");
    assert_eq!((ns.as_str(), name.as_str(), a.decision), ("tongji-extranet", "macro-db", AnswerDecision::Refused));
    assert_eq!(sharing::answer_of(&form("Maybe", "x")).map_err(|r| r.code), Err(400));
    let earlier = |c: &str, by: &str| SharingAnswer {
        consumer: c.into(),
        decision: AnswerDecision::Granted,
        reason: Some("ok".into()),
        by: Some(by.into()),
    };
    let existing = [earlier("weijian/extranet/clinic", "zhao"), earlier("economy/extranet/portal", "qian")];
    let answers = with_answer(&existing, a).expect("answers");
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0], existing[1], "another consumer's answer kept as it was, its by too");
    assert_eq!(answers[1].reason.as_deref(), Some("仅用于社会救助"));
    assert_eq!(answers[1].by, None, "the API server writes who answered");
    let blank = sharing::answer_of(&form("Granted", "  ")).expect("form").2;
    assert!(with_answer(&existing, blank).is_err_and(|e| e.contains("no reason")));
    let patch = answers_patch("42", &answers);
    assert_eq!(patch["metadata"]["resourceVersion"], "42");
    assert_eq!(patch["spec"]["sharing"]["answers"][1]["decision"], "Refused");
    assert!(patch["spec"]["sharing"]["answers"][1].get("by").is_none());
}
