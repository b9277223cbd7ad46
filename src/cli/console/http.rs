//! The console's HTTP edge (hyper, HTTP/1.1): sessions, CSRF on every POST,
//! the security headers, and the routes; the pages are `pages`, the reads `read`.

use std::collections::HashMap;
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::pages::{self, Chrome, Refusal, compliance};
use super::session::{self, Session};
use super::{Console, Who, read};
use crate::audit::output::Lang;

/// How long a client may take to send a request's headers, and to be answered in all.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// The largest form accepted.
const MAX_BODY: usize = 64 * 1024;

/// The policy every answer carries: nothing but this origin's style sheet
/// and images, no script, no frame, forms only to this origin.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Serves `console` on `listener`, each connection within [`TIMEOUT`].
pub async fn serve(listener: tokio::net::TcpListener, console: Arc<Console>) {
    loop {
        let sock = match listener.accept().await {
            Ok((sock, _)) => sock,
            Err(e) => {
                tracing::warn!(error = %e, "console: cannot accept a connection; waiting 1 s");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        let console = console.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let console = console.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&console, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(TIMEOUT)
                .keep_alive(false)
                .serve_connection(hyper_util::rt::TokioIo::new(sock), service);
            if let Err(e) = tokio::time::timeout(TIMEOUT, conn)
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
            {
                tracing::debug!(error = %e, "console: connection failed");
            }
        });
    }
}

/// An answer with the security headers.
fn answer(code: StatusCode, kind: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = code;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

const HTML: &str = "text/html; charset=utf-8";

pub(super) fn html(code: StatusCode, body: String) -> Response<Full<Bytes>> {
    answer(code, HTML, body)
}

fn redirect(to: &str) -> Response<Full<Bytes>> {
    let mut r = answer(StatusCode::SEE_OTHER, "text/plain; charset=utf-8", String::new());
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The HTTP status of a refusal (the API server's code; 502 when it was not reached).
pub(super) fn status_of(r: &Refusal) -> StatusCode {
    StatusCode::from_u16(r.code)
        .ok()
        .filter(|c| c.is_client_error() || c.is_server_error())
        .unwrap_or(StatusCode::BAD_GATEWAY)
}

async fn handle(console: &Console, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let get =
        |h: header::HeaderName| parts.headers.get(h).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let cookies = get(header::COOKIE);
    let lang = if session::cookie(&cookies, "lang") == Some("en") { Lang::En } else { Lang::Zh };
    match (&parts.method, path.as_str()) {
        (&Method::GET, "/style.css") => return answer(StatusCode::OK, "text/css; charset=utf-8", pages::STYLE.into()),
        (&Method::GET, "/healthz") => return answer(StatusCode::OK, "text/plain; charset=utf-8", "ok\n".into()),
        (&Method::GET, "/lang/en" | "/lang/zh") => {
            let mut r = redirect("/");
            let v = format!("lang={}; Path=/; SameSite=Strict", &path[6..]);
            if let Ok(v) = HeaderValue::from_str(&v) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            return r;
        }
        _ => {}
    }
    // The session (a new one when the browser has none the console knows).
    let (id, sess, new) = match session_of(console, session::cookie(&cookies, session::COOKIE)) {
        Ok(s) => s,
        Err(e) => return html(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot start a session: {e}")),
    };
    let mut r = route(console, &parts, body, &id, sess, lang).await;
    // (A login gave the session a new id and cookie of its own.)
    let renamed =
        r.headers().get_all(header::SET_COOKIE).iter().any(|v| v.as_bytes().starts_with(session::COOKIE.as_bytes()));
    if new
        && !renamed
        && let Ok(v) = HeaderValue::from_str(&session::session_cookie(&id))
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The session with id `cookie`, or a new one: (id, session, whether new).
fn session_of(console: &Console, cookie: Option<&str>) -> std::io::Result<(String, Session<Who>, bool)> {
    let now = std::time::Instant::now();
    let mut sessions = console.sessions.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(id) = cookie
        && let Some(s) = sessions.get_mut(id)
        && s.alive(now)
    {
        s.seen = now;
        return Ok((id.to_string(), s.clone(), false));
    }
    // Room for one more: the expired ones, then the oldest over the bound.
    session::prune(&mut sessions, now, session::MAX_SESSIONS - 1);
    let (id, csrf) = (session::random_hex()?, session::random_hex()?);
    let s = Session::new(csrf, None, now);
    sessions.insert(id.clone(), s.clone());
    Ok((id, s, true))
}

async fn route(
    console: &Console,
    parts: &hyper::http::request::Parts,
    body: Incoming,
    id: &str,
    sess: Session<Who>,
    lang: Lang,
) -> Response<Full<Bytes>> {
    let path = parts.uri.path();
    let mut chrome = Chrome { lang, user: String::new(), csrf: sess.csrf.clone(), login: console.login() };
    // Every POST: a form of this session's, or nothing is done.
    let form: HashMap<String, String> = if parts.method == Method::POST {
        let bytes = match Limited::new(body, MAX_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => return html(StatusCode::PAYLOAD_TOO_LARGE, "form too large or cut off".into()),
        };
        let form = session::form(&bytes);
        if !form.get("csrf").is_some_and(|t| session::same_secret(t, &sess.csrf)) {
            let r = Refusal {
                doing: format!("POST {path}"),
                code: 403,
                reason: "CSRF".into(),
                message: "the form carried no valid CSRF token of this session: reload the page and send it again"
                    .into(),
            };
            return html(StatusCode::FORBIDDEN, pages::refused_page(&chrome, &r));
        }
        form
    } else {
        HashMap::new()
    };
    match (&parts.method, path) {
        (&Method::GET, "/login") => return html(StatusCode::OK, pages::login(&chrome, None)),
        (&Method::POST, "/login") => {
            return match console.by_token(form.get("token").map(String::as_str).unwrap_or_default()).await {
                Ok(who) => {
                    // A new session id (and CSRF token) for the logged-in
                    // user: an id known before the login (planted, or seen
                    // on a shared machine) gives nobody the user's session.
                    let (new_id, csrf) = match (session::random_hex(), session::random_hex()) {
                        (Ok(i), Ok(c)) => (i, c),
                        (Err(e), _) | (_, Err(e)) => {
                            return html(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot start a session: {e}"));
                        }
                    };
                    {
                        let mut sessions = console.sessions.lock().unwrap_or_else(|p| p.into_inner());
                        sessions.remove(id);
                        sessions.insert(new_id.clone(), Session::new(csrf, Some(who), std::time::Instant::now()));
                    }
                    let mut r = redirect("/");
                    if let Ok(v) = HeaderValue::from_str(&session::session_cookie(&new_id)) {
                        r.headers_mut().append(header::SET_COOKIE, v);
                    }
                    r
                }
                Err(e) => html(StatusCode::UNAUTHORIZED, pages::login(&chrome, Some(&e))),
            };
        }
        (&Method::POST, "/logout") => {
            console.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
            return redirect("/login");
        }
        _ => {}
    }
    // Who is asking: the kubeconfig's identity, a bearer token, or the session's login.
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let who = match (console.local(), bearer, sess.who) {
        (Some(w), _, _) => w,
        (None, Some(token), _) => match console.by_token(&token).await {
            Ok(w) => w,
            Err(e) => return html(StatusCode::UNAUTHORIZED, pages::login(&chrome, Some(&e))),
        },
        (None, None, Some(w)) => w,
        (None, None, None) => return redirect("/login"),
    };
    chrome.user = who.name.clone();
    let c = &who.client;
    match (&parts.method, path) {
        (&Method::GET, "/") => match read::mine(c).await {
            Ok((m, _)) => {
                let ns: Vec<String> = m.tenants.iter().flat_map(|t| t.namespaces.clone()).collect();
                let readable: Vec<String> =
                    ns.into_iter().filter(|n| !m.tenants.iter().any(|t| t.unreadable.contains(n))).collect();
                let pods = read::pods(c, &readable, None).await;
                html(StatusCode::OK, pages::home(&chrome, &m, &pods))
            }
            Err(r) => html(status_of(&r), pages::refused_page(&chrome, &r)),
        },
        (&Method::GET, p) if p.starts_with("/app/") => {
            let mut it = p["/app/".len()..].splitn(2, '/');
            let (ns, name) = (it.next().unwrap_or_default(), it.next().unwrap_or_default());
            match read::app(c, ns, name).await {
                Ok(a) => html(StatusCode::OK, pages::app::app(&chrome, &a)),
                Err(r) => html(status_of(&r), pages::refused_page(&chrome, &r)),
            }
        }
        (&Method::GET | &Method::POST, "/requests") => {
            let outcome = if parts.method == Method::POST { Some(read::file(c, &form).await) } else { None };
            let code = match &outcome {
                Some(Err(r)) => status_of(r),
                _ => StatusCode::OK,
            };
            // What was typed stays in the form when it was refused.
            let typed = if matches!(outcome, Some(Err(_))) { form } else { HashMap::new() };
            match read::mine(c).await {
                Ok((m, mine)) => {
                    let ns: Vec<String> = m.tenants.iter().flat_map(|t| t.namespaces.clone()).collect();
                    html(code, pages::requests::requests(&chrome, &ns, &mine, outcome, &typed))
                }
                Err(r) => html(status_of(&r), pages::refused_page(&chrome, &r)),
            }
        }
        (&Method::GET, "/compliance" | "/evaluation" | "/city") => page(c, &chrome, parts).await,
        (&Method::GET | &Method::POST, "/queue") => {
            let outcome = if parts.method == Method::POST { Some(read::decide(c, &form).await) } else { None };
            let code = match &outcome {
                Some(Err(r)) => status_of(r),
                _ => StatusCode::OK,
            };
            let (zones, pending) = read::queue(c).await;
            html(code, pages::requests::queue(&chrome, zones.as_deref(), pending.as_deref(), outcome))
        }
        (&Method::GET | &Method::POST, "/sharing") => {
            let outcome = if parts.method == Method::POST { Some(read::answer(c, &form).await) } else { None };
            let code = match &outcome {
                Some(Err(r)) => status_of(r),
                _ => StatusCode::OK,
            };
            match read::sharing(c).await {
                Ok(p) => html(code, pages::sharing::sharing(&chrome, &p, outcome)),
                Err(r) => html(status_of(&r), pages::refused_page(&chrome, &r)),
            }
        }
        _ => html(
            StatusCode::NOT_FOUND,
            pages::refused_page(
                &chrome,
                &Refusal {
                    doing: path.to_string(),
                    code: 404,
                    reason: "NotFound".into(),
                    message: "no such page".into(),
                },
            ),
        ),
    }
}

// The routes of the compliance, evaluation and city pages: read as the
// user (`read::pages`), shown by `pages` (the API server's refusal as it gave it).

/// The page at `parts`' path (`/compliance`, `/evaluation`, `/city`), as the user of `c`.
async fn page(c: &kube::Client, chrome: &Chrome, parts: &hyper::http::request::Parts) -> Response<Full<Bytes>> {
    match parts.uri.path() {
        "/compliance" => {
            let query = super::session::form(parts.uri.query().unwrap_or_default().as_bytes());
            let filter = compliance::filter_of(&query);
            match read::pages::reports(c).await {
                Ok(r) => {
                    let tenants: Vec<String> = r.tenants.iter().map(kube::ResourceExt::name_any).collect();
                    let zones: std::collections::BTreeSet<String> =
                        r.tenants.iter().flat_map(|t| t.spec.zones.iter().map(|z| z.name.clone())).collect();
                    let note = filter.unknown(tenants.iter().map(String::as_str), zones.iter().map(String::as_str));
                    let m = compliance::compliance(&r.reads, &filter);
                    html(StatusCode::OK, compliance::page_of(chrome, &m, &filter, &r.refused, note.as_deref()))
                }
                Err(r) => html(status_of(&r), pages::refused_page(chrome, &r)),
            }
        }
        "/evaluation" => match read::pages::evaluation(c).await {
            Ok(e) => html(StatusCode::OK, pages::evaluation::evaluation(chrome, &e)),
            Err(r) => html(status_of(&r), pages::refused_page(chrome, &r)),
        },
        _ => match read::pages::city(c).await {
            Ok(m) => html(StatusCode::OK, pages::city::city(chrome, &m)),
            Err(r) => html(status_of(&r), pages::refused_page(chrome, &r)),
        },
    }
}
