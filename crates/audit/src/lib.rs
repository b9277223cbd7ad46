//! Compliance for auditors: every control of the catalogue checked over a set
//! of Kubernetes objects — live from the cluster or read from files (GitOps,
//! or the output of `govcloud render`) — with evidence, mapped to MLPS 2.0.
//!
//! ```text
//!   model + objects ──► admission-form controls: the generated CEL, evaluated offline
//!                   ──► isolation: Admin-tier ClusterNetworkPolicies, then NetworkPolicy
//!                       semantics (who reaches whom) vs granted flows
//!                   ──► drift: live objects vs what govcloud renders
//!                   ──► Audit { findings, connectivity, flows } ──► table | json | openreports | html
//! ```
//!
//! [`audit_with`] runs each path of the catalogue's `AuditBy` once (`run_path`
//! is the table of contents); each path is a module:
//!
//! ```text
//!   admission   the generated admission policies' CEL on every object; Ingress backends
//!   pods        RunningPods: what the kubelet runs, judged where it runs
//!   namespaces  Namespaces: default deny, Pod Security, quota, limits; declaration namespaces
//!   identity    AppIdentity: an app's workloads by owner chain (custody), never by labels
//!   privileges  TenantPrivileges: bindings, roles, ResourceRequests
//!   zones       ZoneRanges, ZoneNodes: ranges, capacity, nodes
//!   hosts       PublicHosts: host owners and the Ingresses serving them
//!   drift       Drift: live objects against the rendering
//!   isolation   Isolation: reachability (admin_tier, netpol, selector) against granted flows
//!   sharing     Sharing: answers record who gave them, deadlines, classification of granted flows
//!   city        several clusters' audits as one
//!   ctx         the findings recorder of a run
//! ```

use crate::admission::{admission_form, ingress_backends};
use crate::ctx::{Ctx, id_of, kind_of, label, name_of};
use crate::drift::drift;
use crate::hosts::{public_hosts, tenant_hosts};
use crate::identity::app_identity;
use crate::isolation::isolation;
use crate::namespaces::namespace_controls;
use crate::pods::running_pods;
use crate::privileges::{resource_requests, tenant_privileges};
use crate::sharing::sharing;
use crate::zones::{zone_nodes, zone_ranges};

pub mod admin_tier;
pub mod api_server;
pub mod filter;
pub mod mlps;
pub mod netpol;
pub mod output;
pub mod selector;

mod admission;
mod city;
mod ctx;
mod drift;
mod hosts;
mod identity;
mod isolation;
mod namespaces;
mod pods;
mod privileges;
mod sharing;
mod streamed;
mod zones;

pub use streamed::{BATCH, Packed, Packer, Parsed, Source, Texts, WIDE, audit_batched, audit_from};

pub use city::{ClusterAudit, city};
pub use isolation::serves_admin_tier;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use kube::ResourceExt;
use serde::Serialize;
use serde_json::Value;

use govcloud_core::api::FlowState;
use govcloud_core::controls::{self, AuditBy, Severity};
use govcloud_core::messages::Message;
use govcloud_core::meta::labels::TENANT;
use govcloud_core::model::Model;

/// Result of one check on one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Complies.
    Pass,
    /// Does not comply.
    Fail,
    /// Complies, with a reservation.
    Warn,
    /// Could not be checked here.
    Skip,
}

impl Outcome {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Skip => "skip",
        }
    }
}

/// One check of one control on one object, with its evidence: what the
/// object is and where ([`Subject`]), and what was checked and found
/// ([`Check`]), each shared. A province's audit makes about fourteen
/// findings per object, 474,000 in all, and most repeat a check word for
/// word on other objects (the same field of the same control found
/// compliant), so a finding is two pointers. Read through it as its own
/// fields: `f.control`, `f.outcome`, ... ([`Finding`] dereferences to its
/// check) and `f.subject.object`, `f.subject.tenant`, ...
#[derive(Clone, Debug)]
pub struct Finding {
    /// The object checked and where it is.
    pub subject: Arc<Subject>,
    /// What was checked and found.
    pub check: Arc<Check>,
}

/// What a finding checked and found, apart from the object.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Check {
    /// Control id.
    pub control: &'static str,
    /// Result.
    pub outcome: Outcome,
    /// Severity of the control.
    pub severity: Severity,
    /// Field checked.
    pub field: Arc<str>,
    /// What was seen, in English: the values and field paths as recorded,
    /// and the words around them from the catalogue of messages.
    pub evidence: Arc<str>,
    /// The evidence's words as the catalogue has them (JSON:
    /// `evidence_message`, `{"code", "args"}`), when it has words beside
    /// data: a page gives them in its own language ([`Finding::evidence_in`]).
    pub evidence_message: Option<Arc<Message>>,
    /// What it means, in English.
    pub message: Arc<str>,
    /// What it means, as the catalogue of messages has it (JSON: `code`,
    /// `args`): a page gives it in its own language.
    pub reason: Arc<Message>,
}

/// What a finding is about: the object and where it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Subject {
    /// `Kind/namespace/name` of the object checked.
    pub object: Arc<str>,
    /// Namespace, for namespaced objects.
    pub namespace: Option<Arc<str>>,
    /// Tenant the object belongs to.
    pub tenant: Option<Arc<str>>,
    /// Zone the object belongs to.
    pub zone: Option<Arc<str>>,
    /// The cluster audited, in a city of several (`""`: the cluster without
    /// a name); `None` for an audit of one cluster that names none, and for
    /// the checks only a view over the whole city makes (see [`city`]).
    pub cluster: Option<Arc<str>>,
}

impl std::ops::Deref for Finding {
    type Target = Check;

    fn deref(&self) -> &Check {
        &self.check
    }
}

/// As before the subject was shared: the same keys in the same order.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("control", self.control)?;
        m.serialize_entry("outcome", &self.outcome)?;
        m.serialize_entry("severity", &self.severity)?;
        m.serialize_entry("object", &self.subject.object)?;
        for (k, v) in
            [("namespace", &self.subject.namespace), ("tenant", &self.subject.tenant), ("zone", &self.subject.zone)]
        {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        m.serialize_entry("field", &self.field)?;
        m.serialize_entry("evidence", &self.evidence)?;
        if let Some(e) = &self.evidence_message {
            m.serialize_entry("evidence_message", e)?;
        }
        m.serialize_entry("message", &self.message)?;
        // `reason`, flattened as `Message` serialises itself.
        m.serialize_entry("code", &self.reason.code)?;
        if !self.reason.args.is_empty() {
            m.serialize_entry("args", &self.reason.args)?;
        }
        if let Some(c) = &self.subject.cluster {
            m.serialize_entry("cluster", c)?;
        }
        m.end()
    }
}

impl Finding {
    /// Its subject, to change for this finding alone (copied first when
    /// other findings share it).
    pub fn subject_mut(&mut self) -> &mut Subject {
        Arc::make_mut(&mut self.subject)
    }

    /// Its check, to change for this finding alone (copied first when
    /// other findings share it).
    pub fn check_mut(&mut self) -> &mut Check {
        Arc::make_mut(&mut self.check)
    }

    /// The evidence in `lang`: its words translated, its data as recorded.
    pub fn evidence_in(&self, lang: govcloud_core::messages::Lang) -> std::borrow::Cow<'_, str> {
        match &self.evidence_message {
            Some(m) => m.text(lang).into(),
            None => (*self.evidence).into(),
        }
    }
}

/// Above this many apps the connectivity matrix is given as a list of pairs:
/// an n×n matrix of booleans grows with the square of the apps.
pub const MATRIX_LIMIT: usize = 400;

/// Who may reach whom: apps (tenant/app) by apps, plus the internet.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Connectivity {
    /// Apps as `tenant/app`, with their zone.
    pub apps: Vec<(String, String)>,
    /// `reach[i][j]`: app i may open a connection to app j. Empty when there
    /// are more than [`MATRIX_LIMIT`] apps: see `reachable`.
    pub reach: Vec<Vec<bool>>,
    /// With more than [`MATRIX_LIMIT`] apps, instead of `reach`: every pair
    /// `(i, j)` where app i may open a connection to app j, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reachable: Option<Vec<(usize, usize)>>,
    /// Why `reach` is empty, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// App i may send to the internet (8.8.8.8 on 443).
    pub internet_out: Vec<bool>,
    /// App i accepts connections from the internet (203.0.113.1).
    pub internet_in: Vec<bool>,
    /// Where the API server listens (`ip:port`), as the `default/kubernetes`
    /// Service's EndpointSlices give it ([`api_server`]); empty when none was
    /// read (an offline audit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_server: Vec<String>,
    /// App i may open a connection to the API server (one of `api_server`),
    /// by the same NetworkPolicy semantics; `None` for an app of a cluster
    /// whose endpoints were not read. Empty when `api_server` is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_server_out: Vec<Option<bool>>,
    /// Granted flows between clusters, this cluster's side of each: what
    /// [`city`] joins into reachability across clusters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub across: Vec<Across>,
}

/// One side, in this cluster, of a granted flow between clusters.
#[derive(Clone, Debug, Serialize)]
pub struct Across {
    /// The app (index into `apps`) on this side.
    pub app: usize,
    /// The other side, `tenant/zone/app`, in another cluster.
    pub peer: String,
    /// Whether this side is the consumer (else the provider).
    pub consumer: bool,
    /// Whether this side's policies let the flow through (consumer: egress
    /// to the exchange address on the flow's ports; provider: ingress from
    /// the consumer zone's ranges on them).
    pub open: bool,
}

/// A declared flow and its state, for the picture.
#[derive(Clone, Debug, Serialize)]
pub struct FlowRow {
    /// Consumer `tenant/app`.
    pub from: String,
    /// Provider `tenant/app`.
    pub to: String,
    /// Granted, Pending or Refused.
    pub state: FlowState,
    /// Why, in English.
    pub reason: String,
    /// Why, as the catalogue of messages has it (JSON: `code`, `args`).
    #[serde(flatten)]
    pub why: Message,
    /// Ports of a granted flow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<i32>,
    /// Where a granted flow between clusters goes: the provider's exchange address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// The result of an audit.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Audit {
    /// Every finding.
    pub findings: Vec<Finding>,
    /// Reachability between apps.
    pub connectivity: Connectivity,
    /// Declared flows.
    pub flows: Vec<FlowRow>,
    /// Zones: name, kind, MLPS level.
    pub zones: Vec<(String, String, u8)>,
    /// Tenants: name, Chinese name, English name.
    pub tenants: Vec<(String, String, String)>,
    /// Tenants' Mongolian names (traditional script), where they have one.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub mongolian: BTreeMap<String, String>,
}

impl Audit {
    /// Count of findings per outcome.
    pub fn counts(&self) -> BTreeMap<Outcome, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.outcome).or_default() += 1;
        }
        m
    }

    /// Failures at or above `severity`.
    pub fn failures_at_or_above(&self, severity: Severity) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.outcome == Outcome::Fail && f.severity >= severity).collect()
    }
}

/// Audits `objects` (Kubernetes objects as JSON) against the declared `model`.
pub fn audit(model: &Model, objects: &[Value]) -> Audit {
    audit_with(model, objects, &govcloud_render::Verdicts::default())
}

/// [`audit`], with the apps' admission verdicts from (and kept in)
/// `verdicts`: the operator's, kept across its plans and audits. A few
/// namespaces at a time ([`audit_from`]), as the operator audits.
pub fn audit_with(model: &Model, objects: &[Value], verdicts: &govcloud_render::Verdicts) -> Audit {
    audit_from(model, &Parsed(objects), verdicts)
}

/// [`audit_with`] over the whole inventory at once, every path over every
/// object: what the audit was before it read a few namespaces at a time,
/// kept as the reference the equivalence test compares [`audit_from`] with.
#[doc(hidden)]
pub fn audit_whole(model: &Model, objects: &[Value], verdicts: &govcloud_render::Verdicts) -> Audit {
    let start = Instant::now();
    // The declared apps are objects too (checked against their zone).
    let apps = declared_apps(model, objects.iter().filter(|o| kind_of(o) == "DepartmentApp").map(id_of).collect());
    let objects: Vec<&Value> = objects.iter().chain(&apps).collect();
    let objects = objects.as_slice();
    let namespaces: BTreeMap<String, &Value> =
        objects.iter().filter(|o| kind_of(o) == "Namespace").map(|o| (name_of(o).to_string(), *o)).collect();
    let tenant_ns: BTreeSet<String> =
        namespaces.iter().filter(|(_, o)| label(o, TENANT).is_some()).map(|(n, _)| n.clone()).collect();
    let owners = govcloud_render::host_owners(&model.tenants);
    let zones: BTreeMap<String, Value> =
        model.zones.iter().map(|z| (z.name_any(), govcloud_render::zone_param(z, &owners))).collect();
    let remote = hosted_elsewhere(model);
    let timed = |stage: &str, since: Instant| {
        tracing::debug!(stage, ms = since.elapsed().as_secs_f64() * 1000.0, "audit stage")
    };
    timed("prepare", start);

    // Each audit path once, for the controls of the catalogue that name it.
    // The admission checks, the bulk of the work, run on a thread of their
    // own beside the others; each side records its findings in the order one
    // thread would, and the admission checks' come first.
    let paths = plan();
    let runs = |path: AuditBy| paths.iter().any(|(p, _)| *p == path);
    let (mut findings, others, flows, connectivity): (_, _, Vec<FlowRow>, _) = std::thread::scope(|s| {
        let admission = s.spawn(|| {
            let t = Instant::now();
            let mut ctx = Ctx::new(namespaces.clone()).on(AuditBy::Admission);
            if runs(AuditBy::Admission) {
                admission_form(&mut ctx, objects, &tenant_ns, &zones);
                ingress_backends(&mut ctx, objects, &tenant_ns);
            }
            timed("admission", t);
            ctx.findings
        });
        let t = Instant::now();
        // One owner's objects at a time: the whole rendering is never held.
        let planned = govcloud_render::plan(model, verdicts);
        timed("render", t);
        let inputs = Inputs { model, objects, tenant_ns: &tenant_ns, planned: &planned, remote: &remote };
        let mut ctx = Ctx::new(namespaces.clone());
        let mut connectivity = Connectivity::default();
        for (path, _) in paths.iter().filter(|(p, _)| *p != AuditBy::Admission) {
            let t = Instant::now();
            ctx.path = Some(*path);
            if let Some(c) = run_path(*path, &mut ctx, &inputs) {
                connectivity = c;
            }
            tracing::debug!(stage = ?path, ms = t.elapsed().as_secs_f64() * 1000.0, "audit path");
        }
        let admission = admission.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let flows = flow_rows(&planned, &remote);
        (admission, ctx.findings, flows, connectivity)
    });
    findings.extend(others);
    finish(model, findings, connectivity, flows)
}

/// The declared apps not among the listed ones (`listed`: their ids), as
/// objects: the declared apps are objects too, judged against their zone.
fn declared_apps(model: &Model, mut listed: HashSet<String>) -> Vec<Value> {
    let mut apps = Vec::new();
    for a in &model.apps {
        let id = format!("DepartmentApp/{}/{}", a.namespace().unwrap_or_default(), a.name_any());
        if !listed.contains(&id)
            && let Ok(v) = serde_json::to_value(a)
        {
            listed.insert(id_of(&v));
            apps.push(v);
        }
    }
    apps
}

/// Stamps `findings` with the cluster `c`: each subject once, shared again
/// by its findings.
pub(crate) fn tag_cluster(findings: &mut [Finding], c: &Arc<str>) {
    let mut tagged: HashMap<Arc<Subject>, Arc<Subject>> = HashMap::new();
    for f in findings {
        let subject = tagged
            .entry(f.subject.clone())
            .or_insert_with(|| Arc::new(Subject { cluster: Some(c.clone()), ..(*f.subject).clone() }));
        f.subject = subject.clone();
    }
}

/// An audit's findings, stamped with the cluster's name and sorted, with
/// what its pages name.
fn finish(model: &Model, mut findings: Vec<Finding>, connectivity: Connectivity, flows: Vec<FlowRow>) -> Audit {
    // Held for the whole round: without the room it grew into.
    findings.shrink_to_fit();
    if let Some(c) = &model.cluster {
        let c: Arc<str> = Arc::from(c.as_str());
        tag_cluster(&mut findings, &c);
    }
    let t = Instant::now();
    sort_findings(&mut findings);
    tracing::debug!(stage = "sort", ms = t.elapsed().as_secs_f64() * 1000.0, "audit stage");
    described(model, findings, connectivity, flows)
}

/// An audit's result with the model's zones and tenants, as its pages name them.
fn described(model: &Model, findings: Vec<Finding>, connectivity: Connectivity, flows: Vec<FlowRow>) -> Audit {
    Audit {
        findings,
        connectivity,
        flows,
        zones: model.zones.iter().map(|z| (z.name_any(), z.spec.kind.to_string(), z.spec.mlps_level)).collect(),
        tenants: model
            .tenants
            .iter()
            .map(|t| (t.name_any(), t.spec.display_name.zh.clone(), t.spec.display_name.en.clone()))
            .collect(),
        mongolian: model.tenants.iter().filter_map(|t| Some((t.name_any(), t.spec.display_name.mn.clone()?))).collect(),
    }
}

/// The flows this cluster holds a side of, as the picture draws them.
fn flow_rows(planned: &govcloud_render::Planned<'_>, remote: &BTreeMap<String, String>) -> Vec<FlowRow> {
    planned
        .flows
        .iter()
        .filter(|f| !remote.contains_key(&f.consumer.zone) || !remote.contains_key(&f.provider.zone))
        .map(|f| FlowRow {
            from: f.consumer.to_string(),
            to: f.provider.to_string(),
            state: f.state,
            reason: f.reason.to_string(),
            why: f.reason.clone(),
            ports: f.ports.iter().map(|p| p.port).collect(),
            address: f.address.clone(),
        })
        .collect()
}

/// What the topology picture ([`output::topology::svg`]) draws of a model,
/// without checking anything: its zones and tenants, its placed apps (as
/// `tenant/app` in their zone) and its flows, as [`audit`] gives them. The
/// console draws a live city with it from what its user may read.
pub fn picture(model: &Model) -> Audit {
    let planned = govcloud_render::plan(model, &govcloud_render::Verdicts::default());
    let remote = hosted_elsewhere(model);
    let apps = planned.index.apps.keys().map(|k| (format!("{}/{}", k.tenant, k.app), k.zone.clone())).collect();
    described(model, Vec::new(), Connectivity { apps, ..Connectivity::default() }, flow_rows(&planned, &remote))
}

/// The audit paths, in the order they run, each with the controls of the
/// catalogue that name it (see [`AuditBy`]); a control is on exactly one.
pub fn plan() -> Vec<(AuditBy, Vec<&'static str>)> {
    let mut by: BTreeMap<AuditBy, Vec<&'static str>> = BTreeMap::new();
    for c in controls::CATALOGUE {
        by.entry(c.audit).or_default().push(c.id);
    }
    by.into_iter().collect()
}

/// What the paths other than admission read.
struct Inputs<'i> {
    model: &'i Model,
    objects: &'i [&'i Value],
    tenant_ns: &'i BTreeSet<String>,
    planned: &'i govcloud_render::Planned<'i>,
    /// The zones another cluster hosts ([`hosted_elsewhere`]).
    remote: &'i BTreeMap<String, String>,
}

/// The zones of the model that another cluster than the one audited
/// ([`Model::cluster`]) hosts, each with that cluster's name (`""`: the
/// cluster without a name), as the hosted-in label of their declaration
/// namespaces gives it. Nothing of them runs here; a zone the model does not
/// declare is judged as one of this cluster.
pub fn hosted_elsewhere(model: &Model) -> BTreeMap<String, String> {
    model
        .zones
        .iter()
        .filter(|z| z.spec.cluster != model.cluster)
        .map(|z| (z.name_any(), z.spec.cluster.clone().unwrap_or_default()))
        .collect()
}

/// Runs one audit path (but admission, which has a thread of its own); isolation gives the connectivity.
fn run_path(path: AuditBy, ctx: &mut Ctx<'_>, i: &Inputs<'_>) -> Option<Connectivity> {
    match path {
        AuditBy::Admission | AuditBy::NotAuditable | AuditBy::City => {}
        AuditBy::Sharing => {
            sharing(ctx, i.model, i.objects.iter().map(|o| std::borrow::Cow::Borrowed(*o)), i.planned, i.remote)
        }
        AuditBy::RunningPods => running_pods(ctx, i.model, i.objects, i.tenant_ns),
        AuditBy::PublicHosts => {
            tenant_hosts(ctx, i.model);
            public_hosts(ctx, i.objects, i.tenant_ns)
        }
        AuditBy::TenantPrivileges => {
            tenant_privileges(ctx, i.model, i.objects, i.tenant_ns);
            resource_requests(ctx, i.objects)
        }
        AuditBy::AppIdentity => app_identity(ctx, i.objects, i.tenant_ns, i.planned),
        AuditBy::ZoneRanges => zone_ranges(ctx, i.model, &i.planned.index, i.objects, i.tenant_ns, i.remote),
        AuditBy::Namespaces => namespace_controls(ctx, i.objects, i.tenant_ns, i.remote),
        AuditBy::ZoneNodes => zone_nodes(ctx, i.model, i.objects, i.remote),
        AuditBy::Drift => {
            let by_id = drift::by_id(i.objects);
            drift(ctx, i.planned, &|id| by_id.get(id).map(|v| std::borrow::Cow::Borrowed(*v)))
        }
        AuditBy::Isolation => {
            let ws = isolation::workloads(i.objects, i.tenant_ns);
            let policies = netpol::policies_in(i.objects.iter().copied());
            return Some(isolation(ctx, i.model, i.planned, i.objects, policies, ws, i.remote, MATRIX_LIMIT));
        }
    }
    None
}

/// Sorts findings by control, object, field and outcome, equal ones kept in
/// order: what a stable sort on those keys gives, comparing each distinct
/// string once (by rank) rather than at every comparison.
fn sort_findings(findings: &mut [Finding]) {
    fn ranks<'a>(keys: impl Iterator<Item = &'a str>) -> HashMap<&'a str, u32> {
        let mut distinct: Vec<&str> = keys.collect::<HashSet<_>>().into_iter().collect();
        distinct.sort_unstable();
        distinct.into_iter().zip(0..).collect()
    }
    let controls = ranks(findings.iter().map(|f| f.control));
    let objects = ranks(findings.iter().map(|f| &*f.subject.object));
    let fields = ranks(findings.iter().map(|f| &*f.field));
    let keys: Vec<(u32, u32, u32, Outcome)> = findings
        .iter()
        .map(|f| (controls[f.control], objects[&*f.subject.object], fields[&*f.field], f.outcome))
        .collect();
    drop((controls, objects, fields));
    // In place, through the permutation (no second copy of the findings):
    // the sorted position of each, by key and then original position.
    let mut order: Vec<u32> = (0..findings.len() as u32).collect();
    order.sort_unstable_by_key(|i| (keys[*i as usize], *i));
    drop(keys);
    // Cycle by cycle: position i receives the finding at order[i].
    for start in 0..order.len() {
        let mut i = start;
        while order[i] as usize != start {
            let j = order[i] as usize;
            findings.swap(i, j);
            order[i] = i as u32;
            i = j;
        }
        order[i] = i as u32;
    }
}

// === impl city ===

#[cfg(test)]
mod tests;
