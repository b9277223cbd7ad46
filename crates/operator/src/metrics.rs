//! Counters, gauges and histograms served in the Prometheus text format at
//! `/metrics`, with `/healthz` and `/readyz`, on a plain TCP listener.
//! Every metric is declared in [`METRICS`] (name, type, help); the Grafana
//! dashboard in `charts/govcloud/dashboards/` uses only those (a test checks it).
//!
//! `/readyz` is ready once the controllers run and while every watch's cache
//! is synced: a watch error (the API server or etcd gone) or a relist makes it
//! not ready until that watch has listed again or delivers events again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kube::runtime::watcher;

/// Reconciles, writes and errors, counted by kind.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Inner>);

#[derive(Default)]
struct Inner {
    counters: Mutex<BTreeMap<(String, String), u64>>,
    gauges: Mutex<BTreeMap<(String, String), f64>>,
    histograms: Mutex<BTreeMap<(String, String), Histogram>>,
    /// Gauges computed when scraped (queue depth, managed objects, flows).
    collector: Mutex<Option<Collector>>,
    ready: AtomicBool,
    watches: Mutex<BTreeMap<String, WatchSync>>,
}

/// Computes gauges (name, labels, value) at scrape time.
pub type Collector = Box<dyn Fn() -> Vec<(&'static str, String, f64)> + Send + Sync>;

/// Every metric govcloud exports: name, Prometheus type, help.
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
        "govcloud_evaluation_score",
        "gauge",
        "Performance evaluation (绩效评估) of the latest compliance round: score 0-100 by tenant, kind (department, district) and axis (cost, effect, sharing, security, overall); absent when it cannot be had.",
    ),
    (
        "govcloud_evaluation_figure",
        "gauge",
        "Figures of the performance evaluation by tenant and figure (ratios 0-1, counts, days; `govcloud evaluate --format json` says how each is computed); absent when it cannot be had.",
    ),
];

/// Upper bounds of the reconcile-duration buckets, in seconds.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Clone, Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

/// Times one reconcile: counted in flight until dropped, then observed.
pub struct ReconcileTimer {
    metrics: Metrics,
    kind: &'static str,
    started: Instant,
}

impl Drop for ReconcileTimer {
    fn drop(&mut self) {
        let labels = labels(&[("kind", self.kind)]);
        self.metrics.add_gauge("govcloud_reconciles_in_flight", &labels, -1.0);
        self.metrics.observe("govcloud_reconcile_duration_seconds", labels, self.started.elapsed());
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
    fn inc(&self, name: &str, labels: String) {
        if let Ok(mut c) = self.0.counters.lock() {
            *c.entry((name.to_string(), labels)).or_default() += 1;
        }
    }
    /// One reconcile of `kind` starts; it ends when the timer is dropped.
    pub fn reconcile(&self, kind: &'static str) -> ReconcileTimer {
        let labels = labels(&[("kind", kind)]);
        self.inc("govcloud_reconciliations_total", labels.clone());
        self.add_gauge("govcloud_reconciles_in_flight", &labels, 1.0);
        ReconcileTimer { metrics: self.clone(), kind, started: Instant::now() }
    }
    /// One status refresh of `kind` (not a reconcile: nothing is applied).
    pub fn status_refresh(&self, kind: govcloud_core::meta::kinds::OwnerKind) {
        self.inc("govcloud_status_refreshes_total", labels(&[("kind", kind.as_str())]));
    }
    /// One request to the API server: `verb` (get, list, watch, create,
    /// update, patch, delete) and `result` (HTTP code or `error`).
    pub fn api_request(&self, verb: &str, result: &str) {
        self.inc("govcloud_api_requests_total", labels(&[("verb", verb), ("result", result)]));
    }
    /// Whether this replica leads.
    pub fn set_leader(&self, leading: bool) {
        self.set_gauge("govcloud_leader", String::new(), if leading { 1.0 } else { 0.0 });
    }
    /// The latest compliance audit: results by control, severity and outcome
    /// (the previous audit's series are replaced).
    pub fn set_compliance(&self, results: &BTreeMap<(String, String, String), u64>) {
        if let Ok(mut g) = self.0.gauges.lock() {
            g.retain(|(name, _), _| name != "govcloud_compliance_results");
            for ((control, severity, outcome), n) in results {
                g.insert(
                    (
                        "govcloud_compliance_results".into(),
                        labels(&[("control", control), ("severity", severity), ("outcome", outcome)]),
                    ),
                    *n as f64,
                );
            }
        }
        self.inc("govcloud_compliance_audits_total", String::new());
    }
    /// The latest evaluation: scores and figures per tenant (the previous
    /// evaluation's series are replaced; a score or figure that cannot be
    /// had is left out, not set to 0).
    pub fn set_evaluation(&self, e: &govcloud_evaluate::Evaluation) {
        if let Ok(mut g) = self.0.gauges.lock() {
            g.retain(|(name, _), _| name != "govcloud_evaluation_score" && name != "govcloud_evaluation_figure");
            for t in &e.tenants {
                let kind = match t.kind {
                    govcloud_evaluate::TenantKind::Department => "department",
                    govcloud_evaluate::TenantKind::District => "district",
                };
                let scores = t.scores.iter().map(|(a, s)| (a.as_str(), *s)).chain(t.overall.map(|s| ("overall", s)));
                for (axis, s) in scores {
                    g.insert(
                        (
                            "govcloud_evaluation_score".into(),
                            labels(&[("tenant", &t.name), ("kind", kind), ("axis", axis)]),
                        ),
                        s,
                    );
                }
                for (id, m) in &t.figures {
                    if let Some(v) = m.value {
                        g.insert(
                            ("govcloud_evaluation_figure".into(), labels(&[("tenant", &t.name), ("figure", id)])),
                            v,
                        );
                    }
                }
            }
        }
    }
    /// Sets the gauges computed at scrape time.
    pub fn set_collector(&self, c: Collector) {
        if let Ok(mut slot) = self.0.collector.lock() {
            *slot = Some(c);
        }
    }
    fn set_gauge(&self, name: &str, labels: String, v: f64) {
        if let Ok(mut g) = self.0.gauges.lock() {
            g.insert((name.to_string(), labels), v);
        }
    }
    fn add_gauge(&self, name: &str, labels: &str, d: f64) {
        if let Ok(mut g) = self.0.gauges.lock() {
            *g.entry((name.to_string(), labels.to_string())).or_default() += d;
        }
    }
    fn observe(&self, name: &str, labels: String, d: Duration) {
        let secs = d.as_secs_f64();
        if let Ok(mut h) = self.0.histograms.lock() {
            let h = h
                .entry((name.to_string(), labels))
                .or_insert_with(|| Histogram { counts: vec![0; BUCKETS.len()], ..Default::default() });
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.counts[i] += 1;
                }
            }
            h.sum += secs;
            h.count += 1;
        }
    }
    /// One render of the whole model (on a changed model version).
    pub fn rendered(&self) {
        self.inc("govcloud_model_renders_total", String::new());
    }
    /// One failed reconcile of `kind`, by error label.
    pub fn failed(&self, kind: &str, error: &str) {
        self.inc("govcloud_reconcile_errors_total", labels(&[("kind", kind), ("error", error)]));
    }
    /// One object written (`created`, `updated`, `repaired`, `pruned`).
    pub fn wrote(&self, what: &str, n: usize) {
        for _ in 0..n {
            self.inc("govcloud_object_writes_total", labels(&[("action", what)]));
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
    /// Every metric in Prometheus text format.
    pub fn render(&self) -> String {
        let mut samples: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let line = |labels: &str, suffix: &str, v: String| {
            if labels.is_empty() { format!("{suffix} {v}\n") } else { format!("{suffix}{{{labels}}} {v}\n") }
        };
        if let Ok(c) = self.0.counters.lock() {
            for ((name, labels), v) in c.iter() {
                if let Some((n, _, _)) = METRICS.iter().find(|(n, _, _)| n == name) {
                    samples.entry(n).or_default().push(line(labels, name, v.to_string()));
                }
            }
        }
        let mut gauges: Vec<(String, String, f64)> = match self.0.gauges.lock() {
            Ok(g) => g.iter().map(|((n, l), v)| (n.clone(), l.clone(), *v)).collect(),
            Err(_) => vec![],
        };
        if let Ok(c) = self.0.collector.lock()
            && let Some(c) = c.as_ref()
        {
            gauges.extend(c().into_iter().map(|(n, l, v)| (n.to_string(), l, v)));
        }
        for (name, labels, v) in &gauges {
            if let Some((n, _, _)) = METRICS.iter().find(|(n, _, _)| n == name) {
                samples.entry(n).or_default().push(line(labels, name, v.to_string()));
            }
        }
        if let Ok(h) = self.0.histograms.lock() {
            for ((name, labels), h) in h.iter() {
                let Some((n, _, _)) = METRICS.iter().find(|(n, _, _)| n == name) else { continue };
                let out = samples.entry(n).or_default();
                let sep = if labels.is_empty() { "" } else { "," };
                for (b, c) in BUCKETS.iter().zip(&h.counts) {
                    out.push(format!("{name}_bucket{{{labels}{sep}le=\"{b}\"}} {c}\n"));
                }
                out.push(format!("{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}\n", h.count));
                out.push(line(labels, &format!("{name}_sum"), h.sum.to_string()));
                out.push(line(labels, &format!("{name}_count"), h.count.to_string()));
            }
        }
        let mut out = String::new();
        for (name, kind, help) in METRICS {
            if let Some(lines) = samples.get(name) {
                out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
                for l in lines {
                    out.push_str(l);
                }
            }
        }
        out
    }
    /// A copy of one gauge, for tests.
    pub fn gauge(&self, name: &str, labels: &str) -> f64 {
        self.0.gauges.lock().ok().and_then(|g| g.get(&(name.to_string(), labels.to_string())).copied()).unwrap_or(0.0)
    }
    /// A copy of one counter, for tests.
    pub fn get(&self, name: &str, labels: &str) -> u64 {
        self.0.counters.lock().ok().and_then(|c| c.get(&(name.to_string(), labels.to_string())).copied()).unwrap_or(0)
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

/// Prometheus labels `name="value",...`, each value escaped as the text
/// format requires (backslash, double quote, line feed).
pub fn labels(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(name);
        out.push_str("=\"");
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out
}

/// How long a client may take to send a request's headers, and to be
/// answered in all.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves the endpoints on `addr` in the background: `/metrics` (the
/// Prometheus text format), `/healthz`, `/readyz` (503 with the watches not
/// synced). HTTP/1.1, one request per connection; a client that sends no
/// complete request within [`REQUEST_TIMEOUT`] is dropped, and an accept
/// error (out of file descriptors, say) is logged and waited out, not spun on.
pub async fn serve(addr: String, metrics: Metrics) -> std::io::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    tracing::info!(address = %local, "serving /metrics, /healthz, /readyz");
    serve_on(listener, metrics, REQUEST_TIMEOUT);
    Ok(local)
}

/// Answers on `listener` in the background, each connection within `timeout`.
fn serve_on(listener: tokio::net::TcpListener, metrics: Metrics, timeout: std::time::Duration) {
    tokio::spawn(async move {
        loop {
            let sock = match listener.accept().await {
                Ok((sock, _)) => sock,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics endpoint: cannot accept a connection; waiting 1 s");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            };
            let m = metrics.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let m = m.clone();
                    async move { Ok::<_, std::convert::Infallible>(respond(&m, req.uri().path())) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(timeout)
                    .keep_alive(false)
                    .serve_connection(hyper_util::rt::TokioIo::new(sock), service);
                match tokio::time::timeout(timeout, conn).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::debug!(error = %e, "metrics endpoint: connection failed"),
                    Err(_) => tracing::debug!("metrics endpoint: connection timed out"),
                }
            });
        }
    });
}

/// The answer to a request for `path`.
fn respond(m: &Metrics, path: &str) -> hyper::Response<http_body_util::Full<hyper::body::Bytes>> {
    let (code, body) = match path {
        "/metrics" => (hyper::StatusCode::OK, m.render()),
        "/healthz" => (hyper::StatusCode::OK, "ok\n".to_string()),
        "/readyz" => match m.readiness() {
            Ok(()) => (hyper::StatusCode::OK, "ok\n".to_string()),
            Err(behind) => {
                (hyper::StatusCode::SERVICE_UNAVAILABLE, format!("caches not synced: {}\n", behind.join(", ")))
            }
        },
        _ => (hyper::StatusCode::NOT_FOUND, "not found\n".to_string()),
    };
    let mut r = hyper::Response::new(http_body_util::Full::new(hyper::body::Bytes::from(body)));
    *r.status_mut() = code;
    r.headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"));
    r
}

#[cfg(test)]
mod tests;
