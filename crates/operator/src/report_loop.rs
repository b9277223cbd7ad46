//! The compliance loop: audits the cluster on every change (debounced) and
//! every resync, and keeps the reports (`openreports.io/v1alpha1` Report per
//! tenant namespace and a ClusterReport; `wgpolicyk8s.io/v1alpha2`
//! PolicyReports when asked) and the compliance summaries current, writing
//! only what changed.

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use tracing::{info, warn};

use super::inventory::{AUDITED, LIST_PAGE, as_audited, live_inventory};
use super::report::{ensure_report_crds, live_evaluation};
use super::{Context, Result};
use govcloud_audit::output::{self, ReportApi};
use govcloud_audit::{self as audit, Outcome};
use govcloud_core::api::{ComplianceSummary, NetworkZone, Tenant};
use govcloud_core::meta::labels::MANAGED_SELECTOR as MANAGED;
use govcloud_core::meta::names::AUDIT_MANAGER;
use govcloud_core::model::Model;

/// The model and the audited objects from the operator's caches and the
/// report loop's watches, as [`live_inventory`] would read them from the
/// cluster; `None` while a watch has not listed its kind yet.
fn cached_inventory(ctx: &Context) -> Option<(Model, Vec<Value>)> {
    // As granted now (approved requests folded in), without zones being deleted.
    let mut model = ctx.model();
    model.zones.retain(|z| z.metadata.deletion_timestamp.is_none());
    let mut objects = Vec::new();
    for (group, version, kind, _) in AUDITED.iter().copied() {
        let api_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
        let typed = |v: Result<Value, serde_json::Error>| {
            let mut v = v.ok()?;
            as_audited(&mut v, &api_version, kind);
            Some(v)
        };
        match kind {
            // Watched by the operator itself.
            "Node" => objects.extend(ctx.nodes.state().iter().filter_map(|n| typed(serde_json::to_value(&**n)))),
            "DepartmentApp" => objects.extend(model.apps.iter().filter_map(|a| typed(serde_json::to_value(a)))),
            _ => objects.extend(ctx.audited.objects(kind)?),
        }
    }
    // govcloud's ClusterNetworkPolicies, as the owned cache keeps them (empty while the API is not served).
    for o in ctx.admin_tier.cached() {
        let Ok(mut v) = serde_json::to_value(&*o) else { continue };
        use k8s_openapi::Resource;
        as_audited(
            &mut v,
            govcloud_core::meta::cluster_policy::ClusterNetworkPolicy::API_VERSION,
            govcloud_core::meta::cluster_policy::ClusterNetworkPolicy::KIND,
        );
        objects.push(v);
    }
    // The requests as filed and decided (GC-REQ-001).
    objects.extend(
        ctx.requests
            .state()
            .iter()
            .filter(|r| r.metadata.deletion_timestamp.is_none())
            .filter_map(|r| serde_json::to_value(&**r).ok()),
    );
    Some((model, objects))
}

/// What of a report decides whether it must be written again: its summary
/// and results.
fn content_hash(r: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    r["summary"].to_string().hash(&mut h);
    r["results"].to_string().hash(&mut h);
    h.finish()
}

/// What the reports hold, as last read or written: (kind, namespace or "",
/// name) -> what it holds. Filled from one paged list at start, so a round
/// writes only the reports that changed, without reading each first.
type Written = BTreeMap<(String, String, String), Held>;

/// What a report holds: the [`content_hash`] of its body, and, once this
/// process has built it, the [`findings_hash`] of what it was built from, so
/// a report whose findings did not change is not even built again (at a
/// province's size, building every report to compare it cost more than
/// the audit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Held {
    content: u64,
    findings: Option<u64>,
}

/// Everything a report is built from ([`output::report`]): the report API,
/// its labels, its namespace (none: the cluster report, with its name) and
/// every field of its findings.
fn findings_hash(
    api: ReportApi,
    labels: &BTreeMap<String, String>,
    ns: Option<&str>,
    cluster_name: &str,
    fs: &[&govcloud_audit::Finding],
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (api == ReportApi::Openreports, labels, ns, cluster_name).hash(&mut h);
    for f in fs {
        (
            f.control,
            f.outcome,
            format!("{:?}", f.severity),
            &f.object,
            &f.namespace,
            &f.tenant,
            &f.zone,
            &f.field,
            &f.evidence,
            &f.message,
            &f.cluster,
        )
            .hash(&mut h);
    }
    h.finish()
}

/// Reports written at once.
const REPORT_WRITES: usize = 8;

/// Audits the cluster every resync and keeps the reports and the compliance
/// summaries current, writing only what changed.
pub async fn report_loop(ctx: std::sync::Arc<Context>, api: ReportApi, selector: String) {
    // Until the report CRDs are there (installed here, or by a chart), try again.
    while let Err(e) = ensure_report_crds(&ctx.client, api).await {
        warn!(error = %e, "cannot install the report CRDs; trying again in 30 s");
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
    // Give the CRDs a moment to be served.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mut written: Option<Written> = None;
    loop {
        let started = std::time::Instant::now();
        if let Err(e) = report_once(&ctx, api, &selector, &mut written).await {
            ctx.metrics.failed("Report", e.metric_label());
            warn!(error = %e, "compliance report failed");
            // What the reports hold is not known now: read them again.
            written = None;
        }
        // The audit's inventory and findings are freed: give them back.
        super::memory::release();
        let (cost, done) = (started.elapsed(), std::time::Instant::now());
        // Event-driven: the next report follows a change (debounced, so a
        // burst of changes costs one audit), or the resync, whichever is first.
        tokio::select! {
            _ = ctx.triggers.reports_woken() => tokio::time::sleep(report_delay(cost, done.elapsed())).await,
            // Every resync, the reports are read again too: one deleted or
            // changed by someone else is written back.
            _ = tokio::time::sleep(ctx.resync) => written = None,
        }
    }
}

/// How long to wait, after a change, before the next report: the debounce,
/// and at least the last report's cost since it ended, up to a minute, so
/// that while a large cluster converges (a change every moment) the reports
/// take at most half the operator's time, and a small one is reported on
/// after the debounce.
pub fn report_delay(cost: std::time::Duration, since_last: std::time::Duration) -> std::time::Duration {
    REPORT_DEBOUNCE.max(cost.saturating_sub(since_last).min(REPORT_COOLDOWN_MAX))
}

/// The longest a report waits for the last one's cost.
pub const REPORT_COOLDOWN_MAX: std::time::Duration = std::time::Duration::from_secs(60);

/// How long the reports wait after a change for more changes to come.
pub const REPORT_DEBOUNCE: std::time::Duration = std::time::Duration::from_secs(2);

/// Reads what the govcloud reports of `api` hold now.
async fn read_written(ctx: &Context, api: ReportApi) -> Result<Written> {
    let mut written = Written::new();
    let lp = ListParams::default().labels(MANAGED).limit(LIST_PAGE);
    // Both kinds: the namespaced reports and the cluster report.
    let (api_version, namespaced, cluster) = api.kinds();
    for kind in [namespaced, cluster] {
        let kind = kind.to_string();
        let (group, version) = api_version.split_once('/').unwrap_or_default();
        let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, &kind));
        let all: Api<DynamicObject> = Api::all_with(ctx.client.clone(), &ar);
        let mut token: Option<String> = None;
        loop {
            let page = all.list(&if let Some(t) = &token { lp.clone().continue_token(t) } else { lp.clone() }).await?;
            for o in page.items {
                let v = serde_json::to_value(&o).map_err(|e| super::Error::serialize(o.name_any(), e))?;
                written.insert(
                    (kind.clone(), o.namespace().unwrap_or_default(), o.name_any()),
                    Held { content: content_hash(&v), findings: None },
                );
            }
            token = page.metadata.continue_.filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
    }
    Ok(written)
}

/// The report `name` as it is now, as JSON (`None`: there is none). Read
/// only when `exists` (what the reports hold says it does).
async fn earlier_report(
    reports: &Api<DynamicObject>,
    name: &str,
    exists: bool,
) -> std::result::Result<Option<Value>, kube::Error> {
    if !exists {
        return Ok(None);
    }
    Ok(reports.get_opt(name).await?.and_then(|o| serde_json::to_value(o).ok()))
}

/// Writes one report (server-side apply); its key and content hash, and how it went.
async fn write_report(
    api: Api<DynamicObject>,
    pp: PatchParams,
    key: (String, String, String),
    held: Held,
    report: Value,
) -> ((String, String, String), Held, std::result::Result<(), kube::Error>) {
    let r = api.patch(&key.2, &pp, &Patch::Apply(&report)).await.map(|_| ());
    (key, held, r)
}

async fn report_once(
    ctx: &std::sync::Arc<Context>,
    api: ReportApi,
    selector: &str,
    written: &mut Option<Written>,
) -> Result<()> {
    use futures::StreamExt;
    if written.is_none() {
        *written = Some(read_written(ctx, api).await?);
    }
    let known = written.get_or_insert_with(Written::new);
    let started = std::time::Instant::now();
    let (model, objects) = match cached_inventory(ctx) {
        Some(cached) => cached,
        None => live_inventory(&ctx.client, selector, &ctx.cluster_cidrs, ctx.cluster.as_deref()).await?,
    };
    let (listed, inventory) = (started.elapsed(), objects.len());
    // CPU-bound for seconds at a province's size: on a blocking thread, so
    // the reconciles and watches on the runtime's threads go on meanwhile.
    let (model, objects, audit) = {
        let ctx = ctx.clone();
        tokio::task::spawn_blocking(move || {
            let audit = audit::audit_with(&model, &objects, &ctx.verdicts);
            (model, objects, audit)
        })
        .await
        .map_err(|e| super::Error::Audit(e.to_string()))?
    };
    let audited = started.elapsed();
    let mut results: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for f in &audit.findings {
        *results
            .entry((f.control.to_string(), format!("{:?}", f.severity).to_lowercase(), f.outcome.as_str().to_string()))
            .or_default() += 1;
    }
    ctx.metrics.set_compliance(&results);
    let labels: BTreeMap<String, String> = ctx
        .scope
        .iter()
        .cloned()
        .chain([(govcloud_core::meta::labels::MANAGED_BY.to_string(), "govcloud".to_string())])
        .collect();
    let ours: std::collections::BTreeSet<String> = model
        .tenants
        .iter()
        .flat_map(|t| {
            t.spec.zones.iter().map(move |z| govcloud_core::meta::names::namespace_name(&t.name_any(), &z.name))
        })
        .collect();
    let cluster_name = govcloud_core::meta::names::cluster_report(ctx.scope.first().map(|(_, v)| v.as_str()));
    let pp = PatchParams::apply(AUDIT_MANAGER).force();
    // Only what changed since it was last read or written, several at once;
    // each report built when its batch comes, so that only the ones being
    // written are held. A report that cannot be written does not hold up
    // the others or the summaries; the round fails at the end (so what the
    // reports hold is read again).
    let (api_version, _, _) = api.kinds();
    let (group, version) = api_version.split_once('/').unwrap_or_default();
    let mut failed = None;
    let mut batch = Vec::new();
    let groups = output::report_groups(&audit);
    let last = groups.len();
    let (_, namespaced_kind, cluster_kind) = api.kinds();
    for (i, (ns, fs)) in groups.into_iter().enumerate() {
        if ns.is_none_or(|ns| ours.contains(ns)) {
            let (kind, name) = match ns {
                Some(_) => (namespaced_kind, govcloud_core::meta::names::REPORT),
                None => (cluster_kind, cluster_name.as_str()),
            };
            let key = (kind.to_string(), ns.unwrap_or_default().to_string(), name.to_string());
            let from = findings_hash(api, &labels, ns, &cluster_name, &fs);
            let known_now = known.get(&key).copied();
            if known_now.is_none_or(|k| k.findings != Some(from)) {
                let mut report = output::report_with(
                    api,
                    &labels,
                    &govcloud_core::provenance::Provenance::in_cluster(
                        k8s_openapi::jiff::Timestamp::now(),
                        ctx.cluster.as_deref(),
                    )
                    .annotations(),
                    ns,
                    &fs,
                );
                report["metadata"]["name"] = Value::String(name.to_string());
                let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
                let reports: Api<DynamicObject> = match ns {
                    Some(ns) => Api::namespaced_with(ctx.client.clone(), ns, &ar),
                    None => Api::all_with(ctx.client.clone(), &ar),
                };
                // Each result keeps the time it last changed, from the report
                // as it is now (read only when it is built again).
                match earlier_report(&reports, name, known_now.is_some()).await {
                    Ok(earlier) => {
                        output::stamp_results(&mut report, earlier.as_ref(), Timestamp::now().as_second());
                        let held = Held { content: content_hash(&report), findings: Some(from) };
                        if known_now.map(|k| k.content) == Some(held.content) {
                            // Built from other findings, but the same: nothing to write.
                            known.insert(key, held);
                        } else {
                            batch.push(write_report(reports, pp.clone(), key, held, report));
                        }
                    }
                    // Not written this round (its times would be lost): the round fails at the end.
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
        }
        if batch.len() == REPORT_WRITES || (i + 1 == last && !batch.is_empty()) {
            for (key, held, r) in futures::future::join_all(batch.drain(..)).await {
                match r {
                    Ok(()) => {
                        known.insert(key, held);
                    }
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
        }
    }
    // Compliance summaries on tenants and zones, counted in one pass.
    let mut by_tenant: BTreeMap<&str, ComplianceSummary> = BTreeMap::new();
    let mut by_zone: BTreeMap<String, ComplianceSummary> = BTreeMap::new();
    let count = |s: &mut ComplianceSummary, o: Outcome| match o {
        Outcome::Pass => s.pass += 1,
        Outcome::Fail => s.fail += 1,
        Outcome::Warn => s.warn += 1,
        Outcome::Skip => s.skip += 1,
    };
    for f in &audit.findings {
        if let Some(t) = f.tenant.as_deref() {
            count(by_tenant.entry(t).or_default(), f.outcome);
        }
        let zone = f.zone.as_deref().or_else(|| f.object.strip_prefix("NetworkZone/")).map(str::to_string);
        if let Some(z) = zone {
            count(by_zone.entry(z).or_default(), f.outcome);
        }
    }
    let same = |p: &Option<ComplianceSummary>, s: &ComplianceSummary| {
        p.as_ref().is_some_and(|p| (p.pass, p.fail, p.warn, p.skip) == (s.pass, s.fail, s.warn, s.skip))
    };
    let now = Timestamp::now().to_string();
    let mut patches = Vec::new();
    for t in &model.tenants {
        let name = t.name_any();
        let mut s = by_tenant.get(name.as_str()).cloned().unwrap_or_default();
        s.report = Some(format!(
            "{} govcloud in each of the tenant's namespaces",
            if api == ReportApi::Openreports { "Report" } else { "PolicyReport" }
        ));
        if same(&t.status.as_ref().and_then(|st| st.compliance.clone()), &s) {
            continue;
        }
        s.evaluated_at = Some(now.clone());
        let api: Api<DynamicObject> = Api::all_with(ctx.client.clone(), &ApiResource::erase::<Tenant>(&()));
        patches.push((
            api,
            name,
            json!({"apiVersion": govcloud_core::meta::API_VERSION, "kind": "Tenant", "status": {"compliance": s}}),
        ));
    }
    for z in &model.zones {
        let name = z.name_any();
        let mut s = by_zone.get(&name).cloned().unwrap_or_default();
        s.report = Some(cluster_name.clone());
        if same(&z.status.as_ref().and_then(|st| st.compliance.clone()), &s) {
            continue;
        }
        s.evaluated_at = Some(now.clone());
        let api: Api<DynamicObject> = Api::all_with(ctx.client.clone(), &ApiResource::erase::<NetworkZone>(&()));
        patches.push((
            api,
            name,
            json!({"apiVersion": govcloud_core::meta::API_VERSION, "kind": "NetworkZone", "status": {"compliance": s}}),
        ));
    }
    let results: Vec<_> = futures::stream::iter(patches.into_iter().map(|(api, name, body)| {
        let pp = pp.clone();
        async move { api.patch_status(&name, &pp, &Patch::Apply(&body)).await }
    }))
    .buffer_unordered(REPORT_WRITES)
    .collect()
    .await;
    for r in results {
        r?;
    }
    let written_at = started.elapsed();
    // The evaluation (绩效评估) of the same round, as metrics per tenant:
    // after the reports, which it does not hold up.
    let requests: Vec<govcloud_core::api::ResourceRequest> =
        ctx.requests.state().iter().map(|r| (**r).clone()).collect();
    let evaluation = live_evaluation(&ctx.client, &model, &objects, &audit, &requests).await;
    ctx.metrics.set_evaluation(&evaluation);
    drop(objects);
    info!(
        objects = inventory,
        findings = audit.findings.len(),
        list_s = listed.as_secs_f64(),
        audit_s = (audited - listed).as_secs_f64(),
        write_s = (written_at - audited).as_secs_f64(),
        evaluate_s = (started.elapsed() - written_at).as_secs_f64(),
        "compliance audit"
    );
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
