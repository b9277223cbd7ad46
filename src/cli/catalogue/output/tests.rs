use super::*;
use crate::api::{DisplayName, UpdateFrequency};

fn entry(app: &str, class: SharingClass, mn: Option<&str>) -> CatalogueEntry {
    CatalogueEntry {
        tenant: "statistics".into(),
        tenant_names: DisplayName { zh: "市统计局".into(), en: "Statistics Bureau".into(), mn: None },
        zone: "extranet".into(),
        app: app.into(),
        names: DisplayName { zh: "宏观经济库".into(), en: "Macro-economy <db>".into(), mn: mn.map(String::from) },
        class,
        data_classification: DataClassification::Sensitive,
        description: "GDP by district".into(),
        update_frequency: UpdateFrequency::Monthly,
        contact: "综合科".into(),
        basis: (class == SharingClass::None).then(|| "统计法 第三十九条".into()),
        consumers: 3,
        pending: 1,
    }
}

#[test]
fn the_table_is_in_one_language_with_the_counts_and_the_basis() {
    let entries = [entry("macro-db", SharingClass::Unconditional, None), entry("raw", SharingClass::None, None)];
    let zh = table(&entries, Lang::Zh);
    assert!(zh.starts_with("政务信息资源共享目录 — 2 项资源"), "{zh}");
    for want in ["无条件共享", "不予共享", "敏感", "每月", "市统计局", "不予共享依据: 统计法 第三十九条"]
    {
        assert!(zh.contains(want), "{want} in {zh}");
    }
    let en = table(&entries, Lang::En);
    let line = en.lines().find(|l| l.starts_with("statistics/extranet/macro-db")).expect("macro-db's line");
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert!(cells.contains(&"unconditional") && cells.contains(&"sensitive") && cells.contains(&"monthly"), "{line}");
    assert!(cells.ends_with(&["3", "1", "Statistics", "Bureau"]), "{line}");
    assert!(!en.contains("无条件共享"), "{en}");
    assert!(en.contains("basis: 统计法"), "{en}");
}

#[test]
fn an_empty_catalogue_says_why() {
    assert!(table(&[], Lang::En).contains("no app declares spec.sharing"));
    assert!(html(&[], Lang::Zh).contains("没有应用声明 spec.sharing"));
}

#[test]
fn json_is_the_entries_as_the_shared_resources_spec_writes_them() {
    let e = entry("macro-db", SharingClass::Conditional, Some("ᠮᠠᠺᠷᠣ"));
    let v = json(std::slice::from_ref(&e));
    assert_eq!(v["resources"][0]["dataClassification"], "sensitive");
    assert_eq!(v["resources"][0]["updateFrequency"], "monthly");
    assert_eq!(v["resources"][0]["tenantNames"]["en"], "Statistics Bureau");
    let back: Vec<CatalogueEntry> = serde_json::from_value(v["resources"].clone()).expect("entries");
    assert_eq!(back, [e]);
}

#[test]
fn the_page_gives_all_three_names_a_dash_for_a_missing_one_and_escapes_them() {
    let page = html(
        &[
            entry("macro-db", SharingClass::Unconditional, Some("ᠮᠠᠺᠷᠣ")),
            entry("census", SharingClass::Conditional, None),
        ],
        Lang::En,
    );
    assert!(page.starts_with("<!doctype html>"), "{page}");
    assert!(page.contains(r#"<td lang="zh">宏观经济库</td>"#), "{page}");
    assert!(page.contains(r#"<td lang="en">Macro-economy &lt;db&gt;</td>"#), "{page}");
    assert!(page.contains(r#"<td><span class="mn" lang="mn-Mong">ᠮᠠᠺᠷᠣ</span></td>"#), "{page}");
    assert!(page.contains(r#"<td class="muted">—</td>"#), "{page}");
    assert!(page.contains("unconditional") && page.contains("conditional"), "{page}");
}
