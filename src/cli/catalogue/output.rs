//! The catalogue for people and tools: a terminal table (zh or en), JSON
//! (the entries as `SharedResource` specs write them) and a printable HTML
//! page in the audit's shell, with each resource's names in all three
//! languages (— where there is no Mongolian name).

use std::fmt::Write as _;

use maud::html as markup;
use serde_json::{Value, json};

use crate::api::{CatalogueEntry, DataClassification, SharingClass};
use crate::audit::output::Lang;
use crate::audit::output::page::{Style, mongolian, page};

fn pick(lang: Lang, pair: (&'static str, &'static str)) -> &'static str {
    if lang == Lang::Zh { pair.0 } else { pair.1 }
}

/// The words of a page: (zh, en).
mod words {
    pub const TITLE: (&str, &str) = ("政务信息资源共享目录", "Catalogue of shared information resources");
    pub const COUNT: (&str, &str) = ("项资源", "resources");
    pub const EMPTY: (&str, &str) =
        ("目录为空：没有应用声明 spec.sharing。", "The catalogue is empty: no app declares spec.sharing.");
    pub const KEY: (&str, &str) = ("租户/网络区/应用", "tenant/zone/app");
    pub const OWNER: (&str, &str) = ("提供部门", "owner");
    pub const ZONE: (&str, &str) = ("网络区", "zone");
    pub const APP: (&str, &str) = ("应用", "app");
    pub const NAME: (&str, &str) = ("资源名称", "name");
    pub const NAME_ZH: (&str, &str) = ("中文名称", "name (zh)");
    pub const NAME_EN: (&str, &str) = ("英文名称", "name (en)");
    pub const NAME_MN: (&str, &str) = ("蒙古文名称", "name (mn)");
    pub const CLASS: (&str, &str) = ("共享类型", "class");
    pub const DATA: (&str, &str) = ("数据密级", "data");
    pub const UPDATES: (&str, &str) = ("更新周期", "updated");
    pub const CONSUMERS: (&str, &str) = ("使用部门应用", "consumers");
    pub const PENDING: (&str, &str) = ("待答复", "pending");
    pub const DESCRIPTION: (&str, &str) = ("资源摘要", "description");
    pub const CONTACT: (&str, &str) = ("联系方式", "contact");
    pub const BASIS: (&str, &str) = ("不予共享依据", "basis");
    pub const DETAILS: (&str, &str) = ("资源说明", "Details");
    pub const NOTE: (&str, &str) = (
        "使用部门应用：其他部门中获准调用该资源的应用数；待答复：说明了用途、等待提供部门答复的调用数。目录不列出任何访问地址。",
        "consumers: apps of other departments granted calls to the resource; pending: calls that state their purpose and wait for the provider's answer. The catalogue gives no address.",
    );
}

/// A sharing class's name: the national rules' (zh) or the manifests' (en).
pub(crate) fn class_name(c: SharingClass, lang: Lang) -> &'static str {
    if lang == Lang::Zh { c.zh() } else { c.as_str() }
}

/// A data classification's name.
pub(crate) fn data_name(d: DataClassification, lang: Lang) -> &'static str {
    let zh = match d {
        DataClassification::Public => "公开",
        DataClassification::Internal => "内部",
        DataClassification::Sensitive => "敏感",
        DataClassification::Secret => "工作秘密",
    };
    if lang == Lang::Zh { zh } else { d.as_str() }
}

fn update_name(e: &CatalogueEntry, lang: Lang) -> &'static str {
    pick(lang, e.update_frequency.names())
}

fn owner_name(e: &CatalogueEntry, lang: Lang) -> &str {
    if lang == Lang::Zh { &e.tenant_names.zh } else { &e.tenant_names.en }
}

fn resource_name(e: &CatalogueEntry, lang: Lang) -> &str {
    if lang == Lang::Zh { &e.names.zh } else { &e.names.en }
}

/// The terminal table: one line per resource, then each one's description,
/// contact and (class none) basis.
pub fn table(entries: &[CatalogueEntry], lang: Lang) -> String {
    let w = |p| pick(lang, p);
    let mut s = format!("{} — {} {}\n", w(words::TITLE), entries.len(), w(words::COUNT));
    if entries.is_empty() {
        let _ = writeln!(s, "{}", w(words::EMPTY));
        return s;
    }
    let _ = writeln!(
        s,
        "{:<40} {:<24} {:<14} {:<10} {:<10} {:>9} {:>7}  {}",
        w(words::KEY),
        w(words::NAME),
        w(words::CLASS),
        w(words::DATA),
        w(words::UPDATES),
        w(words::CONSUMERS),
        w(words::PENDING),
        w(words::OWNER),
    );
    for e in entries {
        let _ = writeln!(
            s,
            "{:<40} {:<24} {:<14} {:<10} {:<10} {:>9} {:>7}  {}",
            e.key().to_string(),
            resource_name(e, lang),
            class_name(e.class, lang),
            data_name(e.data_classification, lang),
            update_name(e, lang),
            e.consumers,
            e.pending,
            owner_name(e, lang),
        );
    }
    let _ = writeln!(s, "\n{}", w(words::DETAILS));
    for e in entries {
        let _ = writeln!(s, "  {} ({})", e.key(), resource_name(e, lang));
        let _ = writeln!(s, "    {}: {}", w(words::DESCRIPTION), e.description);
        let _ = writeln!(s, "    {}: {}", w(words::CONTACT), e.contact);
        if let Some(b) = &e.basis {
            let _ = writeln!(s, "    {}: {b}", w(words::BASIS));
        }
    }
    let _ = writeln!(s, "\n{}", w(words::NOTE));
    s
}

/// The JSON document: `{"resources": [...]}`, each entry as a
/// `SharedResource`'s spec writes it.
pub fn json(entries: &[CatalogueEntry]) -> Value {
    json!({ "resources": entries })
}

/// The page's own rules.
const STYLE: Style = Style { screen: "td.num{text-align:right} .muted{color:#888}", print: " body{margin:8mm}" };

/// The printable page: the table with the names in all three languages,
/// and the note on what the counts are.
pub fn html(entries: &[CatalogueEntry], lang: Lang) -> String {
    let w = |p| pick(lang, p);
    let body = markup! {
        h1 { (w(words::TITLE)) }
        p { (entries.len()) " " (w(words::COUNT)) }
        @if entries.is_empty() {
            p class="muted" { (w(words::EMPTY)) }
        } @else {
            table {
                tr {
                    th { (w(words::OWNER)) } th { (w(words::ZONE)) } th { (w(words::APP)) }
                    th { (w(words::NAME_ZH)) } th { (w(words::NAME_EN)) } th { (w(words::NAME_MN)) }
                    th { (w(words::CLASS)) } th { (w(words::DATA)) } th { (w(words::UPDATES)) }
                    th { (w(words::CONSUMERS)) } th { (w(words::PENDING)) }
                    th { (w(words::DESCRIPTION)) } th { (w(words::CONTACT)) } th { (w(words::BASIS)) }
                }
                @for e in entries {
                    tr {
                        td { (e.tenant) " " (owner_name(e, lang)) }
                        td { (e.zone) }
                        td { (e.app) }
                        td lang="zh" { (e.names.zh) }
                        td lang="en" { (e.names.en) }
                        @match &e.names.mn {
                            Some(mn) => td { (mongolian(mn)) },
                            None => td class="muted" { "—" },
                        }
                        td { (class_name(e.class, lang)) }
                        td { (data_name(e.data_classification, lang)) }
                        td { (update_name(e, lang)) }
                        td class="num" { (e.consumers) }
                        td class="num" { (e.pending) }
                        td { (e.description) }
                        td { (e.contact) }
                        td { (e.basis.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        p class="muted" { (w(words::NOTE)) }
    };
    page(lang, w(words::TITLE), STYLE, &body)
}

#[cfg(test)]
mod tests;
