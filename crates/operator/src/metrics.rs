//! Counters, gauges and histograms served in the Prometheus text format at
//! `/metrics`, with `/healthz` and `/readyz`, on a plain TCP listener.
//! Every metric is declared in [`METRICS`] (name as exposed, type, help); the
//! Grafana dashboard in `charts/govcloud/dashboards/` uses only those (a test
//! checks it). The registry, the labelled families and the exposition (label
//! values escaped) are `prometheus-client`'s; a family appears with its
//! first sample.
//!
//! `/readyz` is ready once the controllers run and while every watch's cache
//! is synced: a watch error (the API server or etcd gone) or a relist makes it
//! not ready until that watch has listed again or delivers events again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kube::runtime::watcher;
use prometheus_client::collector::Collector as Collect;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeGaugeValue, EncodeLabelSet, EncodeMetric, GaugeValueEncoder, prometheus_text,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Metric, Registry};

mod endpoints;
pub use endpoints::serve;
#[cfg(test)]
use endpoints::serve_on;

/// Reconciles, writes and errors, counted by kind.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    families: Families,
    /// The series replaced whole (compliance, evaluation) and those computed
    /// when scraped: encoded by the registry on each scrape.
    snapshots: Arc<Snapshots>,
    ready: AtomicBool,
    watches: Mutex<BTreeMap<String, WatchSync>>,
}

/// Computes the gauges of [`Scraped`] at scrape time.
pub type Collector = Box<dyn Fn() -> Scraped + Send + Sync>;

/// The gauges computed when `/metrics` is scraped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scraped {
    /// Reconcile requests waiting for their controller, by kind.
    pub queue_depth: Vec<(String, u64)>,
    /// Objects govcloud owns, by kind (from its caches).
    pub managed_objects: Vec<(String, u64)>,
    /// Declared calls between apps, by state (from the latest rendering).
    pub flows: Vec<(String, u64)>,
}

/// Every metric govcloud exports: name (as scrapers see it), Prometheus type, help.
pub const METRICS: &[(&str, &str, &str)] = &[
    ("govcloud_reconciliations_total", "counter", "Reconciles started, by kind."),
    ("govcloud_reconcile_errors_total", "counter", "Failed reconciles, by kind and error."),
    ("govcloud_reconcile_duration_seconds", "histogram", "Time a reconcile takes, by kind."),
    ("govcloud_reconciles_in_flight", "gauge", "Reconciles running now, by kind."),
    ("govcloud_reconcile_queue_depth", "gauge", "Reconcile requests waiting for their controller, by kind."),
    (
        "govcloud_status_refreshes_total",
        "counter",
        "Status refreshes (counts recomputed from the caches, nothing applied), by kind.",
    ),
    ("govcloud_model_renders_total", "counter", "Plans of the model (one per changed model version)."),
    (
        "govcloud_object_writes_total",
        "counter",
        "Owned objects written, by action (created, updated, repaired, pruned).",
    ),
    (
        "govcloud_api_requests_total",
        "counter",
        "Requests to the Kubernetes API, by verb and result (HTTP code, or error).",
    ),
    ("govcloud_leader", "gauge", "1 while this replica holds the lease and reconciles, else 0."),
    ("govcloud_managed_objects", "gauge", "Objects govcloud owns, by kind (from its caches)."),
    ("govcloud_flows", "gauge", "Declared calls between apps, by state (from the latest rendering)."),
    (
        "govcloud_compliance_results",
        "gauge",
        "Results of the latest compliance audit, by control, severity and outcome.",
    ),
    ("govcloud_compliance_audits_total", "counter", "Compliance audits run (each may write reports)."),
    (
        "govcloud_heap_bytes",
        "gauge",
        "Bytes the operator's heap holds now, as its allocator counts them (the resident size beyond them is the binary's pages and the allocator's free and partly used pages); absent from builds that do not count.",
    ),
    (
        "govcloud_evaluation_score",
        "gauge",
        "Performance evaluation (绩效评估) of the latest compliance round: score 0-100 by tenant, kind (department, district) and axis (cost, effect, sharing, security, innovation, overall); absent when it cannot be had.",
    ),
    (
        "govcloud_evaluation_figure",
        "gauge",
        "Figures of the performance evaluation by tenant and figure (ratios 0-1, counts, days; `govcloud evaluate --format json` says how each is computed); absent when it cannot be had.",
    ),
];

/// The help of a metric of [`METRICS`] (empty for one not declared there).
fn help(name: &str) -> &'static str {
    METRICS.iter().find(|(n, _, _)| *n == name).map(|(_, _, h)| *h).unwrap_or_default()
}

/// Upper bounds of the reconcile-duration buckets, in seconds.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// A family's labels, in the order they are exposed.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    kind: String,
    error: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabel {
    action: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    verb: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ComplianceLabels {
    control: String,
    severity: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScoreLabels {
    tenant: String,
    kind: String,
    axis: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FigureLabels {
    tenant: String,
    figure: String,
}

/// No labels: a family of one series, so that it appears with its first
/// sample (a bare counter would show 0 from the start).
type Unlabelled = [(&'static str, &'static str); 0];

/// The families updated as things happen.
struct Families {
    reconciliations: Family<KindLabel, Counter>,
    reconcile_errors: Family<ErrorLabels, Counter>,
    reconcile_duration: Family<KindLabel, Histogram, fn() -> Histogram>,
    in_flight: Family<KindLabel, Gauge>,
    status_refreshes: Family<KindLabel, Counter>,
    model_renders: Family<Unlabelled, Counter>,
    object_writes: Family<ActionLabel, Counter>,
    api_requests: Family<RequestLabels, Counter>,
    leader: Family<Unlabelled, Gauge>,
    compliance_audits: Family<Unlabelled, Counter>,
}

fn duration_histogram() -> Histogram {
    Histogram::new(BUCKETS.iter().copied())
}

/// Registers `metric` as the metric `name` of [`METRICS`]: the encoder adds
/// a counter's `_total` and the help's full stop, so both are left out here.
fn register(registry: &mut Registry, name: &'static str, metric: impl Metric) {
    let (family, kind, help) = METRICS.iter().copied().find(|(n, _, _)| *n == name).unwrap_or((name, "", ""));
    let family = if kind == "counter" { family.strip_suffix("_total").unwrap_or(family) } else { family };
    registry.register(family, help.strip_suffix('.').unwrap_or(help), metric);
}

impl Default for Metrics {
    fn default() -> Self {
        let families = Families {
            reconciliations: Family::default(),
            reconcile_errors: Family::default(),
            reconcile_duration: Family::new_with_constructor(duration_histogram),
            in_flight: Family::default(),
            status_refreshes: Family::default(),
            model_renders: Family::default(),
            object_writes: Family::default(),
            api_requests: Family::default(),
            leader: Family::default(),
            compliance_audits: Family::default(),
        };
        let snapshots = Arc::new(Snapshots::default());
        let mut registry = Registry::default();
        let f = &families;
        register(&mut registry, "govcloud_reconciliations_total", f.reconciliations.clone());
        register(&mut registry, "govcloud_reconcile_errors_total", f.reconcile_errors.clone());
        register(&mut registry, "govcloud_reconcile_duration_seconds", f.reconcile_duration.clone());
        register(&mut registry, "govcloud_reconciles_in_flight", f.in_flight.clone());
        register(&mut registry, "govcloud_status_refreshes_total", f.status_refreshes.clone());
        register(&mut registry, "govcloud_model_renders_total", f.model_renders.clone());
        register(&mut registry, "govcloud_object_writes_total", f.object_writes.clone());
        register(&mut registry, "govcloud_api_requests_total", f.api_requests.clone());
        register(&mut registry, "govcloud_leader", f.leader.clone());
        register(&mut registry, "govcloud_compliance_audits_total", f.compliance_audits.clone());
        registry.register_collector(Box::new(snapshots.clone()));
        Metrics(Arc::new(Inner {
            registry,
            families,
            snapshots,
            ready: AtomicBool::new(false),
            watches: Mutex::new(BTreeMap::new()),
        }))
    }
}

/// Gauges encoded as they are when scraped: the latest compliance audit's
/// and evaluation's series (each replaced whole, so a scrape never sees half
/// of one and half of the next) and those computed at scrape time.
#[derive(Default)]
struct Snapshots {
    compliance: Mutex<Vec<(ComplianceLabels, u64)>>,
    scores: Mutex<Vec<(ScoreLabels, Number)>>,
    figures: Mutex<Vec<(FigureLabels, Number)>>,
    collector: Mutex<Option<Collector>>,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Snapshots")
    }
}

/// A gauge's value as the exposition always wrote it: a whole number without
/// a fraction (`100`, not `100.0`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Number(f64);

impl EncodeGaugeValue for Number {
    fn encode(&self, encoder: &mut GaugeValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole number below is an exact i64
        if self.0.fract() == 0.0 && self.0.abs() < EXACT {
            (self.0 as i64).encode(encoder)
        } else {
            self.0.encode(encoder)
        }
    }
}

/// Encodes the gauge family `name` with `series`; nothing when there is none.
fn gauges<L: EncodeLabelSet, V: EncodeGaugeValue + Copy>(
    encoder: &mut DescriptorEncoder<'_>,
    name: &'static str,
    series: &[(L, V)],
) -> Result<(), std::fmt::Error> {
    if series.is_empty() {
        return Ok(());
    }
    let mut family = encoder.encode_descriptor(name, help(name), None, MetricType::Gauge)?;
    for (labels, v) in series {
        ConstGauge::new(*v).encode(family.encode_family(labels)?)?;
    }
    Ok(())
}

impl Collect for Snapshots {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let scraped = match self.collector.lock() {
            Ok(c) => c.as_ref().map(|c| c()).unwrap_or_default(),
            Err(_) => Scraped::default(),
        };
        let kind = |v: &[(String, u64)]| -> Vec<(KindLabel, u64)> {
            v.iter().map(|(k, n)| (KindLabel { kind: k.clone() }, *n)).collect()
        };
        gauges(&mut encoder, "govcloud_reconcile_queue_depth", &kind(&scraped.queue_depth))?;
        gauges(&mut encoder, "govcloud_managed_objects", &kind(&scraped.managed_objects))?;
        let flows: Vec<_> = scraped.flows.iter().map(|(s, n)| (StateLabel { state: s.clone() }, *n)).collect();
        gauges(&mut encoder, "govcloud_flows", &flows)?;
        if let Some(held) = crate::memory::held() {
            let none: Unlabelled = [];
            gauges(&mut encoder, "govcloud_heap_bytes", &[(none, held)])?;
        }
        if let Ok(c) = self.compliance.lock() {
            gauges(&mut encoder, "govcloud_compliance_results", &c)?;
        }
        if let Ok(s) = self.scores.lock() {
            gauges(&mut encoder, "govcloud_evaluation_score", &s)?;
        }
        if let Ok(f) = self.figures.lock() {
            gauges(&mut encoder, "govcloud_evaluation_figure", &f)?;
        }
        Ok(())
    }
}

/// Times one reconcile: counted in flight until dropped, then observed.
pub struct ReconcileTimer {
    metrics: Metrics,
    kind: KindLabel,
    started: Instant,
}

impl Drop for ReconcileTimer {
    fn drop(&mut self) {
        let f = &self.metrics.0.families;
        f.in_flight.get_or_create(&self.kind).dec();
        f.reconcile_duration.get_or_create(&self.kind).observe(self.started.elapsed().as_secs_f64());
    }
}

/// What is known of one watch's cache.
#[derive(Clone, Copy, Debug, Default)]
struct WatchSync {
    /// Listed, and no error since.
    synced: bool,
    /// A list is under way (its cache is being replaced).
    relisting: bool,
    /// The last watch error, while not synced again.
    failed_at: Option<Instant>,
}

/// A watch that resumes from its resource version after an error (no
/// relist) says so only with its next event. The watcher retries at least
/// every 30 s (its backoff's cap) and reports each failure: a watch silent
/// this long after its last error is running again.
const RESUMED_AFTER: Duration = Duration::from_secs(60);

impl WatchSync {
    fn ok(&self, now: Instant) -> bool {
        self.synced || (!self.relisting && self.failed_at.is_some_and(|t| now.duration_since(t) > RESUMED_AFTER))
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    fn families(&self) -> &Families {
        &self.0.families
    }
    /// One reconcile of `kind` starts; it ends when the timer is dropped.
    pub fn reconcile(&self, kind: &'static str) -> ReconcileTimer {
        let kind = KindLabel { kind: kind.to_string() };
        self.families().reconciliations.get_or_create(&kind).inc();
        self.families().in_flight.get_or_create(&kind).inc();
        ReconcileTimer { metrics: self.clone(), kind, started: Instant::now() }
    }
    /// One status refresh of `kind` (not a reconcile: nothing is applied).
    pub fn status_refresh(&self, kind: govcloud_core::meta::kinds::OwnerKind) {
        self.families().status_refreshes.get_or_create(&KindLabel { kind: kind.as_str().to_string() }).inc();
    }
    /// One request to the API server: `verb` (get, list, watch, create,
    /// update, patch, delete) and `result` (HTTP code or `error`).
    pub fn api_request(&self, verb: &str, result: &str) {
        let labels = RequestLabels { verb: verb.to_string(), result: result.to_string() };
        self.families().api_requests.get_or_create(&labels).inc();
    }
    /// Whether this replica leads.
    pub fn set_leader(&self, leading: bool) {
        self.families().leader.get_or_create(&[]).set(i64::from(leading));
    }
    /// The latest compliance audit: results by control, severity and outcome
    /// (the previous audit's series are replaced).
    pub fn set_compliance(&self, results: &BTreeMap<(String, String, String), u64>) {
        let series = results
            .iter()
            .map(|((control, severity, outcome), n)| {
                (
                    ComplianceLabels { control: control.clone(), severity: severity.clone(), outcome: outcome.clone() },
                    *n,
                )
            })
            .collect();
        if let Ok(mut c) = self.0.snapshots.compliance.lock() {
            *c = series;
        }
        self.families().compliance_audits.get_or_create(&[]).inc();
    }
    /// The latest evaluation: scores and figures per tenant (the previous
    /// evaluation's series are replaced; a score or figure that cannot be
    /// had is left out, not set to 0).
    pub fn set_evaluation(&self, e: &govcloud_evaluate::Evaluation) {
        // Kept until the next round's: on the pages of what lasts, not among
        // the round's own short-lived allocations (which it would pin).
        let (scores, figures) = govcloud_core::memory::lasting(|| Self::evaluation_series(e));
        // Both replaced under both locks: a scrape sees one evaluation.
        if let (Ok(mut s), Ok(mut f)) = (self.0.snapshots.scores.lock(), self.0.snapshots.figures.lock()) {
            (*s, *f) = (scores, figures);
        }
    }

    /// The evaluation's scores and figures, as series.
    #[allow(clippy::type_complexity)]
    fn evaluation_series(
        e: &govcloud_evaluate::Evaluation,
    ) -> (Vec<(ScoreLabels, Number)>, Vec<(FigureLabels, Number)>) {
        let (mut scores, mut figures) = (Vec::new(), Vec::new());
        for t in &e.tenants {
            let kind = match t.kind {
                govcloud_evaluate::TenantKind::Department => "department",
                govcloud_evaluate::TenantKind::District => "district",
            };
            let axes = t.scores.iter().map(|(a, s)| (a.as_str(), *s)).chain(t.overall.map(|s| ("overall", s)));
            for (axis, s) in axes {
                let labels = ScoreLabels { tenant: t.name.clone(), kind: kind.to_string(), axis: axis.to_string() };
                scores.push((labels, Number(s)));
            }
            for (id, m) in &t.figures {
                if let Some(v) = m.value {
                    figures.push((FigureLabels { tenant: t.name.clone(), figure: id.clone() }, Number(v)));
                }
            }
        }
        (scores, figures)
    }
    /// Sets the gauges computed at scrape time.
    pub fn set_collector(&self, c: Collector) {
        if let Ok(mut slot) = self.0.snapshots.collector.lock() {
            *slot = Some(c);
        }
    }
    /// One render of the whole model (on a changed model version).
    pub fn rendered(&self) {
        self.families().model_renders.get_or_create(&[]).inc();
    }
    /// One failed reconcile of `kind`, by error label.
    pub fn failed(&self, kind: &str, error: &str) {
        let labels = ErrorLabels { kind: kind.to_string(), error: error.to_string() };
        self.families().reconcile_errors.get_or_create(&labels).inc();
    }
    /// `n` objects written (`created`, `updated`, `repaired`, `pruned`).
    pub fn wrote(&self, what: &str, n: usize) {
        if n > 0 {
            self.families().object_writes.get_or_create(&ActionLabel { action: what.to_string() }).inc_by(n as u64);
        }
    }
    /// The writes of one apply, by action (`created`, `updated`, `repaired`, `pruned`).
    pub fn record(&self, report: &super::ApplyReport) {
        self.wrote("created", report.created.len());
        self.wrote("updated", report.updated.len());
        self.wrote("repaired", report.repaired.len());
        self.wrote("pruned", report.pruned.len());
    }
    /// Marks the operator ready (caches synced, controllers running).
    pub fn set_ready(&self) {
        self.0.ready.store(true, Ordering::SeqCst);
    }
    /// Follows the cache of the watch `name` through one of its events.
    pub fn watch_event<K>(&self, name: &str, ev: &Result<watcher::Event<K>, watcher::Error>) {
        let Ok(mut w) = self.0.watches.lock() else { return };
        let s = w.entry(name.to_string()).or_default();
        match ev {
            Ok(watcher::Event::Init) => {
                s.synced = false;
                s.relisting = true;
            }
            Ok(watcher::Event::InitApply(_)) => {}
            Ok(watcher::Event::InitDone | watcher::Event::Apply(_) | watcher::Event::Delete(_)) => {
                *s = WatchSync { synced: true, ..Default::default() }
            }
            Err(_) => {
                s.synced = false;
                s.failed_at = Some(Instant::now());
            }
        }
    }
    /// Whether `/readyz` says ready; else the watches not synced.
    pub fn readiness(&self) -> Result<(), Vec<String>> {
        if !self.0.ready.load(Ordering::SeqCst) {
            return Err(vec!["controllers not started".into()]);
        }
        let now = Instant::now();
        let behind: Vec<String> = self
            .0
            .watches
            .lock()
            .map(|w| w.iter().filter(|(_, s)| !s.ok(now)).map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        if behind.is_empty() { Ok(()) } else { Err(behind) }
    }
    /// Every metric in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String fails only if a collector does, and ours do not.
        if let Err(e) = prometheus_text::encode(&mut out, &self.0.registry) {
            tracing::warn!(error = %e, "cannot encode the metrics");
        }
        out
    }
}

/// A layer on the client's service stack that counts every request to the
/// API server by verb and result (`govcloud_api_requests_total`).
#[derive(Clone)]
pub struct CountRequests(pub Metrics);

impl<S> tower::Layer<S> for CountRequests {
    type Service = Counted<S>;
    fn layer(&self, inner: S) -> Counted<S> {
        Counted { inner, metrics: self.0.clone() }
    }
}

/// See [`CountRequests`].
#[derive(Clone)]
pub struct Counted<S> {
    inner: S,
    metrics: Metrics,
}

impl<S, B, R> tower::Service<http::Request<B>> for Counted<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = futures::future::BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let verb = verb(req.method(), req.uri());
        let metrics = self.metrics.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let r = fut.await;
            match &r {
                Ok(resp) => metrics.api_request(verb, resp.status().as_str()),
                Err(_) => metrics.api_request(verb, "error"),
            }
            r
        })
    }
}

/// The Kubernetes verb of a request: a GET is a `watch`, a `list` (of a
/// collection) or a `get` (of one object or a subresource).
pub fn verb(method: &http::Method, uri: &http::Uri) -> &'static str {
    match *method {
        http::Method::POST => "create",
        http::Method::PUT => "update",
        http::Method::PATCH => "patch",
        http::Method::DELETE => "delete",
        http::Method::GET => {
            if uri.query().is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1")) {
                return "watch";
            }
            let segs: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
            // /api/v1/… or /apis/<group>/<version>/…
            let rest = match segs.first() {
                Some(&"api") => segs.get(2..),
                Some(&"apis") => segs.get(3..),
                _ => return "get",
            }
            .unwrap_or_default();
            let rest = if rest.first() == Some(&"namespaces") && rest.len() >= 3 { &rest[2..] } else { rest };
            if rest.len() == 1 { "list" } else { "get" }
        }
        _ => "other",
    }
}

#[cfg(test)]
mod tests;
