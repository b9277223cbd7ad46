//! The migration report: a terminal table (zh/en), JSON, and a printable
//! HTML page in the audit's page shell. Headings and handling are in the
//! page's language, control titles from the catalogue, reasons and fixes
//! from the catalogue of messages; fields and names are left as they are.

use maud::{Markup, html};
use serde_json::{Value, json};

use govcloud_audit::output::Lang;
use govcloud_audit::output::page::{Style, page};
use govcloud_core::controls;

use super::{Change, Handling, Import};

fn pick(lang: Lang, pair: (&'static str, &'static str)) -> &'static str {
    if lang == Lang::Zh { pair.0 } else { pair.1 }
}

/// How a change is handled, in words.
pub fn handling_name(h: Handling, lang: Lang) -> &'static str {
    pick(
        lang,
        match h {
            Handling::MustChange => ("须修改", "must change"),
            Handling::Rendered => ("自动处理", "rendered"),
        },
    )
}

/// The control of a change with its title, or what it is when no control refuses it.
fn control_text(c: &Change, lang: Lang) -> String {
    match c.control.as_deref().and_then(controls::control) {
        Some(k) => format!("{} {}", k.id, if lang == Lang::Zh { k.title_zh } else { k.title_en }),
        None => pick(lang, ("（无控制项）", "(no control)")).to_string(),
    }
}

/// What carries over into an entry's draft, in `lang`.
fn carried(e: &super::Entry, lang: Lang) -> String {
    let texts: Vec<String> = e.carried_messages.iter().map(|m| m.text(lang)).collect();
    texts.join(pick(lang, ("；", "; ")))
}

/// The counts line: apps drafted, tenants drafted, changes, skipped.
fn totals(i: &Import, lang: Lang) -> String {
    let must: usize = i.entries.iter().map(|e| e.must_change()).sum();
    if lang == Lang::Zh {
        format!(
            "草稿：{} 个租户，{} 个应用；{} 项须修改；{} 个对象未导入\n",
            i.tenants.len(),
            i.apps.len(),
            must,
            i.skipped.len()
        )
    } else {
        format!(
            "drafts: {} tenants, {} apps; {} changes to make; {} objects not imported\n",
            i.tenants.len(),
            i.apps.len(),
            must,
            i.skipped.len()
        )
    }
}

/// The terminal report.
pub fn table(i: &Import, lang: Lang) -> String {
    let mut s = totals(i, lang);
    for e in &i.entries {
        s.push('\n');
        s.push_str(&e.object);
        if let Some(app) = &e.app {
            s.push_str(&format!(" -> {} {app}", pick(lang, ("应用", "app"))));
        }
        s.push('\n');
        if !e.carried.is_empty() {
            s.push_str(&format!("  {}: {}\n", pick(lang, ("沿用", "carries over")), carried(e, lang)));
        }
        for c in &e.changes {
            s.push_str(&format!(
                "  [{}] {}: {}\n      {}: {}\n      {}: {}\n",
                handling_name(c.handling, lang),
                control_text(c, lang),
                c.field,
                pick(lang, ("原因", "why")),
                c.reason_message.text(lang),
                pick(lang, ("做法", "fix")),
                c.fix_message.text(lang)
            ));
        }
    }
    if !i.skipped.is_empty() {
        s.push_str(&format!("\n{}:\n", pick(lang, ("未导入", "not imported"))));
        for k in &i.skipped {
            s.push_str(&format!("  {}: {}\n", k.object, k.reason_message.text(lang)));
        }
    }
    s
}

/// The report as one JSON document (the drafts are written apart).
pub fn json(i: &Import) -> Value {
    json!({
        "tenants": i.tenants.iter().map(|t| t.metadata.name.clone()).collect::<Vec<_>>(),
        "apps": i.entries.iter().filter_map(|e| e.app.clone()).collect::<Vec<_>>(),
        "entries": i.entries,
        "skipped": i.skipped,
    })
}

/// The printable page.
pub fn html(i: &Import, lang: Lang) -> String {
    let heading = pick(lang, ("迁移报告", "Migration report"));
    let body: Markup = html! {
        h1 { (heading) }
        p { (totals(i, lang)) }
        @for e in &i.entries {
            section {
                h2 { (e.object) @if let Some(app) = &e.app { " → " (app) } }
                @if !e.carried.is_empty() {
                    p { b { (pick(lang, ("沿用", "Carries over"))) } ": " (carried(e, lang)) }
                }
                @if !e.changes.is_empty() {
                    table {
                        tr {
                            th { (pick(lang, ("处理", "handling"))) }
                            th { (pick(lang, ("控制项", "control"))) }
                            th { (pick(lang, ("字段", "field"))) }
                            th { (pick(lang, ("原因", "why"))) }
                            th { (pick(lang, ("做法", "fix"))) }
                        }
                        @for c in &e.changes {
                            tr class=(if c.handling == Handling::MustChange { "must" } else { "rendered" }) {
                                td { (handling_name(c.handling, lang)) }
                                td { (control_text(c, lang)) }
                                td { code { (c.field) } }
                                td { (c.reason_message.text(lang)) }
                                td { (c.fix_message.text(lang)) }
                            }
                        }
                    }
                }
            }
        }
        @if !i.skipped.is_empty() {
            h2 { (pick(lang, ("未导入", "Not imported"))) }
            table {
                tr { th { (pick(lang, ("对象", "object"))) } th { (pick(lang, ("原因", "why"))) } }
                @for k in &i.skipped { tr { td { (k.object) } td { (k.reason_message.text(lang)) } } }
            }
        }
    };
    page(lang, heading, Style { screen: "tr.must td:first-child{color:#b00020;font-weight:bold}", print: "" }, &body)
}
