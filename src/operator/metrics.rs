//! Counters served in the Prometheus text format at `/metrics`, with
//! `/healthz` and `/readyz`, on a plain TCP listener.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reconciles, writes and errors, counted by kind.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Inner>);

#[derive(Default)]
struct Inner {
    counters: Mutex<BTreeMap<(String, String), u64>>,
    ready: AtomicBool,
}

impl Metrics {
    fn inc(&self, name: &str, labels: String) {
        if let Ok(mut c) = self.0.counters.lock() {
            *c.entry((name.to_string(), labels)).or_default() += 1;
        }
    }
    /// One reconcile of `kind`.
    pub fn reconciled(&self, kind: &str) {
        self.inc("govcloud_reconciliations_total", format!("kind=\"{kind}\""));
    }
    /// One render of the whole model (on a changed model version).
    pub fn rendered(&self) {
        self.inc("govcloud_model_renders_total", String::new());
    }
    /// One failed reconcile of `kind`, by error label.
    pub fn failed(&self, kind: &str, error: &str) {
        self.inc("govcloud_reconcile_errors_total", format!("kind=\"{kind}\",error=\"{error}\""));
    }
    /// One object written (`created`, `updated`, `repaired`, `pruned`).
    pub fn wrote(&self, what: &str, n: usize) {
        for _ in 0..n {
            self.inc("govcloud_object_writes_total", format!("action=\"{what}\""));
        }
    }
    /// Marks the operator ready (caches synced, controllers running).
    pub fn set_ready(&self) {
        self.0.ready.store(true, Ordering::SeqCst);
    }
    /// The counters in Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(c) = self.0.counters.lock() {
            let mut last = "";
            for ((name, labels), v) in c.iter() {
                if name != last {
                    out.push_str(&format!("# TYPE {name} counter\n"));
                    last = name;
                }
                if labels.is_empty() {
                    out.push_str(&format!("{name} {v}\n"));
                } else {
                    out.push_str(&format!("{name}{{{labels}}} {v}\n"));
                }
            }
        }
        out
    }
    /// A copy of one counter, for tests.
    pub fn get(&self, name: &str, labels: &str) -> u64 {
        self.0.counters.lock().ok().and_then(|c| c.get(&(name.to_string(), labels.to_string())).copied()).unwrap_or(0)
    }
}

/// Serves the endpoints on `addr` in the background.
pub async fn serve(addr: String, metrics: Metrics) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!(address = %listener.local_addr()?, "serving /metrics, /healthz, /readyz");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { continue };
            let m = metrics.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]);
                let path = req.split_whitespace().nth(1).unwrap_or("/");
                let (code, body) = match path {
                    "/metrics" => ("200 OK", m.render()),
                    "/healthz" => ("200 OK", "ok\n".to_string()),
                    "/readyz" if m.0.ready.load(Ordering::SeqCst) => ("200 OK", "ok\n".to_string()),
                    "/readyz" => ("503 Service Unavailable", "caches not synced\n".to_string()),
                    _ => ("404 Not Found", "not found\n".to_string()),
                };
                let resp =
                    format!("HTTP/1.1 {code}\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    Ok(())
}
