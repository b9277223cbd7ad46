//! Sharing (政务信息资源共享): the catalogue the user may read, the
//! conditional requests its department is asked to answer (as provider) and
//! those its apps made (as consumer), with their state and deadline; an
//! answer is written as the user on the provider's app, where
//! `kubectl`/GitOps write it (`spec.sharing.answers`, the object
//! [`crate::api::with_answer`] makes): who may answer is the API server's
//! decision, never the console's.

use kube::ResourceExt;
use maud::html;

use super::{Chrome, Refusal, Word, mongolian, page, refusal, w};
use crate::api::{AnswerDecision, CatalogueEntry, FlowState, SharingAnswer};
use crate::audit::output::Lang;
use crate::cli::mine::view::Read;

/// A request for an app's data, as its provider sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asked {
    /// The provider app, `namespace/name`.
    pub app: String,
    /// The consumer app, `tenant/zone/app`.
    pub consumer: String,
    /// The purpose the consumer states.
    pub purpose: String,
    /// Pending, Granted or Refused (as the operator last saw it).
    pub state: FlowState,
    /// When the answer is due.
    pub due: Option<String>,
    /// Whether it is overdue.
    pub overdue: bool,
    /// The answer written on the app, if any.
    pub answer: Option<SharingAnswer>,
}

/// A call of one of the user's apps to another department's app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filed {
    /// The consumer app, `namespace/name`.
    pub app: String,
    /// The provider, as the status names it.
    pub target: String,
    /// Its state.
    pub state: FlowState,
    /// Why (the provider's answer and who gave it, when answered).
    pub reason: String,
    /// When the answer is due.
    pub due: Option<String>,
    /// Whether it is overdue.
    pub overdue: bool,
}

/// What the sharing page shows.
#[derive(Clone, Debug)]
pub struct SharingPage {
    /// The catalogue (every department may read it), or the refusal.
    pub catalogue: Result<Vec<CatalogueEntry>, Refusal>,
    /// Requests for the user's apps' data, pending first.
    pub asked: Vec<Asked>,
    /// The user's apps' calls to other departments.
    pub filed: Vec<Filed>,
}

/// The requests asked of, and made by, the apps of the tenants read.
pub fn model(reads: &[Read]) -> (Vec<Asked>, Vec<Filed>) {
    let (mut asked, mut filed) = (Vec::new(), Vec::new());
    for r in reads {
        let tenant = r.tenant.name_any();
        for a in &r.apps {
            let id = format!("{}/{}", a.namespace().unwrap_or_default(), a.name_any());
            let st = a.status.clone().unwrap_or_default();
            let answers = a.spec.sharing.as_ref().map(|s| s.answers.clone()).unwrap_or_default();
            for q in st.sharing.iter().flat_map(|s| &s.requests) {
                asked.push(Asked {
                    app: id.clone(),
                    consumer: q.consumer.clone(),
                    purpose: q.purpose.clone().unwrap_or_default(),
                    state: q.state,
                    due: q.due.as_ref().map(|d| d.0.to_string()),
                    overdue: q.overdue,
                    answer: answers.iter().find(|x| x.consumer == q.consumer).cloned(),
                });
            }
            // Calls within the tenant need no one's consent: not sharing.
            for f in st.flows.iter().filter(|f| f.target.split('/').next() != Some(tenant.as_str())) {
                filed.push(Filed {
                    app: id.clone(),
                    target: f.target.clone(),
                    state: f.state,
                    reason: f.reason.clone(),
                    due: f.due.as_ref().map(|d| d.0.to_string()),
                    overdue: f.overdue,
                });
            }
        }
    }
    let pending_first = |s: FlowState| s != FlowState::Pending;
    asked.sort_by(|a, b| {
        (pending_first(a.state), &a.app, &a.consumer).cmp(&(pending_first(b.state), &b.app, &b.consumer))
    });
    filed.sort_by(|a, b| (pending_first(a.state), &a.app, &a.target).cmp(&(pending_first(b.state), &b.app, &b.target)));
    (asked, filed)
}

/// The answer a form asks for: (provider app `namespace/name`, the answer),
/// or what is missing (the console's `Refusal` 400, nothing sent).
pub fn answer_of(form: &std::collections::HashMap<String, String>) -> Result<(String, String, SharingAnswer), Refusal> {
    let get = |k: &str| form.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let bad = |m: String| Refusal { doing: "answer".into(), code: 400, reason: "BadRequest".into(), message: m };
    let app = get("app");
    let Some((ns, name)) = app.split_once('/').filter(|(n, a)| !n.is_empty() && !a.is_empty()) else {
        return Err(bad(format!("app {app:?}: namespace/name of the provider app")));
    };
    let decision = match get("decision").as_str() {
        "Granted" => AnswerDecision::Granted,
        "Refused" => AnswerDecision::Refused,
        other => return Err(bad(format!("decision {other:?}: grant or refuse"))),
    };
    let reason = Some(get("reason")).filter(|r| !r.is_empty());
    Ok((ns.to_string(), name.to_string(), SharingAnswer { consumer: get("consumer"), decision, reason, by: None }))
}

const CATALOGUE: Word = ("政务信息资源共享目录", "catalogue of shared information resources");
const ASKED: Word = ("向本部门提出的共享申请（本部门为提供方）", "requests for your data (you provide)");
const FILED: Word =
    ("本部门应用对其他部门的调用（本部门为使用方）", "your apps' calls to other departments (you consume)");
const RESOURCE: Word = ("资源", "resource");
const PROVIDER: Word = ("提供部门", "provider");
const CLASS: Word = ("共享类型", "class");
const DATA: Word = ("数据密级", "data");
const TERMS: Word = ("共享条件", "terms");
const CONSUMER: Word = ("使用方", "consumer");
const PURPOSE: Word = ("用途", "purpose");
const STATE: Word = ("状态", "state");
const DUE: Word = ("答复期限", "answer due");
const OVERDUE: Word = ("已逾期", "overdue");
const ANSWER: Word = ("答复", "answer");
const REASON: Word = ("理由（必填）", "reason (required)");
const GRANT: Word = ("同意共享", "grant");
const REFUSE: Word = ("不予共享", "refuse");
const NONE: Word = ("无", "none");
const WHY: Word = ("原因与答复", "why (the answer)");
const ANSWERED: Word = ("已答复", "answered");

fn state(lang: Lang, s: FlowState) -> &'static str {
    match s {
        FlowState::Granted => w(lang, ("已同意", "granted")),
        FlowState::Pending => w(lang, ("待答复", "pending")),
        FlowState::Refused => w(lang, ("已拒绝", "refused")),
    }
}

/// The id of an answer form's reason field.
pub fn field_id(app: &str, consumer: &str) -> String {
    format!("reason-{}-{}", app.replace('/', "-"), consumer.replace('/', "-"))
}

/// The sharing page.
pub fn sharing(c: &Chrome, p: &SharingPage, outcome: Option<Result<String, Refusal>>) -> String {
    let lang = c.lang;
    let body = html! {
        @match &outcome {
            Some(Ok(done)) => p.ok role="status" { (w(lang, ANSWERED)) ": " (done) },
            Some(Err(r)) => (refusal(lang, r)),
            None => {},
        }
        h2 { (w(lang, ASKED)) " (" (p.asked.len()) ")" }
        @if p.asked.is_empty() { p { (w(lang, NONE)) } } @else {
            table.asked {
                tr { th { (w(lang, RESOURCE)) } th { (w(lang, CONSUMER)) } th { (w(lang, PURPOSE)) } th { (w(lang, STATE)) } th { (w(lang, DUE)) } th { (w(lang, ANSWER)) } }
                @for q in &p.asked {
                    @let id = field_id(&q.app, &q.consumer);
                    tr id={ "asked-" (id) } {
                        td { (q.app) }
                        td { (q.consumer) }
                        td { (q.purpose) }
                        td { (state(lang, q.state)) }
                        td { (q.due.clone().unwrap_or_default()) @if q.overdue { " " span.warn { "⚠ " (w(lang, OVERDUE)) } } }
                        td {
                            @if let Some(a) = &q.answer {
                                p { (format!("{:?}", a.decision)) " · " (a.reason.clone().unwrap_or_default()) " · " (a.by.clone().unwrap_or_default()) }
                            }
                            form method="post" action="/sharing" {
                                input type="hidden" name="csrf" value=(c.csrf);
                                input type="hidden" name="app" value=(q.app);
                                input type="hidden" name="consumer" value=(q.consumer);
                                label for=(id) { (w(lang, REASON)) }
                                input id=(id) name="reason" type="text" required size="40";
                                button type="submit" name="decision" value="Granted" { (w(lang, GRANT)) }
                                button type="submit" name="decision" value="Refused" { (w(lang, REFUSE)) }
                            }
                        }
                    }
                }
            }
        }
        h2 { (w(lang, FILED)) " (" (p.filed.len()) ")" }
        @if p.filed.is_empty() { p { (w(lang, NONE)) } } @else {
            table.filed {
                tr { th { (w(lang, CONSUMER)) } th { (w(lang, PROVIDER)) } th { (w(lang, STATE)) } th { (w(lang, WHY)) } th { (w(lang, DUE)) } }
                @for f in &p.filed {
                    tr {
                        td { (f.app) } td { (f.target) } td { (state(lang, f.state)) } td { (f.reason) }
                        td { (f.due.clone().unwrap_or_default()) @if f.overdue { " " span.warn { "⚠ " (w(lang, OVERDUE)) } } }
                    }
                }
            }
        }
        h2 { (w(lang, CATALOGUE)) }
        @match &p.catalogue {
            Err(r) => (refusal(lang, r)),
            Ok(entries) if entries.is_empty() => p { (w(lang, NONE)) },
            Ok(entries) => table.catalogue {
                tr { th { (w(lang, RESOURCE)) } th { (w(lang, PROVIDER)) } th { (w(lang, CLASS)) } th { (w(lang, DATA)) } th { (w(lang, TERMS)) } }
                @for e in entries {
                    tr {
                        td {
                            (e.tenant) "/" (e.zone) "/" (e.app) br;
                            (if lang == Lang::Zh { &e.names.zh } else { &e.names.en })
                            @if let Some(m) = &e.names.mn { " " (mongolian(m)) }
                        }
                        td {
                            (if lang == Lang::Zh { &e.tenant_names.zh } else { &e.tenant_names.en })
                            @if let Some(m) = &e.tenant_names.mn { " " (mongolian(m)) }
                        }
                        td { (crate::cli::catalogue::output::class_name(e.class, lang)) }
                        td { (crate::cli::catalogue::output::data_name(e.data_classification, lang)) }
                        td {
                            (e.description) br;
                            @let f = e.update_frequency.names();
                            (if lang == Lang::Zh { f.0 } else { f.1 }) " · " (e.contact)
                            @if let Some(b) = &e.basis { br; (b) }
                        }
                    }
                }
            },
        }
    };
    page(c, w(lang, super::SHARING), body)
}
