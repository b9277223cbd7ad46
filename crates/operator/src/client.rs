//! The operator's client: kube's default stack (TLS, the connection
//! timeouts, the base URI, retries of the server's transient errors, the
//! credentials, extra headers), with each connection's read buffer bounded
//! ([`READ_BUFFER`]).
//!
//! hyper grows a connection's read buffer to fit what it reads, up to about
//! 400 KiB, and keeps it as long as the connection lives. The operator
//! holds some forty connections open for good (one per watch), and each had
//! grown while its initial list came in: at a province's size about 8 MiB
//! of the operator's memory at rest was these buffers (BENCHMARKS,
//! sixteenth session). Bounded, a list is read in more, smaller reads; what
//! a response holds is unchanged (the body is streamed either way).
//!
//! A proxy (`proxy_url`) is left to kube's own stack, which knows proxies.
//! Left out of kube's stack: its debug-level `HTTP` tracing spans (the
//! operator counts its requests with its own layer, `CountRequests`), and
//! the expiry stamp of an exec plugin's client certificate, which kube
//! only reports (`Client::valid_until`) and govcloud does not read.

use http::{Request, Response};
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::client::{Body, ClientBuilder, ConfigExt, DynBody, retry::RetryPolicy};
use tower::retry::RetryLayer;
use tower::util::BoxService;
use tower::{BoxError, ServiceBuilder, ServiceExt};

/// The most a connection's read buffer holds before it is read (hyper's
/// least is 8 KiB); with the room it reserves for the next read, a buffer
/// reaches up to twice this.
pub const READ_BUFFER: usize = 32 * 1024;

/// The stack kube's `ClientBuilder::try_from` builds (its `GenericService`).
pub type Stack = BoxService<Request<Body>, Response<Box<DynBody>>, BoxError>;

/// A client builder for `config`: kube's default stack, each connection's
/// read buffer at most [`READ_BUFFER`].
pub fn builder(config: kube::Config) -> kube::Result<ClientBuilder<Stack>> {
    if config.proxy_url.is_some() {
        return ClientBuilder::try_from(config);
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    let mut connector = hyper_timeout::TimeoutConnector::new(config.rustls_https_connector_with_connector(http)?);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    connector.set_reset_reader_on_write(config.reset_reader_on_write);
    let client: hyper_util::client::legacy::Client<_, Body> =
        hyper_util::client::legacy::Builder::new(TokioExecutor::new()).http1_max_buf_size(READ_BUFFER).build(connector);
    // In kube's order, outermost first.
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.default_retry.then(|| RetryLayer::new(RetryPolicy::server_retry())))
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(BoxError::from)
        .service(client)
        .map_response(|r| r.map(|b| Box::new(BodyExt::map_err(b, BoxError::from)) as Box<DynBody>));
    Ok(ClientBuilder::new(service.boxed(), config.default_namespace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Full;
    use hyper::body::Bytes;

    /// A response far larger than the bound arrives whole, read through a
    /// bounded buffer: in pieces no larger than the buffer can grow to.
    #[tokio::test]
    async fn a_large_response_is_read_whole_through_a_bounded_buffer() {
        let body: Bytes = (0..2_000_000u32).map(|i| (i % 251) as u8).collect::<Vec<u8>>().into();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let served = body.clone();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            let service = hyper::service::service_fn(move |_req| {
                let b = served.clone();
                async move { Ok::<_, std::convert::Infallible>(Response::new(Full::new(b))) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            hyper::server::conn::http1::Builder::new().serve_connection(io, service).await.expect("serve");
        });
        let config = kube::Config::new(format!("http://{addr}").parse().expect("url"));
        let client = builder(config).expect("builder").build();
        let req = Request::get("/big").body(Body::empty()).expect("request");
        let mut res = client.send(req).await.expect("response").into_body();
        let (mut got, mut largest) = (Vec::new(), 0);
        while let Some(frame) = res.frame().await {
            if let Ok(data) = frame.expect("frame").into_data() {
                largest = largest.max(data.len());
                got.extend_from_slice(&data);
            }
        }
        assert_eq!(got.len(), body.len());
        assert!(got == body, "the body differs from what was served");
        // hyper reserves room for the next read beside what it holds, so the
        // buffer reaches up to twice the bound (unbounded, pieces of about
        // 500 KiB were read here).
        assert!(
            largest <= 2 * READ_BUFFER,
            "a piece of {largest} bytes: the read buffer grew past twice {READ_BUFFER}"
        );
        assert!(largest > 0);
    }
}
