//! Requests: a department files a ResourceRequest and follows its history;
//! an approver decides the queue, with a required reason, seeing each
//! zone's capacity against the quota granted. The form's values go to the
//! API server as typed: what is wrong is what it says is wrong.

use std::collections::HashMap;

use kube::ResourceExt;
use maud::{Markup, html};

use super::{Chrome, Refusal, Word, num, page, refusal, w};
use crate::api::{NetworkZone, ResourceRequest};
use crate::audit::output::Lang;

const FILE: Word = ("提交资源申请", "file a resource request");
const MINE: Word = ("本部门的资源申请", "your resource requests");
const NAMESPACE: Word = ("命名空间", "namespace");
const KIND: Word = ("类型", "kind");
const ZONE: Word = ("网络区（Quota、Surge、ZoneAccess）", "zone (Quota, Surge, ZoneAccess)");
const CPU: Word = ("CPU（如 2）", "CPU (such as 2)");
const MEMORY: Word = ("内存（如 4Gi）", "memory (such as 4Gi)");
const PODS: Word = ("Pod 数", "pods");
const MINUTES: Word = ("应急时长（分钟，Surge）", "minutes (Surge)");
const HOSTNAME: Word = ("域名（Hostname）", "host name (Hostname)");
const JUSTIFICATION: Word = ("申请理由", "justification");
const PROJECT: Word = ("电子政务项目", "e-government project");
const SUBMIT: Word = ("提交", "submit");
const FILED: Word = ("已提交", "filed");
const NONE: Word = ("无", "none");
const HISTORY: Word = ("历史", "history");
const QUEUE: Word = ("待审批的资源申请", "requests waiting for a decision");
const CAPACITY: Word = ("网络区容量与已分配配额", "zone capacity against quota granted");
const REASON: Word = ("理由（必填）", "reason (required)");
const APPROVE: Word = ("批准", "approve");
const REJECT: Word = ("驳回", "reject");
const DECIDED: Word = ("已决定", "decided");
const REQUESTER: Word = ("申请人", "requester");

/// The fields of the filing form, in order: (field, label, kind of input).
const FIELDS: &[(&str, Word)] = &[
    ("zone", ZONE),
    ("cpu", CPU),
    ("memory", MEMORY),
    ("pods", PODS),
    ("minutes", MINUTES),
    ("hostname", HOSTNAME),
    ("project", PROJECT),
];

/// The requests page: the form (with what the API server refused, and what
/// was typed), then the user's requests with their history.
pub fn requests(
    c: &Chrome,
    namespaces: &[String],
    mine: &[ResourceRequest],
    outcome: Option<Result<String, Refusal>>,
    typed: &HashMap<String, String>,
) -> String {
    let lang = c.lang;
    let v = |k: &str| typed.get(k).cloned().unwrap_or_default();
    let body = html! {
        @match &outcome {
            Some(Ok(name)) => p.ok role="status" { (w(lang, FILED)) ": " (name) },
            Some(Err(r)) => (refusal(lang, r)),
            None => {},
        }
        h2 { (w(lang, FILE)) }
        form method="post" action="/requests" {
            input type="hidden" name="csrf" value=(c.csrf);
            label for="namespace" { (w(lang, NAMESPACE)) }
            select id="namespace" name="namespace" {
                @for ns in namespaces { option value=(ns) selected[v("namespace") == *ns] { (ns) } }
            }
            label for="kind" { (w(lang, KIND)) }
            select id="kind" name="kind" {
                @for k in ["Quota", "Surge", "ZoneAccess", "Hostname"] { option value=(k) selected[v("kind") == k] { (k) } }
            }
            @for (f, word) in FIELDS {
                label for=(f) { (w(lang, *word)) }
                input id=(f) name=(f) type="text" value=(v(f));
            }
            label for="justification" { (w(lang, JUSTIFICATION)) }
            textarea id="justification" name="justification" rows="3" cols="60" { (v("justification")) }
            br;
            button type="submit" { (w(lang, SUBMIT)) }
        }
        h2 { (w(lang, MINE)) " (" (mine.len()) ")" }
        @if mine.is_empty() { p { (w(lang, NONE)) } }
        @for r in mine { (request(lang, r, None)) }
    };
    page(c, w(lang, super::REQUESTS), body)
}

/// One request: what it asks, where it stands, its history; for an
/// approver with it still undecided, the decision form.
fn request(lang: Lang, r: &ResourceRequest, decide: Option<&str>) -> Markup {
    let id = format!("{}/{}", r.namespace().unwrap_or_default(), r.name_any());
    let st = r.status.clone().unwrap_or_default();
    let res = r.spec.resources.clone().unwrap_or_default();
    let asks: Vec<String> = [
        r.spec.zone.clone().map(|z| format!("zone {z}")),
        res.cpu.map(|x| format!("cpu {x}")),
        res.memory.map(|x| format!("memory {x}")),
        res.pods.map(|x| format!("pods {x}")),
        r.spec.minutes.map(|x| format!("{x} min")),
        r.spec.hostname.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let field = format!("reason-{}", id.replace('/', "-"));
    html! {
        section.request id={ "request-" (id.replace('/', "-")) } {
            h3 { (id) " · " (r.spec.kind.as_str()) " · " span.phase { (st.phase.map_or("Pending", |p| p.as_str())) } }
            p { (asks.join(", ")) " · " (r.spec.project) " · " (r.spec.justification) }
            p { (w(lang, REQUESTER)) ": " (r.spec.requester.as_ref().map(|q| q.username.clone()).unwrap_or_default()) }
            @if let Some(d) = &st.decision { p { (w(lang, DECIDED)) ": " (format!("{:?}", d.state)) " · " (d.reason) " · " (d.by.clone().unwrap_or_default()) } }
            @if let Some(m) = &st.message { p { (m) } }
            @if !st.history.is_empty() {
                details {
                    summary { (w(lang, HISTORY)) }
                    ul { @for t in &st.history { li { (t.at.0.to_string()) " " (t.phase.as_str()) " " (t.by.clone().unwrap_or_default()) " " (t.reason.clone().unwrap_or_default()) } } }
                }
            }
            @if let Some(csrf) = decide {
                form method="post" action="/queue" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="request" value=(id);
                    label for=(field) { (w(lang, REASON)) }
                    input id=(field) name="reason" type="text" required size="50";
                    button type="submit" name="state" value="Approved" { (w(lang, APPROVE)) }
                    button type="submit" name="state" value="Rejected" { (w(lang, REJECT)) }
                }
            }
        }
    }
}

/// The approver's queue: the zones' capacity, then every undecided request
/// the user may list, each with the decision form.
pub fn queue(
    c: &Chrome,
    zones: Result<&[NetworkZone], &Refusal>,
    pending: Result<&[ResourceRequest], &Refusal>,
    outcome: Option<Result<String, Refusal>>,
) -> String {
    let lang = c.lang;
    let body = html! {
        @match &outcome {
            Some(Ok(done)) => p.ok role="status" { (done) },
            Some(Err(r)) => (refusal(lang, r)),
            None => {},
        }
        h2 { (w(lang, CAPACITY)) }
        @match zones {
            Err(r) => (refusal(lang, r)),
            Ok(zones) => table {
                tr { th { "zone" } th { "CPU" } th { "memory" } }
                @for z in zones {
                    @let cap = z.status.as_ref().and_then(|s| s.capacity.clone());
                    tr {
                        th { (z.name_any()) }
                        @match cap {
                            None => { td { "-" } td { "-" } }
                            Some(k) => {
                                td { label for={ "cpu-" (z.name_any()) } { (k.granted_cpu) " / " (k.cpu) } " "
                                    meter id={ "cpu-" (z.name_any()) } min="0" max=(num(&k.cpu)) value=(num(&k.granted_cpu)) {} }
                                td { label for={ "mem-" (z.name_any()) } { (k.granted_memory) " / " (k.memory) } " "
                                    meter id={ "mem-" (z.name_any()) } min="0" max=(num(&k.memory)) value=(num(&k.granted_memory)) {} }
                            }
                        }
                    }
                }
            },
        }
        h2 { (w(lang, QUEUE)) }
        @match pending {
            Err(r) => (refusal(lang, r)),
            Ok(p) if p.is_empty() => p { (w(lang, NONE)) },
            Ok(p) => { @for r in p { (request(lang, r, Some(&c.csrf))) } },
        }
    };
    page(c, w(lang, super::QUEUE), body)
}

/// Whether a request still waits for a decision.
pub fn undecided(r: &ResourceRequest) -> bool {
    r.status.as_ref().is_none_or(|s| s.decision.is_none())
}

/// The ResourceRequest a filled form asks for, as JSON (numbers where the
/// field is a number, else the text as typed: the API server says what is
/// wrong), and its namespace.
pub fn from_form(f: &HashMap<String, String>) -> (String, serde_json::Value) {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let number = |v: String| v.parse::<i64>().map_or(serde_json::Value::String(v.clone()), serde_json::Value::from);
    let mut spec = serde_json::Map::new();
    spec.insert("kind".into(), get("kind").unwrap_or_default().into());
    for k in ["zone", "hostname"] {
        if let Some(v) = get(k) {
            spec.insert(k.into(), v.into());
        }
    }
    // Always sent, blank or not: the API server's rule says what they must say.
    for k in ["justification", "project"] {
        spec.insert(k.into(), get(k).unwrap_or_default().into());
    }
    if let Some(m) = get("minutes") {
        spec.insert("minutes".into(), number(m));
    }
    let mut res = serde_json::Map::new();
    for k in ["cpu", "memory"] {
        if let Some(v) = get(k) {
            res.insert(k.into(), v.into());
        }
    }
    if let Some(p) = get("pods") {
        res.insert("pods".into(), number(p));
    }
    if !res.is_empty() {
        spec.insert("resources".into(), res.into());
    }
    let ns = get("namespace").unwrap_or_default();
    let obj = serde_json::json!({
        "apiVersion": crate::meta::API_VERSION,
        "kind": "ResourceRequest",
        "metadata": {"generateName": "request-", "namespace": ns},
        "spec": spec,
    });
    (ns, obj)
}
