//! Compliance: the operator's live compliance reports (OpenReports `Report`
//! per tenant namespace, the `ClusterReport`) that the user may read, read
//! as the user. A summary per namespace, then the results failures first
//! (most severe first), each with its control, the reason in the page's
//! language (the catalogue of messages reads the report's English back) and
//! when it last changed; narrowed by the audit's own [`Filter`].

use std::collections::{BTreeMap, HashMap};

use maud::{Markup, html};
use serde_json::Value;

use super::{Chrome, Refusal, Word, page, refusal, w};
use crate::audit::Outcome;
use crate::audit::filter::Filter;
use crate::audit::output::{Lang, outcome_name, severity_name, title};
use crate::controls::Severity;

/// One report as read, with the tenant and zone of its namespace.
#[derive(Clone, Debug)]
pub struct ReportRead {
    /// Its namespace; `None` for the cluster report.
    pub namespace: Option<String>,
    /// The tenant the namespace is of.
    pub tenant: Option<String>,
    /// The zone the namespace is of.
    pub zone: Option<String>,
    /// The report, as the API server gave it.
    pub report: Value,
}

/// One result of a report, as a row of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    /// The report's namespace (`None`: the cluster report).
    pub namespace: Option<String>,
    /// The tenant of that namespace.
    pub tenant: Option<String>,
    /// The control (`GC-NET-001`).
    pub control: String,
    /// Pass, fail, warn or skip.
    pub outcome: Outcome,
    /// The control's severity, as the report gives it.
    pub severity: Option<Severity>,
    /// `Kind/namespace/name` (or `Kind/name`).
    pub object: String,
    /// The field checked.
    pub field: String,
    /// What it means, in English, as the report has it.
    pub message: String,
    /// What was seen, in English, as the report has it.
    pub evidence: String,
    /// When the result last changed (seconds since the epoch).
    pub changed: Option<i64>,
}

/// The counts of one report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// The report's name.
    pub name: String,
    /// The report's namespace (`None`: the cluster report).
    pub namespace: Option<String>,
    /// The tenant of that namespace.
    pub tenant: Option<String>,
    /// The zone of that namespace.
    pub zone: Option<String>,
    /// Pass, fail, warn, skip, as the report's summary counts them (results
    /// left out of a large report included).
    pub counts: [u64; 4],
    /// Failures among its results by severity, most severe first.
    pub failed: Vec<(Severity, usize)>,
}

/// What the page shows.
#[derive(Clone, Debug, Default)]
pub struct Compliance {
    /// One per report read, namespaces in order, the cluster report last.
    pub summaries: Vec<Summary>,
    /// The results the filter keeps: failures first, most severe first.
    pub rows: Vec<ResultRow>,
    /// How many more the filter kept than are shown.
    pub more: usize,
}

/// Rows shown at most (the rest counted).
pub const MAX_ROWS: usize = 500;

fn outcome(s: &str) -> Option<Outcome> {
    match s {
        "pass" => Some(Outcome::Pass),
        "fail" | "error" => Some(Outcome::Fail),
        "warn" => Some(Outcome::Warn),
        "skip" => Some(Outcome::Skip),
        _ => None,
    }
}

fn severity(s: &str) -> Option<Severity> {
    match s {
        "critical" => Some(Severity::Critical),
        "high" => Some(Severity::High),
        "medium" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        _ => None,
    }
}

/// The order of outcomes on the page: failures, warnings, skips, passes.
fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Fail => 0,
        Outcome::Warn => 1,
        Outcome::Skip => 2,
        Outcome::Pass => 3,
    }
}

/// The results of one report as rows.
pub fn rows_of(r: &ReportRead) -> Vec<ResultRow> {
    let results = r.report["results"].as_array().map(Vec::as_slice).unwrap_or_default();
    results
        .iter()
        .filter_map(|x| {
            let res = &x["resources"][0];
            let ns = res["namespace"].as_str().filter(|n| !n.is_empty());
            let object = match (res["kind"].as_str(), ns, res["name"].as_str()) {
                (Some(k), Some(ns), Some(n)) => format!("{k}/{ns}/{n}"),
                (Some(k), None, Some(n)) => format!("{k}/{n}"),
                _ => String::new(),
            };
            Some(ResultRow {
                namespace: r.namespace.clone(),
                tenant: r.tenant.clone(),
                control: x["rule"].as_str()?.to_string(),
                outcome: outcome(x["result"].as_str()?)?,
                severity: x["severity"].as_str().and_then(severity),
                object,
                field: x["properties"]["field"].as_str().unwrap_or_default().to_string(),
                message: x["message"].as_str().unwrap_or_default().to_string(),
                evidence: x["properties"]["evidence"].as_str().unwrap_or_default().to_string(),
                changed: x["timestamp"]["seconds"].as_i64(),
            })
        })
        .collect()
}

/// The page's model: a summary per report, the results `filter` keeps.
pub fn compliance(reports: &[ReportRead], filter: &Filter) -> Compliance {
    let mut summaries = Vec::new();
    let mut rows = Vec::new();
    for r in reports {
        let all = rows_of(r);
        let s = &r.report["summary"];
        let n = |k: &str| s[k].as_u64().unwrap_or(0);
        let mut failed: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
        for x in all.iter().filter(|x| x.outcome == Outcome::Fail) {
            if let Some(sev) = x.severity {
                *failed.entry(std::cmp::Reverse(sev)).or_default() += 1;
            }
        }
        summaries.push(Summary {
            name: r.report["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            namespace: r.namespace.clone(),
            tenant: r.tenant.clone(),
            zone: r.zone.clone(),
            counts: [n("pass"), n("fail") + n("error"), n("warn"), n("skip")],
            failed: failed.into_iter().map(|(s, n)| (s.0, n)).collect(),
        });
        rows.extend(
            all.into_iter().filter(|x| {
                filter.keeps_result(x.tenant.as_deref(), r.zone.as_deref(), &x.object, &x.control, x.outcome)
            }),
        );
    }
    // The cluster report last; namespaces in order.
    summaries.sort_by(|a, b| (a.namespace.is_none(), &a.namespace).cmp(&(b.namespace.is_none(), &b.namespace)));
    rows.sort_by(|a, b| {
        (rank(a.outcome), std::cmp::Reverse(a.severity), &a.namespace, &a.control, &a.object).cmp(&(
            rank(b.outcome),
            std::cmp::Reverse(b.severity),
            &b.namespace,
            &b.control,
            &b.object,
        ))
    });
    let more = rows.len().saturating_sub(MAX_ROWS);
    rows.truncate(MAX_ROWS);
    Compliance { summaries, rows, more }
}

/// The filter a page's query asks for (`tenant`, `zone`, `control`,
/// `failures`); blank fields keep everything.
pub fn filter_of(query: &HashMap<String, String>) -> Filter {
    let get = |k: &str| query.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    Filter {
        tenant: get("tenant"),
        zone: get("zone"),
        control: get("control"),
        failures_only: get("failures").is_some_and(|v| v != "0" && v != "false"),
    }
}

/// A time in seconds since the epoch, as the page shows it (UTC, to the minute).
pub fn when(seconds: i64) -> String {
    k8s_openapi::jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| seconds.to_string())
}

/// Where an object's page is, when it has one (a DepartmentApp's).
fn object_link(object: &str) -> Option<String> {
    let rest = object.strip_prefix("DepartmentApp/")?;
    let (ns, name) = rest.split_once('/')?;
    Some(format!("/app/{ns}/{name}"))
}

const TITLE: Word = ("合规", "compliance");
const FILTER: Word = ("筛选", "filter");
const TENANT: Word = ("租户", "tenant");
const ZONE: Word = ("网络区", "zone");
const CONTROL: Word = ("控制项（如 GC-NET-001）", "control (such as GC-NET-001)");
const FAILURES: Word = ("只看不通过项", "failures only");
const SHOW: Word = ("显示", "show");
const SUMMARY: Word = ("按命名空间汇总", "summary by namespace");
const NAMESPACE: Word = ("命名空间", "namespace");
const CLUSTER: Word = ("集群级", "cluster");
const FAILED_BY: Word = ("不通过项（按严重程度）", "failures by severity");
const RESULTS: Word = ("检查结果（不通过项在前）", "results (failures first)");
const RESULT: Word = ("结果", "result");
const SEVERITY: Word = ("严重程度", "severity");
const CONTROL_H: Word = ("控制项", "control");
const OBJECT: Word = ("对象", "object");
const REASON: Word = ("原因", "reason");
const CHANGED: Word = ("最近变化", "last changed");
const NONE: Word = ("没有可读的合规报告", "no compliance report you may read");
const NO_ROWS: Word = ("没有符合筛选条件的结果", "no result matches the filter");
const MORE: Word = ("条结果未显示，请缩小筛选范围", "more results not shown: narrow the filter");
const REFUSED_READS: Word = ("API 服务器拒绝读取的报告", "reports the API server refused to show you");

/// One result's cells.
pub fn result_cells(lang: Lang, x: &ResultRow) -> Markup {
    let class = match x.outcome {
        Outcome::Fail => "warn",
        Outcome::Pass => "ok",
        _ => "",
    };
    html! {
        td class=(class) { (outcome_name(x.outcome, lang)) }
        td { (x.severity.map(|s| severity_name(s, lang)).unwrap_or("")) }
        td { span.id { (x.control) } br; (title(&x.control, lang)) }
        td {
            @match object_link(&x.object) {
                Some(href) => a href=(href) { (x.object) },
                None => (x.object),
            }
            @if !x.field.is_empty() { br; small { (x.field) } }
        }
        td {
            (reason(x, lang))
            // What was seen, where it failed (a control's rule alone does not say what is wrong).
            @if x.outcome != Outcome::Pass && !x.evidence.is_empty() {
                br; small { (govcloud_core::messages::said("", &x.evidence, lang)) }
            }
        }
        td { (x.changed.map(when).unwrap_or_default()) }
    }
}

/// A result's reason in `lang`, as the catalogue of messages reads the
/// report's English back (as written where it cannot), without the control
/// id an admission rule's message starts with (the row names it).
pub fn reason(x: &ResultRow, lang: Lang) -> String {
    let prefix = format!("[{}] ", x.control);
    govcloud_core::messages::said("", x.message.strip_prefix(&prefix).unwrap_or(&x.message), lang)
}

/// What the API server refused to show, each as it said it, under a
/// heading with their count: folded (there may be one per namespace) unless `open`.
pub fn refusals(lang: Lang, heading: Word, refused: &[Refusal], open: bool) -> Markup {
    html! {
        @if !refused.is_empty() {
            details.refused open[open] {
                summary { h2 { (w(lang, heading)) " (" (refused.len()) ")" } }
                @for r in refused { (refusal(lang, r)) }
            }
        }
    }
}

/// The head of a results table.
pub fn result_head(lang: Lang) -> Markup {
    html! {
        tr {
            th { (w(lang, RESULT)) } th { (w(lang, SEVERITY)) } th { (w(lang, CONTROL_H)) }
            th { (w(lang, OBJECT)) } th { (w(lang, REASON)) } th { (w(lang, CHANGED)) }
        }
    }
}

/// The compliance page: the filter form, the summaries, the results; what
/// the API server refused, as it said it; `note`: a filter naming what is not there.
pub fn page_of(c: &Chrome, m: &Compliance, filter: &Filter, refused: &[Refusal], note: Option<&str>) -> String {
    let lang = c.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let body = html! {
        form.filter method="get" action="/compliance" role="search" aria-label=(w(lang, FILTER)) {
            span { label for="f-tenant" { (w(lang, TENANT)) } input id="f-tenant" name="tenant" type="text" size="16" value=(v(&filter.tenant)); }
            span { label for="f-zone" { (w(lang, ZONE)) } input id="f-zone" name="zone" type="text" size="12" value=(v(&filter.zone)); }
            span { label for="f-control" { (w(lang, CONTROL)) } input id="f-control" name="control" type="text" size="14" value=(v(&filter.control)); }
            span.check { input id="f-failures" name="failures" type="checkbox" value="1" checked[filter.failures_only]; label for="f-failures" { (w(lang, FAILURES)) } }
            button type="submit" { (w(lang, SHOW)) }
        }
        @if let Some(n) = note { div.refusal role="alert" { (n) } }
        h2 { (w(lang, SUMMARY)) }
        @if m.summaries.is_empty() { p { (w(lang, NONE)) } } @else {
            table {
                tr {
                    th { (w(lang, NAMESPACE)) } th { (w(lang, TENANT)) } th { (w(lang, ZONE)) }
                    @for o in [Outcome::Pass, Outcome::Fail, Outcome::Warn, Outcome::Skip] { th { (outcome_name(o, lang)) } }
                    th { (w(lang, FAILED_BY)) }
                }
                @for s in &m.summaries {
                    tr {
                        td {
                            @match (&s.namespace, &s.tenant) {
                                (Some(ns), Some(t)) => a href={ "/#tenant-" (t) } { (ns) },
                                (Some(ns), None) => (ns),
                                (None, _) => { (w(lang, CLUSTER)) " " small { (s.name) } },
                            }
                        }
                        td { (v(&s.tenant)) } td { (v(&s.zone)) }
                        td.ok { (s.counts[0]) }
                        td class=(if s.counts[1] > 0 { "warn" } else { "" }) { (s.counts[1]) }
                        td { (s.counts[2]) } td { (s.counts[3]) }
                        td { (s.failed.iter().map(|(sev, n)| format!("{} {n}", severity_name(*sev, lang))).collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        }
        h2 { (w(lang, RESULTS)) " (" (m.rows.len() + m.more) ")" }
        @if m.rows.is_empty() { p { (w(lang, NO_ROWS)) } } @else {
            table.results {
                (result_head(lang))
                @for x in &m.rows { tr { (result_cells(lang, x)) } }
            }
        }
        @if m.more > 0 { p { (m.more) " " (w(lang, MORE)) } }
        (refusals(lang, REFUSED_READS, refused, m.summaries.is_empty()))
    };
    page(c, w(lang, TITLE), body)
}

#[cfg(test)]
mod tests;
