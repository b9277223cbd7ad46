//! What a compliance round holds, and when it lets go: the audit, which
//! parses the kept objects a few namespaces at a time (only what the
//! evaluation reads of the pods is kept), and the reports, each written
//! straight to its serialized form a batch at a time.

use std::collections::BTreeMap;
use std::sync::Arc;

use govcloud_audit::output::{self, ReportApi, Stamps};
use govcloud_audit::{self as audit, Audit, Finding};
use govcloud_core::model::Model;

/// What a round keeps once its audit has read the objects.
pub struct Round {
    /// The audit.
    pub audit: Audit,
    /// Of each pod, what the evaluation reads: which app it runs (what
    /// the metrics API's usage is of).
    pub pods: govcloud_evaluate::PodApps,
}

/// Audits `objects` against `model` a few namespaces at a time
/// ([`audit::audit_from`]), with the apps' kept admission verdicts.
pub fn audit_round(model: &Model, objects: &dyn audit::Source, verdicts: &govcloud_render::Verdicts) -> Round {
    let audit = audit::audit_from(model, objects, verdicts);
    // One pod read at a time.
    let mut pods = govcloud_evaluate::PodApps::default();
    (0..objects.len())
        .filter(|i| objects.key(*i).0 == "Pod")
        .filter_map(|i| objects.object(i))
        .for_each(|p| pods.add(&p));
    Round { audit, pods }
}

/// One report to build: where it goes and its findings (by position in the
/// round's audit).
pub struct Due {
    /// (kind, namespace or "", name): the loop's key of it.
    pub key: (String, String, String),
    /// Its namespace (`None`: the cluster report).
    pub ns: Option<Arc<str>>,
    /// Its findings, by position in the audit's.
    pub findings: Vec<usize>,
    /// When its results last changed, from the report as it is now (`None`: there is none).
    pub earlier: Option<Stamps>,
}

/// Builds `due`'s reports, each as the JSON text the API server is sent.
pub fn build(
    audit: &Audit,
    api: ReportApi,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    due: &[Due],
    now: i64,
) -> Vec<output::Written> {
    let dress = output::Dress { api, labels, annotations };
    due.iter()
        .map(|d| {
            let fs: Vec<&Finding> = d.findings.iter().map(|i| &audit.findings[*i]).collect();
            output::report_text(&dress, d.ns.as_deref(), &d.key.2, &fs, d.earlier.as_ref(), now)
        })
        .collect()
}
