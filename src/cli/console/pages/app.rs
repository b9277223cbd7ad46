//! The page of one app: its status, conditions, recent Events, the objects
//! govcloud made for it and its flows in and out with their reasons.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Event;
use kube::ResourceExt;
use maud::html;

use super::{Chrome, Refusal, Word, page, refusal, w};
use crate::api::{DepartmentApp, FlowState};

/// What the user could read of an app.
#[derive(Clone, Debug)]
pub struct AppPage {
    /// The app.
    pub app: DepartmentApp,
    /// Its recent Events, newest first (or why they could not be read).
    pub events: Result<Vec<Event>, Refusal>,
    /// The objects govcloud made for it: (kind, name), or why a kind could not be read.
    pub objects: Vec<Result<(String, String), Refusal>>,
    /// Its pods and where they run.
    pub pods: Vec<super::pods::PodsIn>,
    /// The Mongolian name of its zone, where the zone has one.
    pub zone_mn: BTreeMap<String, String>,
}

const STATUS: Word = ("状态", "status");
const REPLICAS: Word = ("就绪/期望副本", "ready/desired replicas");
const ENDPOINTS: Word = ("访问地址", "endpoints");
const CONDITIONS: Word = ("状况", "conditions");
const EVENTS: Word = ("最近事件", "recent events");
const OBJECTS: Word = ("govcloud 为其创建的对象", "objects govcloud made for it");
const FLOWS_OUT: Word = ("本应用的调用", "its calls (out)");
const FLOWS_IN: Word = ("对本应用的数据请求", "requests for its data (in)");
const VIOLATIONS: Word = ("违规", "violations");
const NONE: Word = ("无", "none");
const ZONE: Word = ("网络区", "zone");

fn state(lang: crate::audit::output::Lang, s: FlowState) -> &'static str {
    match s {
        FlowState::Granted => w(lang, ("已授权", "granted")),
        FlowState::Pending => w(lang, ("待授权", "waiting")),
        FlowState::Refused => w(lang, ("已拒绝", "refused")),
    }
}

/// The app's page.
pub fn app(c: &Chrome, p: &AppPage) -> String {
    let lang = c.lang;
    let a = &p.app;
    let st = a.status.clone().unwrap_or_default();
    let id = format!("{}/{}", a.namespace().unwrap_or_default(), a.name_any());
    let body = html! {
        @if let Some(d) = &a.spec.display_name {
            p.names { (d.zh) " · " (d.en) @if let Some(m) = &d.mn { " " (super::mongolian(m)) } }
        }
        p { (w(lang, ZONE)) ": " (a.spec.zone) @if let Some(m) = p.zone_mn.get(&a.spec.zone) { " " (super::mongolian(m)) } }
        h2 { (w(lang, STATUS)) }
        table {
            tr { th { (w(lang, REPLICAS)) } td { (st.ready_replicas) "/" (st.replicas) } }
            tr { th { (w(lang, ENDPOINTS)) } td { (st.endpoints.join(", ")) } }
            @if !st.violations.is_empty() { tr { th { (w(lang, VIOLATIONS)) } td { (st.violations.join("; ")) } } }
        }
        h2 { (w(lang, CONDITIONS)) }
        @if st.conditions.is_empty() { p { (w(lang, NONE)) } } @else {
            table {
                tr { th { "type" } th { "status" } th { "reason" } th { "message" } }
                @for k in &st.conditions { tr { td { (k.type_) } td { (k.status) } td { (k.reason) } td { (k.message) } } }
            }
        }
        h2 { (w(lang, FLOWS_OUT)) }
        @if st.flows.is_empty() { p { (w(lang, NONE)) } } @else {
            table {
                @for f in &st.flows { tr { td { (f.target) } td { (state(lang, f.state)) } td { (f.reason) } } }
            }
        }
        h2 { (w(lang, FLOWS_IN)) }
        @let requests = st.sharing.as_ref().map(|s| s.requests.clone()).unwrap_or_default();
        @if requests.is_empty() { p { (w(lang, NONE)) } } @else {
            table {
                @for q in &requests { tr { td { (q.consumer) } td { (state(lang, q.state)) } td { (q.purpose.clone().unwrap_or_default()) } } }
            }
        }
        (super::pods::table(lang, &p.pods, &p.zone_mn))
        h2 { (w(lang, OBJECTS)) }
        ul {
            @for o in &p.objects {
                @match o {
                    Ok((kind, name)) => li { (kind) " " (name) },
                    Err(r) => li { (refusal(lang, r)) },
                }
            }
        }
        h2 { (w(lang, EVENTS)) }
        @match &p.events {
            Err(r) => (refusal(lang, r)),
            Ok(events) if events.is_empty() => p { (w(lang, NONE)) },
            Ok(events) => table {
                tr { th { "type" } th { "reason" } th { "object" } th { "message" } }
                @for e in events {
                    tr {
                        td { (e.type_.clone().unwrap_or_default()) }
                        td { (e.reason.clone().unwrap_or_default()) }
                        td { (e.involved_object.kind.clone().unwrap_or_default()) "/" (e.involved_object.name.clone().unwrap_or_default()) }
                        td { (e.message.clone().unwrap_or_default()) }
                    }
                }
            },
        }
    };
    page(c, &id, body)
}
