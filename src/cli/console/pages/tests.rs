use std::collections::HashMap;

use super::*;
use crate::cli::mine::view::{Identity, tests as fixtures, view};

fn chrome(lang: Lang) -> Chrome {
    Chrome { lang, user: "li".into(), csrf: "c5rf".into(), login: true }
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
    let zh = home(&chrome(Lang::Zh), &mine());
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
    let en = home(&chrome(Lang::En), &mine());
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
        home(&chrome(Lang::Zh), &mine()),
        login(&chrome(Lang::Zh), None),
        requests::requests(&chrome(Lang::Zh), &["tongji-extranet".into()], &[], None, &HashMap::new()),
        requests::queue(&chrome(Lang::En), Ok(&[]), Ok(std::slice::from_ref(&request)), None),
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
