//! Audit against the live cluster, and the compliance reports the operator
//! keeps current (`openreports.io/v1alpha1` Report per tenant namespace and a
//! ClusterReport; `wgpolicyk8s.io/v1alpha2` PolicyReports when asked).

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Client, ResourceExt};
use serde_json::Value;

use super::Result;
use govcloud_audit::{self as audit, Audit};
use govcloud_core::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use govcloud_core::meta::labels::{LAST_APPLIED, MANAGED_BY, MANAGED_SELECTOR as MANAGED, MANAGER};
use govcloud_core::meta::names::AUDIT_MANAGER;
use govcloud_core::model::Model;

/// Kinds read for a live audit: (group, version, kind, label selector).
const AUDITED: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "Namespace", ""),
    ("", "v1", "Node", ""),
    ("", "v1", "Pod", ""),
    ("", "v1", "Service", ""),
    ("", "v1", "ResourceQuota", ""),
    ("", "v1", "LimitRange", ""),
    ("apps", "v1", "Deployment", ""),
    ("apps", "v1", "StatefulSet", ""),
    ("apps", "v1", "DaemonSet", ""),
    ("apps", "v1", "ReplicaSet", ""),
    ("", "v1", "ReplicationController", ""),
    ("", "v1", "PersistentVolumeClaim", ""),
    ("batch", "v1", "Job", ""),
    ("batch", "v1", "CronJob", ""),
    ("networking.k8s.io", "v1", "NetworkPolicy", ""),
    ("networking.k8s.io", "v1", "Ingress", ""),
    ("policy", "v1", "PodDisruptionBudget", ""),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", ""),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", MANAGED),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", MANAGED),
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", MANAGED),
    (govcloud_core::meta::GROUP, govcloud_core::meta::VERSION, "DepartmentApp", ""),
];

/// One page of a list, as JSON values.
#[derive(serde::Deserialize)]
struct Page {
    #[serde(default)]
    items: Vec<Value>,
    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta,
}

/// Objects per list request of a live audit: a large cluster is read in
/// pages, not in one response held whole.
const LIST_PAGE: u32 = 500;

/// Reads the model (with the cluster's pod and service ranges as given) and
/// the audited objects from the cluster.
pub async fn live_inventory(client: &Client, selector: &str, cluster_cidrs: &[String], cluster: Option<&str>) -> Result<(Model, Vec<Value>)> {
    use futures::StreamExt;
    let lp = if selector.is_empty() { ListParams::default() } else { ListParams::default().labels(selector) };
    let model = Model {
        zones: Api::<NetworkZone>::all(client.clone()).list(&lp).await?.items.into_iter().filter(|z| z.metadata.deletion_timestamp.is_none()).collect(),
        tenants: Api::<Tenant>::all(client.clone()).list(&lp).await?.items.into_iter().filter(|t| t.metadata.deletion_timestamp.is_none()).collect(),
        apps: Api::<DepartmentApp>::all(client.clone()).list(&lp).await?.items.into_iter().filter(|a| a.metadata.deletion_timestamp.is_none()).collect(),
        requests: Api::<ResourceRequest>::all(client.clone()).list(&lp).await?.items.into_iter().filter(|r| r.metadata.deletion_timestamp.is_none()).collect(),
        cluster_cidrs: cluster_cidrs.to_vec(),
        cluster: cluster.map(String::from),
        admin_tier: false,
    };
    // The requests as filed and decided are audited too (GC-REQ-001).
    let filed: Vec<Value> = model.requests.iter().filter_map(|r| serde_json::to_value(r).ok()).collect();
    // Audited against what is granted now: an approved request's quota is no drift.
    let mut model = model;
    govcloud_render::grant_requests(&mut model, k8s_openapi::jiff::Timestamp::now());
    // Several kinds at once (their pages in order): the reads wait on the
    // API server far more than on this process.
    let kinds = futures::stream::iter((0..AUDITED.len()).map(|i| list_audited(client, i))).buffered(LISTS_AT_ONCE).collect::<Vec<_>>().await;
    let mut objects = filed;
    for listed in kinds {
        objects.extend(listed?);
    }
    // ClusterNetworkPolicies, every one (others' may deny or accept too), where the cluster serves them.
    if super::admin_tier::served(client).await? {
        match list_cluster_policies(client).await {
            Ok(policies) => {
                model.admin_tier = true;
                objects.extend(policies);
            }
            // An identity that may not read them (the cluster auditor role
            // predates the admin tier): judged by NetworkPolicies alone, as
            // on a cluster without the API.
            Err(super::Error::Kube(kube::Error::Api(s))) if s.code == 403 => {
                tracing::warn!(
                    "cannot list ClusterNetworkPolicies (forbidden): the audit judges isolation by NetworkPolicies alone; grant list on clusternetworkpolicies.policy.networking.k8s.io"
                );
            }
            Err(e) => return Err(e),
        }
    }
    Ok((model, objects))
}

/// Every ClusterNetworkPolicy, as the audit reads objects.
async fn list_cluster_policies(client: &Client) -> Result<Vec<Value>> {
    use govcloud_core::meta::cluster_policy::ClusterNetworkPolicy;
    let ar = ApiResource::erase::<ClusterNetworkPolicy>(&());
    let list = Api::<DynamicObject>::all_with(client.clone(), &ar).list(&ListParams::default()).await?;
    let mut out = Vec::new();
    for o in list.items {
        let mut v = serde_json::to_value(&o).map_err(|e| super::Error::serialize(format!("ClusterNetworkPolicy/{}", o.name_any()), e))?;
        as_audited(&mut v, &ar.api_version, &ar.kind);
        out.push(v);
    }
    Ok(out)
}

/// Kinds a live audit reads at once.
const LISTS_AT_ONCE: usize = 4;

/// Every object of one audited kind, page by page, as the checks read them.
/// (By position in [`AUDITED`]: a borrowed tuple trips the compiler's
/// lifetime inference for futures in a stream, rust-lang/rust#102211.)
async fn list_audited(client: &Client, at: usize) -> Result<Vec<Value>> {
    let (group, version, kind, sel) = AUDITED[at];
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
    let lp = if sel.is_empty() { ListParams::default() } else { ListParams::default().labels(sel) }.limit(LIST_PAGE);
    let path = <DynamicObject as kube::Resource>::url_path(&ar, None);
    let mut objects = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let lp = if let Some(t) = &token { lp.clone().continue_token(t) } else { lp.clone() };
        // Straight into JSON values (what the checks read), not through typed objects.
        let req = kube::core::Request::new(&path).list(&lp).map_err(kube::Error::BuildRequest)?;
        let page: Page = client.request(req).await?;
        for mut v in page.items {
            as_audited(&mut v, &ar.api_version, kind);
            objects.push(v);
        }
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(objects);
        }
    }
}

/// An object as the audit reads it: without field ownership (often half an
/// object), status (a pod's is most of it), resourceVersion (it changes with
/// every status update; no check reads it, and without it an object whose
/// status alone changed is judged the same as before) and the copy of the
/// object that `kubectl apply` keeps; with its type (items of a list carry
/// none).
fn as_audited(v: &mut Value, api_version: &str, kind: &str) {
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
        if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
            meta.remove("resourceVersion");
            if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                a.remove(LAST_APPLIED);
            }
        }
        o.insert("apiVersion".into(), Value::String(api_version.to_string()));
        o.insert("kind".into(), Value::String(kind.to_string()));
    }
}

/// The audited objects as the report loop's watches keep them, so a round
/// reads them here rather than listing the cluster again (at a province's
/// size the lists took longer than the audit). Each object is kept as the
/// compact JSON text of what the audit reads ([`as_audited`]): a few
/// kilobytes, where parsed JSON would take ten times that. Per watched kind
/// of [`AUDITED`]; a kind is usable once its watch has listed it, and a
/// relist replaces it whole when it completes.
#[derive(Clone, Default)]
pub(crate) struct Inventory(std::sync::Arc<std::sync::Mutex<BTreeMap<&'static str, KindInventory>>>);

#[derive(Default)]
struct KindInventory {
    objects: BTreeMap<(String, String), Box<str>>,
    /// Filled during a relist, then swapped in.
    relist: Option<BTreeMap<(String, String), Box<str>>>,
    listed: bool,
}

impl Inventory {
    fn kinds(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, KindInventory>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts keeping `kind` (not usable until listed).
    fn watch(&self, kind: &'static str) {
        self.kinds().entry(kind).or_default();
    }

    /// Records a watch event of `kind`.
    fn event(&self, kind: &'static str, ev: &kube::runtime::watcher::Event<DynamicObject>, api_version: &str) {
        use kube::runtime::watcher::Event;
        let text = |o: &DynamicObject| -> Option<((String, String), Box<str>)> {
            let mut v = serde_json::to_value(o).ok()?;
            as_audited(&mut v, api_version, kind);
            Some(((o.namespace().unwrap_or_default(), o.name_any()), v.to_string().into_boxed_str()))
        };
        let mut kinds = self.kinds();
        let k = kinds.entry(kind).or_default();
        match ev {
            Event::Apply(o) => {
                if let Some((at, t)) = text(o) {
                    k.objects.insert(at, t);
                }
            }
            Event::Delete(o) => {
                k.objects.remove(&(o.namespace().unwrap_or_default(), o.name_any()));
            }
            Event::Init => k.relist = Some(BTreeMap::new()),
            Event::InitApply(o) => {
                if let Some((at, t)) = text(o) {
                    k.relist.get_or_insert_with(BTreeMap::new).insert(at, t);
                }
            }
            Event::InitDone => {
                if let Some(fresh) = k.relist.take() {
                    k.objects = fresh;
                }
                k.listed = true;
            }
        }
    }

    /// The watch of `kind` failed: what is kept may miss changes, so it is not
    /// used until the watch has listed the kind again. The auditor must see
    /// what runs, never a copy that stopped following it.
    fn unsure(&self, kind: &'static str) {
        if let Some(k) = self.kinds().get_mut(kind) {
            k.listed = false;
        }
    }

    /// Every kept object of `kind`, parsed; `None` until the kind is listed.
    fn objects(&self, kind: &str) -> Option<Vec<Value>> {
        let kinds = self.kinds();
        let k = kinds.get(kind).filter(|k| k.listed)?;
        Some(k.objects.values().filter_map(|t| serde_json::from_str(t).ok()).collect())
    }
}

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
    objects.extend(ctx.requests.state().iter().filter(|r| r.metadata.deletion_timestamp.is_none()).filter_map(|r| serde_json::to_value(&**r).ok()));
    Some((model, objects))
}

/// Audits the live cluster, whose pod and service ranges are `cluster_cidrs`.
pub async fn live_audit(client: &Client, cluster_cidrs: &[String], cluster: Option<&str>) -> Result<Audit> {
    let (model, objects) = live_inventory(client, "", cluster_cidrs, cluster).await?;
    Ok(audit::audit(&model, &objects))
}

/// Pod usage from the cluster's metrics API (`metrics.k8s.io/v1beta1`,
/// served by metrics-server); None when the cluster serves none or it
/// fails: the evaluation then says usage is unknown, never guesses it.
/// `pods` (Pod objects) say which app a pod runs when an item has no labels.
pub async fn live_usage(client: &Client, pods: &[Value]) -> Option<Vec<govcloud_evaluate::PodUsage>> {
    let req = http::Request::get(METRICS_API_PODS).body(Vec::new()).ok()?;
    match client.request::<Value>(req).await {
        Ok(list) => match govcloud_evaluate::usage::from_list(METRICS_API_PODS, &list, pods) {
            Ok(u) => Some(u),
            Err(e) => {
                warn!(error = %e, "the metrics API answered with something else than a PodMetricsList; usage left unknown");
                None
            }
        },
        Err(e) => {
            tracing::debug!(error = %e, "no metrics API; usage left unknown");
            None
        }
    }
}

/// Where the metrics API lists every pod's usage.
const METRICS_API_PODS: &str = "/apis/metrics.k8s.io/v1beta1/pods";

/// Drift repairs per tenant: the `Repaired` Events the API server still
/// keeps (one hour by default, kube-apiserver `--event-ttl`) on Tenants and
/// on DepartmentApps (counted for the app's tenant), each with its count.
pub async fn live_repairs(client: &Client, model: &Model) -> Result<BTreeMap<String, u64>> {
    use k8s_openapi::api::core::v1::Event;
    let ns_tenant: BTreeMap<String, String> = model
        .tenants
        .iter()
        .flat_map(|t| t.spec.zones.iter().map(move |z| (govcloud_core::meta::names::namespace_name(&t.name_any(), &z.name), t.name_any())))
        .collect();
    let mut out: BTreeMap<String, u64> = model.tenants.iter().map(|t| (t.name_any(), 0)).collect();
    let lp = ListParams::default().fields("reason=Repaired").limit(LIST_PAGE);
    let events: Api<Event> = Api::all(client.clone());
    let mut token: Option<String> = None;
    loop {
        let page = events.list(&if let Some(t) = &token { lp.clone().continue_token(t) } else { lp.clone() }).await?;
        for e in &page.items {
            let o = &e.involved_object;
            let tenant = match o.kind.as_deref() {
                Some("Tenant") => o.name.clone(),
                Some("DepartmentApp") => o.namespace.as_ref().and_then(|ns| ns_tenant.get(ns).cloned()),
                _ => None,
            };
            if let Some(t) = tenant.filter(|t| out.contains_key(t)) {
                let n = e.series.as_ref().and_then(|s| s.count).or(e.count).unwrap_or(1).max(1);
                *out.entry(t).or_default() += n as u64;
            }
        }
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// Evaluates the tenants (绩效评估) from what a compliance round read and
/// the live usage and repairs; no snapshot, so no trend.
/// `requests`: the ResourceRequests as filed (the model has them folded in).
pub async fn live_evaluation(
    client: &Client,
    model: &Model,
    objects: &[Value],
    audit: &Audit,
    requests: &[govcloud_core::api::ResourceRequest],
) -> govcloud_evaluate::Evaluation {
    let usage = live_usage(client, objects).await;
    let repairs = match live_repairs(client, model).await {
        Ok(r) => Some(r),
        Err(e) => {
            warn!(error = %e, "cannot read the Repaired Events; drift repairs left uncounted");
            None
        }
    };
    let mut pending = govcloud_evaluate::pending_flow_requests(model, audit);
    pending.extend(govcloud_evaluate::pending_resource_requests(requests));
    govcloud_evaluate::evaluate(govcloud_evaluate::Inputs {
        model,
        audit,
        usage: usage.as_deref(),
        repairs: repairs.as_ref(),
        pending: &pending,
        earlier: &[],
        now: k8s_openapi::jiff::Timestamp::now(),
    })
}

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;
use kube::api::{Patch, PatchParams};
use serde_json::json;
use tracing::{info, warn};

use super::Context;
use govcloud_audit::Outcome;
use govcloud_audit::output::{self, ReportApi};
use govcloud_core::api::ComplianceSummary;

/// CRDs of the report APIs, installed when the cluster has none: a permissive
/// schema with the fields govcloud writes (the upstream CRDs replace them).
pub fn report_crds(api: ReportApi) -> Vec<Value> {
    let (group, kinds): (&str, [(&str, &str, &str); 2]) = match api {
        ReportApi::Openreports => ("openreports.io", [("Report", "reports", "Namespaced"), ("ClusterReport", "clusterreports", "Cluster")]),
        ReportApi::Wgpolicy => {
            ("wgpolicyk8s.io", [("PolicyReport", "policyreports", "Namespaced"), ("ClusterPolicyReport", "clusterpolicyreports", "Cluster")])
        }
    };
    let version = if api == ReportApi::Openreports { "v1alpha1" } else { "v1alpha2" };
    kinds
        .iter()
        .map(|(kind, plural, scope)| {
            json!({
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": format!("{plural}.{group}"), "labels": {MANAGED_BY: MANAGER}},
                "spec": {
                    "group": group, "scope": scope,
                    "names": {"kind": kind, "plural": plural, "singular": kind.to_lowercase(), "listKind": format!("{kind}List")},
                    "versions": [{
                        "name": version, "served": true, "storage": true,
                        "additionalPrinterColumns": [
                            {"name": "Pass", "type": "integer", "jsonPath": ".summary.pass"},
                            {"name": "Fail", "type": "integer", "jsonPath": ".summary.fail"},
                            {"name": "Warn", "type": "integer", "jsonPath": ".summary.warn"},
                            {"name": "Skip", "type": "integer", "jsonPath": ".summary.skip"},
                            {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
                        ],
                        "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                            "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                            "scope": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                            "summary": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                            "results": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
                        }}}
                    }]
                }
            })
        })
        .collect()
}

/// Creates the report CRDs when missing (never replaces installed ones).
pub async fn ensure_report_crds(client: &Client, api: ReportApi) -> Result<()> {
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"));
    let crds: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    for crd in report_crds(api) {
        let name = crd["metadata"]["name"].as_str().unwrap_or_default().to_string();
        if crds.get_opt(&name).await?.is_none() {
            let o: DynamicObject = serde_json::from_value(crd).map_err(|e| super::Error::serialize(name.clone(), e))?;
            match crds.create(&Default::default(), &o).await {
                Ok(_) => info!(crd = %name, "installed report CRD"),
                // Another replica or operator installed it meanwhile.
                Err(kube::Error::Api(s)) if s.code == 409 => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
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
fn findings_hash(api: ReportApi, labels: &BTreeMap<String, String>, ns: Option<&str>, cluster_name: &str, fs: &[&govcloud_audit::Finding]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (api == ReportApi::Openreports, labels, ns, cluster_name).hash(&mut h);
    for f in fs {
        (f.control, f.outcome, format!("{:?}", f.severity), &f.object, &f.namespace, &f.tenant, &f.zone, &f.field, &f.evidence, &f.message, &f.cluster)
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

/// Wakes the reports on changes to the audited kinds (pods, workloads,
/// bindings, govcloud's own objects and others'): only a fingerprint per
/// object is kept, of everything but its status, resourceVersion and field
/// ownership ([`super::triggers::fingerprint`], the one the owners' wake-ups
/// use), so a status update (a pod's conditions, a quota's usage, a
/// Deployment's replicas) wakes nothing, while any change of what the audit
/// reads does, whether or not the API server bumps a generation for it (a
/// pod's binding to a node does not). Nodes wake the reports from the
/// operator's node watch, when their labels, taints or readiness change
/// (not on heartbeats); zones, tenants and apps when the model changes.
pub(crate) fn watch_audited(ctx: &std::sync::Arc<Context>) {
    use futures::StreamExt;
    use kube::runtime::watcher::{self, watcher};
    for (group, version, kind, sel) in AUDITED.iter().copied() {
        if group == govcloud_core::meta::GROUP || kind == "Node" {
            continue;
        }
        let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
        let api: Api<DynamicObject> = Api::all_with(ctx.client.clone(), &ar);
        let cfg = if sel.is_empty() { watcher::Config::default() } else { watcher::Config::default().labels(sel) };
        let t = ctx.triggers.clone();
        let stream = kube::runtime::WatchStreamExt::default_backoff(watcher(api, cfg));
        let mut seen: std::collections::HashMap<(String, String), u64> = std::collections::HashMap::new();
        let fingerprint = move |o: &DynamicObject| super::triggers::fingerprint(kind, o).0;
        let inventory = ctx.audited.clone();
        inventory.watch(kind);
        let api_version = ar.api_version.clone();
        tokio::spawn(async move {
            stream
                .for_each(|ev| {
                    // Kept before the reports are woken: the round reads it.
                    match &ev {
                        Ok(ev) => inventory.event(kind, ev, &api_version),
                        // What is kept may be missing changes from now on
                        // (until the watch lists again): rounds list.
                        Err(e) => {
                            warn!(error = %e, kind, "watch of an audited kind failed; compliance rounds list the cluster until it recovers");
                            inventory.unsure(kind);
                        }
                    }
                    match ev {
                        Ok(watcher::Event::InitApply(o)) => {
                            seen.insert((o.namespace().unwrap_or_default(), o.name_any()), fingerprint(&o));
                        }
                        Ok(watcher::Event::Apply(o)) => {
                            let now = fingerprint(&o);
                            if seen.insert((o.namespace().unwrap_or_default(), o.name_any()), now) != Some(now) {
                                t.wake_reports();
                            }
                        }
                        Ok(watcher::Event::Delete(o)) => {
                            seen.remove(&(o.namespace().unwrap_or_default(), o.name_any()));
                            t.wake_reports();
                        }
                        _ => {}
                    }
                    futures::future::ready(())
                })
                .await;
        });
    }
}

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
                written.insert((kind.clone(), o.namespace().unwrap_or_default(), o.name_any()), Held { content: content_hash(&v), findings: None });
            }
            token = page.metadata.continue_.filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
    }
    Ok(written)
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

async fn report_once(ctx: &Context, api: ReportApi, selector: &str, written: &mut Option<Written>) -> Result<()> {
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
    let audit = audit::audit(&model, &objects);
    let audited = started.elapsed();
    let mut results: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for f in &audit.findings {
        *results.entry((f.control.to_string(), format!("{:?}", f.severity).to_lowercase(), f.outcome.as_str().to_string())).or_default() += 1;
    }
    ctx.metrics.set_compliance(&results);
    let labels: BTreeMap<String, String> =
        ctx.scope.iter().cloned().chain([(govcloud_core::meta::labels::MANAGED_BY.to_string(), "govcloud".to_string())]).collect();
    let ours: std::collections::BTreeSet<String> =
        model.tenants.iter().flat_map(|t| t.spec.zones.iter().map(move |z| govcloud_core::meta::names::namespace_name(&t.name_any(), &z.name))).collect();
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
                let mut report = output::report(api, &labels, ns, &fs);
                report["metadata"]["name"] = Value::String(name.to_string());
                let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
                let reports: Api<DynamicObject> = match ns {
                    Some(ns) => Api::namespaced_with(ctx.client.clone(), ns, &ar),
                    None => Api::all_with(ctx.client.clone(), &ar),
                };
                let held = Held { content: content_hash(&report), findings: Some(from) };
                if known_now.map(|k| k.content) == Some(held.content) {
                    // Built from other findings, but the same: nothing to write.
                    known.insert(key, held);
                } else {
                    batch.push(write_report(reports, pp.clone(), key, held, report));
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
    let same =
        |p: &Option<ComplianceSummary>, s: &ComplianceSummary| p.as_ref().is_some_and(|p| (p.pass, p.fail, p.warn, p.skip) == (s.pass, s.fail, s.warn, s.skip));
    let now = Timestamp::now().to_string();
    let mut patches = Vec::new();
    for t in &model.tenants {
        let name = t.name_any();
        let mut s = by_tenant.get(name.as_str()).cloned().unwrap_or_default();
        s.report = Some(format!("{} govcloud in each of the tenant's namespaces", if api == ReportApi::Openreports { "Report" } else { "PolicyReport" }));
        if same(&t.status.as_ref().and_then(|st| st.compliance.clone()), &s) {
            continue;
        }
        s.evaluated_at = Some(now.clone());
        let api: Api<DynamicObject> = Api::all_with(ctx.client.clone(), &ApiResource::erase::<Tenant>(&()));
        patches.push((api, name, json!({"apiVersion": govcloud_core::meta::API_VERSION, "kind": "Tenant", "status": {"compliance": s}})));
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
        patches.push((api, name, json!({"apiVersion": govcloud_core::meta::API_VERSION, "kind": "NetworkZone", "status": {"compliance": s}})));
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
    let requests: Vec<govcloud_core::api::ResourceRequest> = ctx.requests.state().iter().map(|r| (**r).clone()).collect();
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
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_pods_status_wakes_no_report_its_binding_to_a_node_does() {
        let pod = |node: Option<&str>, phase: &str| -> DynamicObject {
            serde_json::from_value(serde_json::json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "p", "namespace": "a-ext", "uid": "u", "resourceVersion": phase, "generation": 1},
                "spec": {"containers": [{"name": "c", "image": "i"}], "nodeName": node},
                "status": {"phase": phase}
            }))
            .expect("pod")
        };
        let fp = |o: &DynamicObject| super::super::triggers::fingerprint("Pod", o).0;
        assert_eq!(fp(&pod(None, "Pending")), fp(&pod(None, "Running")), "status only");
        // Bound to a node: the generation stays 1, what the audit reads changed.
        assert_ne!(fp(&pod(None, "Pending")), fp(&pod(Some("private-node-1"), "Pending")));
    }

    /// The kept inventory follows changes, deletions and relists, holds what
    /// the audit reads and nothing it does not, and is not used before its
    /// kind is listed.
    #[test]
    fn the_kept_inventory_follows_the_watch() {
        use kube::runtime::watcher::Event;
        let pod = |name: &str, image: &str| -> DynamicObject {
            serde_json::from_value(serde_json::json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": "a-ext", "resourceVersion": "7", "managedFields": [{"manager": "x"}],
                             "annotations": {LAST_APPLIED: "{}", "keep": "me"}},
                "spec": {"containers": [{"name": "c", "image": image}]},
                "status": {"phase": "Running"}
            }))
            .expect("pod")
        };
        let inv = Inventory::default();
        inv.watch("Pod");
        let names = |inv: &Inventory| {
            inv.objects("Pod").map(|os| os.iter().map(|o| o["metadata"]["name"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>())
        };
        inv.event("Pod", &Event::Init, "v1");
        inv.event("Pod", &Event::InitApply(pod("a", "i:1")), "v1");
        assert_eq!(names(&inv), None, "not listed yet");
        inv.event("Pod", &Event::InitDone, "v1");
        assert_eq!(names(&inv), Some(vec!["a".to_string()]));
        let a = &inv.objects("Pod").expect("listed")[0];
        assert_eq!((a["kind"].as_str(), a["apiVersion"].as_str(), a["metadata"]["annotations"]["keep"].as_str()), (Some("Pod"), Some("v1"), Some("me")));
        for gone in [&a["status"], &a["metadata"]["resourceVersion"], &a["metadata"]["managedFields"], &a["metadata"]["annotations"][LAST_APPLIED]] {
            assert!(gone.is_null(), "{a}");
        }
        inv.event("Pod", &Event::Apply(pod("b", "i:1")), "v1");
        inv.event("Pod", &Event::Apply(pod("a", "i:2")), "v1");
        assert_eq!(inv.objects("Pod").expect("listed")[0]["spec"]["containers"][0]["image"], "i:2");
        inv.event("Pod", &Event::Delete(pod("a", "i:2")), "v1");
        assert_eq!(names(&inv), Some(vec!["b".to_string()]));
        // A relist: the old objects serve until it completes, then it replaces them.
        inv.event("Pod", &Event::Init, "v1");
        inv.event("Pod", &Event::InitApply(pod("c", "i:1")), "v1");
        assert_eq!(names(&inv), Some(vec!["b".to_string()]));
        inv.event("Pod", &Event::InitDone, "v1");
        assert_eq!(names(&inv), Some(vec!["c".to_string()]));
        assert!(inv.objects("Service").is_none(), "a kind not watched");
        // A failed watch: not used until it has listed again.
        inv.unsure("Pod");
        assert_eq!(names(&inv), None);
        inv.event("Pod", &Event::Apply(pod("d", "i:1")), "v1");
        assert_eq!(names(&inv), None, "changes alone do not make it whole again");
        inv.event("Pod", &Event::Init, "v1");
        inv.event("Pod", &Event::InitApply(pod("d", "i:1")), "v1");
        inv.event("Pod", &Event::InitDone, "v1");
        assert_eq!(names(&inv), Some(vec!["d".to_string()]));
    }

    /// A report is built again, to be compared and written, exactly when
    /// something it is built from changed.
    #[test]
    fn a_report_is_rebuilt_when_any_of_its_inputs_changes() {
        use govcloud_audit::{Finding, Outcome};
        use std::sync::Arc;
        let finding = || Finding {
            control: "GC-APP-001",
            outcome: Outcome::Pass,
            severity: govcloud_core::controls::Severity::High,
            object: Arc::from("Deployment/a-ext/portal"),
            namespace: Some(Arc::from("a-ext")),
            tenant: Some(Arc::from("a")),
            zone: Some(Arc::from("ext")),
            field: Arc::from("spec"),
            evidence: "complies".into(),
            message: Arc::from("m"),
            cluster: None,
        };
        let labels = BTreeMap::from([("k".to_string(), "v".to_string())]);
        let hash = |api, labels: &BTreeMap<String, String>, ns, cluster: &str, f: &Finding| findings_hash(api, labels, ns, cluster, &[f]);
        let base = hash(ReportApi::Openreports, &labels, Some("a-ext"), "govcloud", &finding());
        assert_eq!(base, hash(ReportApi::Openreports, &labels, Some("a-ext"), "govcloud", &finding()), "same inputs");
        let mut changes: Vec<Finding> = Vec::new();
        let edits: [fn(&mut Finding); 11] = [
            |f| f.control = "GC-APP-002",
            |f| f.outcome = Outcome::Fail,
            |f| f.severity = govcloud_core::controls::Severity::Low,
            |f| f.object = Arc::from("Deployment/a-ext/other"),
            |f| f.namespace = None,
            |f| f.tenant = Some(Arc::from("b")),
            |f| f.zone = None,
            |f| f.field = Arc::from("spec.x"),
            |f| f.evidence = "other".into(),
            |f| f.message = Arc::from("n"),
            |f| f.cluster = Some(Arc::from("private")),
        ];
        for edit in edits {
            let mut f = finding();
            edit(&mut f);
            changes.push(f);
        }
        for f in &changes {
            assert_ne!(hash(ReportApi::Openreports, &labels, Some("a-ext"), "govcloud", f), base, "{f:?}");
        }
        assert_ne!(hash(ReportApi::Wgpolicy, &labels, Some("a-ext"), "govcloud", &finding()), base);
        assert_ne!(hash(ReportApi::Openreports, &BTreeMap::new(), Some("a-ext"), "govcloud", &finding()), base);
        assert_ne!(hash(ReportApi::Openreports, &labels, None, "govcloud", &finding()), base);
        assert_ne!(hash(ReportApi::Openreports, &labels, Some("a-ext"), "govcloud-x", &finding()), base);
    }

    #[test]
    fn reports_follow_a_change_after_the_debounce_and_never_take_more_than_half_the_time() {
        // Small cluster, or a change long after the last report: the debounce.
        assert_eq!(report_delay(Duration::from_millis(300), Duration::ZERO), REPORT_DEBOUNCE);
        assert_eq!(report_delay(Duration::from_secs(6), Duration::from_secs(60)), REPORT_DEBOUNCE);
        // A costly report and changes right after it: its cost, up to a minute.
        assert_eq!(report_delay(Duration::from_secs(12), Duration::ZERO), Duration::from_secs(12));
        assert_eq!(report_delay(Duration::from_secs(12), Duration::from_secs(4)), Duration::from_secs(8));
        assert_eq!(report_delay(Duration::from_secs(600), Duration::ZERO), REPORT_COOLDOWN_MAX);
    }
}
