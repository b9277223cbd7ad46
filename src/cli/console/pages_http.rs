//! The routes of the compliance, evaluation and city pages: read as the
//! user (`read::pages`), shown by `pages` (the API server's refusal as it gave it).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use kube::ResourceExt;

use super::http::{html, status_of};
use super::pages::{self, Chrome, compliance};
use super::read::pages as read;

/// The page at `parts`' path (`/compliance`, `/evaluation`, `/city`), as the user of `c`.
pub(super) async fn page(
    c: &kube::Client,
    chrome: &Chrome,
    parts: &hyper::http::request::Parts,
) -> Response<Full<Bytes>> {
    match parts.uri.path() {
        "/compliance" => {
            let query = super::session::form(parts.uri.query().unwrap_or_default().as_bytes());
            let filter = compliance::filter_of(&query);
            match read::reports(c).await {
                Ok(r) => {
                    let tenants: Vec<String> = r.tenants.iter().map(ResourceExt::name_any).collect();
                    let zones: std::collections::BTreeSet<String> =
                        r.tenants.iter().flat_map(|t| t.spec.zones.iter().map(|z| z.name.clone())).collect();
                    let note = filter.unknown(tenants.iter().map(String::as_str), zones.iter().map(String::as_str));
                    let m = compliance::compliance(&r.reads, &filter);
                    html(StatusCode::OK, compliance::page_of(chrome, &m, &filter, &r.refused, note.as_deref()))
                }
                Err(r) => html(status_of(&r), pages::refused_page(chrome, &r)),
            }
        }
        "/evaluation" => match read::evaluation(c).await {
            Ok(e) => html(StatusCode::OK, pages::evaluation::evaluation(chrome, &e)),
            Err(r) => html(status_of(&r), pages::refused_page(chrome, &r)),
        },
        _ => match read::city(c).await {
            Ok(m) => html(StatusCode::OK, pages::city::city(chrome, &m)),
            Err(r) => html(status_of(&r), pages::refused_page(chrome, &r)),
        },
    }
}
