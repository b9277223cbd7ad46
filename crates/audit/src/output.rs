//! The audit in the formats auditors' tools read: a terminal table (zh/en),
//! JSON, OpenReports (`openreports.io/v1alpha1` Report and ClusterReport, or
//! `wgpolicyk8s.io/v1alpha2` PolicyReport), and a printable HTML page with an
//! inline SVG of zones, tenants, apps and flows.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Audit, Outcome, mlps};

mod html;
pub mod page;
mod reports;
mod serialized;
pub mod topology;
use govcloud_core::api::FlowState;
use govcloud_core::controls::{self, CATALOGUE};
pub use html::html;
pub use reports::{
    OMITTED, REPORT_RESULTS_BYTES, ReportApi, bounded_results, omitted_note, report, report_group_indices,
    report_groups, report_with, reports, stamp_results,
};
pub use serialized::{Dress, Listed, ListedPage, Stamps, Written, content_hash_of, report_text};
pub use topology::svg;

/// Report language (one for every page: the catalogue of messages'; see
/// [`Lang::from_locale`] for the default).
pub use govcloud_core::messages::Lang;

/// The words of a page: (zh, en). A page is in one language throughout;
/// only what the cluster says (names, fields, evidence) is left as it is.
pub mod words {
    pub const TENANT: (&str, &str) = ("租户", "tenant");
    pub const NAME: (&str, &str) = ("名称", "name");
    pub const ZONE: (&str, &str) = ("网络区", "zone");
    pub const ID: (&str, &str) = ("编号", "id");
    pub const CONTROL: (&str, &str) = ("控制项", "control");
    pub const SEVERITY: (&str, &str) = ("严重性", "severity");
    pub const MLPS: (&str, &str) = ("等保条款", "MLPS");
    pub const RESULT: (&str, &str) = ("结果", "result");
    pub const OBJECT: (&str, &str) = ("对象", "object");
    pub const FIELD: (&str, &str) = ("字段", "field");
    pub const EVIDENCE: (&str, &str) = ("证据", "evidence");
    pub const REASON: (&str, &str) = ("原因", "reason");
    pub const LEVEL3: (&str, &str) = ("三级条款", "L3");
    pub const LEVEL2: (&str, &str) = ("二级条款", "L2");
}

fn pick(lang: Lang, pair: (&'static str, &'static str)) -> &'static str {
    if lang == Lang::Zh { pair.0 } else { pair.1 }
}

/// A severity's name.
pub fn severity_name(s: controls::Severity, lang: Lang) -> &'static str {
    use controls::Severity::*;
    pick(
        lang,
        match s {
            Critical => ("严重", "Critical"),
            High => ("高危", "High"),
            Medium => ("中危", "Medium"),
            Low => ("低危", "Low"),
        },
    )
}

/// An outcome's name.
pub fn outcome_name(o: Outcome, lang: Lang) -> &'static str {
    pick(
        lang,
        match o {
            Outcome::Pass => ("通过", "pass"),
            Outcome::Fail => ("不通过", "fail"),
            Outcome::Warn => ("警告", "warn"),
            Outcome::Skip => ("跳过", "skip"),
        },
    )
}

/// A zone kind's name (`extranet`, `private`, `internet`).
pub fn zone_kind_name(kind: &str, lang: Lang) -> String {
    match (lang, kind) {
        (Lang::Zh, "extranet") => "政务外网".into(),
        (Lang::Zh, "private") => "政务专网".into(),
        (Lang::Zh, "internet") => "互联网区".into(),
        _ => kind.to_string(),
    }
}

/// A flow state's name.
pub fn flow_state_name(s: FlowState, lang: Lang) -> &'static str {
    pick(
        lang,
        match s {
            FlowState::Granted => ("已授权", "granted"),
            FlowState::Pending => ("待授权", "pending"),
            FlowState::Refused => ("已拒绝", "refused"),
        },
    )
}

/// A control's title in `lang` (empty for an id not in the catalogue).
pub fn title(id: &str, lang: Lang) -> &'static str {
    controls::control(id).map(|c| if lang == Lang::Zh { c.title_zh } else { c.title_en }).unwrap_or("")
}

/// Per control: pass, fail, warn, skip counts.
pub fn by_control(a: &Audit) -> BTreeMap<&'static str, [usize; 4]> {
    let mut m: BTreeMap<&'static str, [usize; 4]> = CATALOGUE.iter().map(|c| (c.id, [0; 4])).collect();
    for f in &a.findings {
        let e = m.entry(f.control).or_default();
        e[f.outcome as usize] += 1;
    }
    m
}

/// The clusters of a city report (or of an audit of one named cluster),
/// with their pass, fail, warn and skip counts; `None` holds the checks only
/// the view over the whole city makes. Nothing when no finding names a cluster.
pub fn by_cluster(a: &Audit) -> BTreeMap<Option<&str>, [usize; 4]> {
    let mut m: BTreeMap<Option<&str>, [usize; 4]> = BTreeMap::new();
    if a.findings.iter().all(|f| f.subject.cluster.is_none()) {
        return m;
    }
    for f in &a.findings {
        m.entry(f.subject.cluster.as_deref()).or_default()[f.outcome as usize] += 1;
    }
    m
}

/// How a page names a finding's cluster in a city report.
pub fn cluster_name(c: Option<&str>, lang: Lang) -> String {
    match c {
        None => pick(lang, ("全市", "city")).to_string(),
        Some("") => pick(lang, ("未命名集群", "cluster without a name")).to_string(),
        Some(c) => c.to_string(),
    }
}

/// The terminal table.
pub fn table(a: &Audit, lang: Lang) -> String {
    let (h, fail) = if lang == Lang::Zh {
        (["控制项", "名称", "严重性", "通过", "不通过", "警告", "跳过", "等保条款"], "不通过")
    } else {
        (["control", "title", "severity", "pass", "fail", "warn", "skip", "MLPS"], "FAIL")
    };
    let mut s =
        format!("{:<12} {:<34} {:<9} {:>5} {:>5} {:>5} {:>5}  {}\n", h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
    for (id, n) in by_control(a) {
        let sev = controls::control(id).map(|c| severity_name(c.severity, lang)).unwrap_or_default();
        s.push_str(&format!(
            "{:<12} {:<34} {:<9} {:>5} {:>5} {:>5} {:>5}  {}\n",
            id,
            title(id, lang),
            sev,
            n[0],
            n[1],
            n[2],
            n[3],
            mlps::clauses_of(id).join(",")
        ));
    }
    let c = a.counts();
    let n = |o: Outcome| format!("{} {}", c.get(&o).unwrap_or(&0), outcome_name(o, lang).to_uppercase());
    s.push_str(&format!(
        "\n{}: {}, {}, {}, {}\n",
        if lang == Lang::Zh { "合计" } else { "total" },
        n(Outcome::Pass),
        n(Outcome::Fail),
        n(Outcome::Warn),
        n(Outcome::Skip)
    ));
    let clusters = by_cluster(a);
    for (c, n) in &clusters {
        s.push_str(&format!(
            "  {}: {} {}, {} {}, {} {}, {} {}\n",
            match c {
                Some(name) if !name.is_empty() => format!("{} {name}", pick(lang, ("集群", "cluster"))),
                _ => cluster_name(*c, lang),
            },
            n[0],
            outcome_name(Outcome::Pass, lang).to_uppercase(),
            n[1],
            outcome_name(Outcome::Fail, lang).to_uppercase(),
            n[2],
            outcome_name(Outcome::Warn, lang).to_uppercase(),
            n[3],
            outcome_name(Outcome::Skip, lang).to_uppercase()
        ));
    }
    for f in a.findings.iter().filter(|f| f.outcome == Outcome::Fail) {
        let at = if clusters.is_empty() {
            String::new()
        } else {
            format!("[{}] ", cluster_name(f.subject.cluster.as_deref(), lang))
        };
        // The finding's reason in the page's language (the catalogue of messages).
        if lang == Lang::Zh {
            s.push_str(&format!(
                "{fail} {at}{} {} {}：{}（证据：{}）\n",
                f.control,
                f.subject.object,
                f.field,
                f.reason.text(lang),
                f.evidence_in(lang)
            ));
        } else {
            s.push_str(&format!(
                "{fail} {at}{} {} {}: {} ({})\n",
                f.control, f.subject.object, f.field, f.message, f.evidence
            ));
        }
    }
    s
}

/// The JSON document.
pub fn json(a: &Audit) -> Value {
    let clusters: Vec<Value> = by_cluster(a)
        .into_iter()
        .map(|(c, n)| json!({"cluster": c, "pass": n[0], "fail": n[1], "warn": n[2], "skip": n[3]}))
        .collect();
    let mut doc = json!({
        "summary": a.counts().iter().map(|(k, v)| (k.as_str().to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "controls": CATALOGUE.iter().map(|c| json!({"id": c.id, "title_zh": c.title_zh, "title_en": c.title_en, "severity": c.severity, "mlps": mlps::clauses_of(c.id), "results": by_control(a).get(c.id)})).collect::<Vec<_>>(),
        "mlps": mlps::REQUIREMENTS,
        "findings": a.findings,
        "connectivity": a.connectivity,
        "flows": a.flows,
    });
    // A city report: per cluster (null: the checks over the whole city).
    if !clusters.is_empty() {
        doc["clusters"] = json!(clusters);
    }
    doc
}

#[cfg(test)]
mod tests;
