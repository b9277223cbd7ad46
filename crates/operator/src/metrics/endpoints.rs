//! The endpoints: `/metrics`, `/healthz` and `/readyz` over HTTP/1.1 (hyper),
//! one request per connection, every connection within a timeout.

use prometheus_client::encoding::prometheus_text;

use super::Metrics;

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
pub(super) fn serve_on(listener: tokio::net::TcpListener, metrics: Metrics, timeout: std::time::Duration) {
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
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static(prometheus_text::CONTENT_TYPE));
    r
}
