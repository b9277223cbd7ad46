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

pub mod admin_tier;
pub mod mlps;
pub mod netpol;
pub mod output;
pub mod selector;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use kube::ResourceExt;
use serde::Serialize;
use serde_json::Value;

use govcloud_core::api::{FlowState, ZoneKind};
use govcloud_core::controls::{self, AuditBy, Severity, eval};
use govcloud_core::meta::labels::{self, TENANT, ZONE};
use govcloud_core::model::Model;
use netpol::{Network, Workload};

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

/// One check of one control on one object, with its evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Control id.
    pub control: &'static str,
    /// Result.
    pub outcome: Outcome,
    /// Severity of the control.
    pub severity: Severity,
    /// `Kind/namespace/name` of the object checked.
    pub object: Arc<str>,
    /// Namespace, for namespaced objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Arc<str>>,
    /// Tenant the object belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Arc<str>>,
    /// Zone the object belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<Arc<str>>,
    /// Field checked.
    pub field: Arc<str>,
    /// What was seen.
    pub evidence: String,
    /// What it means.
    pub message: Arc<str>,
    /// The cluster audited, in a city of several (`""`: the cluster without
    /// a name); `None` for an audit of one cluster that names none, and for
    /// the checks only a view over the whole city makes (see [`city`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Arc<str>>,
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
    /// Why.
    pub reason: String,
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

fn kind_of(o: &Value) -> &str {
    o["kind"].as_str().unwrap_or_default()
}
fn ns_of(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or_default()
}
fn name_of(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or_default()
}
fn id_of(o: &Value) -> String {
    if ns_of(o).is_empty() {
        format!("{}/{}", kind_of(o), name_of(o))
    } else {
        format!("{}/{}/{}", kind_of(o), ns_of(o), name_of(o))
    }
}
fn label<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    o["metadata"]["labels"][key].as_str()
}

struct Ctx<'a> {
    findings: Vec<Finding>,
    namespaces: BTreeMap<String, &'a Value>,
    /// The strings findings repeat (objects, namespaces, tenants, zones,
    /// fields, messages), held once: a large cluster has hundreds of
    /// thousands of findings.
    interned: HashSet<Arc<str>>,
    /// The audit path recording: it records findings of its own controls only.
    path: Option<AuditBy>,
}

impl<'a> Ctx<'a> {
    fn new(namespaces: BTreeMap<String, &'a Value>) -> Self {
        Ctx { findings: Vec::new(), namespaces, interned: HashSet::new(), path: None }
    }

    fn on(mut self, path: AuditBy) -> Self {
        self.path = Some(path);
        self
    }

    // One flat recorder keeps every check's call site a single readable line.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        control: &'static str,
        outcome: Outcome,
        object: &str,
        namespace: Option<&str>,
        field: &str,
        evidence: String,
        message: String,
    ) {
        let found = controls::control(control);
        // Every control is checked on exactly one path: what a path finds about another's control is not its to say.
        if let (Some(path), Some(c)) = (self.path, found)
            && c.audit != path
            && !(path == AuditBy::Admission && c.audit.evaluates_admission())
        {
            debug_assert!(false, "{control} found on audit path {path:?}, not its own {:?}", c.audit);
            return;
        }
        let severity = found.map(|c| c.severity).unwrap_or(Severity::Medium);
        let ns = namespace.filter(|n| !n.is_empty());
        let nso = ns.and_then(|n| self.namespaces.get(n));
        let tenant = nso.and_then(|o| label(o, TENANT));
        let zone = nso.and_then(|o| label(o, ZONE));
        let finding = Finding {
            control,
            outcome,
            severity,
            object: intern(&mut self.interned, object),
            namespace: ns.map(|n| intern(&mut self.interned, n)),
            tenant: tenant.map(|t| intern(&mut self.interned, t)),
            zone: zone.map(|z| intern(&mut self.interned, z)),
            field: intern(&mut self.interned, field),
            evidence,
            message: intern(&mut self.interned, &message),
            cluster: None,
        };
        self.findings.push(finding);
    }
}

/// The one shared copy of `s`.
fn intern(set: &mut HashSet<Arc<str>>, s: &str) -> Arc<str> {
    if let Some(a) = set.get(s) {
        return a.clone();
    }
    let a: Arc<str> = Arc::from(s);
    set.insert(a.clone());
    a
}

/// The pod (metadata, spec) a workload object runs, for NetworkPolicy semantics.
fn pod_of(o: &Value) -> Option<(&Value, &Value)> {
    match kind_of(o) {
        "Pod" => Some((&o["metadata"], &o["spec"])),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "ReplicationController" => {
            Some((&o["spec"]["template"]["metadata"], &o["spec"]["template"]["spec"]))
        }
        "CronJob" => Some((
            &o["spec"]["jobTemplate"]["spec"]["template"]["metadata"],
            &o["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        )),
        _ => None,
    }
}

/// Audits `objects` (Kubernetes objects as JSON) against the declared `model`.
pub fn audit(model: &Model, objects: &[Value]) -> Audit {
    audit_with(model, objects, &govcloud_render::Verdicts::default())
}

/// [`audit`], with the apps' admission verdicts from (and kept in)
/// `verdicts`: the operator's, kept across its plans and audits.
pub fn audit_with(model: &Model, objects: &[Value], verdicts: &govcloud_render::Verdicts) -> Audit {
    let start = Instant::now();
    // The declared apps are objects too (checked against their zone).
    let mut apps: Vec<Value> = Vec::new();
    let mut apps_listed: HashSet<String> =
        objects.iter().filter(|o| kind_of(o) == "DepartmentApp").map(id_of).collect();
    for a in &model.apps {
        let id = format!("DepartmentApp/{}/{}", a.namespace().unwrap_or_default(), a.name_any());
        if !apps_listed.contains(&id)
            && let Ok(v) = serde_json::to_value(a)
        {
            apps_listed.insert(id_of(&v));
            apps.push(v);
        }
    }
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
        // The flows this cluster holds a side of.
        let flows = planned
            .flows
            .iter()
            .filter(|f| !remote.contains_key(&f.consumer.zone) || !remote.contains_key(&f.provider.zone))
            .map(|f| FlowRow {
                from: f.consumer.to_string(),
                to: f.provider.to_string(),
                state: f.state,
                reason: f.reason.clone(),
                ports: f.ports.iter().map(|p| p.port).collect(),
                address: f.address.clone(),
            })
            .collect();
        (admission, ctx.findings, flows, connectivity)
    });
    findings.extend(others);
    if let Some(c) = &model.cluster {
        let c: Arc<str> = Arc::from(c.as_str());
        findings.iter_mut().for_each(|f| f.cluster = Some(c.clone()));
    }
    let t = Instant::now();
    sort_findings(&mut findings);
    timed("sort", t);
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
    }
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
        AuditBy::Drift => drift(ctx, i.planned, i.objects),
        AuditBy::Isolation => {
            return Some(isolation(ctx, i.model, i.planned, i.objects, i.tenant_ns, i.remote, MATRIX_LIMIT));
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
    let objects = ranks(findings.iter().map(|f| &*f.object));
    let fields = ranks(findings.iter().map(|f| &*f.field));
    let keys: Vec<(u32, u32, u32, Outcome)> =
        findings.iter().map(|f| (controls[f.control], objects[&*f.object], fields[&*f.field], f.outcome)).collect();
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

/// The generated admission CEL, evaluated on what is already there: every
/// object a policy matches, whoever owns it (a pod with owner references is
/// audited like any other). Checks that only make sense for a request (such
/// as "nodeName is not set on create") hold vacuously here; what runs is
/// checked by [`running_pods`].
fn admission_form(
    ctx: &mut Ctx<'_>,
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
    zones: &BTreeMap<String, Value>,
) {
    // By namespace (in order within each), so a namespace's values are bound once.
    let mut by_ns: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o)) && eval::resource_of(kind_of(o)).is_some()) {
        by_ns.entry(ns_of(o)).or_default().push(o);
    }
    let groups: Vec<(&str, Vec<&Value>)> = by_ns.into_iter().collect();
    // Large inventories: contiguous runs of namespaces of about equal size on
    // threads of their own, their findings joined in order.
    let total: usize = groups.iter().map(|(_, m)| m.len()).sum();
    let parts = if total < 2000 { 1 } else { std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4) };
    if parts == 1 {
        return admission_namespaces(ctx, &groups, zones);
    }
    let mut runs: Vec<&[(&str, Vec<&Value>)]> = Vec::new();
    let (mut from, mut seen) = (0, 0);
    for (i, (_, members)) in groups.iter().enumerate() {
        seen += members.len();
        if seen * parts >= total * (runs.len() + 1) || i + 1 == groups.len() {
            runs.push(&groups[from..=i]);
            from = i + 1;
        }
    }
    let namespaces = ctx.namespaces.clone();
    let found: Vec<Vec<Finding>> = std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|run| {
                let namespaces = namespaces.clone();
                s.spawn(move || {
                    let mut part = Ctx::new(namespaces);
                    admission_namespaces(&mut part, run, zones);
                    part.findings
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    ctx.findings.extend(found.into_iter().flatten());
}

fn admission_namespaces(ctx: &mut Ctx<'_>, groups: &[(&str, Vec<&Value>)], zones: &BTreeMap<String, Value>) {
    let evaluator = eval::Evaluator::new();
    for (ns, members) in groups {
        let ns = *ns;
        let nso = ctx.namespaces.get(ns).copied();
        let zone = nso.and_then(|n| label(n, ZONE)).and_then(|z| zones.get(z));
        let scope = evaluator.namespace(nso, zone);
        let scope_digest = Verdicts::digest(&[nso, zone], None);
        for o in members {
            let Some((group, resource)) = eval::resource_of(kind_of(o)) else { continue };
            let id = id_of(o);
            let verdicts = Verdicts::of(&scope_digest, o, || {
                // The object's context, made when a policy first needs it, with the variables computed so far.
                let mut here: Option<eval::ObjectScope<'_>> = None;
                eval::matching(group, resource)
                    .map(|p| {
                        (!p.policy.zone_param || scope.has_zone())
                            .then(|| here.get_or_insert_with(|| scope.object(o)).evaluate(p))
                    })
                    .collect()
            });
            for (p, verdict) in eval::matching(group, resource).zip(verdicts.iter()) {
                let Some(passed) = verdict else {
                    for c in &p.policy.checks {
                        ctx.add(
                            c.control,
                            Outcome::Skip,
                            &id,
                            Some(ns),
                            "",
                            "the namespace's NetworkZone is not declared".into(),
                            c.message.clone(),
                        );
                    }
                    continue;
                };
                for (c, passed) in p.policy.checks.iter().zip(passed) {
                    let outcome = if *passed { Outcome::Pass } else { Outcome::Fail };
                    let field = c.field();
                    let evidence = if *passed { "complies".to_string() } else { eval::evidence(field, o) };
                    ctx.add(
                        c.control,
                        outcome,
                        &id,
                        Some(ns),
                        field,
                        evidence,
                        format!("[{}] {}", c.control, c.message),
                    );
                }
            }
        }
    }
}

/// The admission verdicts on objects, kept across audits by the digest of
/// exactly what was judged (the object as listed, its namespace and zone):
/// the same inputs, the same verdicts. The operator audits the whole
/// cluster after every change, and a change touches few objects, so a round
/// judges only those. Per object: each matching policy's checks (true:
/// complies), or `None` where the policy needs the namespace's zone and it
/// is not declared.
struct Verdicts;

/// One object's verdicts, in [`eval::matching`] order.
type ObjectVerdicts = Arc<Vec<Option<Vec<bool>>>>;

impl Verdicts {
    /// Verdicts kept at most; past it the memory starts again empty.
    const KEPT: usize = 200_000;

    fn memo() -> &'static std::sync::Mutex<HashMap<[u8; 32], ObjectVerdicts>> {
        static MEMO: std::sync::OnceLock<std::sync::Mutex<HashMap<[u8; 32], ObjectVerdicts>>> =
            std::sync::OnceLock::new();
        MEMO.get_or_init(Default::default)
    }

    /// SHA-256 of `parts` (absent ones counted as such), after `prefix`.
    fn digest(parts: &[Option<&Value>], prefix: Option<&[u8; 32]>) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut d = Sha256::new();
        if let Some(p) = prefix {
            d.update(p);
        }
        for part in parts {
            match part {
                Some(v) => d.update(v.to_string().as_bytes()),
                None => d.update(b"\0absent"),
            }
            d.update([0]);
        }
        d.finalize().into()
    }

    /// The verdicts on `o` in the namespace scope `scope`, judged by `judge`
    /// unless known.
    fn of(scope: &[u8; 32], o: &Value, judge: impl FnOnce() -> Vec<Option<Vec<bool>>>) -> ObjectVerdicts {
        let key = Self::digest(&[Some(o)], Some(scope));
        let lock = || Self::memo().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = lock().get(&key) {
            return known.clone();
        }
        let found = Arc::new(judge());
        let mut kept = lock();
        if kept.len() >= Self::KEPT {
            kept.clear();
        }
        kept.insert(key, found.clone());
        found
    }
}

/// GC-ZONE-001 for what runs: a scheduled pod in a zone's namespace is on a
/// node of that zone (checked when the nodes are in scope).
fn running_pods(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let nodes: BTreeMap<&str, &Value> =
        objects.iter().filter(|o| kind_of(o) == "Node").map(|n| (name_of(n), *n)).collect();
    if nodes.is_empty() {
        return;
    }
    for p in objects.iter().filter(|o| kind_of(o) == "Pod" && tenant_ns.contains(ns_of(o))) {
        let Some(node) = p["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) else { continue };
        let ns = ns_of(p);
        let Some(zone) = ctx
            .namespaces
            .get(ns)
            .and_then(|o| label(o, ZONE))
            .and_then(|z| model.zones.iter().find(|m| m.name_any() == z))
        else {
            continue;
        };
        let on_zone_node = nodes
            .get(node)
            .is_some_and(|n| zone.spec.node_pool.selector.iter().all(|(k, v)| label(n, k) == Some(v.as_str())));
        ctx.add(
            controls::ZONE_NODES,
            if on_zone_node { Outcome::Pass } else { Outcome::Fail },
            &id_of(p),
            Some(ns),
            "spec.nodeName",
            format!("runs on node {node}{}", if nodes.contains_key(node) { "" } else { " (not a known node)" }),
            format!("a pod of zone {} runs on a node of the zone's pool", zone.name_any()),
        );
    }
}

/// Per tenant namespace: default deny, Pod Security level, quota and
/// limits; for the namespaces of zones another cluster hosts, that they hold
/// declarations only.
fn namespace_controls(
    ctx: &mut Ctx<'_>,
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
    remote: &BTreeMap<String, String>,
) {
    // The first object of each kind, namespace and name.
    let mut first: HashMap<(&str, &str, &str), &Value> = HashMap::new();
    for o in objects {
        first.entry((kind_of(o), ns_of(o), name_of(o))).or_insert(o);
    }
    declarations(ctx, objects, &first, remote);
    for ns in tenant_ns {
        let nso = ctx.namespaces[ns].clone();
        // Which cluster runs a namespace is the model's to say, not the namespace's labels.
        if label(&nso, ZONE).is_some_and(|z| remote.contains_key(z)) {
            continue;
        }
        let id = format!("Namespace/{ns}");
        let find = |kind: &str, name: &str| first.get(&(kind, ns.as_str(), name)).copied();
        // GC-NET-001
        match find("NetworkPolicy", govcloud_core::meta::names::DEFAULT_DENY) {
            Some(p) => {
                let spec = &p["spec"];
                let selects_all = spec["podSelector"]
                    .as_object()
                    .is_some_and(|m| m.values().all(|v| v.as_object().is_none_or(|o| o.is_empty())));
                let types: Vec<&str> = spec["policyTypes"]
                    .as_array()
                    .map(|t| t.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let denies = selects_all
                    && types.contains(&"Ingress")
                    && types.contains(&"Egress")
                    && spec["ingress"].as_array().is_none_or(|a| a.is_empty())
                    && spec["egress"].as_array().is_none_or(|a| a.is_empty());
                ctx.add(
                    controls::DEFAULT_DENY,
                    if denies { Outcome::Pass } else { Outcome::Fail },
                    &id,
                    Some(ns),
                    "NetworkPolicy govcloud-default-deny",
                    format!("podSelector {}, policyTypes {:?}", spec["podSelector"], types),
                    if denies {
                        "all ingress and egress denied by default".into()
                    } else {
                        "the default-deny policy was weakened".into()
                    },
                );
            }
            None => ctx.add(
                controls::DEFAULT_DENY,
                Outcome::Fail,
                &id,
                Some(ns),
                "NetworkPolicy govcloud-default-deny",
                "absent".into(),
                "nothing denies traffic by default in this namespace".into(),
            ),
        }
        // GC-POD-001
        let level = label(&nso, labels::MLPS_LEVEL).and_then(|l| l.parse::<u8>().ok()).unwrap_or(2);
        let want = govcloud_core::api::pod_security_level(level);
        let got = label(&nso, govcloud_core::meta::labels::PSA_ENFORCE).unwrap_or("(none)");
        let rank = |l: &str| match l {
            "restricted" => 2,
            "baseline" => 1,
            _ => 0,
        };
        ctx.add(
            controls::POD_SECURITY,
            if rank(got) >= rank(want) { Outcome::Pass } else { Outcome::Fail },
            &id,
            Some(ns),
            "metadata.labels[pod-security.kubernetes.io/enforce]",
            format!("{got} (MLPS level {level} requires {want})"),
            format!("Pod Security must enforce {want} at MLPS level {level}"),
        );
        // GC-RES-002
        for (kind, name) in
            [("ResourceQuota", govcloud_core::meta::names::QUOTA), ("LimitRange", govcloud_core::meta::names::LIMITS)]
        {
            let present = find(kind, name).is_some();
            ctx.add(
                controls::QUOTA_AND_LIMITS,
                if present { Outcome::Pass } else { Outcome::Fail },
                &id,
                Some(ns),
                kind,
                if present { format!("{kind}/{name} present") } else { format!("{kind}/{name} absent") },
                format!("every tenant namespace has its {kind}"),
            );
        }
    }
}

/// What a declaration namespace may not hold: what runs, serves, stores,
/// opens a path or lets someone work there.
const NOT_DECLARATIONS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "Service",
    "Ingress",
    "PersistentVolumeClaim",
    "NetworkPolicy",
    "RoleBinding",
];

/// Whether a quantity (`0`, `0m`, `0Gi`) is zero.
fn is_zero(q: &Value) -> bool {
    q.as_str()
        .map(|s| s.trim_end_matches(|c: char| c.is_ascii_alphabetic()))
        .and_then(|n| n.parse::<f64>().ok())
        .is_some_and(|n| n == 0.0)
        || q.as_f64() == Some(0.0)
}

/// GC-ZONE-005: the namespaces of a zone another cluster hosts (by the
/// model) hold declarations only: labelled hosted-in with that cluster, with
/// their zero quota, and nothing that runs or serves; a namespace labelled
/// hosted-in whose zone runs here is mislabelled.
fn declarations(
    ctx: &mut Ctx<'_>,
    objects: &[&Value],
    first: &HashMap<(&str, &str, &str), &Value>,
    remote: &BTreeMap<String, String>,
) {
    let declared: Vec<(String, Value)> = ctx
        .namespaces
        .iter()
        .filter(|(_, o)| {
            label(o, ZONE).is_some_and(|z| remote.contains_key(z)) || label(o, labels::HOSTED_IN).is_some()
        })
        .map(|(n, o)| (n.clone(), (*o).clone()))
        .collect();
    if declared.is_empty() {
        return;
    }
    let mut found: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for o in objects.iter().filter(|o| NOT_DECLARATIONS.contains(&kind_of(o))) {
        if declared.iter().any(|(n, _)| n == ns_of(o)) {
            found.entry(ns_of(o)).or_default().push(o);
        }
    }
    let field = format!("metadata.labels[{}]", labels::HOSTED_IN);
    for (ns, nso) in &declared {
        let id = format!("Namespace/{ns}");
        let zone = label(nso, ZONE).unwrap_or_default();
        let got = label(nso, labels::HOSTED_IN);
        let Some(host) = remote.get(zone) else {
            ctx.add(
                controls::DECLARATIONS_ONLY,
                Outcome::Fail,
                &id,
                Some(ns),
                &field,
                format!(
                    "{}={} on a namespace of zone {zone:?}, which this cluster hosts (or the model does not declare)",
                    labels::HOSTED_IN,
                    got.unwrap_or_default()
                ),
                "only the namespaces of zones another cluster hosts are labelled hosted-in".into(),
            );
            continue;
        };
        let elsewhere = govcloud_render::cluster_label((!host.is_empty()).then_some(host.as_str()));
        let message = format!("zone {zone} runs in {elsewhere}: its namespaces here hold declarations only");
        ctx.add(
            controls::DECLARATIONS_ONLY,
            if got == Some(host.as_str()) { Outcome::Pass } else { Outcome::Fail },
            &id,
            Some(ns),
            &field,
            match got {
                Some(g) => format!("{}={g:?}, want {host:?}", labels::HOSTED_IN),
                None => format!("no {} label, want {host:?}", labels::HOSTED_IN),
            },
            message.clone(),
        );
        let quota = first.get(&("ResourceQuota", ns.as_str(), govcloud_core::meta::names::QUOTA)).copied();
        let open: Vec<String> = match quota {
            None => vec!["absent".into()],
            Some(q) => govcloud_render::DECLARATIONS_ONLY
                .iter()
                .filter(|r| !is_zero(&q["spec"]["hard"][**r]))
                .map(|r| {
                    format!(
                        "{r}={}",
                        match &q["spec"]["hard"][*r] {
                            Value::Null => "unlimited".into(),
                            v => v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
                        }
                    )
                })
                .collect(),
        };
        ctx.add(
            controls::DECLARATIONS_ONLY,
            if open.is_empty() { Outcome::Pass } else { Outcome::Fail },
            &id,
            Some(ns),
            &format!("ResourceQuota {}", govcloud_core::meta::names::QUOTA),
            if open.is_empty() {
                "pods, services, workloads, storage and compute held at 0".into()
            } else {
                open.join(", ")
            },
            message.clone(),
        );
        let here = found.get(ns.as_str()).map(Vec::as_slice).unwrap_or_default();
        if here.is_empty() {
            ctx.add(
                controls::DECLARATIONS_ONLY,
                Outcome::Pass,
                &id,
                Some(ns),
                "objects",
                "nothing runs or serves here".into(),
                message.clone(),
            );
        }
        for o in here {
            ctx.add(
                controls::DECLARATIONS_ONLY,
                Outcome::Fail,
                &id_of(o),
                Some(ns),
                "kind",
                format!("a {} in a declaration namespace of zone {zone}, which runs in {elsewhere}", kind_of(o)),
                message.clone(),
            );
        }
    }
}

/// GC-NET-006 for what exists, judged by custody and never by labels (anyone
/// who may write an object may write its labels): a pod or template carrying
/// the app identity label passes only when its controller owner chain, in its
/// namespace and among the listed objects (Pod -> ReplicaSet -> Deployment,
/// Pod -> StatefulSet), ends at a workload govcloud renders for that very app
/// ([`AppWorkloads`]), made by govcloud: labelled as managed, and, when it
/// names a controller, controlled by the app's DepartmentApp. A fake owner
/// reference leads nowhere and does not count.
fn app_identity(
    ctx: &mut Ctx<'_>,
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
    planned: &govcloud_render::Planned<'_>,
) {
    let listed: HashMap<(&str, &str, &str), &Value> =
        objects.iter().map(|o| ((ns_of(o), kind_of(o), name_of(o)), *o)).collect();
    let mut ours = AppWorkloads::new(planned);
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o))) {
        let Some((pod_metadata, _)) = pod_of(o) else { continue };
        let Some(app) = pod_metadata["labels"][labels::APP].as_str() else { continue };
        let (outcome, evidence) = match custody(o, app, &listed, &mut ours) {
            Ok(top) => (Outcome::Pass, format!("{}={app}, run by {top}", labels::APP)),
            Err(forged) => (Outcome::Fail, format!("{}={app} {forged}", labels::APP)),
        };
        let field = if kind_of(o) == "Pod" {
            "metadata.labels".to_string()
        } else {
            format!("{}.metadata.labels", template_path(o))
        };
        ctx.add(
            controls::APP_IDENTITY,
            outcome,
            &id_of(o),
            Some(ns_of(o)),
            &field,
            evidence,
            "only govcloud's workloads carry the app identity label".into(),
        );
    }
}

/// Where a workload object keeps its pod template.
fn template_path(o: &Value) -> &'static str {
    if kind_of(o) == "CronJob" { "spec.jobTemplate.spec.template" } else { "spec.template" }
}

/// The kinds whose controller makes objects of `kind` for govcloud's apps,
/// and how a finding names them: a Deployment's ReplicaSets make its pods, a
/// Deployment makes its ReplicaSets. Nothing else is on the way to govcloud's
/// workload (a Job, a DaemonSet, a pod claiming a Deployment directly).
fn made_by(kind: &str) -> Option<(&'static [&'static str], &'static str)> {
    match kind {
        "Pod" => Some((&["ReplicaSet", "StatefulSet"], "a ReplicaSet of govcloud's Deployment")),
        "ReplicaSet" => Some((&["Deployment"], "govcloud's Deployment")),
        _ => None,
    }
}

/// The group of an `apiVersion` (`""` for the core group).
fn group_of(api_version: &str) -> &str {
    api_version.split_once('/').map_or("", |(g, _)| g)
}

/// The controller owner reference of `o`, if it names one.
fn controller_of(o: &Value) -> Option<&Value> {
    o["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == true)
}

/// Whether owner reference `r` is to the listed object `owner`: the same
/// group and, where both are known (objects read from a cluster), the same
/// uid; a reference to a deleted object of the same name is not.
fn refers_to(r: &Value, owner: &Value) -> bool {
    let same_group = group_of(r["apiVersion"].as_str().unwrap_or_default())
        == group_of(owner["apiVersion"].as_str().unwrap_or_default());
    let same_uid = match (r["uid"].as_str(), owner["metadata"]["uid"].as_str()) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    same_group && same_uid
}

/// Follows the controller owner chain of `o`, which carries app label
/// `app`, to the top workload and judges it: `Ok(the workload's id)` when
/// it is govcloud's, for this app; else `Err(what forged the label)`.
fn custody(
    o: &Value,
    app: &str,
    listed: &HashMap<(&str, &str, &str), &Value>,
    ours: &mut AppWorkloads<'_>,
) -> Result<String, String> {
    let ns = ns_of(o);
    let mut cur = o;
    // How the chain reads so far ("owned by ReplicaSet x of Deployment y"); empty at `o` itself.
    let mut chain = String::new();
    while !matches!(kind_of(cur), "Deployment" | "StatefulSet") {
        let here = if chain.is_empty() { format!("on {}", a_kind(cur)) } else { chain.clone() };
        let Some((owners, expected)) = made_by(kind_of(cur)) else {
            return Err(format!("{here}: govcloud runs apps as Deployments only"));
        };
        let Some(r) = controller_of(cur) else {
            return Err(match kind_of(cur) {
                "Pod" if chain.is_empty() => format!("{here}: no owner chain to govcloud's Deployment"),
                _ => format!("{here}, which has no controller: not made from govcloud's Deployment"),
            });
        };
        let (kind, name) = (r["kind"].as_str().unwrap_or_default(), r["name"].as_str().unwrap_or_default());
        let step =
            if chain.is_empty() { format!("owned by {kind} {name}") } else { format!("{chain} of {kind} {name}") };
        if !owners.contains(&kind) {
            return Err(format!("{step}, not by {expected}"));
        }
        let Some(owner) = listed.get(&(ns, kind, name)).copied() else {
            return Err(format!("{step}, which does not exist (not among the objects audited)"));
        };
        if !refers_to(r, owner) {
            return Err(format!("{step}: the reference is not to the {kind} of that name (another group or uid)"));
        }
        let carried = pod_of(owner).and_then(|(m, _)| m["labels"][labels::APP].as_str());
        if carried != Some(app) {
            return Err(format!("{step}, whose template carries {}", shown_app(carried)));
        }
        chain = step;
        cur = owner;
    }
    // Said of the top workload: where the chain led, or the object itself.
    let (kind, name) = (kind_of(cur), name_of(cur));
    let top = if chain.is_empty() {
        format!("on {kind} {name}")
    } else {
        format!("{chain}, not made from govcloud's Deployment")
    };
    let Some(rendered) = ours.get(ns, kind, name) else {
        return Err(format!("{top}: govcloud renders no {kind} {name} in {ns}"));
    };
    if rendered.template_app.as_deref() != Some(app) {
        return Err(format!("{top}: govcloud's {kind} {name} runs {}", shown_app(rendered.template_app.as_deref())));
    }
    // The name is govcloud's; whether govcloud made the object holding it is another matter (GC-MGD-002).
    if label(cur, labels::MANAGED_BY) != Some(labels::MANAGER) {
        return Err(format!(
            "{top}: {kind} {name} holds the name of govcloud's but was not created by govcloud (no {}={} label)",
            labels::MANAGED_BY,
            labels::MANAGER
        ));
    }
    if let Some(r) = controller_of(cur) {
        let is_app = r["kind"] == "DepartmentApp"
            && group_of(r["apiVersion"].as_str().unwrap_or_default()) == govcloud_core::meta::GROUP
            && r["name"].as_str() == Some(rendered.app.as_str());
        let app_object = listed.get(&(ns, "DepartmentApp", rendered.app.as_str())).copied();
        if !is_app || app_object.is_some_and(|a| !refers_to(r, a)) {
            return Err(format!(
                "{top}: {kind} {name} is controlled by {} {}, not by DepartmentApp {}",
                r["kind"].as_str().unwrap_or_default(),
                r["name"].as_str().unwrap_or_default(),
                rendered.app
            ));
        }
    }
    Ok(format!("{} (govcloud's, for DepartmentApp {})", id_of(cur), rendered.app))
}

/// `a Pod`, `a ReplicaSet`: how a finding names an object by its kind alone.
fn a_kind(o: &Value) -> String {
    match kind_of(o) {
        "Pod" => "a bare pod".into(),
        k if k.starts_with(['A', 'E', 'I', 'O', 'U']) => format!("an {k}"),
        k => format!("a {k}"),
    }
}

/// An app label as a finding shows it.
fn shown_app(app: Option<&str>) -> String {
    match app {
        Some(a) => format!("{}={a}", labels::APP),
        None => format!("no {} label", labels::APP),
    }
}

/// A pod-bearing workload govcloud renders.
struct AppWorkload {
    /// The DepartmentApp it is rendered for.
    app: String,
    /// The `govcloud.io/app` label of its pod template.
    template_app: Option<String>,
}

/// The workloads govcloud renders for the apps of the plan, by namespace,
/// kind and name: what the owner chain of a labelled pod must end at. A
/// namespace's apps are rendered when the audit first asks about it, so a
/// namespace without labelled pods costs nothing.
struct AppWorkloads<'p> {
    planned: &'p govcloud_render::Planned<'p>,
    /// The planned apps of each namespace.
    apps: HashMap<&'p str, Vec<&'p str>>,
    /// What the apps of a namespace render, once asked.
    rendered: HashMap<String, HashMap<(String, String), AppWorkload>>,
}

impl<'p> AppWorkloads<'p> {
    fn new(planned: &'p govcloud_render::Planned<'p>) -> Self {
        let mut apps: HashMap<&str, Vec<&str>> = HashMap::new();
        for (_, ns, name) in planned.owners().filter(|(kind, _, _)| *kind == "DepartmentApp") {
            apps.entry(ns).or_default().push(name);
        }
        AppWorkloads { planned, apps, rendered: HashMap::new() }
    }

    /// The workload `kind` `namespace/name` as govcloud renders it, if it does.
    fn get(&mut self, namespace: &str, kind: &str, name: &str) -> Option<&AppWorkload> {
        if !self.rendered.contains_key(namespace) {
            let mut workloads = HashMap::new();
            for app in self.apps.get(namespace).into_iter().flatten() {
                for o in self.planned.owner("DepartmentApp", namespace, app).objects {
                    if !matches!(o.kind(), "Deployment" | "StatefulSet") {
                        continue;
                    }
                    let Ok(v) = serde_json::to_value(&o) else { continue };
                    let template_app =
                        pod_of(&v).and_then(|(m, _)| m["labels"][labels::APP].as_str()).map(str::to_string);
                    workloads.insert(
                        (o.kind().to_string(), name_of(&v).to_string()),
                        AppWorkload { app: app.to_string(), template_app },
                    );
                }
            }
            self.rendered.insert(namespace.to_string(), workloads);
        }
        self.rendered.get(namespace)?.get(&(kind.to_string(), name.to_string()))
    }
}

/// GC-RBAC-001: department users hold cluster-wide only the right to read
/// their own Tenant (and the audit bureau the cluster auditor role), never
/// more; GC-RBAC-004: exec, attach and port-forward are bound only where the
/// namespace's level (or its zone) allows them.
fn tenant_privileges(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let owners: BTreeMap<(String, String), Vec<String>> = model.tenants.iter().fold(BTreeMap::new(), |mut m, t| {
        for o in &t.spec.owners {
            m.entry((o.kind.as_str().to_string(), o.name.clone())).or_insert_with(Vec::new).push(t.name_any());
        }
        m
    });
    for crb in objects.iter().filter(|o| kind_of(o) == "ClusterRoleBinding") {
        let role = crb["roleRef"]["name"].as_str().unwrap_or_default();
        for subject in crb["subjects"].as_array().into_iter().flatten() {
            let key = (
                subject["kind"].as_str().unwrap_or_default().to_string(),
                subject["name"].as_str().unwrap_or_default().to_string(),
            );
            let Some(tenants) = owners.get(&key) else { continue };
            let ok = role == govcloud_core::meta::names::CLUSTER_AUDITOR
                && model.tenants.iter().any(|t| {
                    t.spec.audit_scope == govcloud_core::api::AuditScope::Cluster
                        && t.spec.owners.iter().any(|o| {
                            o.role == govcloud_core::api::OwnerRole::Auditor
                                && (o.kind.as_str(), o.name.as_str()) == (key.0.as_str(), key.1.as_str())
                        })
                })
                || tenants.iter().any(|t| role == govcloud_core::meta::names::tenant_cluster_role(t));
            ctx.add(
                controls::TENANT_RBAC,
                if ok { Outcome::Pass } else { Outcome::Fail },
                &id_of(crb),
                None,
                "roleRef",
                format!("{} {} of tenant {} bound to ClusterRole {role}", key.0, key.1, tenants.join(", ")),
                "department users hold cluster-wide only the right to read their own Tenant (auditors of the audit bureau: the cluster auditor role)".into(),
            );
        }
    }
    for rb in objects.iter().filter(|o| {
        kind_of(o) == "RoleBinding"
            && tenant_ns.contains(ns_of(o))
            && o["roleRef"]["name"] == govcloud_core::meta::names::EXEC_ROLE
    }) {
        let ns = ns_of(rb);
        let nso = ctx.namespaces.get(ns).copied();
        let level = nso.and_then(|o| label(o, labels::MLPS_LEVEL)).and_then(|l| l.parse::<u8>().ok()).unwrap_or(2);
        let zone = nso.and_then(|o| label(o, ZONE)).and_then(|z| model.zones.iter().find(|m| m.name_any() == z));
        let ok = level < 3 || zone.is_some_and(|z| z.spec.allow_exec);
        ctx.add(
            controls::EXEC_ACCESS,
            if ok { Outcome::Pass } else { Outcome::Fail },
            &id_of(rb),
            Some(ns),
            "roleRef",
            format!("{} bound at MLPS level {level}", govcloud_core::meta::names::EXEC_ROLE),
            "exec, attach and port-forward only at level 2, or where the zone sets allowExec".into(),
        );
    }
}

/// GC-REQ-001 for what was decided, from each ResourceRequest's status: the
/// decision was not made by the requester (both as the API server recorded
/// them), and a surge ends where the operator fixed its end when it first
/// saw the approval: the time of the first `Approved` transition of its
/// history plus its minutes ([`govcloud_render::surge_end`], the operator's
/// own rule). Only an approved surge has an end.
fn resource_requests(ctx: &mut Ctx<'_>, objects: &[&Value]) {
    use govcloud_core::api::{DecisionState, RequestKind, RequestPhase, ResourceRequest};
    for o in objects.iter().filter(|o| kind_of(o) == "ResourceRequest") {
        let (id, ns) = (id_of(o), ns_of(o));
        let r: ResourceRequest = match serde_json::from_value((*o).clone()) {
            Ok(r) => r,
            Err(e) => {
                ctx.add(
                    controls::REQUEST_DECISIONS,
                    Outcome::Skip,
                    &id,
                    Some(ns),
                    "",
                    format!("cannot be read as a ResourceRequest: {e}"),
                    "a request's decision and a surge's end are judged from its status".into(),
                );
                continue;
            }
        };
        let status = r.status.clone().unwrap_or_default();
        let requester = r.spec.requester.as_ref().map(|q| q.username.as_str()).filter(|u| !u.is_empty());
        if let Some(d) = &status.decision {
            let state = format!("{:?}", d.state);
            let decider = d.by.as_deref().filter(|b| !b.is_empty());
            let (outcome, evidence) = match (requester, decider) {
                (_, None) => {
                    (Outcome::Fail, format!("{state} with no status.decision.by: who decided was not recorded"))
                }
                (None, Some(by)) => {
                    (Outcome::Fail, format!("{state} by {by}, with no spec.requester: who filed it was not recorded"))
                }
                (Some(filer), Some(by)) if filer == by => (Outcome::Fail, format!("{state} by {by}, who filed it")),
                (Some(filer), Some(by)) => {
                    (Outcome::Pass, format!("filed by {filer}, {} by {by}", state.to_lowercase()))
                }
            };
            ctx.add(
                controls::REQUEST_DECISIONS,
                outcome,
                &id,
                Some(ns),
                "status.decision.by",
                evidence,
                "a request is decided by someone other than its requester, both recorded by the API server".into(),
            );
        }
        let approved_surge = r.spec.kind == RequestKind::Surge
            && status.decision.as_ref().is_some_and(|d| d.state == DecisionState::Approved);
        let approved_at = status.history.iter().find(|t| t.phase == RequestPhase::Approved).map(|t| t.at.0);
        let end = status.expires_at.as_ref().map(|e| e.0);
        let minutes = r.spec.minutes.unwrap_or_default();
        let (outcome, evidence) = match (approved_surge, end, approved_at) {
            (false, None, _) => continue,
            (false, Some(end), _) => {
                let decided = status
                    .decision
                    .as_ref()
                    .map(|d| format!("{:?}", d.state).to_lowercase())
                    .unwrap_or_else(|| "undecided".into());
                (
                    Outcome::Fail,
                    format!(
                        "expiresAt {end} on a {} request that is {decided}: only an approved surge ends",
                        r.spec.kind.as_str()
                    ),
                )
            }
            // The operator has not seen the approval yet: it sets the end when it does.
            (true, None, None) => continue,
            (true, None, Some(at)) => {
                (Outcome::Fail, format!("approved at {at}, and no expiresAt: the surge has no end"))
            }
            (true, Some(end), None) => (
                Outcome::Fail,
                format!("expiresAt {end}, and no Approved transition in status.history to date the end from"),
            ),
            (true, Some(end), Some(at)) => match govcloud_render::surge_end(&r, at) {
                Some(want) if want == end => {
                    (Outcome::Pass, format!("ends at {end}: approved at {at} plus {minutes} minutes"))
                }
                Some(want) => (
                    Outcome::Fail,
                    format!("the surge end moved: expiresAt {end}, approved at {at} plus {minutes} minutes is {want}"),
                ),
                None => (
                    Outcome::Fail,
                    format!("expiresAt {end}, and no end follows from approval at {at} plus {minutes} minutes"),
                ),
            },
        };
        ctx.add(
            controls::REQUEST_DECISIONS,
            outcome,
            &id,
            Some(ns),
            "status.expiresAt",
            evidence,
            "a surge ends its minutes after its approval, and its end never moves; nothing else has an end".into(),
        );
    }
}

/// GC-NET-004: every exchange endpoint address lies inside its zone's or a
/// peer zone's ranges (the renderer's own verdict); GC-NET-005: every ipBlock
/// in a tenant namespace that spans the cluster's pod or service range
/// excepts it.
fn zone_ranges(
    ctx: &mut Ctx<'_>,
    model: &Model,
    index: &govcloud_render::Index<'_>,
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
    remote: &BTreeMap<String, String>,
) {
    for z in model.zones.iter().filter(|z| !remote.contains_key(&z.name_any())) {
        for (i, ep) in z.spec.exchange_endpoints.iter().enumerate() {
            let Some(cidr) = &ep.cidr else { continue };
            let rejected = index.rejected_endpoints.contains(&(z.name_any(), i));
            ctx.add(
                controls::ENDPOINT_RANGES,
                if rejected { Outcome::Fail } else { Outcome::Pass },
                &format!("NetworkZone/{}", z.name_any()),
                None,
                &format!("spec.exchangeEndpoints[{i}].cidr"),
                format!("{} = {cidr}", ep.name),
                "an exchange endpoint lies inside its zone's or a peer zone's ranges".into(),
            );
        }
    }
    let cluster: Vec<ipnet::IpNet> = model.cluster_cidrs.iter().filter_map(|c| c.parse().ok()).collect();
    for np in objects.iter().filter(|o| kind_of(o) == "NetworkPolicy" && tenant_ns.contains(ns_of(o))) {
        let peers = ["ingress", "egress"].iter().flat_map(|dir| {
            let side = if *dir == "ingress" { "from" } else { "to" };
            np["spec"][dir].as_array().into_iter().flatten().flat_map(move |r| r[side].as_array().into_iter().flatten())
        });
        for block in peers.filter_map(|p| p.get("ipBlock")) {
            let Some(net) = block["cidr"].as_str().and_then(|c| c.parse::<ipnet::IpNet>().ok()) else { continue };
            let except: Vec<ipnet::IpNet> =
                block["except"].as_array().into_iter().flatten().filter_map(|e| e.as_str()?.parse().ok()).collect();
            let open: Vec<String> = cluster
                .iter()
                .filter(|c| net.contains(*c) && net != **c && !except.iter().any(|e| e.contains(*c)))
                .map(|c| c.to_string())
                .collect();
            if cluster.iter().all(|c| !net.contains(c)) {
                continue;
            }
            ctx.add(
                controls::CLUSTER_RANGES,
                if open.is_empty() { Outcome::Pass } else { Outcome::Fail },
                &id_of(np),
                Some(ns_of(np)),
                "ipBlock.except",
                if open.is_empty() {
                    format!("{net} excepts the cluster's ranges")
                } else {
                    format!("{net} spans {} without excepting it", open.join(", "))
                },
                "wide address ranges exclude the cluster's pod and service ranges".into(),
            );
        }
    }
}

/// GC-SVC-003 across objects: no two Ingresses in tenant namespaces serve one
/// host; the first (by creation, then name) keeps it.
/// GC-SVC-003 on Tenants: a host belongs to one tenant, so two tenants'
/// `allowedHosts` (approved Hostname requests folded in) never name the same
/// host; admission would then let neither take it from the other.
fn tenant_hosts(ctx: &mut Ctx<'_>, model: &Model) {
    let owners = govcloud_render::host_owners(&model.tenants);
    let mut by_host: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for o in &owners {
        by_host.entry(o.host.as_str()).or_default().push(o.tenant.as_str());
    }
    for (host, tenants) in by_host {
        for t in &tenants {
            let others: Vec<&str> = tenants.iter().copied().filter(|o| o != t).collect();
            let (outcome, evidence) = if others.is_empty() {
                (Outcome::Pass, format!("{host} owned by {t} alone"))
            } else {
                (Outcome::Fail, format!("{host} is also owned by {}", others.join(", ")))
            };
            ctx.add(
                controls::PUBLIC_HOSTS,
                outcome,
                &format!("Tenant/{t}"),
                None,
                "spec.allowedHosts",
                evidence,
                "a public host name belongs to one tenant (its allowedHosts or an approved Hostname request)".into(),
            );
        }
    }
}

fn public_hosts(ctx: &mut Ctx<'_>, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let mut ingresses: Vec<&Value> =
        objects.iter().filter(|o| kind_of(o) == "Ingress" && tenant_ns.contains(ns_of(o))).copied().collect();
    ingresses.sort_by_key(|o| {
        (o["metadata"]["creationTimestamp"].as_str().map(str::to_string).unwrap_or_else(|| "~".into()), id_of(o))
    });
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for i in ingresses {
        for host in i["spec"]["rules"].as_array().into_iter().flatten().filter_map(|r| r["host"].as_str()) {
            let host = host.to_ascii_lowercase();
            let id = id_of(i);
            match owner.get(&host) {
                Some(first) if *first != id => ctx.add(
                    controls::PUBLIC_HOSTS,
                    Outcome::Fail,
                    &id,
                    Some(ns_of(i)),
                    "spec.rules[].host",
                    format!("{host} is also served by {first}"),
                    "a public host name belongs to the first app that claimed it".into(),
                ),
                _ => {
                    owner.insert(host.clone(), id.clone());
                    ctx.add(
                        controls::PUBLIC_HOSTS,
                        Outcome::Pass,
                        &id,
                        Some(ns_of(i)),
                        "spec.rules[].host",
                        format!("{host} served only here"),
                        "a public host name belongs to the first app that claimed it".into(),
                    );
                }
            }
        }
    }
}

/// GC-SVC-002 across objects: an Ingress in a tenant namespace sends public
/// traffic only to Services govcloud manages in its namespace. The admission
/// CEL reads the backends' names; what a name stands for takes the other
/// objects: a Service that exists, labelled as govcloud's, and not of type
/// ExternalName (which would proxy the internet to any host the Service
/// names, inside the city's networks or out).
fn ingress_backends(ctx: &mut Ctx<'_>, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let services: HashMap<(&str, &str), &Value> =
        objects.iter().filter(|o| kind_of(o) == "Service").map(|o| ((ns_of(o), name_of(o)), *o)).collect();
    for i in objects.iter().filter(|o| kind_of(o) == "Ingress" && tenant_ns.contains(ns_of(o))) {
        let ns = ns_of(i);
        let mut backends: Vec<(String, &Value)> = Vec::new();
        if i["spec"]["defaultBackend"].is_object() {
            backends.push(("spec.defaultBackend".into(), &i["spec"]["defaultBackend"]));
        }
        for (r, rule) in i["spec"]["rules"].as_array().into_iter().flatten().enumerate() {
            for (p, path) in rule["http"]["paths"].as_array().into_iter().flatten().enumerate() {
                backends.push((format!("spec.rules[{r}].http.paths[{p}].backend"), &path["backend"]));
            }
        }
        // An Ingress without backends routes nothing (its zone is judged by the admission CEL).
        if backends.is_empty() {
            continue;
        }
        let mut routes: Vec<String> = Vec::new();
        let mut wrong: Vec<String> = Vec::new();
        for (field, b) in backends {
            let Some(name) = b["service"]["name"].as_str() else {
                wrong.push(match b["resource"]["kind"].as_str() {
                    Some(k) => format!(
                        "{field}: a resource backend ({k} {}), not a Service",
                        b["resource"]["name"].as_str().unwrap_or_default()
                    ),
                    None => format!("{field}: names no Service"),
                });
                continue;
            };
            let Some(s) = services.get(&(ns, name)) else {
                wrong.push(format!("{field}: Service {name} does not exist"));
                continue;
            };
            let mut why = Vec::new();
            if label(s, labels::MANAGED_BY) != Some(labels::MANAGER) {
                why.push(format!("not govcloud's (no {}={} label)", labels::MANAGED_BY, labels::MANAGER));
            }
            if s["spec"]["type"] == "ExternalName" {
                why.push(format!(
                    "of type ExternalName, to {}",
                    s["spec"]["externalName"].as_str().unwrap_or("no host")
                ));
            }
            if why.is_empty() {
                routes.push(format!("Service {name}"));
            } else {
                wrong.push(format!("{field}: Service {name} is {}", why.join(" and ")));
            }
        }
        routes.sort();
        routes.dedup();
        ctx.add(
            controls::INGRESS_ZONE,
            if wrong.is_empty() { Outcome::Pass } else { Outcome::Fail },
            &id_of(i),
            Some(ns),
            "spec.rules[].http.paths[].backend.service",
            if wrong.is_empty() {
                format!("routes only to govcloud's {}", routes.join(", "))
            } else {
                wrong.join("; ")
            },
            "an Ingress routes only to Services govcloud manages in its namespace, never to an ExternalName".into(),
        );
    }
}

/// GC-ZONE-004: nodes of a zone carry its taint (skipped when no nodes are in
/// scope); GC-ZONE-006: a node that matches the pool of a zone another cluster
/// hosts matches one this cluster hosts too (zones of different clusters may
/// share pool labels), else it is that zone's machine in the wrong cluster.
/// GC-ZONE-007: the CPU and memory granted in a zone fit what its Ready
/// nodes give, times its over-commit ratio (skipped without Ready nodes in scope).
fn zone_capacity(ctx: &mut Ctx<'_>, model: &Model, z: &govcloud_core::api::NetworkZone, nodes: &[&Value]) {
    use govcloud_render::capacity;
    let id = format!("NetworkZone/{}", z.name_any());
    let why =
        "the quotas granted in a zone fit its Ready nodes' capacity times its over-commit ratio (spec.overcommit)"
            .to_string();
    let Some(cap) = capacity::capacity(z, nodes.iter().copied()) else {
        ctx.add(
            controls::ZONE_CAPACITY,
            Outcome::Skip,
            &id,
            None,
            "spec.nodePool",
            "no Ready node of this zone in scope".into(),
            why,
        );
        return;
    };
    let granted = capacity::granted(&z.name_any(), &model.tenants);
    let over = capacity::over(z, cap, granted);
    let (outcome, evidence) = if over.is_empty() {
        (
            Outcome::Pass,
            format!(
                "cpu {} of {}, memory {} of {}",
                govcloud_render::format_quantity(granted.cpu),
                govcloud_render::format_quantity(cap.cpu),
                govcloud_render::format_quantity(granted.memory),
                govcloud_render::format_quantity(cap.memory)
            ),
        )
    } else {
        (Outcome::Fail, over.join("; "))
    };
    ctx.add(controls::ZONE_CAPACITY, outcome, &id, None, "spec.zones[].quota", evidence, why);
}

fn zone_nodes(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], remote: &BTreeMap<String, String>) {
    let nodes: Vec<&Value> = objects.iter().filter(|o| kind_of(o) == "Node").copied().collect();
    let in_pool = |n: &Value, z: &govcloud_core::api::NetworkZone| {
        z.spec.node_pool.selector.iter().all(|(k, v)| label(n, k) == Some(v.as_str()))
    };
    for n in &nodes {
        let (elsewhere, here): (Vec<&govcloud_core::api::NetworkZone>, Vec<&govcloud_core::api::NetworkZone>) =
            model.zones.iter().filter(|z| in_pool(n, z)).partition(|z| remote.contains_key(&z.name_any()));
        if elsewhere.is_empty() {
            continue;
        }
        let theirs: Vec<String> = elsewhere
            .iter()
            .map(|z| {
                let host = remote.get(&z.name_any()).map(String::as_str).unwrap_or_default();
                format!(
                    "{} (runs in {})",
                    z.name_any(),
                    govcloud_render::cluster_label((!host.is_empty()).then_some(host))
                )
            })
            .collect();
        let (outcome, evidence) = if here.is_empty() {
            (Outcome::Fail, format!("matches the node pool of {} and of no zone this cluster hosts", theirs.join(", ")))
        } else {
            let ours: Vec<String> = here.iter().map(|z| z.name_any()).collect();
            (
                Outcome::Pass,
                format!("matches the node pool of {}, and of {} hosted here", theirs.join(", "), ours.join(", ")),
            )
        };
        ctx.add(
            controls::FOREIGN_NODES,
            outcome,
            &format!("Node/{}", name_of(n)),
            None,
            "metadata.labels",
            evidence,
            "a zone's machines register only with the cluster that hosts it: remove the node from this cluster, or its pool labels".into(),
        );
    }
    // A zone another cluster hosts has no nodes here, and is no finding.
    for z in model.zones.iter().filter(|z| !remote.contains_key(&z.name_any())) {
        zone_capacity(ctx, model, z, &nodes);
        let pool = &z.spec.node_pool;
        let id = format!("NetworkZone/{}", z.name_any());
        let matched: Vec<&&Value> =
            nodes.iter().filter(|n| pool.selector.iter().all(|(k, v)| label(n, k) == Some(v.as_str()))).collect();
        if matched.is_empty() {
            ctx.add(
                controls::ZONE_TAINT,
                Outcome::Skip,
                &id,
                None,
                "spec.nodePool",
                "no node of this zone in scope".into(),
                "checked against live nodes only".into(),
            );
        }
        for n in matched {
            let tainted = n["spec"]["taints"].as_array().is_some_and(|ts| {
                ts.iter().any(|t| {
                    t["key"] == pool.taint.key.as_str()
                        && t["value"].as_str().unwrap_or("") == pool.taint.value
                        && t["effect"] == pool.taint.effect.as_str()
                })
            });
            ctx.add(
                controls::ZONE_TAINT,
                if tainted { Outcome::Pass } else { Outcome::Fail },
                &format!("Node/{}", name_of(n)),
                None,
                "spec.taints",
                n["spec"]["taints"].to_string(),
                format!(
                    "node of zone {} must carry {}={}:{}",
                    z.name_any(),
                    pool.taint.key,
                    pool.taint.value,
                    pool.taint.effect.as_str()
                ),
            );
        }
    }
}

/// GC-MGD-001: what govcloud manages is as govcloud renders it.
fn drift(ctx: &mut Ctx<'_>, planned: &govcloud_render::Planned<'_>, objects: &[&Value]) {
    let by_id: HashMap<String, &Value> = objects.iter().map(|o| (id_of(o), *o)).collect();
    for o in planned.owners().flat_map(|(kind, ns, name)| planned.owner(kind, ns, name).objects) {
        let Ok(desired) = serde_json::to_value(&o) else { continue };
        let id = o.id();
        let ns = o.namespace().to_string();
        let (outcome, evidence) = match by_id.get(&id) {
            None => (Outcome::Fail, "absent".to_string()),
            Some(live) if label(live, labels::MANAGED_BY) != Some(labels::MANAGER) => {
                ctx.add(
                    controls::NO_ADOPTION,
                    Outcome::Fail,
                    &id,
                    Some(&ns),
                    "metadata.labels",
                    format!("{id} exists and was not created by govcloud (no {}={} label)", labels::MANAGED_BY, labels::MANAGER),
                    "a name govcloud needs is taken by a foreign object; govcloud does not adopt it: delete or rename it".into(),
                );
                (Outcome::Fail, "a foreign object holds this name (see GC-MGD-002)".to_string())
            }
            Some(live) if govcloud_core::meta::compare::object_contains(live, &desired) => {
                ctx.add(
                    controls::NO_ADOPTION,
                    Outcome::Pass,
                    &id,
                    Some(&ns),
                    "metadata.labels",
                    "created by govcloud".into(),
                    "govcloud owns what it manages".into(),
                );
                (Outcome::Pass, "as rendered".to_string())
            }
            Some(live) => (Outcome::Fail, first_difference(live, &desired, "").unwrap_or_else(|| "differs".into())),
        };
        ctx.add(
            controls::MANAGED_OBJECTS,
            outcome,
            &id,
            Some(&ns),
            "",
            evidence,
            "managed objects match what govcloud renders (no drift)".into(),
        );
    }
}

fn first_difference(actual: &Value, desired: &Value, path: &str) -> Option<String> {
    match (actual, desired) {
        (Value::Object(a), Value::Object(d)) => {
            d.iter().filter(|(k, _)| *k != "apiVersion" && *k != "kind").find_map(|(k, dv)| {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match a.get(k) {
                    None if dv.is_null() => None,
                    None => Some(format!("{p}: missing, want {dv}")),
                    Some(av) => first_difference(av, dv, &p),
                }
            })
        }
        (Value::Array(a), Value::Array(d)) if a.len() != d.len() => {
            Some(format!("{path}: {} items, want {}", a.len(), d.len()))
        }
        (Value::Array(a), Value::Array(d)) => {
            a.iter().zip(d).enumerate().find_map(|(i, (av, dv))| first_difference(av, dv, &format!("{path}[{i}]")))
        }
        (a, d) if govcloud_core::meta::compare::contains(a, d) => None,
        (a, d) => Some(format!("{path}: {a}, want {d}")),
    }
}

/// Whether `o` is run by a workload that is itself in `objects` (a pod of a
/// listed ReplicaSet, a ReplicaSet of a listed Deployment): that workload
/// stands for it in the connectivity matrix. An owner reference to anything
/// else (a ConfigMap, a missing object) stands for nothing.
fn run_by_listed_workload(o: &Value, listed: &BTreeSet<(String, String, String)>) -> bool {
    o["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|r| {
        r["controller"] == true
            && listed.contains(&(
                ns_of(o).to_string(),
                r["kind"].as_str().unwrap_or_default().to_string(),
                r["name"].as_str().unwrap_or_default().to_string(),
            ))
    })
}

fn workloads(objects: &[&Value], tenant_ns: &BTreeSet<String>) -> Vec<Workload> {
    let listed: BTreeSet<(String, String, String)> = objects
        .iter()
        .filter(|o| kind_of(o) != "Pod" && pod_of(o).is_some())
        .map(|o| (ns_of(o).to_string(), kind_of(o).to_string(), name_of(o).to_string()))
        .collect();
    let mut out = Vec::new();
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o))) {
        let Some((pod_metadata, pod_spec)) = pod_of(o) else { continue };
        if run_by_listed_workload(o, &listed) {
            continue;
        }
        let labels: BTreeMap<String, String> = pod_metadata["labels"]
            .as_object()
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        let ports = pod_spec["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
            .filter_map(|p| Some((p["containerPort"].as_i64()?, p["protocol"].as_str().unwrap_or("TCP").to_string())))
            .collect();
        let app = labels.get(labels::APP).cloned().unwrap_or_else(|| name_of(o).to_string());
        out.push(Workload { id: id_of(o), app, namespace: ns_of(o).to_string(), labels, ports });
    }
    out
}

/// The NetworkPolicies among `objects`, over the namespaces' labels.
fn network<'o>(ctx: &Ctx<'_>, objects: &[&'o Value]) -> Network<'o> {
    let namespace_labels = ctx
        .namespaces
        .iter()
        .map(|(n, o)| {
            (
                n.clone(),
                o["metadata"]["labels"]
                    .as_object()
                    .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                    .unwrap_or_default(),
            )
        })
        .collect();
    Network::new(objects.iter().copied().filter(|o| kind_of(o) == "NetworkPolicy"), namespace_labels)
        .with_admin_tier(objects.iter().copied().filter(|o| admin_tier::is_cluster_policy(o)))
}

/// Whether an inventory comes from a cluster that serves the admin tier: it
/// holds ClusterNetworkPolicies (an offline audit's only sign of it).
pub fn serves_admin_tier(objects: &[Value]) -> bool {
    objects.iter().any(admin_tier::is_cluster_policy)
}

/// GC-NET-003's finding for a workload of private zone `zone` and the
/// addresses outside it that it reaches (`escapes`).
fn private_egress(ctx: &mut Ctx<'_>, w: &Workload, zone: &str, escapes: &[String]) {
    ctx.add(
        controls::PRIVATE_EGRESS,
        if escapes.is_empty() { Outcome::Pass } else { Outcome::Fail },
        &w.id,
        Some(&w.namespace),
        "NetworkPolicy egress",
        if escapes.is_empty() { "reaches only its exchange endpoints".into() } else { escapes.join("; ") },
        format!("nothing in private zone {zone} reaches outside it but its exchange endpoints"),
    );
}

/// GC-NET-003's probes for private zone `z`: the ranges its exchange
/// endpoints open (those the renderer rejected, outside every zone's
/// ranges, open nothing), and the addresses nothing of it may reach
/// otherwise: the internet and a host of every other zone.
fn private_zone_probes(
    model: &Model,
    index: &govcloud_render::Index<'_>,
    z: &govcloud_core::api::NetworkZone,
    internet_probe: IpAddr,
) -> (Vec<ipnet::IpNet>, Vec<IpAddr>) {
    let allowed = z
        .spec
        .exchange_endpoints
        .iter()
        .enumerate()
        .filter(|(i, _)| !index.rejected_endpoints.contains(&(z.name_any(), *i)))
        .filter_map(|(_, e)| e.cidr.as_ref()?.parse().ok())
        .collect();
    let mut probes: Vec<IpAddr> = vec![internet_probe, IpAddr::from([1, 1, 1, 1]), IpAddr::from([0, 0, 0, 1])];
    for other in model.zones.iter().filter(|o| o.name_any() != z.name_any()) {
        probes.extend(
            other
                .spec
                .cidrs
                .iter()
                .filter_map(|c| c.parse::<ipnet::IpNet>().ok())
                .map(|n| n.hosts().next().unwrap_or(n.addr())),
        );
    }
    (allowed, probes)
}

/// GC-NET-002 and GC-NET-003 from NetworkPolicy semantics; the connectivity matrix.
fn isolation(
    ctx: &mut Ctx<'_>,
    model: &Model,
    planned: &govcloud_render::Planned<'_>,
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
    remote: &BTreeMap<String, String>,
    matrix_limit: usize,
) -> Connectivity {
    let (index, flows) = (&planned.index, &planned.flows);
    let net = network(ctx, objects);
    let ws = workloads(objects, tenant_ns);
    let nss = ctx.namespaces.clone();
    let tenant_of = |w: &Workload| nss.get(&w.namespace).and_then(|o| label(o, TENANT)).unwrap_or_default().to_string();
    let zone_of = |w: &Workload| nss.get(&w.namespace).and_then(|o| label(o, ZONE)).unwrap_or_default().to_string();
    let granted: BTreeSet<(String, String)> = flows
        .iter()
        .filter(|f| f.state == FlowState::Granted)
        .map(|f| (f.consumer.to_string(), f.provider.to_string()))
        .collect();
    let mut conn = Connectivity::default();
    let internet_probe: IpAddr = IpAddr::from([8, 8, 8, 8]);
    let internet_client: IpAddr = IpAddr::from([203, 0, 113, 1]);
    // Reachability per class of alike workloads, for the candidate pairs only
    // (see `netpol`); then per workload, in the order of a pairwise scan.
    let reach = net.reachability(&ws);
    let tenants: Vec<String> = ws.iter().map(&tenant_of).collect();
    let keys: Vec<String> = ws.iter().map(|w| format!("{}/{}/{}", tenant_of(w), zone_of(w), w.app)).collect();
    let matrix = ws.len() <= matrix_limit;
    let mut pairs = Vec::new();
    let mut pending_findings = Vec::new();
    for (i, a) in ws.iter().enumerate() {
        conn.apps.push((format!("{}/{}", tenants[i], a.app), zone_of(a)));
        let mut reached: Vec<(usize, &str)> = reach.reaches[reach.class_of[i]]
            .iter()
            .flat_map(|(c, e)| reach.members[*c].iter().map(move |j| (*j, e.as_str())))
            .filter(|(j, _)| ws[*j].id != a.id)
            .collect();
        reached.sort_unstable_by_key(|(j, _)| *j);
        if matrix {
            let mut row = vec![false; ws.len()];
            reached.iter().for_each(|(j, _)| row[*j] = true);
            conn.reach.push(row);
        } else {
            pairs.extend(reached.iter().map(|(j, _)| (i, *j)));
        }
        for (j, e) in reached.into_iter().filter(|(j, _)| tenants[i] != tenants[*j]) {
            let ok = granted.contains(&(keys[i].clone(), keys[j].clone()));
            pending_findings.push((
                controls::TWO_SIDED_FLOWS,
                if ok { Outcome::Pass } else { Outcome::Fail },
                a.id.clone(),
                a.namespace.clone(),
                format!("{} -> {}: reachable ({e})", keys[i], keys[j]),
                if ok {
                    "granted by both sides".to_string()
                } else {
                    "reachable without a two-sided grant".to_string()
                },
            ));
        }
    }
    if !matrix {
        conn.reachable = Some(pairs);
        conn.note = Some(format!(
            "{} apps: more than {matrix_limit}, so the matrix `reach` is left empty and `reachable` lists the pairs (i, j) where app i may reach app j",
            ws.len()
        ));
    }
    // Internet in and out, once per class.
    let mut internet: HashMap<usize, (bool, bool)> = HashMap::new();
    for (i, a) in ws.iter().enumerate() {
        let class = reach.class_of[i];
        let (out, inn) = *internet.entry(class).or_insert_with(|| {
            (
                reach.reaches_ip(class, internet_probe, &[80, 443]).is_some(),
                a.ports.iter().any(|(p, proto)| reach.accepts_ip(class, internet_client, *p, proto)),
            )
        });
        conn.internet_out.push(out);
        conn.internet_in.push(inn);
    }
    for (c, o, id, ns, ev, msg) in pending_findings {
        ctx.add(c, o, &id, Some(&ns), "NetworkPolicy", ev, msg);
    }
    // GC-NET-003: a private zone's workloads reach nothing outside but its exchange endpoints.
    for z in model.zones.iter().filter(|z| z.spec.kind == ZoneKind::Private) {
        let (mut allowed, probes) = private_zone_probes(model, index, z, internet_probe);
        // A granted flow to another cluster leaves for its exchange address.
        allowed.extend(
            flows
                .iter()
                .filter(|f| f.state == FlowState::Granted && f.consumer.zone == z.name_any())
                .filter_map(|f| f.address.as_ref()?.parse::<ipnet::IpNet>().ok()),
        );
        let mut by_class: HashMap<usize, Vec<String>> = HashMap::new();
        for (i, w) in ws.iter().enumerate().filter(|(_, w)| zone_of(w) == z.name_any()) {
            let escapes = by_class
                .entry(reach.class_of[i])
                .or_insert_with(|| {
                    probes
                        .iter()
                        .filter(|ip| !allowed.iter().any(|a| a.contains(*ip)))
                        .filter_map(|ip| reach.reaches_ip(reach.class_of[i], *ip, &[22, 53, 80, 443, 3128, 8080, 8443]))
                        .collect()
                })
                .clone();
            private_egress(ctx, w, &z.name_any(), &escapes);
        }
    }
    // Granted flows between clusters: this cluster's side of each.
    let zones = model.zones_by_name();
    for f in flows.iter().filter(|f| f.state == FlowState::Granted) {
        let consumer_here = !remote.contains_key(&f.consumer.zone);
        if consumer_here != remote.contains_key(&f.provider.zone) {
            continue;
        }
        let (key, peer) = if consumer_here {
            (f.consumer.to_string(), f.provider.to_string())
        } else {
            (f.provider.to_string(), f.consumer.to_string())
        };
        let mut by_class: HashMap<usize, (bool, bool, String)> = HashMap::new();
        for (i, w) in ws.iter().enumerate().filter(|(i, _)| keys[*i] == key) {
            let (open, narrow, evidence) = by_class
                .entry(reach.class_of[i])
                .or_insert_with(|| {
                    if consumer_here {
                        consumer_side(&reach, reach.class_of[i], f, flows, &zones)
                    } else {
                        provider_side(&reach, reach.class_of[i], f, flows, &zones)
                    }
                })
                .clone();
            let (field, message) = if consumer_here {
                (
                    "NetworkPolicy egress",
                    "a flow to another cluster leaves only for the provider's exchange address, on the flow's ports",
                )
            } else {
                (
                    "NetworkPolicy ingress",
                    "a flow from another cluster is admitted from the consumer zone's ranges, on the flow's ports, and nothing wider",
                )
            };
            ctx.add(
                controls::TWO_SIDED_FLOWS,
                if open && narrow { Outcome::Pass } else { Outcome::Fail },
                &w.id,
                Some(&w.namespace),
                field,
                format!("{} -> {}: {evidence}", f.consumer, f.provider),
                message.into(),
            );
            conn.across.push(Across { app: i, peer: peer.clone(), consumer: consumer_here, open });
        }
    }
    conn
}

/// Ports probed for what a workload reaches beyond what it is granted.
const PROBE_PORTS: [i64; 7] = [22, 53, 80, 443, 3128, 8080, 8443];

/// A host of `net` to probe with.
fn host_of(net: &ipnet::IpNet) -> IpAddr {
    net.hosts().next().unwrap_or(net.addr())
}

/// The consumer's side of granted flow `f` to another cluster, for the
/// workloads of `class`: (egress to the exchange address on every port of the
/// flow, nothing wider, the evidence). Wider is an address of the provider's
/// zone, or the exchange address on another port, that the consumer reaches
/// though neither its zone's egress, its zone's exchange endpoints nor another
/// granted flow of it opens it. Only TCP is probed.
fn consumer_side(
    reach: &netpol::Reachability<'_>,
    class: usize,
    f: &govcloud_render::FlowDecision,
    flows: &[govcloud_render::FlowDecision],
    zones: &BTreeMap<String, &govcloud_core::api::NetworkZone>,
) -> (bool, bool, String) {
    let Some(address) = f.address.as_deref().and_then(|a| a.parse::<ipnet::IpNet>().ok()) else {
        return (false, false, "the flow has no exchange address".into());
    };
    let ip = host_of(&address);
    let mut allowed: Vec<(ipnet::IpNet, Vec<i64>)> = Vec::new();
    if let Some(z) = zones.get(&f.consumer.zone) {
        if let Some(egress) = &z.spec.egress {
            allowed.extend(egress.allowed_cidrs.iter().filter_map(|c| Some((c.parse().ok()?, vec![]))));
            allowed.extend(
                egress
                    .gateway
                    .iter()
                    .filter_map(|g| Some((g.cidr.parse().ok()?, g.ports.iter().map(|p| i64::from(*p)).collect()))),
            );
        }
        allowed.extend(
            z.spec.exchange_endpoints.iter().filter_map(|e| {
                Some((e.cidr.as_ref()?.parse().ok()?, e.ports.iter().map(|p| i64::from(*p)).collect()))
            }),
        );
    }
    for g in flows.iter().filter(|g| g.state == FlowState::Granted && g.consumer == f.consumer) {
        if let Some(a) = g.address.as_deref().and_then(|a| a.parse().ok()) {
            allowed.push((a, g.ports.iter().map(|p| i64::from(p.port)).collect()));
        }
    }
    let covered = |ip: IpAddr, port: i64| {
        allowed.iter().any(|(net, ports)| net.contains(&ip) && (ports.is_empty() || ports.contains(&port)))
    };
    let mut through = Vec::new();
    let mut missing = Vec::new();
    for p in f.ports.iter().filter(|p| p.protocol == govcloud_core::api::PortProtocol::TCP) {
        match reach.reaches_ip(class, ip, &[i64::from(p.port)]) {
            Some(e) => through.push(e),
            None => missing.push(format!("{ip}:{}", p.port)),
        }
    }
    let flow_ports: Vec<i64> = f.ports.iter().map(|p| i64::from(p.port)).collect();
    let mut probes: Vec<IpAddr> = vec![ip];
    if let Some(z) = zones.get(&f.provider.zone) {
        probes.extend(z.spec.cidrs.iter().filter_map(|c| c.parse::<ipnet::IpNet>().ok()).map(|n| host_of(&n)));
    }
    let mut wider = Vec::new();
    for probe in probes {
        for port in PROBE_PORTS.iter().chain(&flow_ports) {
            if !covered(probe, *port)
                && let Some(e) = reach.reaches_ip(class, probe, &[*port])
                && !wider.contains(&e)
            {
                wider.push(e);
            }
        }
    }
    let mut evidence = if missing.is_empty() {
        format!("egress {}", through.join(", "))
    } else {
        format!("no egress to {} (the exchange address)", missing.join(", "))
    };
    evidence.push_str(&if wider.is_empty() {
        "; nothing wider".to_string()
    } else {
        format!("; wider: {}", wider.join(", "))
    });
    (missing.is_empty(), wider.is_empty(), evidence)
}

/// The provider's side of granted flow `f` from another cluster, for the
/// workloads of `class`: (ingress from a host of each of the consumer zone's
/// ranges on every port of the flow, nothing wider admitted, the evidence).
/// Wider is an address outside what the granted flows from other clusters to
/// this provider admit (their consumer zones' ranges, on their ports) that
/// the workloads accept: a host of every other zone's ranges and an internet
/// client, on the flows' ports and the usual probe ports, and the consumer
/// zone's own hosts on ports no flow grants.
fn provider_side(
    reach: &netpol::Reachability<'_>,
    class: usize,
    f: &govcloud_render::FlowDecision,
    flows: &[govcloud_render::FlowDecision],
    zones: &BTreeMap<String, &govcloud_core::api::NetworkZone>,
) -> (bool, bool, String) {
    let cidrs = |zone: &str| -> Vec<ipnet::IpNet> {
        zones.get(zone).map(|z| z.spec.cidrs.iter().filter_map(|c| c.parse().ok()).collect()).unwrap_or_default()
    };
    let ranges = cidrs(&f.consumer.zone);
    let mut missing = Vec::new();
    for net in &ranges {
        for p in &f.ports {
            if !reach.accepts_ip(class, host_of(net), i64::from(p.port), p.protocol.as_str()) {
                missing.push(format!("{} on {}/{}", host_of(net), p.port, p.protocol.as_str()));
            }
        }
    }
    // What the granted flows from other clusters to this provider admit.
    let admitted: Vec<(ipnet::IpNet, i64, &str)> = flows
        .iter()
        .filter(|g| g.state == FlowState::Granted && g.provider == f.provider && g.address.is_some())
        .flat_map(|g| {
            cidrs(&g.consumer.zone)
                .into_iter()
                .flat_map(move |n| g.ports.iter().map(move |p| (n, i64::from(p.port), p.protocol.as_str())))
        })
        .collect();
    let covered = |ip: IpAddr, port: i64, proto: &str| {
        admitted.iter().any(|(n, p, pr)| n.contains(&ip) && *p == port && *pr == proto)
    };
    let mut probes: Vec<IpAddr> = zones
        .values()
        .flat_map(|z| z.spec.cidrs.iter().filter_map(|c| c.parse::<ipnet::IpNet>().ok()))
        .map(|n| host_of(&n))
        .collect();
    probes.push(IpAddr::from([203, 0, 113, 1]));
    probes.sort_unstable();
    probes.dedup();
    let mut ports: Vec<(i64, &str)> = PROBE_PORTS.iter().map(|p| (*p, "TCP")).collect();
    ports.extend(f.ports.iter().map(|p| (i64::from(p.port), p.protocol.as_str())));
    ports.sort_unstable();
    ports.dedup();
    let mut wider = Vec::new();
    for ip in probes {
        for (port, proto) in &ports {
            if !covered(ip, *port, proto) && reach.accepts_ip(class, ip, *port, proto) {
                wider.push(format!("{ip} on {port}/{proto}"));
            }
        }
    }
    let flow_ports: Vec<String> = f.ports.iter().map(|p| format!("{}/{}", p.port, p.protocol.as_str())).collect();
    let shown: Vec<String> = ranges.iter().map(ToString::to_string).collect();
    let mut evidence = if missing.is_empty() {
        format!("ingress from zone {} ({}) on {}", f.consumer.zone, shown.join(", "), flow_ports.join(", "))
    } else {
        format!("no ingress from {} (zone {})", missing.join(", "), f.consumer.zone)
    };
    evidence.push_str(&if wider.is_empty() {
        "; nothing wider".to_string()
    } else {
        format!("; wider: {}", wider.join(", "))
    });
    (missing.is_empty() && !ranges.is_empty(), wider.is_empty(), evidence)
}

// === impl city ===

/// One cluster of a city, audited: its name (`None`: the cluster without
/// one), the model it holds, and its audit (the model's `cluster` set to it).
pub type ClusterAudit = (Option<String>, Model, Audit);

/// The audits of a city's clusters as one report: every finding tagged with
/// its cluster, the connectivity of every cluster's apps side by side (with
/// reachability across clusters where both sides of a granted flow let it
/// through), the flows, zones and tenants each once, and the checks only a
/// view over several clusters can make: the clusters' copies of the model
/// compared ([`controls::CITY_MODEL`]) and each flow between clusters
/// compared as the consumer's and the provider's cluster decided it
/// ([`controls::CITY_FLOWS`]).
pub fn city(clusters: Vec<ClusterAudit>) -> Audit {
    let mut interned: HashSet<Arc<str>> = HashSet::new();
    let mut findings = city_models(&clusters, &mut interned);
    findings.extend(city_flows(&clusters, &mut interned));
    let mut out = Audit::default();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut across: Vec<Across> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    let mut seen_flows: HashSet<(String, String)> = HashSet::new();
    for (k, (name, _, audit)) in clusters.into_iter().enumerate() {
        let tag = intern(&mut interned, name.as_deref().unwrap_or_default());
        findings.extend(audit.findings.into_iter().map(|mut f| {
            f.cluster = Some(tag.clone());
            f
        }));
        let c = audit.connectivity;
        let offset = out.connectivity.apps.len();
        if let Some(reachable) = &c.reachable {
            pairs.extend(reachable.iter().map(|(i, j)| (i + offset, j + offset)));
        } else {
            for (i, row) in c.reach.iter().enumerate() {
                pairs.extend(row.iter().enumerate().filter(|(_, r)| **r).map(|(j, _)| (i + offset, j + offset)));
            }
        }
        across.extend(c.across.into_iter().map(|a| Across { app: a.app + offset, ..a }));
        owner.extend(std::iter::repeat_n(k, c.apps.len()));
        out.connectivity.apps.extend(c.apps);
        out.connectivity.internet_out.extend(c.internet_out);
        out.connectivity.internet_in.extend(c.internet_in);
        for f in audit.flows {
            if seen_flows.insert((f.from.clone(), f.to.clone())) {
                out.flows.push(f);
            }
        }
        for z in audit.zones {
            if !out.zones.iter().any(|o| o.0 == z.0) {
                out.zones.push(z);
            }
        }
        for t in audit.tenants {
            if !out.tenants.iter().any(|o| o.0 == t.0) {
                out.tenants.push(t);
            }
        }
    }
    // Across clusters: a consumer whose egress is open to a provider whose ingress is open to it.
    let apps = &out.connectivity.apps;
    let key = |i: usize| apps[i].0.split_once('/').map(|(t, a)| format!("{t}/{}/{a}", apps[i].1)).unwrap_or_default();
    for c in across.iter().filter(|a| a.consumer && a.open) {
        for p in across.iter().filter(|p| {
            !p.consumer && p.open && owner[p.app] != owner[c.app] && p.peer == key(c.app) && c.peer == key(p.app)
        }) {
            pairs.push((c.app, p.app));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let n = apps.len();
    if n <= MATRIX_LIMIT {
        let mut reach = vec![vec![false; n]; n];
        pairs.iter().for_each(|(i, j)| reach[*i][*j] = true);
        out.connectivity.reach = reach;
    } else {
        out.connectivity.note = Some(format!(
            "{n} apps: more than {MATRIX_LIMIT}, so the matrix `reach` is left empty and `reachable` lists the pairs (i, j) where app i may reach app j"
        ));
        out.connectivity.reachable = Some(pairs);
    }
    out.connectivity.across = across;
    sort_findings(&mut findings);
    out.findings = findings;
    out
}

/// A finding of the city's own checks (not of one cluster).
// One flat recorder, as [`Ctx::add`].
#[allow(clippy::too_many_arguments)]
fn city_finding(
    interned: &mut HashSet<Arc<str>>,
    control: &'static str,
    outcome: Outcome,
    object: &str,
    namespace: Option<&str>,
    zone: Option<&str>,
    field: &str,
    evidence: String,
    message: &str,
) -> Finding {
    Finding {
        control,
        outcome,
        severity: controls::control(control).map(|c| c.severity).unwrap_or(Severity::Medium),
        object: intern(interned, object),
        namespace: namespace.map(|n| intern(interned, n)),
        tenant: None,
        zone: zone.map(|z| intern(interned, z)),
        field: intern(interned, field),
        evidence,
        message: intern(interned, message),
        cluster: None,
    }
}

/// How people read the clusters `ks` of `clusters`.
fn cluster_names(clusters: &[ClusterAudit], ks: impl IntoIterator<Item = usize>) -> String {
    ks.into_iter().map(|k| govcloud_render::cluster_label(clusters[k].0.as_deref())).collect::<Vec<_>>().join(", ")
}

/// GC-CITY-001: every zone, tenant and app with the same spec in every cluster.
fn city_models(clusters: &[ClusterAudit], interned: &mut HashSet<Arc<str>>) -> Vec<Finding> {
    // Object -> (namespace, zone, its spec in each cluster that holds it).
    type Copies = (Option<String>, Option<String>, Vec<Option<Value>>);
    let mut held: BTreeMap<String, Copies> = BTreeMap::new();
    let n = clusters.len();
    for (k, (_, model, _)) in clusters.iter().enumerate() {
        let mut put = |id: String, ns: Option<String>, zone: Option<String>, spec: Value| {
            held.entry(id).or_insert_with(|| (ns, zone, vec![None; n])).2[k] = Some(spec);
        };
        for z in &model.zones {
            put(
                format!("NetworkZone/{}", z.name_any()),
                None,
                Some(z.name_any()),
                serde_json::to_value(&z.spec).unwrap_or_default(),
            );
        }
        for t in &model.tenants {
            put(format!("Tenant/{}", t.name_any()), None, None, serde_json::to_value(&t.spec).unwrap_or_default());
        }
        for a in &model.apps {
            let ns = a.namespace().unwrap_or_default();
            put(
                format!("DepartmentApp/{ns}/{}", a.name_any()),
                Some(ns),
                Some(a.spec.zone.clone()),
                serde_json::to_value(&a.spec).unwrap_or_default(),
            );
        }
    }
    let message = "every cluster of the city holds the same model (applied to each, as GitOps does)";
    let mut out = Vec::new();
    for (id, (ns, zone, copies)) in held {
        let absent: Vec<usize> = (0..n).filter(|k| copies[*k].is_none()).collect();
        let present: Vec<usize> = (0..n).filter(|k| copies[*k].is_some()).collect();
        let first = present.first().and_then(|k| copies[*k].as_ref());
        let differing: Vec<usize> = present.iter().copied().filter(|k| copies[*k].as_ref() != first).collect();
        let evidence = if !absent.is_empty() {
            format!(
                "present in {}, absent in {}",
                cluster_names(clusters, present.iter().copied()),
                cluster_names(clusters, absent.iter().copied())
            )
        } else if let (Some(&d), Some(&f)) = (differing.first(), present.first()) {
            let (a, b) = (copies[d].as_ref().unwrap_or(&Value::Null), copies[f].as_ref().unwrap_or(&Value::Null));
            let diff = first_difference(a, b, "spec")
                .or_else(|| first_difference(b, a, "spec"))
                .unwrap_or_else(|| "differs".into());
            format!(
                "{} and {} hold different copies: {diff} in the first",
                cluster_names(clusters, [d]),
                cluster_names(clusters, [f])
            )
        } else {
            format!("the same in {}", cluster_names(clusters, 0..n))
        };
        let ok = absent.is_empty() && differing.is_empty();
        out.push(city_finding(
            interned,
            controls::CITY_MODEL,
            if ok { Outcome::Pass } else { Outcome::Fail },
            &id,
            ns.as_deref(),
            zone.as_deref(),
            "spec",
            evidence,
            message,
        ));
    }
    out
}

/// GC-CITY-002: each flow between clusters as the consumer's and the
/// provider's cluster decided it: the same state, ports and address.
fn city_flows(clusters: &[ClusterAudit], interned: &mut HashSet<Arc<str>>) -> Vec<Finding> {
    let mut rows: BTreeMap<(&str, &str), Vec<(usize, &FlowRow)>> = BTreeMap::new();
    for (k, (_, _, audit)) in clusters.iter().enumerate() {
        for r in &audit.flows {
            rows.entry((&r.from, &r.to)).or_default().push((k, r));
        }
    }
    let zone_of = |key: &str| key.split('/').nth(1).unwrap_or_default().to_string();
    let message = "a flow between clusters is decided alike in the consumer's cluster and in the provider's";
    let mut out = Vec::new();
    for ((from, to), held) in rows {
        // Where each side runs, as the first cluster holding the flow declares it.
        let model = &clusters[held[0].0].1;
        let zones = model.zones_by_name();
        let (Some(cz), Some(pz)) = (zones.get(&zone_of(from)), zones.get(&zone_of(to))) else { continue };
        if cz.spec.cluster == pz.spec.cluster {
            continue;
        }
        let sides: Vec<usize> = [&cz.spec.cluster, &pz.spec.cluster]
            .iter()
            .filter_map(|c| clusters.iter().position(|(name, _, _)| name == *c))
            .collect();
        if sides.len() < 2 {
            // One side's cluster is not audited: nothing to compare with.
            continue;
        }
        let row = |k: usize| held.iter().find(|(h, _)| *h == k).map(|(_, r)| *r);
        let show = |r: &FlowRow| {
            let ports: Vec<String> = r.ports.iter().map(ToString::to_string).collect();
            format!(
                "{}{}{}",
                r.state.as_str(),
                if ports.is_empty() { String::new() } else { format!(" on {}", ports.join(",")) },
                r.address.as_deref().map(|a| format!(" at {a}")).unwrap_or_default()
            )
        };
        let (outcome, evidence) = match (row(sides[0]), row(sides[1])) {
            (Some(a), Some(b)) if (a.state, &a.ports, &a.address) == (b.state, &b.ports, &b.address) => (
                Outcome::Pass,
                format!("{from} -> {to}: {} in {}", show(a), cluster_names(clusters, sides.iter().copied())),
            ),
            (Some(a), Some(b)) => (
                Outcome::Fail,
                format!(
                    "{from} -> {to}: {} in {}, {} in {}",
                    show(a),
                    cluster_names(clusters, [sides[0]]),
                    show(b),
                    cluster_names(clusters, [sides[1]])
                ),
            ),
            (a, b) => {
                let (has, lacks, r) = match (a, b) {
                    (Some(r), _) => (sides[0], sides[1], r),
                    (_, Some(r)) => (sides[1], sides[0], r),
                    _ => continue,
                };
                (
                    Outcome::Fail,
                    format!(
                        "{from} -> {to}: {} in {}, not declared in {}",
                        show(r),
                        cluster_names(clusters, [has]),
                        cluster_names(clusters, [lacks])
                    ),
                )
            }
        };
        let (tenant, zone) = (from.split('/').next().unwrap_or_default(), zone_of(from));
        let app = from.rsplit('/').next().unwrap_or_default();
        let ns = govcloud_core::meta::names::namespace_name(tenant, &zone);
        out.push(city_finding(
            interned,
            controls::CITY_FLOWS,
            outcome,
            &format!("DepartmentApp/{ns}/{app}"),
            Some(&ns),
            Some(&zone),
            &format!("spec.flows.calls[{to}]"),
            evidence,
            message,
        ));
    }
    out
}

#[cfg(test)]
mod tests;
