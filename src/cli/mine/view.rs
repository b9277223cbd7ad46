//! What `govcloud mine` shows a department, made from what the API server
//! let it read (pure: the command reads, this arranges and prints): per
//! tenant its zones, namespaces, quota used and granted, apps, the requests
//! for its data waiting on its answer, its own calls waiting on (or refused
//! by) others, its ResourceRequests and its compliance.

use serde::Serialize;

use crate::api::{ComplianceSummary, DepartmentApp, FlowState, NetworkZone, ResourceRequest, Tenant, ZoneUsage};
use crate::audit::output::{Lang, zone_kind_name};
use govcloud_core::messages::Message;
use kube::ResourceExt;

/// Who the API server says the user is (SelfSubjectReview).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The user name.
    pub username: String,
    /// Its groups.
    pub groups: Vec<String>,
}

/// What the user could read of one tenant.
#[derive(Clone, Debug)]
pub struct Read {
    /// The Tenant.
    pub tenant: Tenant,
    /// Its zones the user could read.
    pub zones: Vec<NetworkZone>,
    /// The apps of its namespaces.
    pub apps: Vec<DepartmentApp>,
    /// The ResourceRequests of its namespaces.
    pub requests: Vec<ResourceRequest>,
    /// Its namespaces the user may not list in (zones another cluster hosts).
    pub unreadable: Vec<String>,
}

/// The department's view.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mine {
    /// Who is asking.
    pub identity: Identity,
    /// The tenants it may read, by name.
    pub tenants: Vec<TenantView>,
}

/// One tenant, as its user sees it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    /// Name.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Mongolian name (traditional script), where the Tenant has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_mn: Option<String>,
    /// The user's roles here (owners naming the user or one of its groups).
    pub roles: Vec<String>,
    /// The zones it works in: (name, kind; none when not readable).
    pub zones: Vec<(String, Option<String>)>,
    /// The Mongolian names of its zones that have one (of those the user could read).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub zones_mn: std::collections::BTreeMap<String, String>,
    /// Its namespaces.
    pub namespaces: Vec<String>,
    /// Quota per zone namespace, granted and used.
    pub quota: Vec<ZoneUsage>,
    /// Its apps.
    pub apps: Vec<AppView>,
    /// Requests for its data waiting on its answer.
    pub waiting_on_us: Vec<Waiting>,
    /// Its calls waiting on another department.
    pub waiting_on_others: Vec<Waiting>,
    /// Its calls refused.
    pub refused: Vec<Waiting>,
    /// Its ResourceRequests.
    pub requests: Vec<RequestView>,
    /// Its compliance, as the operator last counted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance: Option<ComplianceSummary>,
    /// Namespaces it may not list in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    /// `kubectl get` commands that show the same (each one RBAC allows a
    /// tenant's owner: its tenant and zones by name, the catalogue, its
    /// namespaces' apps and requests).
    pub kubectl: Vec<String>,
}

/// One app.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppView {
    /// `namespace/name`.
    pub app: String,
    /// Its Mongolian name (traditional script), where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_mn: Option<String>,
    /// Ready/desired replicas.
    pub replicas: String,
    /// Its calls: granted, waiting, refused.
    pub flows: [usize; 3],
}

/// One flow waiting (or refused): from whom to whom, and why or what for.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiting {
    /// The consumer.
    pub from: String,
    /// The provider.
    pub to: String,
    /// The reason (English, as the status keeps it), or the consumer's purpose.
    pub why: String,
    /// The reason as the catalogue of messages has it (`{"code", "args"}`),
    /// read back from the status's English ([`Message::from_english`]); none
    /// for a purpose (the consumer's own words) or words govcloud did not write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_message: Option<Message>,
    /// When the answer is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// Whether the answer is overdue.
    pub overdue: bool,
}

/// One ResourceRequest.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    /// `namespace/name`.
    pub request: String,
    /// What it asks for.
    pub kind: String,
    /// Its phase (`Pending` until a platform engineer decides).
    pub phase: String,
}

/// The view of what was read.
pub fn view(identity: Identity, read: Vec<Read>) -> Mine {
    let tenants = read.into_iter().map(|r| tenant_view(&identity, r)).collect();
    Mine { identity, tenants }
}

fn tenant_view(who: &Identity, r: Read) -> TenantView {
    let t = &r.tenant;
    let name = t.name_any();
    let roles = {
        let mut roles: Vec<String> = t
            .spec
            .owners
            .iter()
            .filter(|o| match o.kind {
                crate::api::OwnerKind::User => o.name == who.username,
                crate::api::OwnerKind::Group => who.groups.contains(&o.name),
            })
            .map(|o| o.role.as_str().to_string())
            .collect();
        roles.sort();
        roles.dedup();
        roles
    };
    let zones = t
        .spec
        .zones
        .iter()
        .map(|z| {
            let kind = r.zones.iter().find(|n| n.name_any() == z.name).map(|n| n.spec.kind.as_str().to_string());
            (z.name.clone(), kind)
        })
        .collect();
    let status = t.status.clone().unwrap_or_default();
    let namespaces = if status.namespaces.is_empty() {
        t.spec.zones.iter().map(|z| crate::meta::names::namespace_name(&name, &z.name)).collect()
    } else {
        status.namespaces.clone()
    };
    let (mut apps, mut waiting_on_us, mut waiting_on_others, mut refused) = (vec![], vec![], vec![], vec![]);
    for a in &r.apps {
        let id = format!("{}/{}", a.namespace().unwrap_or_default(), a.name_any());
        let st = a.status.clone().unwrap_or_default();
        let n = |s: FlowState| st.flows.iter().filter(|f| f.state == s).count();
        apps.push(AppView {
            app: id.clone(),
            name_mn: a.spec.display_name.as_ref().and_then(|d| d.mn.clone()),
            replicas: format!("{}/{}", st.ready_replicas, st.replicas),
            flows: [n(FlowState::Granted), n(FlowState::Pending), n(FlowState::Refused)],
        });
        for f in &st.flows {
            let w = Waiting {
                from: id.clone(),
                to: f.target.clone(),
                why: f.reason.clone(),
                why_message: Message::from_english(&f.reason),
                due: f.due.as_ref().map(|d| d.0.to_string()),
                overdue: f.overdue,
            };
            match f.state {
                FlowState::Pending => waiting_on_others.push(w),
                FlowState::Refused => refused.push(w),
                FlowState::Granted => {}
            }
        }
        for q in st.sharing.iter().flat_map(|s| &s.requests).filter(|q| q.state == FlowState::Pending) {
            waiting_on_us.push(Waiting {
                from: q.consumer.clone(),
                to: id.clone(),
                why: q.purpose.clone().unwrap_or_default(),
                why_message: None,
                due: q.due.as_ref().map(|d| d.0.to_string()),
                overdue: q.overdue,
            });
        }
    }
    apps.sort_by(|a, b| a.app.cmp(&b.app));
    let mut requests: Vec<RequestView> = r
        .requests
        .iter()
        .map(|q| RequestView {
            request: format!("{}/{}", q.namespace().unwrap_or_default(), q.name_any()),
            kind: q.spec.kind.as_str().to_string(),
            phase: q.status.as_ref().and_then(|s| s.phase).map_or("Pending", |p| p.as_str()).to_string(),
        })
        .collect();
    requests.sort_by(|a, b| a.request.cmp(&b.request));
    let zone_names: Vec<&str> = t.spec.zones.iter().map(|z| z.name.as_str()).collect();
    let mut kubectl = vec![format!("kubectl get tenant {name}")];
    if !zone_names.is_empty() {
        kubectl.push(format!("kubectl get networkzones {}", zone_names.join(" ")));
    }
    kubectl.push("kubectl get sharedresources".to_string());
    for ns in namespaces.iter().filter(|ns| !r.unreadable.contains(ns)) {
        kubectl.push(format!("kubectl get departmentapps,resourcerequests -n {ns}"));
    }
    TenantView {
        name,
        name_zh: t.spec.display_name.zh.clone(),
        name_en: t.spec.display_name.en.clone(),
        name_mn: t.spec.display_name.mn.clone(),
        roles,
        zones,
        zones_mn: r.zones.iter().filter_map(|z| Some((z.name_any(), z.spec.display_name.mn.clone()?))).collect(),
        namespaces,
        quota: status.quota.clone(),
        apps,
        waiting_on_us,
        waiting_on_others,
        refused,
        requests,
        compliance: status.compliance.clone(),
        unreadable: r.unreadable,
        kubectl,
    }
}

/// The words of the view: (zh, en).
type Word = (&'static str, &'static str);
const USER: Word = ("用户", "user");
const GROUPS: Word = ("组", "groups");
const NO_TENANT: Word = (
    "没有可读的租户：请平台工程师确认你或你的组在某个 Tenant 的 spec.owners 中",
    "no tenant you may read: ask a platform engineer to check that you or your group is among a Tenant's spec.owners",
);
const TENANT: Word = ("租户", "tenant");
const ROLES: Word = ("角色", "roles");
const NONE: Word = ("无", "none");
const ZONES: Word = ("网络区", "zones");
const NAMESPACES: Word = ("命名空间", "namespaces");
const QUOTA: Word = ("配额（已用/已分配）", "quota (used/granted)");
const APPS: Word =
    ("应用（就绪副本，调用：已授权/待授权/已拒绝）", "apps (ready replicas, calls: granted/waiting/refused)");
const ON_US: Word = ("等待本部门答复的数据请求", "requests for your data waiting on your answer");
const ON_OTHERS: Word = ("等待其他部门的调用", "your calls waiting on other departments");
const REFUSED: Word = ("被拒绝的调用", "your calls refused");
const REQUESTS: Word = ("资源申请", "resource requests");
const COMPLIANCE: Word = ("合规", "compliance");
const NOT_YET: Word = ("尚未评估", "not evaluated yet");
const DUE: Word = ("截止", "due");
const OVERDUE: Word = ("已逾期", "overdue");
const KUBECTL: Word = ("用 kubectl 查看", "with kubectl");
const UNREADABLE: Word =
    ("无权读取的命名空间（由其他集群承载）", "namespaces you may not read (hosted by another cluster)");

/// The quota resources the table shows, in this order (all granted, when
/// the quota grants none of them).
const QUOTA_FIRST: &[&str] =
    &["requests.cpu", "limits.cpu", "requests.memory", "limits.memory", "pods", "services", "requests.storage"];

/// The view as text, in `lang`.
pub fn table(m: &Mine, lang: Lang) -> String {
    let w = |p: Word| if lang == Lang::Zh { p.0 } else { p.1 };
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    // Before a list on the next lines: no space at the end of the line.
    let head = sep.trim_end();
    let none = || w(NONE).to_string();
    let list = |v: &[String]| if v.is_empty() { none() } else { v.join(", ") };
    let mut s = format!("{}{sep}{}  {}{sep}{}\n", w(USER), m.identity.username, w(GROUPS), list(&m.identity.groups));
    if m.tenants.is_empty() {
        s.push_str(&format!("\n{}\n", w(NO_TENANT)));
    }
    for t in &m.tenants {
        let display = if lang == Lang::Zh { &t.name_zh } else { &t.name_en };
        s.push_str(&format!("\n{} {} ({display})  {}{sep}{}\n", w(TENANT), t.name, w(ROLES), list(&t.roles)));
        let zones: Vec<String> = t
            .zones
            .iter()
            .map(|(z, k)| match k {
                Some(k) => format!("{z} ({})", zone_kind_name(k, lang)),
                None => z.clone(),
            })
            .collect();
        s.push_str(&format!("  {}{sep}{}\n", w(ZONES), list(&zones)));
        s.push_str(&format!("  {}{sep}{}\n", w(NAMESPACES), list(&t.namespaces)));
        if !t.quota.is_empty() {
            s.push_str(&format!("  {}{head}\n", w(QUOTA)));
            for q in &t.quota {
                // The main resources (the JSON has every one the quota counts).
                let mut keys: Vec<String> =
                    QUOTA_FIRST.iter().map(|k| k.to_string()).filter(|k| q.granted.contains_key(k)).collect();
                if keys.is_empty() {
                    keys = q.granted.keys().cloned().collect();
                }
                let parts: Vec<String> = keys
                    .into_iter()
                    .map(|k| format!("{k} {}/{}", q.used.get(&k).map_or("0", String::as_str), q.granted[&k]))
                    .collect();
                s.push_str(&format!("    {}  {}\n", q.namespace, parts.join(", ")));
            }
        }
        s.push_str(&format!("  {} ({}){head}\n", w(APPS), t.apps.len()));
        for a in &t.apps {
            s.push_str(&format!("    {}  {}  {}/{}/{}\n", a.app, a.replicas, a.flows[0], a.flows[1], a.flows[2]));
        }
        for (word, flows) in [(ON_US, &t.waiting_on_us), (ON_OTHERS, &t.waiting_on_others), (REFUSED, &t.refused)] {
            s.push_str(&format!("  {} ({}){head}\n", w(word), flows.len()));
            for f in flows {
                let due = match (&f.due, f.overdue) {
                    (_, true) => format!("  [{}]", w(OVERDUE)),
                    (Some(d), false) => format!("  [{} {d}]", w(DUE)),
                    (None, false) => String::new(),
                };
                let why = f.why_message.as_ref().map_or_else(|| f.why.clone(), |m| m.text(lang));
                s.push_str(&format!("    {} -> {}  {why}{due}\n", f.from, f.to));
            }
        }
        s.push_str(&format!("  {} ({}){head}\n", w(REQUESTS), t.requests.len()));
        for r in &t.requests {
            s.push_str(&format!("    {}  {}  {}\n", r.request, r.kind, r.phase));
        }
        let compliance = match &t.compliance {
            Some(c) => {
                use crate::audit::{Outcome, output::outcome_name};
                let n = |o: Outcome, v: i32| format!("{} {v}", outcome_name(o, lang));
                [n(Outcome::Pass, c.pass), n(Outcome::Fail, c.fail), n(Outcome::Warn, c.warn), n(Outcome::Skip, c.skip)]
                    .join(", ")
            }
            None => w(NOT_YET).to_string(),
        };
        s.push_str(&format!("  {}{sep}{compliance}\n", w(COMPLIANCE)));
        if !t.unreadable.is_empty() {
            s.push_str(&format!("  {}{sep}{}\n", w(UNREADABLE), t.unreadable.join(", ")));
        }
        s.push_str(&format!("  {}{head}\n", w(KUBECTL)));
        for k in &t.kubectl {
            s.push_str(&format!("    {k}\n"));
        }
    }
    s
}

#[cfg(test)]
pub(crate) mod tests;
