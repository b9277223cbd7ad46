//! The web console's HTTP edge without a cluster (`--auth token`, whose
//! start asks the API server nothing): the login page and its headers,
//! sessions, CSRF on POST, the language switch, a token the API server
//! cannot review refused with the reason, and the login page in headless
//! Chromium (labels, keyboard order, screenshot). The pages as users see
//! them on a real control plane: tests/cluster/console.rs.

use crate::support::web::{Browser, Console, csrf, http, session_cookie};

/// A kubeconfig whose API server does not answer.
fn dead_kubeconfig(dir: &std::path::Path) -> std::path::PathBuf {
    let kc = dir.join("kubeconfig");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:9\"}}]\nusers: [{name: u, user: {token: console-test}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n",
    )
    .expect("kubeconfig");
    kc
}

#[test]
fn the_console_s_login_page_headers_sessions_and_csrf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let console = Console::start(&dead_kubeconfig(dir.path()), &["--auth", "token"]);

    let a = console.get("/", &[]);
    assert_eq!((a.status, a.header("location")), (303, Some("/login")), "{a:?}");
    let login = console.get("/login", &[]);
    assert_eq!(login.status, 200);
    assert_eq!(
        login.header("content-security-policy"),
        Some(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
    );
    assert_eq!(login.header("x-frame-options"), Some("DENY"));
    assert_eq!(login.header("x-content-type-options"), Some("nosniff"));
    let set = login.header("set-cookie").expect("a session cookie");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    assert!(
        login.body.contains("<html lang=\"zh\">") && login.body.contains("<label for=\"token\">"),
        "{}",
        login.body
    );
    assert!(!login.body.contains("<script") && !login.body.contains("style="), "{}", login.body);
    let css = console.get("/style.css", &[]);
    assert!(css.header("content-type").is_some_and(|t| t.starts_with("text/css")) && css.body.contains("header{"));

    // A POST without the session's CSRF token, or with another session's, does nothing.
    let (cookie, token) = (session_cookie(&login), csrf(&login.body));
    let form = [("Cookie", cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
    let a = http(&console.addr, "POST", "/login", &form, "token=abc");
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(a.body.contains("CSRF"), "{}", a.body);
    let other = console.get("/login", &[]);
    let a = http(&console.addr, "POST", "/login", &form, &format!("csrf={}&token=abc", csrf(&other.body)));
    assert_eq!(a.status, 403, "another session's token: {}", a.body);
    // With it, the token goes to the API server, which cannot be reached: refused, with why.
    let a = http(&console.addr, "POST", "/login", &form, &format!("csrf={token}&token=abc"));
    assert_eq!(a.status, 401, "{}", a.body);
    assert!(a.body.contains("TokenReview"), "{}", a.body);
    // A bearer token is reviewed the same way.
    assert_eq!(console.get("/", &[("Authorization", "Bearer abc")]).status, 401);

    // The language switch.
    let a = console.get("/lang/en", &[]);
    assert_eq!(a.status, 303);
    assert!(a.header("set-cookie").is_some_and(|c| c.starts_with("lang=en")));
    let en = console.get("/login", &[("Cookie", "lang=en")]);
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("log in"), "{}", en.body);
    assert_eq!(console.get("/nowhere", &[("Cookie", &cookie)]).status, 303, "no page before logging in");
}

#[test]
fn the_login_page_in_a_browser_is_labelled_and_reachable_by_keyboard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let console = Console::start(&dead_kubeconfig(dir.path()), &["--auth", "token"]);
    let Some(b) = Browser::start() else { return };
    b.goto(&console.url("/"));
    let dom = b.source();
    assert!(dom.contains("<label for=\"token\">"), "{dom}");
    let order: Vec<String> = (0..16).map(|_| b.tab()).collect();
    let token =
        order.iter().position(|o| o == "token").unwrap_or_else(|| panic!("Tab never reaches the token: {order:?}"));
    assert!(order[token + 1..].iter().any(|o| o.starts_with(":")), "the login button after the token field: {order:?}");
    b.type_in(&b.find("#token"), "not-a-token");
    b.click(&b.find("form[action='/login'] button"));
    let dom = b.source_when(|d| d.contains("TokenReview"));
    assert!(dom.contains("TokenReview"), "the refusal shown: {dom}");
    b.goto(&console.url("/login"));
    let shot = b.screenshot("login");
    assert!(std::fs::metadata(shot).expect("shot").len() > 5_000);
}
