//! Compliance reports as Kubernetes objects: OpenReports (`openreports.io/v1alpha1`) or the
//! policy working group's PolicyReports (`wgpolicyk8s.io/v1alpha2`), one per tenant namespace and one for the
//! cluster, each bounded in size.

use crate::mlps;

use govcloud_core::controls;
use serde_json::{Value, json};

use crate::{Audit, Finding, Outcome};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

pub(super) fn result(f: &Finding) -> Value {
    let c = controls::control(f.control);
    let resource = match f.subject.object.split('/').collect::<Vec<_>>().as_slice() {
        [kind, ns, name] => json!([{"kind": kind, "namespace": ns, "name": name}]),
        [kind, name] => json!([{"kind": kind, "name": name}]),
        _ => json!([]),
    };
    json!({
        "source": "govcloud",
        "policy": govcloud_core::meta::names::control_policy(f.control),
        "rule": f.control,
        "result": f.outcome.as_str(),
        "severity": match f.severity { controls::Severity::Critical => "critical", controls::Severity::High => "high", controls::Severity::Medium => "medium", controls::Severity::Low => "low" },
        "category": c.map(|c| c.title_en).unwrap_or(""),
        "message": f.message,
        "resources": resource,
        "properties": properties(f, c),
    })
}

/// A result's properties: the MLPS clauses and levels, the field, the
/// evidence and, in a city report, the cluster.
pub(super) fn properties(f: &Finding, c: Option<&controls::Control>) -> Value {
    let mut p = json!({"mlps": mlps::clauses_of(f.control).join(","), "levels": c.map(|c| c.levels.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(",")).unwrap_or_default(), "field": f.field, "evidence": f.evidence});
    if let Some(cluster) = &f.subject.cluster {
        p["cluster"] = json!(cluster);
    }
    p
}

pub(super) fn summary(findings: &[&Finding]) -> Value {
    let n = |o: Outcome| findings.iter().filter(|f| f.outcome == o).count();
    json!({"pass": n(Outcome::Pass), "fail": n(Outcome::Fail), "warn": n(Outcome::Warn), "skip": n(Outcome::Skip), "error": 0})
}

/// Which report API to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportApi {
    /// `openreports.io/v1alpha1` Report and ClusterReport.
    Openreports,
    /// `wgpolicyk8s.io/v1alpha2` PolicyReport and ClusterPolicyReport.
    Wgpolicy,
}

impl ReportApi {
    /// `apiVersion`, the namespaced report kind and the cluster report kind.
    pub fn kinds(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ReportApi::Openreports => ("openreports.io/v1alpha1", "Report", "ClusterReport"),
            ReportApi::Wgpolicy => ("wgpolicyk8s.io/v1alpha2", "PolicyReport", "ClusterPolicyReport"),
        }
    }
}

/// One report per tenant namespace and one cluster report for the rest,
/// each with these annotations (the provenance).
pub fn reports(
    a: &Audit,
    api: ReportApi,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
) -> Vec<Value> {
    report_groups(a).into_iter().map(|(ns, fs)| report_with(api, labels, annotations, ns, &fs)).collect()
}

/// The findings of each report: per tenant namespace (in order), then the
/// cluster report's (namespace `None`) last.
pub fn report_groups(a: &Audit) -> Vec<(Option<&str>, Vec<&Finding>)> {
    report_group_indices(a)
        .into_iter()
        .map(|(ns, is)| {
            // The namespace as the findings hold it (borrowed from the audit, not the group).
            let ns = ns.and_then(|_| is.first().and_then(|i| a.findings[*i].subject.namespace.as_deref()));
            (ns, is.into_iter().map(|i| &a.findings[i]).collect())
        })
        .collect()
}

/// The report of findings `fs`: namespaced in `ns`, or the cluster report.
pub fn report(api: ReportApi, labels: &BTreeMap<String, String>, ns: Option<&str>, fs: &[&Finding]) -> Value {
    report_with(api, labels, &BTreeMap::new(), ns, fs)
}

/// [`report`] with these annotations too (the provenance: outside the
/// summary and results, so that a report whose results did not change is
/// not written again for them).
pub fn report_with(
    api: ReportApi,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    ns: Option<&str>,
    fs: &[&Finding],
) -> Value {
    let (version, kind, cluster_kind) = api.kinds();
    let (results, omitted) = bounded_results(fs, REPORT_RESULTS_BYTES);
    let metadata = report_metadata(govcloud_core::meta::names::REPORT, ns, labels, annotations, omitted);
    json!({"apiVersion": version, "kind": if ns.is_some() { kind } else { cluster_kind }, "metadata": metadata, "summary": summary(fs), "results": results})
}

/// Bytes of results one report may carry: a report is one object in etcd,
/// whose requests are limited to 1.5–2 MiB (and the API server's to 3 MiB).
pub const REPORT_RESULTS_BYTES: usize = 1024 * 1024;

/// Annotation saying how many passing results a report left out.
pub use govcloud_core::meta::labels::OMITTED_RESULTS as OMITTED;

/// A report's metadata: its name, namespace (none for the cluster report),
/// labels, and annotations with a note of the results `omitted` (others,
/// passes) when any were.
pub(crate) fn report_metadata(
    name: &str,
    ns: Option<&str>,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    (omitted_others, omitted_passes): (usize, usize),
) -> Value {
    let mut metadata = json!({"name": name, "labels": labels});
    if let Some(ns) = ns {
        metadata["namespace"] = json!(ns);
    }
    let mut notes = annotations.clone();
    if omitted_others + omitted_passes > 0 {
        notes.insert(OMITTED.to_string(), omitted_note(omitted_others, omitted_passes));
    }
    if !notes.is_empty() {
        metadata["annotations"] = json!(notes);
    }
    metadata
}

/// The results of `fs` within `budget` bytes: failures, warnings and skips
/// first, by severity (critical first), then passes while they fit; and how
/// many (failures, warnings and skips; passes) were left out. Nothing that
/// is not a pass is left out for a pass. The results keep `fs`'s order.
pub fn bounded_results(fs: &[&Finding], budget: usize) -> (Vec<Value>, (usize, usize)) {
    let sizes: Vec<usize> = fs.iter().map(|f| result(f).to_string().len()).collect();
    let (keep, omitted) = bounded_keep(fs, &sizes, budget);
    (fs.iter().zip(keep).filter(|(_, k)| *k).map(|(f, _)| result(f)).collect(), omitted)
}

/// What the [`OMITTED`] annotation says of the results a report left out.
pub fn omitted_note(others: usize, passes: usize) -> String {
    let what = match (others, passes) {
        (0, p) => format!("{p} passing results"),
        (o, 0) => format!("{o} failing, warning or skipped results (the least severe)"),
        (o, p) => format!("{o} failing, warning or skipped results (the least severe) and {p} passing results"),
    };
    format!(
        "{what} left out to keep the report under the API server's size limit; the summary counts them, and `govcloud audit` lists them"
    )
}

/// Stamps each result of `report` with when it last changed (the results'
/// `timestamp`, seconds and nanos as both report APIs define it): a result
/// that the `earlier` report held the same in everything but its time keeps
/// that time; a new or changed one gets `now` (seconds since the epoch).
/// Only govcloud writes its reports (departments may read them), and a
/// time is kept only for a result whose every other field is the same.
pub fn stamp_results(report: &mut Value, earlier: Option<&Value>, now: i64) {
    let key = |r: &Value| match r.as_object() {
        Some(o) => {
            o.iter().filter(|(k, _)| *k != "timestamp").map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(";")
        }
        None => r.to_string(),
    };
    let kept: std::collections::HashMap<String, &Value> = earlier
        .and_then(|e| e["results"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|r| Some((key(r), r.get("timestamp")?)))
        .collect();
    for r in report["results"].as_array_mut().into_iter().flatten() {
        let at = kept.get(&key(r)).map(|t| (*t).clone()).unwrap_or_else(|| json!({"seconds": now, "nanos": 0}));
        if let Some(o) = r.as_object_mut() {
            o.insert("timestamp".into(), at);
        }
    }
}

/// What identifies a result across rounds: the hash of its text without its time.
pub(super) fn key(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Which of `fs` (of these result sizes) fit in `budget` bytes, and how
/// many (failures, warnings and skips; passes) were left out: failures,
/// warnings and skips first, by severity (critical first), then passes
/// while they fit; nothing that is not a pass is left out for a pass.
pub(super) fn bounded_keep(fs: &[&Finding], sizes: &[usize], budget: usize) -> (Vec<bool>, (usize, usize)) {
    let mut keep = vec![false; fs.len()];
    let mut used = 0;
    let (mut omitted_others, mut omitted_passes) = (0, 0);
    let mut others: Vec<usize> = (0..fs.len()).filter(|i| fs[*i].outcome != Outcome::Pass).collect();
    others.sort_by_key(|i| std::cmp::Reverse(fs[*i].severity));
    let passes = (0..fs.len()).filter(|i| fs[*i].outcome == Outcome::Pass);
    for i in others.into_iter().chain(passes) {
        if used + sizes[i] <= budget {
            used += sizes[i];
            keep[i] = true;
        } else if fs[i].outcome == Outcome::Pass {
            omitted_passes += 1;
        } else {
            omitted_others += 1;
        }
    }
    (keep, (omitted_others, omitted_passes))
}

/// The findings of each report, by position in `a.findings`: per tenant
/// namespace (in order), then the cluster report's (namespace `None`) last,
/// as [`report_groups`] gives them.
pub fn report_group_indices(a: &Audit) -> Vec<(Option<std::sync::Arc<str>>, Vec<usize>)> {
    let mut by_ns: BTreeMap<&str, (std::sync::Arc<str>, Vec<usize>)> = BTreeMap::new();
    let mut cluster = Vec::new();
    for (i, f) in a.findings.iter().enumerate() {
        match &f.subject.namespace {
            Some(ns) if f.subject.tenant.is_some() => {
                by_ns.entry(&**ns).or_insert_with(|| (ns.clone(), Vec::new())).1.push(i)
            }
            _ => cluster.push(i),
        }
    }
    by_ns.into_values().map(|(ns, is)| (Some(ns), is)).chain([(None, cluster)]).collect()
}
