//! The language of the pages when `--lang` is not given: the locale's
//! (`LC_ALL`, `LC_MESSAGES`, `LANG`), Chinese unless it is English; and a
//! Chinese page gives the findings' and the flows' reasons in Chinese, from
//! the catalogue of messages, not the English sentences.

use crate::audit_fixture::noncompliant;
use crate::support::offline::{govcloud_in, repo};

fn ideographs(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// `govcloud audit` of the Chifeng model as HTML, in this locale.
fn chifeng_page(locale: &[(&str, &str)], lang: Option<&str>) -> String {
    let chifeng = repo().join("examples/chifeng");
    let mut args = vec!["audit", "-f", chifeng.to_str().expect("utf8"), "--format", "html"];
    if let Some(l) = lang {
        args.extend(["--lang", l]);
    }
    let (code, page, err) = govcloud_in(&args, locale);
    assert_eq!(code, 0, "{err}");
    page
}

/// The reasons of the flows in the page's picture (the text after " — " in each flow's title).
/// The reasons in the topology's arcs' tooltips: one line per flow, `from → to: state — reason`.
fn flow_reasons(page: &str) -> Vec<String> {
    page.split("<path class=\"flow ")
        .skip(1)
        .filter_map(|p| p.split("<title>").nth(1)?.split("</title>").next())
        .flat_map(|t| t.lines().filter_map(|l| l.split_once(" — ").map(|(_, r)| r.to_string())).collect::<Vec<_>>())
        .collect()
}

#[test]
fn an_unset_lang_follows_the_locale_and_falls_back_to_chinese() {
    let zh = chifeng_page(&[("LANG", "zh_CN.UTF-8")], None);
    assert!(zh.contains(r#"<html lang="zh">"#), "a zh locale gives a Chinese page");
    let reasons = flow_reasons(&zh);
    assert!(reasons.len() > 10, "the Chifeng flows have reasons: {reasons:?}");
    for r in &reasons {
        assert!(ideographs(r), "a flow's reason on a Chinese page is Chinese: {r}");
        for english in ["granted by", "same tenant", "within zone", "through a registered"] {
            assert!(!r.contains(english), "English in a Chinese reason: {r}");
        }
    }
    // Flows within one tenant are counted, not drawn: the arcs are between tenants.
    assert!(reasons.iter().any(|r| r.contains("无条件共享，在网络区")), "{reasons:?}");

    let en = chifeng_page(&[("LANG", "en_US.UTF-8")], None);
    assert!(en.contains(r#"<html lang="en">"#), "an English locale gives an English page");
    let reasons = flow_reasons(&en);
    assert!(reasons.iter().any(|r| r.contains("shares unconditionally (无条件共享), within zone")), "{reasons:?}");
    assert!(reasons.iter().all(|r| !ideographs(r) || r.contains('(')), "{reasons:?}");

    // LC_ALL before LANG; no locale at all, or C: Chinese, the language govcloud falls back to.
    assert!(chifeng_page(&[("LC_ALL", "en_GB.UTF-8"), ("LANG", "zh_CN.UTF-8")], None).contains(r#"<html lang="en">"#));
    assert!(chifeng_page(&[], None).contains(r#"<html lang="zh">"#));
    assert!(chifeng_page(&[("LANG", "C")], None).contains(r#"<html lang="zh">"#));
    // --lang wins over the locale.
    assert!(chifeng_page(&[("LANG", "zh_CN.UTF-8")], Some("en")).contains(r#"<html lang="en">"#));
}

#[test]
fn a_chinese_table_gives_every_failures_reason_in_chinese() {
    let dir = tempfile::tempdir().expect("tempdir");
    noncompliant(dir.path());
    let path = dir.path().to_str().expect("utf8");
    let (_, zh, err) = govcloud_in(&["audit", "-f", path], &[("LANG", "zh_CN.UTF-8")]);
    let failures: Vec<&str> = zh.lines().filter(|l| l.starts_with("不通过 ")).collect();
    assert!(failures.len() > 10, "{err}\n{zh}");
    for line in &failures {
        // 不通过 <control> <object> <field>：<reason>（证据：<evidence>）
        let reason = line.split_once('：').and_then(|(_, r)| r.split("（证据：").next()).unwrap_or_default();
        assert!(ideographs(reason), "not a Chinese reason: {line}");
    }
    assert!(zh.contains("Pod/a-ext/forged NetworkPolicy：未经双方授权即可访问"), "{zh}");
    assert!(zh.contains("：[GC-HOST-001] 不符合准入规则：禁止共享主机命名空间（证据："), "{zh}");

    let (_, en, _) = govcloud_in(&["audit", "-f", path], &[("LANG", "en_US.UTF-8")]);
    let failures: Vec<&str> = en.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert_eq!(failures.len(), zh.lines().filter(|l| l.starts_with("不通过 ")).count(), "{en}");
    assert!(en.contains("Pod/a-ext/forged NetworkPolicy: reachable without a two-sided grant"), "{en}");

    // The JSON carries each finding's and flow's code beside its English text.
    let chifeng = repo().join("examples/chifeng");
    let (_, json, _) = govcloud_in(&["audit", "-f", chifeng.to_str().expect("utf8"), "--format", "json"], &[]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["code"].is_string() && f["message"].is_string()));
    let flows = doc["flows"].as_array().expect("flows");
    assert!(!flows.is_empty() && flows.iter().all(|f| f["code"].is_string() && f["reason"].is_string()));
}
