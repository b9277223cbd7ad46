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

use super::inventory::{AUDITED, as_audited, live_inventory_as};
use super::report::{ensure_report_crds, live_evaluation};
use super::{Context, Result};
use govcloud_audit::output::{self, ReportApi};
use govcloud_audit::{Outcome, Texts};
use govcloud_core::api::{ComplianceSummary, NetworkZone, Tenant};
use govcloud_core::meta::labels::MANAGED_SELECTOR as MANAGED;
use govcloud_core::meta::names::AUDIT_MANAGER;
use govcloud_core::model::Model;

/// The model and the audited objects from the operator's caches and the
/// report loop's watches, as [`live_inventory_as`] would read them from the
/// cluster, each as its JSON text (an audit parses a few namespaces at a
/// time); `None` while a watch has not listed its kind yet.
fn cached_inventory(ctx: &Context) -> Option<(Model, Texts)> {
    // As granted now (approved requests folded in), without zones being deleted.
    let mut model = ctx.model();
    model.zones.retain(|z| z.metadata.deletion_timestamp.is_none());
    let mut objects = Texts::default();
    for (group, version, kind, _) in AUDITED.iter().copied() {
        let api_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
        let mut typed = |v: Result<Value, serde_json::Error>| {
            if let Ok(mut v) = v {
                as_audited(&mut v, &api_version, kind);
                objects.push_value(&v);
            }
        };
        match kind {
            // Watched by the operator itself (FROM_STORES).
            "Node" => ctx.nodes.state().iter().for_each(|n| typed(serde_json::to_value(&**n))),
            "DepartmentApp" => model.apps.iter().for_each(|a| typed(serde_json::to_value(a))),
            // Kept by the report loop's watches.
            _ => ctx.audited.texts(kind, &mut objects)?,
        }
    }
    // Where the API server listens (GC-NET-007), as the operator watches it.
    ctx.api_server.audited().iter().for_each(|v| objects.push_value(v));
    // govcloud's ClusterNetworkPolicies, as the owned cache keeps them (empty while the API is not served).
    for o in ctx.admin_tier.cached() {
        let Ok(mut v) = serde_json::to_value(&*o) else { continue };
        use k8s_openapi::Resource;
        as_audited(
            &mut v,
            govcloud_core::meta::cluster_policy::ClusterNetworkPolicy::API_VERSION,
            govcloud_core::meta::cluster_policy::ClusterNetworkPolicy::KIND,
        );
        objects.push_value(&v);
    }
    // The requests as filed and decided (GC-REQ-001).
    for r in ctx.requests.state().iter().filter(|r| r.metadata.deletion_timestamp.is_none()) {
        if let Ok(v) = serde_json::to_value(&**r) {
            objects.push_value(&v);
        }
    }
    Some((model, objects))
}

/// What the reports hold, as last read or written: (kind, namespace or "",
/// name) -> what it holds. Filled from one paged list at start and at
/// every resync (which keeps what it knew of a report still holding what
/// this process wrote), so a round writes only the reports that changed,
/// without reading each first.
type Written = BTreeMap<(String, String, String), Held>;

/// What a report holds: the [`output::content_hash_of`] its body, and, once this
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
            &f.subject.object,
            &f.subject.namespace,
            &f.subject.tenant,
            &f.subject.zone,
            &f.field,
            &f.evidence,
            &f.message,
            &f.subject.cluster,
        )
            .hash(&mut h);
    }
    h.finish()
}

/// How long a round waits for the watches to list the audited kinds
/// before it lists them itself.
const INVENTORY_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// How often it looks meanwhile.
const INVENTORY_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Waits until `ready` holds, looking every `poll`, at most `bound`;
/// whether it held.
async fn wait_until(bound: std::time::Duration, poll: std::time::Duration, ready: impl Fn() -> bool) -> bool {
    let until = tokio::time::Instant::now() + bound;
    loop {
        if ready() {
            return true;
        }
        if tokio::time::Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(poll.min(until.saturating_duration_since(tokio::time::Instant::now()))).await;
    }
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
    // What the reports hold, as last read or written (`None`: not known),
    // and whether to read them again (every resync).
    let (mut written, mut reread): (Option<Written>, bool) = (None, false);
    // Every resync the reports are read again, however often changes wake
    // the loop meanwhile: one deleted or changed by someone else is written
    // back within a resync and a round, even while the cluster never rests.
    let mut resync_at = tokio::time::Instant::now() + ctx.resync;
    loop {
        let started = std::time::Instant::now();
        if let Err(e) = report_once(&ctx, api, &selector, &mut written, &mut reread).await {
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
            _ = tokio::time::sleep_until(resync_at) => {}
        }
        if tokio::time::Instant::now() >= resync_at {
            reread = true;
            resync_at = tokio::time::Instant::now() + ctx.resync;
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

/// The times of each report's results, as the reports listed at the start
/// of a round held them (only those of reports that do not hold what this
/// process last wrote: after a start, all): what a report built again in
/// that round is stamped from, without reading it again. Taken as each is
/// built; the rest is dropped with the round.
type Listed = BTreeMap<(String, String, String), output::Stamps>;

/// Reports listed at once: each may be up to a MiB or so.
const REPORT_PAGE: u32 = 8;

/// Reads what the govcloud reports of `api` hold now, and the times of the
/// results of those that must be built again: each report is read a result
/// at a time into its content hash and stamps ([`output::ListedPage`]).
/// A report that holds what this process last wrote or confirmed
/// (`before`, the same content hash) keeps what it was built from, so it is
/// built again only if its findings change; it needs no stamps. Only this
/// operator's reports: govcloud's label and the operator's scope
/// (`selector`), which every report it writes wears.
async fn read_written(
    ctx: &Context,
    api: ReportApi,
    selector: &str,
    before: Option<&Written>,
) -> Result<(Written, Listed)> {
    let (mut written, mut stamps) = (Written::new(), Listed::new());
    let ours = if selector.is_empty() { MANAGED.to_string() } else { format!("{MANAGED},{selector}") };
    let lp = ListParams::default().labels(&ours).limit(REPORT_PAGE);
    // Both kinds: the namespaced reports and the cluster report.
    let (api_version, namespaced, cluster) = api.kinds();
    for kind in [namespaced, cluster] {
        let (group, version) = api_version.split_once('/').unwrap_or_default();
        let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
        let path = <DynamicObject as kube::Resource>::url_path(&ar, None);
        let mut token: Option<String> = None;
        loop {
            let lp = if let Some(t) = &token { lp.clone().continue_token(t) } else { lp.clone() };
            let req = kube::core::Request::new(&path).list(&lp).map_err(kube::Error::BuildRequest)?;
            let page: output::ListedPage = ctx.client.request(req).await?;
            token = page.continue_.clone().filter(|t| !t.is_empty());
            // Page by page: the stamps of reports not to build again are not held.
            let (w, s) = known_from(vec![(kind, page.items)], before);
            written.extend(w);
            stamps.extend(s);
            if token.is_none() {
                break;
            }
        }
    }
    Ok((written, stamps))
}

/// What the listed reports (`listed`, by kind) hold, and the stamps of
/// those to build again: of a report whose content is what `before` says
/// this process last wrote or confirmed, what it was built from too (and
/// no stamps); of any other, its content and stamps. A report `before`
/// has that was not listed (deleted) is not known any more.
fn known_from(listed: Vec<(&str, Vec<output::Listed>)>, before: Option<&Written>) -> (Written, Listed) {
    let (mut written, mut stamps) = (Written::new(), Listed::new());
    for (kind, items) in listed {
        for r in items {
            let key = (kind.to_string(), r.namespace, r.name);
            let findings = before.and_then(|b| b.get(&key)).filter(|h| h.content == r.content).and_then(|h| h.findings);
            if findings.is_none() {
                stamps.insert(key.clone(), r.stamps);
            }
            written.insert(key, Held { content: r.content, findings });
        }
    }
    (written, stamps)
}

/// The times of the results of the report `name` as it is now (`None`:
/// there is none). Read only when `exists` (what the reports hold says it
/// does) and the round did not list it.
async fn earlier_stamps(
    reports: &Api<DynamicObject>,
    name: &str,
    exists: bool,
) -> std::result::Result<Option<output::Stamps>, kube::Error> {
    if !exists {
        return Ok(None);
    }
    Ok(reports.get_opt(name).await?.and_then(|o| serde_json::to_value(o).ok()).map(|v| output::Stamps::of(&v)))
}

/// Writes one report, given as its JSON text (server-side apply); its key
/// and content hash, and how it went. What the API server answers (the
/// report again) is not parsed.
async fn write_report(
    client: kube::Client,
    ar: ApiResource,
    pp: PatchParams,
    key: (String, String, String),
    held: Held,
    body: String,
) -> ((String, String, String), Held, std::result::Result<(), kube::Error>) {
    let ns = Some(key.1.as_str()).filter(|ns| !ns.is_empty());
    let path = <DynamicObject as kube::Resource>::url_path(&ar, ns);
    let r = match kube::core::Request::new(path).patch(&key.2, &pp, &Patch::Apply(())) {
        Ok(req) => client.request_text(req.map(|_| body.into_bytes())).await.map(|_| ()),
        Err(e) => Err(kube::Error::BuildRequest(e)),
    };
    (key, held, r)
}

async fn report_once(
    ctx: &std::sync::Arc<Context>,
    api: ReportApi,
    selector: &str,
    written: &mut Option<Written>,
    reread: &mut bool,
) -> Result<()> {
    use futures::StreamExt;
    let started = std::time::Instant::now();
    // After a start (or a failed watch) the watches are listing the
    // cluster: wait for them, rather than list it a second time beside them
    // (the listing's model and objects were about 55 MiB at x10, held through
    // the first round after a restart); list only if they have not within
    // INVENTORY_WAIT (a watch that cannot list, say).
    let cached = match cached_inventory(ctx) {
        Some(cached) => Some(cached),
        None => wait_until(INVENTORY_WAIT, INVENTORY_POLL, || ctx.audited.listed())
            .await
            .then(|| cached_inventory(ctx))
            .flatten(),
    };
    let (model, objects) = match cached {
        Some(cached) => cached,
        None => {
            // Each page kept as text as it is read: never the cluster parsed whole.
            let (mut model, objects) =
                live_inventory_as::<Texts>(&ctx.client, selector, &ctx.cluster_cidrs, ctx.cluster.as_deref()).await?;
            model.api_server = super::inventory::with_given(&model.api_server, ctx.api_server.given());
            (model, objects)
        }
    };
    let (listed, inventory) = (started.elapsed(), govcloud_audit::Source::len(&objects));
    // CPU-bound for seconds at a province's size: on a blocking thread, so
    // the reconciles and watches on the runtime's threads go on meanwhile.
    // The parsed objects are freed there as soon as the audit has read them.
    let (model, round) = {
        let ctx = ctx.clone();
        tokio::task::spawn_blocking(move || {
            let round = round::audit_round(&model, &objects, &ctx.verdicts);
            (model, round)
        })
        .await
        .map_err(|e| super::Error::Audit(e.to_string()))?
    };
    let round::Round { audit, pods } = round;
    // What the audit parsed and freed, given back before the reports are
    // written: at a province's size the writes take minutes while the API
    // server is busy, and glibc keeps freed pages until trimmed.
    super::memory::release();
    let audit = std::sync::Arc::new(audit);
    let audited = started.elapsed();
    // What the reports hold (and the times of their results), read after
    // the audit so that it is not held beside the parsed objects.
    let mut stamps = Listed::new();
    if written.is_none() || *reread {
        let (w, s) = read_written(ctx, api, selector, written.as_ref()).await?;
        (*written, stamps, *reread) = (Some(w), s, false);
    }
    let known = written.get_or_insert_with(Written::new);
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
    // each report built (on a blocking thread, as its JSON text) when its
    // batch comes, so that only the ones being written are held. A report
    // that cannot be written does not hold up the others or the summaries;
    // the round fails at the end (so what the reports hold is read again).
    let (api_version, namespaced_kind, cluster_kind) = api.kinds();
    let (group, version) = api_version.split_once('/').unwrap_or_default();
    let resource = |kind: &str| ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
    let mut failed = None;
    let mut due: Vec<(round::Due, u64, Option<Held>)> = Vec::new();
    let groups = output::report_group_indices(&audit);
    let last = groups.len();
    for (i, (ns, findings)) in groups.into_iter().enumerate() {
        if ns.as_deref().is_none_or(|ns| ours.contains(ns)) {
            let (kind, name) = match ns {
                Some(_) => (namespaced_kind, govcloud_core::meta::names::REPORT),
                None => (cluster_kind, cluster_name.as_str()),
            };
            let key = (kind.to_string(), ns.as_deref().unwrap_or_default().to_string(), name.to_string());
            let fs: Vec<&govcloud_audit::Finding> = findings.iter().map(|i| &audit.findings[*i]).collect();
            let from = findings_hash(api, &labels, ns.as_deref(), &cluster_name, &fs);
            drop(fs);
            let known_now = known.get(&key).copied();
            if known_now.is_none_or(|k| k.findings != Some(from)) {
                // Each result keeps the time it last changed: from the report
                // as listed at the start of the round, or as it is now.
                let earlier = match stamps.remove(&key) {
                    Some(s) => Ok(Some(s)),
                    None => {
                        let ar = resource(kind);
                        let reports: Api<DynamicObject> = match ns.as_deref() {
                            Some(ns) => Api::namespaced_with(ctx.client.clone(), ns, &ar),
                            None => Api::all_with(ctx.client.clone(), &ar),
                        };
                        earlier_stamps(&reports, name, known_now.is_some()).await
                    }
                };
                match earlier {
                    Ok(earlier) => due.push((round::Due { key, ns, findings, earlier }, from, known_now)),
                    // Not written this round (its times would be lost): the round fails at the end.
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
        }
        if due.len() == REPORT_WRITES || (i + 1 == last && !due.is_empty()) {
            let annotations =
                govcloud_core::provenance::Provenance::in_cluster(Timestamp::now(), ctx.cluster.as_deref())
                    .annotations();
            let (reports, froms): (Vec<round::Due>, Vec<(u64, Option<Held>)>) =
                due.drain(..).map(|(d, from, k)| (d, (from, k))).unzip();
            let (audit, labels) = (audit.clone(), labels.clone());
            let (reports, built) = tokio::task::spawn_blocking(move || {
                let built = round::build(&audit, api, &labels, &annotations, &reports, Timestamp::now().as_second());
                (reports, built)
            })
            .await
            .map_err(|e| super::Error::Audit(e.to_string()))?;
            let mut batch = Vec::new();
            for ((d, (from, known_now)), w) in reports.into_iter().zip(froms).zip(built) {
                let held = Held { content: w.content, findings: Some(from) };
                if known_now.map(|k| k.content) == Some(held.content) {
                    // Built from other findings, but the same: nothing to write.
                    known.insert(d.key, held);
                } else {
                    let ar = resource(&d.key.0);
                    batch.push(write_report(ctx.client.clone(), ar, pp.clone(), d.key, held, w.body));
                }
            }
            for (key, held, r) in futures::future::join_all(batch).await {
                match r {
                    Ok(()) => {
                        known.insert(key, held);
                    }
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
        }
    }
    drop(stamps);
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
        if let Some(t) = f.subject.tenant.as_deref() {
            count(by_tenant.entry(t).or_default(), f.outcome);
        }
        let zone =
            f.subject.zone.as_deref().or_else(|| f.subject.object.strip_prefix("NetworkZone/")).map(str::to_string);
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
    let evaluation = live_evaluation(&ctx.client, &model, &pods, &audit, &requests).await;
    ctx.metrics.set_evaluation(&evaluation);
    drop(pods);
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

mod round;

pub use round::{Due, Round, audit_round, build as build_reports};

#[cfg(test)]
mod tests;
