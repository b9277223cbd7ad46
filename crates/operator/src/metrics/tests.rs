use super::*;
use k8s_openapi::api::core::v1::Node;

fn ev(e: watcher::Event<Node>) -> Result<watcher::Event<Node>, watcher::Error> {
    Ok(e)
}
fn err() -> Result<watcher::Event<Node>, watcher::Error> {
    Err(watcher::Error::NoResourceVersion)
}

#[test]
fn ready_only_while_every_watch_is_synced() {
    let m = Metrics::default();
    assert!(m.readiness().is_err(), "not ready before the controllers start");
    for w in ["Node", "Tenant"] {
        m.watch_event(w, &ev(watcher::Event::Init));
        m.watch_event(w, &ev(watcher::Event::InitDone));
    }
    m.set_ready();
    assert_eq!(m.readiness(), Ok(()));
    // The API server goes away: not ready until that watch lists again.
    m.watch_event("Node", &err());
    assert_eq!(m.readiness(), Err(vec!["Node".to_string()]));
    m.watch_event("Node", &ev(watcher::Event::Init));
    m.watch_event("Node", &ev(watcher::Event::InitApply(Node::default())));
    assert!(m.readiness().is_err(), "still relisting");
    m.watch_event("Node", &ev(watcher::Event::InitDone));
    assert_eq!(m.readiness(), Ok(()));
    // A watch resumed without a relist is synced again by its next event.
    m.watch_event("Tenant", &err());
    assert!(m.readiness().is_err());
    m.watch_event("Tenant", &ev(watcher::Event::Apply(Node::default())));
    assert_eq!(m.readiness(), Ok(()));
}

#[test]
fn a_watch_silent_long_after_its_last_error_counts_as_resumed() {
    let now = Instant::now();
    let failed =
        |ago: Duration, relisting: bool| WatchSync { synced: false, relisting, failed_at: now.checked_sub(ago) };
    assert!(!failed(Duration::from_secs(5), false).ok(now));
    assert!(failed(RESUMED_AFTER + Duration::from_secs(1), false).ok(now));
    assert!(!failed(RESUMED_AFTER + Duration::from_secs(1), true).ok(now), "a relist ends with its InitDone");
}

/// One request on a fresh connection, read to its end: the server closes it.
async fn ask(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(addr).await.expect("connect");
    sock.write_all(request).await.expect("write");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), sock.read_to_string(&mut answer))
        .await
        .expect("the server closes the connection after its answer")
        .expect("read");
    answer
}

#[tokio::test]
async fn the_endpoints_answer_once_per_connection_and_drop_a_silent_client() {
    use tokio::io::AsyncReadExt;
    let m = Metrics::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    serve_on(listener, m.clone(), Duration::from_millis(300));
    m.set_ready();
    m.watch_event("Tenant", &Ok(watcher::Event::<Node>::Init));
    let not_ready = ask(addr, b"GET /readyz HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert!(not_ready.starts_with("HTTP/1.1 503"), "{not_ready}");
    assert!(not_ready.contains("caches not synced: Tenant"), "{not_ready}");
    m.watch_event("Tenant", &Ok(watcher::Event::<Node>::InitDone));
    assert!(ask(addr, b"GET /readyz HTTP/1.1\r\nhost: x\r\n\r\n").await.starts_with("HTTP/1.1 200"));
    assert!(ask(addr, b"GET /healthz HTTP/1.0\r\n\r\n").await.ends_with("ok\n"));
    m.rendered();
    let metrics = ask(addr, b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert!(metrics.contains("text/plain; version=0.0.4"), "{metrics}");
    assert!(metrics.contains("\ngovcloud_model_renders_total 1\n"), "{metrics}");
    assert!(ask(addr, b"GET /nothing HTTP/1.1\r\nhost: x\r\n\r\n").await.starts_with("HTTP/1.1 404"));
    // Half a request, then silence: dropped after the timeout, not held.
    let mut sock = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tokio::io::AsyncWriteExt::write_all(&mut sock, b"GET /metr").await.expect("write");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "a client that never finishes its request is disconnected");
    // Still serving.
    assert!(ask(addr, b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await.starts_with("HTTP/1.1 200"));
}

/// A sample: name, labels (unescaped), value.
type Sample = (String, Vec<(String, String)>, f64);

/// The samples of an exposition, each parsed as the text format has it:
/// `name{label="value",...} number`, label values unescaped. Panics on a
/// line that is not a comment and not such a sample.
fn samples(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("no value: {line:?}"));
        let (name, mut rest) = line.split_at(name_end);
        let mut labels = Vec::new();
        if let Some(r) = rest.strip_prefix('{') {
            rest = r;
            while let Some(r) = rest.strip_prefix(',').or(Some(rest)).filter(|r| !r.starts_with('}')) {
                let (key, r) = r.split_once("=\"").unwrap_or_else(|| panic!("no label value: {line:?}"));
                let (mut value, mut chars) = (String::new(), r.char_indices());
                let end = loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, c @ ('\\' | '"'))) => value.push(c),
                            other => panic!("bad escape {other:?}: {line:?}"),
                        },
                        Some((i, '"')) => break i,
                        Some((_, c)) => value.push(c),
                        None => panic!("unterminated label value: {line:?}"),
                    }
                };
                labels.push((key.to_string(), value));
                rest = &r[end + 1..];
            }
            rest = rest.strip_prefix('}').unwrap_or_else(|| panic!("labels not closed: {line:?}"));
        }
        let value = rest.strip_prefix(' ').and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("value: {line:?}"));
        out.push((name.to_string(), labels, value));
    }
    out
}

#[test]
fn label_values_are_escaped_as_the_text_format_requires() {
    let m = Metrics::default();
    m.failed("Tenant", "bad \"quote\"");
    // Names from the cluster (a control, an HTTP result) that try to end the
    // label, the line, or the escape.
    let hostile = "x\"} 1\ngovcloud_leader 1\n\\";
    m.api_request("get", hostile);
    let mut results = BTreeMap::new();
    results.insert((hostile.to_string(), "high\\".to_string(), "fail\n".to_string()), 2u64);
    m.set_compliance(&results);
    let text = m.render();
    assert!(text.contains(r#"govcloud_reconcile_errors_total{kind="Tenant",error="bad \"quote\""} 1"#), "{text}");
    assert!(
        text.contains(r#"govcloud_api_requests_total{verb="get",result="x\"} 1\ngovcloud_leader 1\n\\"} 1"#),
        "{text}"
    );
    let parsed = samples(&text);
    assert!(!parsed.iter().any(|(name, _, _)| name == "govcloud_leader"), "no sample injected: {text}");
    let label = |name: &str, key: &str| {
        parsed
            .iter()
            .find(|(n, _, _)| n == name)
            .and_then(|(_, l, _)| l.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    };
    assert_eq!(label("govcloud_api_requests_total", "result").as_deref(), Some(hostile), "{text}");
    assert_eq!(label("govcloud_compliance_results", "control").as_deref(), Some(hostile), "{text}");
    assert_eq!(label("govcloud_compliance_results", "severity").as_deref(), Some("high\\"), "{text}");
    assert_eq!(label("govcloud_compliance_results", "outcome").as_deref(), Some("fail\n"), "{text}");
}

#[test]
fn a_family_appears_with_its_first_sample_and_counters_keep_their_names() {
    let m = Metrics::default();
    assert_eq!(m.render(), "", "nothing happened, nothing exposed");
    m.rendered();
    m.wrote("created", 0);
    assert_eq!(
        m.render(),
        "# HELP govcloud_model_renders_total Plans of the model (one per changed model version).\n\
         # TYPE govcloud_model_renders_total counter\n\
         govcloud_model_renders_total 1\n"
    );
    m.set_leader(false);
    m.wrote("pruned", 3);
    let text = m.render();
    assert!(text.contains("\ngovcloud_leader 0\n"), "{text}");
    assert!(text.contains("\ngovcloud_object_writes_total{action=\"pruned\"} 3\n"), "{text}");
    assert!(!text.contains("action=\"created\"") && !text.contains("_total_total"), "{text}");
    assert!(!text.contains("# EOF") && !text.contains("# UNIT"), "the Prometheus text format: {text}");
}

mod exposition_tests {
    use super::super::*;

    #[test]
    fn the_dashboard_plots_only_metrics_the_operator_exports_and_every_one_of_them() {
        let text = include_str!("../../../../charts/govcloud/dashboards/govcloud.json");
        let dashboard: serde_json::Value = serde_json::from_str(text).expect("dashboard JSON");
        let exprs: Vec<String> = dashboard["panels"]
            .as_array()
            .expect("panels")
            .iter()
            .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
            .filter_map(|t| t["expr"].as_str().map(str::to_string))
            .collect();
        assert!(exprs.len() >= 10, "{exprs:?}");
        let mut used = std::collections::BTreeSet::new();
        for e in &exprs {
            for word in
                e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| w.starts_with("govcloud_"))
            {
                let base = ["_bucket", "_sum", "_count"].iter().find_map(|s| word.strip_suffix(s)).unwrap_or(word);
                let declared = METRICS.iter().find(|(n, _, _)| *n == word || *n == base);
                let (name, kind, _) =
                    declared.unwrap_or_else(|| panic!("{word} in {e:?} is not a metric govcloud exports"));
                assert!(
                    word == *name || *kind == "histogram",
                    "{word}: only histograms have _bucket/_sum/_count series"
                );
                used.insert(*name);
            }
        }
        let unused: Vec<_> = METRICS.iter().map(|(n, _, _)| *n).filter(|n| !used.contains(n)).collect();
        assert!(unused.is_empty(), "metrics no panel shows: {unused:?}");
    }

    #[test]
    fn the_evaluation_is_exported_per_tenant_and_what_is_missing_has_no_series() {
        use govcloud_evaluate::{Axis, Evaluation, Measured, TenantEvaluation, TenantKind};
        let tenant = |name: &str, kind, cost: Option<f64>| TenantEvaluation {
            name: name.into(),
            name_zh: String::new(),
            name_en: String::new(),
            name_mn: None,
            kind,
            figures: BTreeMap::from([
                ("cpu_used".to_string(), Measured { value: Some(0.25), missing: None }),
                (
                    "apps_ready".to_string(),
                    Measured { value: None, missing: Some(govcloud_evaluate::Missing::NoStatus) },
                ),
            ]),
            scores: cost.map(|c| BTreeMap::from([(Axis::Cost, c)])).unwrap_or_default(),
            overall: cost,
            ranks: BTreeMap::new(),
            overall_rank: None,
            overall_at_group_mean: Vec::new(),
            inventory: Default::default(),
        };
        let e = Evaluation {
            generated_at: "2026-11-28T00:00:00Z".into(),
            tenants: vec![
                tenant("health", TenantKind::Department, Some(62.5)),
                tenant("songshan", TenantKind::District, None),
                tenant("edu", TenantKind::Department, Some(100.0)),
            ],
            groups: vec![],
            trend: vec![],
            money: None,
            projects: vec![],
            duplicates: vec![],
            domestic: None,
            scope: Default::default(),
        };
        let m = Metrics::default();
        let before = govcloud_core::memory::entered();
        m.set_evaluation(&e);
        // Kept until the next round's: made inside the lasting mark.
        assert!(govcloud_core::memory::entered() > before, "the series are made inside the mark");
        let text = m.render();
        assert!(
            text.contains("govcloud_evaluation_score{tenant=\"health\",kind=\"department\",axis=\"cost\"} 62.5\n"),
            "{text}"
        );
        assert!(
            text.contains("govcloud_evaluation_score{tenant=\"health\",kind=\"department\",axis=\"overall\"} 62.5\n"),
            "{text}"
        );
        assert!(text.contains("govcloud_evaluation_figure{tenant=\"songshan\",figure=\"cpu_used\"} 0.25\n"), "{text}");
        assert!(
            text.contains("govcloud_evaluation_score{tenant=\"edu\",kind=\"department\",axis=\"cost\"} 100\n"),
            "a whole number is written as one, as before: {text}"
        );
        assert!(!text.contains("tenant=\"songshan\",kind"), "no score, no series: {text}");
        assert!(!text.contains("apps_ready"), "a missing figure is not a 0: {text}");
        m.set_evaluation(&Evaluation { tenants: vec![], ..e });
        assert!(!m.render().contains("health"), "a tenant gone leaves no stale series");
    }

    #[test]
    fn requests_are_named_by_their_kubernetes_verb() {
        let v = |m: http::Method, u: &str| verb(&m, &u.parse().expect("uri"));
        assert_eq!(v(http::Method::GET, "/api/v1/namespaces"), "list");
        assert_eq!(v(http::Method::GET, "/api/v1/namespaces/a-b"), "get");
        assert_eq!(v(http::Method::GET, "/api/v1/namespaces/a-b/pods"), "list");
        assert_eq!(v(http::Method::GET, "/api/v1/namespaces/a-b/pods/p"), "get");
        assert_eq!(v(http::Method::GET, "/api/v1/pods?labelSelector=x%3Dy&limit=500"), "list");
        assert_eq!(
            v(http::Method::GET, "/apis/networking.k8s.io/v1/networkpolicies?watch=true&resourceVersion=5"),
            "watch"
        );
        assert_eq!(v(http::Method::GET, "/apis/govcloud.io/v1alpha1/tenants/t1"), "get");
        assert_eq!(v(http::Method::GET, "/apis/govcloud.io/v1alpha1/namespaces/n/departmentapps/a/status"), "get");
        assert_eq!(v(http::Method::PATCH, "/apis/govcloud.io/v1alpha1/tenants/t1/status"), "patch");
        assert_eq!(v(http::Method::POST, "/api/v1/namespaces/n/events"), "create");
        assert_eq!(v(http::Method::DELETE, "/api/v1/namespaces/n"), "delete");
        assert_eq!(v(http::Method::PUT, "/apis/coordination.k8s.io/v1/namespaces/n/leases/l"), "update");
    }

    #[test]
    fn the_exposition_declares_every_family_once_and_histograms_are_cumulative() {
        let m = Metrics::default();
        drop(m.reconcile("Tenant"));
        drop(m.reconcile("Tenant"));
        m.api_request("get", "200");
        m.set_leader(true);
        m.set_collector(Box::new(|| Scraped {
            managed_objects: vec![("Namespace".into(), 3)],
            flows: vec![("granted".into(), 0)],
            ..Default::default()
        }));
        let mut results = BTreeMap::new();
        results.insert(("MLPS-1".to_string(), "high".to_string(), "fail".to_string()), 2u64);
        m.set_compliance(&results);
        let text = m.render();
        for (name, kind, _) in METRICS {
            let declared = text.lines().filter(|l| *l == format!("# TYPE {name} {kind}")).count();
            let used = text.lines().any(|l| l.starts_with(name));
            assert_eq!(declared, usize::from(used), "{name}: {text}");
        }
        assert!(text.contains("govcloud_reconciliations_total{kind=\"Tenant\"} 2\n"), "{text}");
        assert!(text.contains("govcloud_reconcile_duration_seconds_count{kind=\"Tenant\"} 2\n"), "{text}");
        assert!(text.contains("govcloud_reconcile_duration_seconds_bucket{kind=\"Tenant\",le=\"+Inf\"} 2\n"), "{text}");
        assert!(text.contains("govcloud_reconciles_in_flight{kind=\"Tenant\"} 0\n"), "{text}");
        assert!(text.contains("govcloud_leader 1\n"));
        assert!(text.contains("govcloud_managed_objects{kind=\"Namespace\"} 3\n"));
        assert!(text.contains("govcloud_flows{state=\"granted\"} 0\n"));
        assert!(!text.contains("govcloud_reconcile_queue_depth"), "no series, no family: {text}");
        assert!(
            text.contains("govcloud_compliance_results{control=\"MLPS-1\",severity=\"high\",outcome=\"fail\"} 2\n")
        );
        let buckets: Vec<u64> = text
            .lines()
            .filter(|l| l.starts_with("govcloud_reconcile_duration_seconds_bucket"))
            .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
            .collect();
        assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "cumulative: {buckets:?}");
        results.clear();
        m.set_compliance(&results);
        assert!(!m.render().contains("MLPS-1"), "a control no longer audited leaves no stale series");
    }
}
