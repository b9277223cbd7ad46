//! The console's pages (pure): what was read as the user, as HTML. Every
//! value goes through maud, which escapes it; the style sheet is a file of
//! its own (`/style.css`), so the Content-Security-Policy allows no inline
//! style or script at all.

use maud::{DOCTYPE, Markup, html};

use super::super::mine::view::{Mine, TenantView};
use crate::audit::output::Lang;
/// The one Mongolian-name fragment of every page (the static reports' too).
pub use crate::audit::output::page::mongolian;
use crate::meta::quantity::Quantity;

pub mod app;
pub mod city;
pub mod compliance;
pub mod evaluation;
pub mod pods;
pub mod requests;
pub mod sharing;

/// The style sheet. Text colours on their backgrounds keep a contrast of at
/// least 4.5:1 (checked by a test from the colours named in [`COLOURS`]).
pub const STYLE: &str = concat!(
    "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;margin:0;color:#1a1a1a;background:#ffffff}\n",
    "header{background:#0b3d91;color:#ffffff;padding:8px 24px;display:flex;gap:24px;align-items:center;flex-wrap:wrap}\n",
    "header a{color:#ffffff} header .who{margin-left:auto}\n",
    "main{padding:8px 24px 32px} a{color:#0b57d0}\n",
    "table{border-collapse:collapse;margin:8px 0 16px} td,th{border:1px solid #c4c4c4;padding:3px 8px;font-size:14px;text-align:left}\n",
    "th{background:#eef1f6} meter{width:12em}\n",
    ".refusal{background:#fdecea;color:#8a1c12;border:1px solid #8a1c12;padding:8px 12px;margin:12px 0}\n",
    ".ok{color:#146c2e} .warn{color:#8a4b00} label{display:block;margin:6px 0 2px}\n",
    "input,select,textarea{font-size:14px} button{font-size:14px;margin:6px 4px 6px 0}\n",
    ":focus{outline:3px solid #e37400;outline-offset:2px}\n",
    ".mn{writing-mode:vertical-lr;display:inline-block;vertical-align:top;max-height:22em;font-family:'Noto Sans Mongolian','Mongolian Baiti',sans-serif;line-height:1.3}\n",
    // The compliance, evaluation and city pages.
    "form.filter span{display:inline-block;margin:0 16px 4px 0;vertical-align:bottom} .check label{display:inline;margin-left:4px}\n",
    "td.num{text-align:right} .muted{color:#5f5f5f} .charts{display:flex;flex-wrap:wrap;gap:16px}\n",
    ".zones td{white-space:nowrap} .zones td:last-child{white-space:normal}\n",
    "figure.topology{margin:8px 0 16px;overflow-x:auto} .results td{vertical-align:top} small{color:#5f5f5f}\n",
    ".results td:nth-child(-n+2),.results td:last-child,.results .id{white-space:nowrap} .results td:nth-child(3){min-width:10em}\n",
    "details.refused summary h2{display:inline} details.refused{margin:16px 0}\n",
    ".results{width:100%} .results td:nth-child(4),.results td:nth-child(5){overflow-wrap:anywhere}\n",
);

/// The text colours of [`STYLE`] and the backgrounds they are shown on.
pub const COLOURS: &[(&str, &str)] = &[
    ("#1a1a1a", "#ffffff"),
    ("#ffffff", "#0b3d91"),
    ("#0b57d0", "#ffffff"),
    ("#1a1a1a", "#eef1f6"),
    ("#8a1c12", "#fdecea"),
    ("#146c2e", "#ffffff"),
    ("#8a4b00", "#ffffff"),
    ("#5f5f5f", "#ffffff"),
];

/// What every page shows around its content.
#[derive(Clone, Debug)]
pub struct Chrome {
    /// The page's language.
    pub lang: Lang,
    /// Who the API server says the user is.
    pub user: String,
    /// The session's CSRF token, carried by every form.
    pub csrf: String,
    /// Whether users log in with a token (a logout button then).
    pub login: bool,
}

/// A word in both languages.
pub type Word = (&'static str, &'static str);

/// The word in the page's language.
pub fn w(lang: Lang, word: Word) -> &'static str {
    if lang == Lang::Zh { word.0 } else { word.1 }
}

/// An answer of the API server that refused what the user asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What the console asked, naming the object.
    pub doing: String,
    /// The HTTP code (403, 404, 422, ...); 0 when the server was not reached.
    pub code: u16,
    /// The API server's reason (`Forbidden`, `Invalid`, ...).
    pub reason: String,
    /// The API server's message, as it gave it.
    pub message: String,
}

impl Refusal {
    /// The refusal in a client error.
    pub fn of(doing: impl Into<String>, e: &kube::Error) -> Refusal {
        match e {
            kube::Error::Api(s) => {
                Refusal { doing: doing.into(), code: s.code, reason: s.reason.clone(), message: s.message.clone() }
            }
            other => Refusal { doing: doing.into(), code: 0, reason: "Unreachable".into(), message: other.to_string() },
        }
    }
}

const TITLE: Word = ("政务云管理平台", "e-government cloud console");
const HOME: Word = ("本部门", "my department");
const REQUESTS: Word = ("资源申请", "requests");
const QUEUE: Word = ("审批", "approvals");
const SHARING: Word = ("数据共享", "sharing");
const LOGOUT: Word = ("退出", "log out");
const EVALUATION: Word = ("绩效评估", "evaluation");
const CITY: Word = ("全市", "city");
const REFUSED: Word = ("API 服务器拒绝了该操作", "The API server refused");

/// The whole page: header with navigation and the language switch, then `body`.
pub fn page(c: &Chrome, title: &str, body: Markup) -> String {
    let lang = c.lang;
    html! {
        (DOCTYPE)
        html lang=(if lang == Lang::Zh { "zh" } else { "en" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { (title) " · " (w(lang, TITLE)) }
                link rel="stylesheet" href="/style.css";
            }
            body {
                header {
                    strong { (w(lang, TITLE)) }
                    nav aria-label=(w(lang, TITLE)) {
                        a href="/" { (w(lang, HOME)) } " · "
                        a href="/requests" { (w(lang, REQUESTS)) } " · "
                        a href="/queue" { (w(lang, QUEUE)) } " · "
                        a href="/sharing" { (w(lang, SHARING)) } " · "
                        a href="/compliance" { (w(lang, COMPLIANCE)) } " · "
                        a href="/evaluation" { (w(lang, EVALUATION)) } " · "
                        a href="/city" { (w(lang, CITY)) }
                    }
                    span {
                        @if lang == Lang::Zh { a href="/lang/en" lang="en" { "English" } } @else { a href="/lang/zh" lang="zh" { "中文" } }
                    }
                    span.who { (c.user) }
                    @if c.login && !c.user.is_empty() {
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(c.csrf);
                            button type="submit" { (w(lang, LOGOUT)) }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
    .into_string()
}

/// The API server's refusal, as it gave it.
pub fn refusal(lang: Lang, r: &Refusal) -> Markup {
    html! {
        div.refusal role="alert" {
            strong { (w(lang, REFUSED)) " (" (r.code) " " (r.reason) ")" } br;
            (r.doing) ": " (r.message)
        }
    }
}

/// A page that is only a refusal.
pub fn refused_page(c: &Chrome, r: &Refusal) -> String {
    page(c, w(c.lang, REFUSED), refusal(c.lang, r))
}

const TOKEN: Word = ("令牌（Bearer token）", "token (bearer token)");
const LOGIN: Word = ("登录", "log in");
const LOGIN_HINT: Word = (
    "粘贴统一身份认证发放的令牌；控制台以你的身份访问 API 服务器，你看到的就是 kubectl 允许你看到的。",
    "Paste the token the city's identity provider gave you; the console acts as you, so you see what kubectl would let you see.",
);

/// The login form (token mode).
pub fn login(c: &Chrome, failed: Option<&str>) -> String {
    let lang = c.lang;
    let body = html! {
        p { (w(lang, LOGIN_HINT)) }
        @if let Some(f) = failed { div.refusal role="alert" { (f) } }
        form method="post" action="/login" {
            input type="hidden" name="csrf" value=(c.csrf);
            label for="token" { (w(lang, TOKEN)) }
            input id="token" name="token" type="password" autocomplete="off" required size="60";
            br;
            button type="submit" { (w(lang, LOGIN)) }
        }
    };
    page(c, w(lang, LOGIN), body)
}

const NO_TENANT: Word = (
    "没有可读的租户：请平台工程师确认你或你的组在某个 Tenant 的 spec.owners 中",
    "No tenant you may read: ask a platform engineer to check that you or your group is among a Tenant's spec.owners",
);
const TENANT: Word = ("租户", "Tenant");
const ROLES: Word = ("角色", "roles");
const ZONES: Word = ("网络区与命名空间", "zones and namespaces");
const QUOTA: Word = ("配额（已用/已分配）", "quota (used/granted)");
const APPS: Word = ("应用", "apps");
const READY: Word = ("就绪副本", "ready replicas");
const CALLS: Word = ("调用：已授权/待授权/已拒绝", "calls: granted/waiting/refused");
const ON_US: Word = ("等待本部门答复的数据请求", "requests for your data waiting on your answer");
const ON_OTHERS: Word = ("等待其他部门的调用", "your calls waiting on other departments");
const REFUSED_CALLS: Word = ("被拒绝的调用", "your calls refused");
const COMPLIANCE: Word = ("合规", "compliance");
const NOT_YET: Word = ("尚未评估", "not evaluated yet");
const UNREADABLE: Word = ("无权读取的命名空间", "namespaces you may not read");
const NONE: Word = ("无", "none");

/// A department's home: each tenant it may read (the view `govcloud mine`
/// prints), with the pods of its namespaces and where they run.
pub fn home(c: &Chrome, m: &Mine, pods: &[pods::PodsIn]) -> String {
    let lang = c.lang;
    let body = html! {
        @if m.tenants.is_empty() { p { (w(lang, NO_TENANT)) } }
        @for t in &m.tenants {
            @let mine: Vec<pods::PodsIn> = pods.iter().filter(|p| t.namespaces.contains(&p.namespace)).cloned().collect();
            (tenant(lang, t, &mine))
        }
    };
    page(c, w(lang, HOME), body)
}

fn tenant(lang: Lang, t: &TenantView, pods: &[pods::PodsIn]) -> Markup {
    let display = if lang == Lang::Zh { &t.name_zh } else { &t.name_en };
    html! {
        section id={ "tenant-" (t.name) } {
            h2 { (w(lang, TENANT)) " " (t.name) " · " (display) @if let Some(m) = &t.name_mn { " " (mongolian(m)) } }
            p { (w(lang, ROLES)) ": " @if t.roles.is_empty() { (w(lang, NONE)) } @else { (t.roles.join(", ")) } }
            h3 { (w(lang, ZONES)) }
            ul {
                @for (z, kind) in &t.zones {
                    li { (z) @if let Some(m) = t.zones_mn.get(z) { " " (mongolian(m)) } @if let Some(k) = kind { " (" (crate::audit::output::zone_kind_name(k, lang)) ")" }
                        ": " (t.namespaces.iter().filter(|n| n.ends_with(&format!("-{z}"))).cloned().collect::<Vec<_>>().join(", ")) }
                }
            }
            @if !t.quota.is_empty() {
                h3 { (w(lang, QUOTA)) }
                table {
                    @for q in &t.quota {
                        @for k in quota_keys(&q.granted) {
                            @let used = q.used.get(&k).map_or("0", String::as_str);
                            @let granted = q.granted.get(&k).map_or("0", String::as_str);
                            @let id = format!("q-{}-{}", q.namespace, k.replace('.', "-"));
                            tr {
                                th { (q.namespace) }
                                td { label for=(id) { (k) } }
                                td { meter id=(id) min="0" max=(num(granted)) value=(num(used)) { (used) "/" (granted) } }
                                td.quota { (used) " / " (granted) }
                            }
                        }
                    }
                }
            }
            h3 { (w(lang, APPS)) " (" (t.apps.len()) ")" }
            @if !t.apps.is_empty() {
                table {
                    tr { th { (w(lang, APPS)) } th { (w(lang, READY)) } th { (w(lang, CALLS)) } }
                    @for a in &t.apps {
                        tr {
                            td { a href={ "/app/" (a.app) } { (a.app) } @if let Some(m) = &a.name_mn { " " (mongolian(m)) } }
                            td { (a.replicas) }
                            td { (a.flows[0]) "/" (a.flows[1]) "/" (a.flows[2]) }
                        }
                    }
                }
            }
            (pods::table(lang, pods, &t.zones_mn))
            @for (word, flows) in [(ON_US, &t.waiting_on_us), (ON_OTHERS, &t.waiting_on_others), (REFUSED_CALLS, &t.refused)] {
                h3 { (w(lang, word)) " (" (flows.len()) ")" }
                @if !flows.is_empty() {
                    ul { @for f in flows { li { (f.from) " → " (f.to) ": " (f.why) @if f.overdue { " ⚠" } } } }
                }
            }
            h3 { (w(lang, REQUESTS)) " (" (t.requests.len()) ")" }
            @if !t.requests.is_empty() {
                ul { @for r in &t.requests { li { (r.request) " · " (r.kind) " · " (r.phase) } } }
            }
            h3 { (w(lang, COMPLIANCE)) }
            p {
                @match &t.compliance {
                    Some(s) => {
                        span.ok { (crate::audit::output::outcome_name(crate::audit::Outcome::Pass, lang)) " " (s.pass) } ", "
                        span.warn { (crate::audit::output::outcome_name(crate::audit::Outcome::Fail, lang)) " " (s.fail) } ", "
                        (crate::audit::output::outcome_name(crate::audit::Outcome::Warn, lang)) " " (s.warn) ", "
                        (crate::audit::output::outcome_name(crate::audit::Outcome::Skip, lang)) " " (s.skip)
                    }
                    None => { (w(lang, NOT_YET)) }
                }
            }
            @if !t.unreadable.is_empty() { p { (w(lang, UNREADABLE)) ": " (t.unreadable.join(", ")) } }
        }
    }
}

/// The quota resources shown, main ones first (all, when none of those is granted).
fn quota_keys(granted: &std::collections::BTreeMap<String, String>) -> Vec<String> {
    const FIRST: &[&str] =
        &["requests.cpu", "limits.cpu", "requests.memory", "limits.memory", "pods", "services", "requests.storage"];
    let keys: Vec<String> = FIRST.iter().map(|k| k.to_string()).filter(|k| granted.contains_key(k)).collect();
    if keys.is_empty() { granted.keys().cloned().collect() } else { keys }
}

/// A quantity as a plain number for a `<meter>` (0 when it does not parse).
pub fn num(q: &str) -> String {
    Quantity::parse(q).map(|q| format!("{:.3}", q.to_f64())).unwrap_or_else(|_| "0".into())
}

/// The contrast ratio of two `#rrggbb` colours (WCAG 2 relative luminance).
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let lum = |c: &str| -> Option<f64> {
        let c = c.strip_prefix('#')?;
        let ch = |i: usize| -> Option<f64> {
            let v = f64::from(u8::from_str_radix(c.get(i..i + 2)?, 16).ok()?) / 255.0;
            Some(if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) })
        };
        Some(0.2126 * ch(0)? + 0.7152 * ch(2)? + 0.0722 * ch(4)?)
    };
    let (x, y) = (lum(a)?, lum(b)?);
    Some((x.max(y) + 0.05) / (x.min(y) + 0.05))
}

#[cfg(test)]
mod tests;
