//! Compliance for auditors: every control of the catalogue checked over a set
//! of Kubernetes objects — live from the cluster or read from files (GitOps,
//! or the output of `govcloud render`) — with evidence, mapped to MLPS 2.0.
//!
//! ```text
//!   model + objects ──► admission-form controls: the generated CEL, evaluated offline
//!                   ──► isolation: NetworkPolicy semantics (who reaches whom) vs granted flows
//!                   ──► drift: live objects vs what govcloud renders
//!                   ──► Audit { findings, connectivity, flows } ──► table | json | openreports | html
//! ```

pub mod mlps;
pub mod netpol;
pub mod output;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use kube::ResourceExt;
use serde::Serialize;
use serde_json::Value;

use crate::api::{FlowState, ZoneKind};
use crate::controls::{self, Severity, admission};
use crate::meta::labels::{self, TENANT, ZONE};
use crate::model::Model;
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
    if ns_of(o).is_empty() { format!("{}/{}", kind_of(o), name_of(o)) } else { format!("{}/{}/{}", kind_of(o), ns_of(o), name_of(o)) }
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
}

impl Ctx<'_> {
    // One flat recorder keeps every check's call site a single readable line.
    #[allow(clippy::too_many_arguments)]
    fn add(&mut self, control: &'static str, outcome: Outcome, object: &str, namespace: Option<&str>, field: &str, evidence: String, message: String) {
        let severity = controls::control(control).map(|c| c.severity).unwrap_or(Severity::Medium);
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
        "CronJob" => Some((&o["spec"]["jobTemplate"]["spec"]["template"]["metadata"], &o["spec"]["jobTemplate"]["spec"]["template"]["spec"])),
        _ => None,
    }
}

/// The (group, resource) admission sees for an object of `kind`.
fn resource_of(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("", "pods"),
        "Deployment" => ("apps", "deployments"),
        "StatefulSet" => ("apps", "statefulsets"),
        "DaemonSet" => ("apps", "daemonsets"),
        "ReplicaSet" => ("apps", "replicasets"),
        "Job" => ("batch", "jobs"),
        "CronJob" => ("batch", "cronjobs"),
        "ReplicationController" => ("", "replicationcontrollers"),
        "Service" => ("", "services"),
        "Ingress" => ("networking.k8s.io", "ingresses"),
        "PersistentVolumeClaim" => ("", "persistentvolumeclaims"),
        "Secret" => ("", "secrets"),
        "RoleBinding" => ("rbac.authorization.k8s.io", "rolebindings"),
        "DepartmentApp" => (crate::meta::GROUP, "departmentapps"),
        _ => return None,
    })
}

/// Substitutes the policy's variables into an expression (the offline
/// evaluator has no `variables`); later variables may use earlier ones, so
/// they are substituted last first.
fn inline_variables(expr: &str, variables: &[(&'static str, String)]) -> String {
    let mut e = expr.to_string();
    for (name, def) in variables.iter().rev() {
        e = e.replace(&format!("variables.{name}"), &format!("({def})"));
    }
    escape_key_literals(&e)
}

/// The offline evaluator (kube-cel) escapes every map key the way the API
/// server escapes schema property names (`govcloud.io/zone` becomes
/// `govcloud__dot__io__slash__zone`); literal keys looked up in maps are
/// escaped the same way so the generated expressions mean the same offline.
fn escape_key_literals(expr: &str) -> String {
    fn escape(k: &str) -> String {
        if !(k.contains('_') || k.contains('.') || k.contains('-') || k.contains('/')) {
            return k.to_string();
        }
        k.chars()
            .map(|c| match c {
                '_' => "__".to_string(),
                '.' => "__dot__".to_string(),
                '-' => "__dash__".to_string(),
                '/' => "__slash__".to_string(),
                c => c.to_string(),
            })
            .collect()
    }
    let mut out = String::new();
    let mut rest = expr;
    while let Some(start) = rest.find('\'') {
        let Some(len) = rest[start + 1..].find('\'') else { break };
        let lit = &rest[start + 1..start + 1 + len];
        let after = &rest[start + 2 + len..];
        let before = &rest[..start];
        // A map key: `labels['k']` or `'k' in labels`.
        let is_key = (before.ends_with('[') && after.starts_with(']')) || after.starts_with(" in ") && !after.starts_with(" in [");
        out.push_str(before);
        out.push('\'');
        out.push_str(&if is_key { escape(lit) } else { lit.to_string() });
        out.push('\'');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Audits `objects` (Kubernetes objects as JSON) against the declared `model`.
pub fn audit(model: &Model, objects: &[Value]) -> Audit {
    let start = Instant::now();
    // The declared apps are objects too (checked against their zone).
    let mut apps: Vec<Value> = Vec::new();
    let mut apps_listed: HashSet<String> = objects.iter().filter(|o| kind_of(o) == "DepartmentApp").map(id_of).collect();
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
    let namespaces: BTreeMap<String, &Value> = objects.iter().filter(|o| kind_of(o) == "Namespace").map(|o| (name_of(o).to_string(), *o)).collect();
    let tenant_ns: BTreeSet<String> = namespaces.iter().filter(|(_, o)| label(o, TENANT).is_some()).map(|(n, _)| n.clone()).collect();
    let zones: BTreeMap<String, Value> = model.zones.iter().map(|z| (z.name_any(), serde_json::to_value(z).unwrap_or_default())).collect();
    let timed = |stage: &str, since: Instant| tracing::debug!(stage, ms = since.elapsed().as_secs_f64() * 1000.0, "audit stage");
    timed("prepare", start);

    // The admission checks, the bulk of the work, run on a thread of their own
    // beside the others; each side records its findings in the order one
    // thread would, and the admission checks' come first.
    let (mut findings, others, flows, connectivity): (_, _, Vec<FlowRow>, _) = std::thread::scope(|s| {
        let admission = s.spawn(|| {
            let t = Instant::now();
            let mut ctx = Ctx { findings: Vec::new(), namespaces: namespaces.clone(), interned: HashSet::new() };
            admission_form(&mut ctx, objects, &tenant_ns, &zones);
            timed("admission", t);
            ctx.findings
        });
        let mut t = Instant::now();
        let mut ctx = Ctx { findings: Vec::new(), namespaces: namespaces.clone(), interned: HashSet::new() };
        running_pods(&mut ctx, model, objects, &tenant_ns);
        timed("TMP running_pods", t);
        public_hosts(&mut ctx, objects, &tenant_ns);
        timed("TMP public_hosts", t);
        tenant_privileges(&mut ctx, model, objects, &tenant_ns);
        timed("TMP tenant_privileges", t);
        app_identity(&mut ctx, objects, &tenant_ns);
        timed("TMP app_identity", t);
        zone_ranges(&mut ctx, model, objects, &tenant_ns);
        timed("TMP zone_ranges", t);
        namespace_controls(&mut ctx, objects, &tenant_ns);
        timed("TMP namespace_controls", t);
        zone_nodes(&mut ctx, model, objects);
        timed("objects", t);
        t = Instant::now();
        // One owner's objects at a time: the whole rendering is never held.
        let planned = crate::render::plan(model);
        drift(&mut ctx, &planned, objects);
        timed("render and drift", t);
        t = Instant::now();
        let connectivity = isolation(&mut ctx, model, &planned.flows, objects, &tenant_ns, MATRIX_LIMIT);
        timed("isolation", t);
        let admission = admission.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let flows = planned
            .flows
            .iter()
            .map(|f| FlowRow { from: f.consumer.to_string(), to: f.provider.to_string(), state: f.state, reason: f.reason.clone() })
            .collect();
        (admission, ctx.findings, flows, connectivity)
    });
    findings.extend(others);
    let t = Instant::now();
    sort_findings(&mut findings);
    timed("sort", t);
    Audit {
        findings,
        connectivity,
        flows,
        zones: model.zones.iter().map(|z| (z.name_any(), z.spec.kind.to_string(), z.spec.mlps_level)).collect(),
        tenants: model.tenants.iter().map(|t| (t.name_any(), t.spec.display_name.zh.clone(), t.spec.display_name.en.clone())).collect(),
    }
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
    let keys: Vec<(u32, u32, u32, Outcome)> = findings.iter().map(|f| (controls[f.control], objects[&*f.object], fields[&*f.field], f.outcome)).collect();
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
fn admission_form(ctx: &mut Ctx<'_>, objects: &[&Value], tenant_ns: &BTreeSet<String>, zones: &BTreeMap<String, Value>) {
    // By namespace (in order within each), so a namespace's values are bound once.
    let mut by_ns: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o)) && resource_of(kind_of(o)).is_some()) {
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
                    let mut part = Ctx { findings: Vec::new(), namespaces, interned: HashSet::new() };
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
    let compiled = compiled();
    let functions = cel_functions();
    let request = empty_request();
    for (ns, members) in groups {
        let ns = *ns;
        let nso = ctx.namespaces.get(ns).copied();
        let zone = nso.and_then(|n| label(n, ZONE)).and_then(|z| zones.get(z));
        let (scope, failed) = namespace_scope(&functions, &request, nso, zone);
        for o in members {
            let Some((group, resource)) = resource_of(kind_of(o)) else { continue };
            let id = id_of(o);
            // The object's context, made when a policy first needs it, with the variables computed so far.
            let mut here: Option<ObjectScope<'_>> = None;
            for (p, exprs, bound) in compiled.policies.iter().filter(|(p, ..)| p.matches(group, resource)) {
                if p.zone_param && zone.is_none() {
                    for c in &p.checks {
                        ctx.add(c.control, Outcome::Skip, &id, Some(ns), "", "the namespace's NetworkZone is not declared".into(), c.message.clone());
                    }
                    continue;
                }
                let here = here.get_or_insert_with(|| ObjectScope::new(&scope, &failed, o));
                let passed = bound.as_ref().and_then(|b| here.evaluate(b)).unwrap_or_else(|| evaluate_inlined(exprs, o, nso, zone));
                for (c, passed) in p.checks.iter().zip(passed) {
                    let outcome = if passed { Outcome::Pass } else { Outcome::Fail };
                    let field = c.message.split_whitespace().next().unwrap_or_default().trim_end_matches(':');
                    let evidence = if passed { "complies".to_string() } else { evidence_for(field, o) };
                    ctx.add(c.control, outcome, &id, Some(ns), field, evidence, format!("[{}] {}", c.control, c.message));
                }
            }
        }
    }
}

type CompiledPolicy = (&'static admission::Policy, Vec<Result<kube::core::cel::CompiledVapExpression, kube::core::cel::VapError>>, Option<BoundPolicy>);

/// The policies' checks, compiled once: with the variables inlined for
/// `VapEvaluator`, and with them bound (see below).
struct Compiled {
    policies: Vec<CompiledPolicy>,
    /// The variables of the policies evaluated with their variables bound, distinct by definition, in order.
    variables: Vec<Variable>,
}

fn compiled() -> &'static Compiled {
    static C: std::sync::OnceLock<Compiled> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let compiler = kube::core::cel::VapEvaluator::builder().build();
        let mut variables = Vec::new();
        let policies = admission::policies()
            .iter()
            .filter(|p| !p.request_only)
            .map(|p| {
                let exprs: Vec<kube::core::cel::VapExpression> = p
                    .checks
                    .iter()
                    .map(|c| kube::core::cel::VapExpression {
                        expression: inline_variables(&c.expression, &p.variables),
                        message: Some(c.message.clone()),
                        message_expression: None,
                    })
                    .collect();
                (p, compiler.compile_expressions(&exprs), bound_policy(p, &mut variables))
            })
            .collect();
        Compiled { policies, variables }
    })
}

// === The admission checks, evaluated in one context per object ===
//
// kube-cel's `VapEvaluator` registers every CEL function and converts the
// object, its namespace and the zone anew for each policy, and the policies'
// variables, inlined, are recomputed in every check. Here the functions are
// registered once per audit, each object is converted once for all the
// policies that match it, and each variable is computed once (per namespace
// when it reads only the namespace and the zone, else per object) and bound
// to an identifier of its own, as the API server binds `variables`. The
// values bound are the ones `VapEvaluator` binds (same conversion of JSON to
// CEL, same `request`), and a policy whose variables do not all evaluate, or
// whose expressions do not compile this way, is evaluated by `VapEvaluator`
// as before, so every check's outcome is the same.

use kube::core::cel::KubeCelExt;
use kube::core::cel::cel::objects::{Key, Map as CelMap};
use kube::core::cel::cel::{Context as CelContext, Program, Value as CelValue};

/// Map keys as kube-cel escapes them (schema property names on the API server).
fn escape_field_name(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    if RESERVED.contains(&name) {
        return format!("__{name}__");
    }
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '_' => out.push_str("__"),
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c => out.push(c),
        }
    }
    out
}

/// JSON as a CEL value, as kube-cel converts it for `VapEvaluator`.
fn json_to_cel(v: &Value) -> CelValue {
    match v {
        Value::Null => CelValue::Null,
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => CelValue::Int(i),
            (None, Some(u)) => CelValue::UInt(u),
            _ => CelValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => CelValue::String(std::sync::Arc::new(s.clone())),
        Value::Array(a) => CelValue::List(std::sync::Arc::new(a.iter().map(json_to_cel).collect())),
        Value::Object(o) => cel_map(o.iter().map(|(k, v)| (escape_field_name(k), json_to_cel(v)))),
    }
}

fn cel_map(entries: impl IntoIterator<Item = (String, CelValue)>) -> CelValue {
    CelValue::Map(CelMap { map: std::sync::Arc::new(entries.into_iter().map(|(k, v)| (Key::String(std::sync::Arc::new(k)), v)).collect()) })
}

/// The `request` `VapEvaluator` binds when given none (an empty request).
fn empty_request() -> CelValue {
    let s = |v: &str| CelValue::String(std::sync::Arc::new(v.to_string()));
    let entries = |e: &[(&str, CelValue)]| e.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Vec<_>>();
    cel_map(entries(&[
        ("operation", s("")),
        ("name", s("")),
        ("namespace", s("")),
        ("dryRun", CelValue::Bool(false)),
        ("kind", cel_map(entries(&[("group", s("")), ("version", s("")), ("kind", s(""))]))),
        ("resource", cel_map(entries(&[("group", s("")), ("version", s("")), ("resource", s(""))]))),
        ("userInfo", cel_map(entries(&[("username", s("")), ("uid", s("")), ("groups", CelValue::List(std::sync::Arc::new(Vec::new())))]))),
    ]))
}

/// The CEL functions `VapEvaluator` registers, except that `matches` keeps
/// each pattern compiled (the cel crate compiles it on every call).
fn cel_functions() -> CelContext<'static> {
    let mut functions = CelContext::default().with_all();
    functions.add_function("matches", matches);
    functions
}

/// The cel crate's `matches` (same regex crate, same outcome and error), with
/// the compiled patterns kept per thread.
fn matches(
    ftx: &kube::core::cel::cel::FunctionContext<'_, '_>,
    kube::core::cel::cel::extractors::This(this): kube::core::cel::cel::extractors::This<std::sync::Arc<String>>,
    regex: std::sync::Arc<String>,
) -> Result<bool, kube::core::cel::cel::ExecutionError> {
    thread_local! {
        static COMPILED: std::cell::RefCell<HashMap<String, Result<regex::Regex, String>>> = Default::default();
    }
    COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 256 {
            c.clear();
        }
        match c.entry(regex.to_string()).or_insert_with(|| regex::Regex::new(&regex).map_err(|e| e.to_string())) {
            Ok(re) => Ok(re.is_match(&this)),
            Err(err) => Err(ftx.error(format!("'{regex}' not a valid regex:\n{err}"))),
        }
    })
}

/// The values `VapEvaluator` binds besides the object (no old object, an
/// empty request, the zone as parameter when declared, the namespace), and
/// the variables that read nothing else. Returns the variables that did not
/// evaluate.
fn namespace_scope<'f>(functions: &'f CelContext<'f>, request: &CelValue, nso: Option<&Value>, zone: Option<&Value>) -> (CelContext<'f>, HashSet<usize>) {
    let mut scope = functions.new_inner_scope();
    scope.add_variable_from_value("oldObject", CelValue::Null);
    scope.add_variable_from_value("request", request.clone());
    if let Some(z) = zone {
        scope.add_variable_from_value("params", json_to_cel(z));
    }
    scope.add_variable_from_value("namespaceObject", nso.map(json_to_cel).unwrap_or(CelValue::Null));
    let mut failed = HashSet::new();
    for (i, v) in compiled().variables.iter().enumerate().filter(|(_, v)| v.namespace_level) {
        match v.program.execute(&scope) {
            Ok(value) => scope.add_variable_from_value(v.ident.clone(), value),
            Err(_) => {
                failed.insert(i);
            }
        }
    }
    (scope, failed)
}

/// An object bound in its namespace's scope, with the variables computed so far.
struct ObjectScope<'s> {
    scope: CelContext<'s>,
    failed: &'s HashSet<usize>,
    /// Per variable computed here: whether it evaluated.
    done: HashMap<usize, bool>,
}

impl<'s> ObjectScope<'s> {
    fn new(namespace: &'s CelContext<'s>, failed: &'s HashSet<usize>, o: &Value) -> Self {
        let mut scope = namespace.new_inner_scope();
        scope.add_variable_from_value("object", json_to_cel(o));
        ObjectScope { scope, failed, done: HashMap::new() }
    }

    /// Each check's outcome, or None when one of the policy's variables does not evaluate.
    fn evaluate(&mut self, policy: &BoundPolicy) -> Option<Vec<bool>> {
        let variables = &compiled().variables;
        for &i in &policy.variables {
            let ok = if variables[i].namespace_level {
                !self.failed.contains(&i)
            } else if let Some(ok) = self.done.get(&i) {
                *ok
            } else {
                let ok = match variables[i].program.execute(&self.scope) {
                    Ok(value) => {
                        self.scope.add_variable_from_value(variables[i].ident.clone(), value);
                        true
                    }
                    Err(_) => false,
                };
                self.done.insert(i, ok);
                ok
            };
            if !ok {
                return None;
            }
        }
        Some(policy.checks.iter().map(|c| matches!(c.execute(&self.scope), Ok(CelValue::Bool(true)))).collect())
    }
}

/// The checks' outcomes as `VapEvaluator` gives them, with the variables inlined.
fn evaluate_inlined(
    exprs: &[Result<kube::core::cel::CompiledVapExpression, kube::core::cel::VapError>],
    o: &Value,
    nso: Option<&Value>,
    zone: Option<&Value>,
) -> Vec<bool> {
    let mut b = kube::core::cel::VapEvaluator::builder().object(o.clone()).namespace_object(nso.cloned().unwrap_or(Value::Null));
    if let Some(z) = zone {
        b = b.params(z.clone());
    }
    b.build().evaluate_compiled(exprs).into_iter().map(|r| r.passed).collect()
}

/// A policy variable, bound to an identifier of its own.
struct Variable {
    ident: String,
    program_text: String,
    /// Its definition, reading the earlier variables' identifiers.
    program: Program,
    /// Whether it reads no `object` (only the namespace, the zone, the
    /// request and such variables), so is computed once per namespace.
    namespace_level: bool,
}

/// One policy compiled for evaluation with its variables bound.
struct BoundPolicy {
    /// Its variables (in `Compiled::variables`), in order.
    variables: Vec<usize>,
    /// The checks, reading the variables' identifiers.
    checks: Vec<Program>,
}

/// `variables.<name>` in `expr` replaced by the variables' identifiers (the last first, as in [`inline_variables`]).
fn rename_variables(expr: &str, idents: &[(&str, String)]) -> String {
    let mut e = expr.to_string();
    for (name, ident) in idents.iter().rev() {
        e = e.replace(&format!("variables.{name}"), ident);
    }
    escape_key_literals(&e)
}

/// The policy with its variables bound, when that means what inlining them
/// means: no variable name is a prefix of another (textual inlining would
/// cut into it), and everything compiles. Variables defined alike are shared.
fn bound_policy(p: &admission::Policy, variables: &mut Vec<Variable>) -> Option<BoundPolicy> {
    let names: Vec<&str> = p.variables.iter().map(|(n, _)| *n).collect();
    if names.iter().any(|a| names.iter().any(|b| a != b && b.starts_with(a))) {
        return None;
    }
    let mut idents: Vec<(&str, String)> = Vec::new();
    let mut ids = Vec::new();
    for (name, def) in &p.variables {
        let text = rename_variables(def, &idents);
        let i = match variables.iter().position(|v: &Variable| v.program_text == text) {
            Some(i) => i,
            None => {
                let program = Program::compile(&text).ok()?;
                let reads_object = text.replace("namespaceObject", "").replace("oldObject", "").contains("object")
                    || variables.iter().any(|v| !v.namespace_level && text.contains(&v.ident));
                variables.push(Variable { ident: format!("govcloud_var{}_", variables.len()), program, namespace_level: !reads_object, program_text: text });
                variables.len() - 1
            }
        };
        idents.push((name, variables[i].ident.clone()));
        ids.push(i);
    }
    let checks = p.checks.iter().map(|c| Program::compile(&rename_variables(&c.expression, &idents)).ok()).collect::<Option<Vec<_>>>()?;
    Some(BoundPolicy { variables: ids, checks })
}

/// GC-ZONE-001 for what runs: a scheduled pod in a zone's namespace is on a
/// node of that zone (checked when the nodes are in scope).
fn running_pods(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let nodes: BTreeMap<&str, &Value> = objects.iter().filter(|o| kind_of(o) == "Node").map(|n| (name_of(n), *n)).collect();
    if nodes.is_empty() {
        return;
    }
    for p in objects.iter().filter(|o| kind_of(o) == "Pod" && tenant_ns.contains(ns_of(o))) {
        let Some(node) = p["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) else { continue };
        let ns = ns_of(p);
        let Some(zone) = ctx.namespaces.get(ns).and_then(|o| label(o, ZONE)).and_then(|z| model.zones.iter().find(|m| m.name_any() == z)) else {
            continue;
        };
        let on_zone_node = nodes.get(node).is_some_and(|n| zone.spec.node_pool.selector.iter().all(|(k, v)| label(n, k) == Some(v.as_str())));
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

/// The value at a field path like `spec.containers[].image`, as evidence.
fn evidence_for(field: &str, subject: &Value) -> String {
    let mut cur = vec![subject.clone()];
    for part in field.split('.') {
        let (key, each) = match part.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (part, false),
        };
        cur = cur
            .into_iter()
            .flat_map(|v| {
                let x = v[key].clone();
                if each { x.as_array().cloned().unwrap_or_default() } else { vec![x] }
            })
            .collect();
    }
    let shown: Vec<String> = cur.iter().filter(|v| !v.is_null()).map(|v| v.to_string()).collect();
    if shown.is_empty() { format!("{field} not set") } else { format!("{field} = {}", shown.join(", ")) }
}

/// Per tenant namespace: default deny, Pod Security level, quota and limits.
fn namespace_controls(ctx: &mut Ctx<'_>, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    // The first object of each kind, namespace and name.
    let mut first: HashMap<(&str, &str, &str), &Value> = HashMap::new();
    for o in objects {
        first.entry((kind_of(o), ns_of(o), name_of(o))).or_insert(o);
    }
    for ns in tenant_ns {
        let nso = ctx.namespaces[ns].clone();
        let id = format!("Namespace/{ns}");
        let find = |kind: &str, name: &str| first.get(&(kind, ns.as_str(), name)).copied();
        // GC-NET-001
        match find("NetworkPolicy", crate::meta::names::DEFAULT_DENY) {
            Some(p) => {
                let spec = &p["spec"];
                let selects_all = spec["podSelector"].as_object().is_some_and(|m| m.values().all(|v| v.as_object().is_none_or(|o| o.is_empty())));
                let types: Vec<&str> = spec["policyTypes"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
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
                    if denies { "all ingress and egress denied by default".into() } else { "the default-deny policy was weakened".into() },
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
        let want = crate::api::pod_security_level(level);
        let got = label(&nso, crate::meta::labels::PSA_ENFORCE).unwrap_or("(none)");
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
        for (kind, name) in [("ResourceQuota", crate::meta::names::QUOTA), ("LimitRange", crate::meta::names::LIMITS)] {
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

/// GC-NET-006 for what exists: a pod or template carrying the app identity
/// label is govcloud's (labelled as managed), or is run, through controller
/// owner references among the listed objects, by something that is. A fake
/// owner reference leads nowhere and does not count.
fn app_identity(ctx: &mut Ctx<'_>, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let by_key: BTreeMap<(String, String, String), &Value> =
        objects.iter().map(|o| ((ns_of(o).to_string(), kind_of(o).to_string(), name_of(o).to_string()), *o)).collect();
    let managed = |o: &Value| label(o, labels::MANAGED_BY) == Some(labels::MANAGER);
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o))) {
        let Some((pod_metadata, _)) = pod_of(o) else { continue };
        let Some(app) = pod_metadata["labels"][labels::APP].as_str() else { continue };
        let mut cur: &Value = o;
        let mut ok = managed(cur);
        for _ in 0..3 {
            if ok {
                break;
            }
            let owner = cur["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["controller"] == true)
                .and_then(|r| by_key.get(&(ns_of(cur).to_string(), r["kind"].as_str()?.to_string(), r["name"].as_str()?.to_string())).copied());
            let Some(next) = owner else { break };
            cur = next;
            ok = managed(cur);
        }
        ctx.add(
            controls::APP_IDENTITY,
            if ok { Outcome::Pass } else { Outcome::Fail },
            &id_of(o),
            Some(ns_of(o)),
            "metadata.labels",
            format!("{}={app}{}", labels::APP, if ok { format!(", run by {}", id_of(cur)) } else { ", not set by govcloud".into() }),
            "only govcloud's workloads carry the app identity label".into(),
        );
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
            let key = (subject["kind"].as_str().unwrap_or_default().to_string(), subject["name"].as_str().unwrap_or_default().to_string());
            let Some(tenants) = owners.get(&key) else { continue };
            let ok = role == crate::meta::names::CLUSTER_AUDITOR
                && model.tenants.iter().any(|t| {
                    t.spec.audit_scope == crate::api::AuditScope::Cluster
                        && t.spec
                            .owners
                            .iter()
                            .any(|o| o.role == crate::api::OwnerRole::Auditor && (o.kind.as_str(), o.name.as_str()) == (key.0.as_str(), key.1.as_str()))
                })
                || tenants.iter().any(|t| role == crate::meta::names::tenant_cluster_role(t));
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
    for rb in objects.iter().filter(|o| kind_of(o) == "RoleBinding" && tenant_ns.contains(ns_of(o)) && o["roleRef"]["name"] == crate::meta::names::EXEC_ROLE) {
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
            format!("{} bound at MLPS level {level}", crate::meta::names::EXEC_ROLE),
            "exec, attach and port-forward only at level 2, or where the zone sets allowExec".into(),
        );
    }
}

/// GC-NET-004: every exchange endpoint address lies inside its zone's or a
/// peer zone's ranges (the renderer's own verdict); GC-NET-005: every ipBlock
/// in a tenant namespace that spans the cluster's pod or service range
/// excepts it.
fn zone_ranges(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let index = crate::render::Index::build(model);
    for z in &model.zones {
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
            let except: Vec<ipnet::IpNet> = block["except"].as_array().into_iter().flatten().filter_map(|e| e.as_str()?.parse().ok()).collect();
            let open: Vec<String> =
                cluster.iter().filter(|c| net.contains(*c) && net != **c && !except.iter().any(|e| e.contains(*c))).map(|c| c.to_string()).collect();
            if cluster.iter().all(|c| !net.contains(c)) {
                continue;
            }
            ctx.add(
                controls::CLUSTER_RANGES,
                if open.is_empty() { Outcome::Pass } else { Outcome::Fail },
                &id_of(np),
                Some(ns_of(np)),
                "ipBlock.except",
                if open.is_empty() { format!("{net} excepts the cluster's ranges") } else { format!("{net} spans {} without excepting it", open.join(", ")) },
                "wide address ranges exclude the cluster's pod and service ranges".into(),
            );
        }
    }
}

/// GC-SVC-003 across objects: no two Ingresses in tenant namespaces serve one
/// host; the first (by creation, then name) keeps it.
fn public_hosts(ctx: &mut Ctx<'_>, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let mut ingresses: Vec<&Value> = objects.iter().filter(|o| kind_of(o) == "Ingress" && tenant_ns.contains(ns_of(o))).copied().collect();
    ingresses.sort_by_key(|o| (o["metadata"]["creationTimestamp"].as_str().map(str::to_string).unwrap_or_else(|| "~".into()), id_of(o)));
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

/// GC-ZONE-004: nodes of a zone carry its taint (skipped when no nodes are in scope).
fn zone_nodes(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value]) {
    let nodes: Vec<&Value> = objects.iter().filter(|o| kind_of(o) == "Node").copied().collect();
    for z in &model.zones {
        let pool = &z.spec.node_pool;
        let id = format!("NetworkZone/{}", z.name_any());
        let matched: Vec<&&Value> = nodes.iter().filter(|n| pool.selector.iter().all(|(k, v)| label(n, k) == Some(v.as_str()))).collect();
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
                    t["key"] == pool.taint.key.as_str() && t["value"].as_str().unwrap_or("") == pool.taint.value && t["effect"] == pool.taint.effect.as_str()
                })
            });
            ctx.add(
                controls::ZONE_TAINT,
                if tainted { Outcome::Pass } else { Outcome::Fail },
                &format!("Node/{}", name_of(n)),
                None,
                "spec.taints",
                n["spec"]["taints"].to_string(),
                format!("node of zone {} must carry {}={}:{}", z.name_any(), pool.taint.key, pool.taint.value, pool.taint.effect.as_str()),
            );
        }
    }
}

/// GC-MGD-001: what govcloud manages is as govcloud renders it.
fn drift(ctx: &mut Ctx<'_>, planned: &crate::render::Planned<'_>, objects: &[&Value]) {
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
            Some(live) if crate::meta::compare::object_contains(live, &desired) => {
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
        ctx.add(controls::MANAGED_OBJECTS, outcome, &id, Some(&ns), "", evidence, "managed objects match what govcloud renders (no drift)".into());
    }
}

fn first_difference(actual: &Value, desired: &Value, path: &str) -> Option<String> {
    match (actual, desired) {
        (Value::Object(a), Value::Object(d)) => d.iter().filter(|(k, _)| *k != "apiVersion" && *k != "kind").find_map(|(k, dv)| {
            let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            match a.get(k) {
                None if dv.is_null() => None,
                None => Some(format!("{p}: missing, want {dv}")),
                Some(av) => first_difference(av, dv, &p),
            }
        }),
        (Value::Array(a), Value::Array(d)) if a.len() != d.len() => Some(format!("{path}: {} items, want {}", a.len(), d.len())),
        (Value::Array(a), Value::Array(d)) => a.iter().zip(d).enumerate().find_map(|(i, (av, dv))| first_difference(av, dv, &format!("{path}[{i}]"))),
        (a, d) if crate::meta::compare::contains(a, d) => None,
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
            && listed.contains(&(ns_of(o).to_string(), r["kind"].as_str().unwrap_or_default().to_string(), r["name"].as_str().unwrap_or_default().to_string()))
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
        let labels: BTreeMap<String, String> =
            pod_metadata["labels"].as_object().map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()).unwrap_or_default();
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
}

/// GC-NET-002 and GC-NET-003 from NetworkPolicy semantics; the connectivity matrix.
fn isolation(
    ctx: &mut Ctx<'_>,
    model: &Model,
    flows: &[crate::render::FlowDecision],
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
    matrix_limit: usize,
) -> Connectivity {
    let net = network(ctx, objects);
    let ws = workloads(objects, tenant_ns);
    let nss = ctx.namespaces.clone();
    let tenant_of = |w: &Workload| nss.get(&w.namespace).and_then(|o| label(o, TENANT)).unwrap_or_default().to_string();
    let zone_of = |w: &Workload| nss.get(&w.namespace).and_then(|o| label(o, ZONE)).unwrap_or_default().to_string();
    let granted: BTreeSet<(String, String)> =
        flows.iter().filter(|f| f.state == FlowState::Granted).map(|f| (f.consumer.to_string(), f.provider.to_string())).collect();
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
                if ok { "granted by both sides".to_string() } else { "reachable without a two-sided grant".to_string() },
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
        // Endpoints the renderer rejected (outside every zone's ranges) open nothing.
        let index = crate::render::Index::build(model);
        let allowed: Vec<ipnet::IpNet> = z
            .spec
            .exchange_endpoints
            .iter()
            .enumerate()
            .filter(|(i, _)| !index.rejected_endpoints.contains(&(z.name_any(), *i)))
            .filter_map(|(_, e)| e.cidr.as_ref()?.parse().ok())
            .collect();
        let mut probes: Vec<IpAddr> = vec![internet_probe, IpAddr::from([1, 1, 1, 1]), IpAddr::from([0, 0, 0, 1])];
        for other in model.zones.iter().filter(|o| o.name_any() != z.name_any()) {
            probes.extend(other.spec.cidrs.iter().filter_map(|c| c.parse::<ipnet::IpNet>().ok()).map(|n| n.hosts().next().unwrap_or(n.addr())));
        }
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
            ctx.add(
                controls::PRIVATE_EGRESS,
                if escapes.is_empty() { Outcome::Pass } else { Outcome::Fail },
                &w.id,
                Some(&w.namespace),
                "NetworkPolicy egress",
                if escapes.is_empty() { "reaches only its exchange endpoints".into() } else { escapes.join("; ") },
                format!("nothing in private zone {} reaches outside it but its exchange endpoints", z.name_any()),
            );
        }
    }
    conn
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn docs(text: &str) -> Vec<Value> {
        serde_yaml::Deserializer::from_str(text)
            .filter_map(|d| <serde_yaml::Value as serde::Deserialize>::deserialize(d).ok())
            .filter(|v| !v.is_null())
            .map(|v| serde_json::to_value(v).expect("json"))
            .collect()
    }

    fn rendered(model: &Model) -> Vec<Value> {
        crate::render::render(model).objects.iter().map(|o| serde_json::to_value(o).expect("json")).collect()
    }

    fn chifeng() -> (Model, Vec<Value>) {
        let model = crate::model::load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
        let objects = rendered(&model);
        (model, objects)
    }

    /// The fixture of tests/audit_fixture.rs: the rendered model with the violations on top.
    fn noncompliant() -> (Model, Vec<Value>) {
        let dir = repo().join("tests/fixtures/noncompliant");
        let model = crate::model::load_paths(&[dir.join("model.yaml")]).expect("fixture").model;
        let mut objects = rendered(&model);
        for v in docs(&std::fs::read_to_string(dir.join("violations.yaml")).expect("violations")) {
            objects.retain(|o| id_of(o) != id_of(&v));
            objects.push(v);
        }
        (model, objects)
    }

    /// Chifeng with alike and duplicate workloads, a namespace open to
    /// everything and one without its default deny.
    fn chifeng_twisted() -> (Model, Vec<Value>) {
        let (model, mut objects) = chifeng();
        let deployments: Vec<Value> = objects.iter().filter(|o| kind_of(o) == "Deployment").cloned().collect();
        let mut alike = deployments[0].clone();
        alike["metadata"]["name"] = json!("alike");
        objects.push(alike);
        objects.push(deployments[1].clone());
        let open_ns = ns_of(&deployments[2]).to_string();
        objects.push(json!({"kind": "NetworkPolicy", "metadata": {"name": "open", "namespace": open_ns}, "spec": {"podSelector": {}, "ingress": [{}], "egress": [{"to": []}], "policyTypes": ["Ingress", "Egress"]}}));
        let bare_ns = ns_of(&deployments[3]).to_string();
        objects.retain(|o| !(kind_of(o) == "NetworkPolicy" && ns_of(o) == bare_ns && name_of(o) == crate::meta::names::DEFAULT_DENY));
        (model, objects)
    }

    type Emitted = Vec<(&'static str, Outcome, String, String, String)>;

    fn emitted(ctx: &Ctx<'_>) -> Emitted {
        ctx.findings.iter().map(|f| (f.control, f.outcome, f.object.to_string(), f.evidence.clone(), f.message.to_string())).collect()
    }

    /// The isolation checks as the audit made them before classes: every ordered pair of workloads.
    fn isolation_pairwise(
        ctx: &mut Ctx<'_>,
        model: &Model,
        flows: &[crate::render::FlowDecision],
        objects: &[&Value],
        tenant_ns: &BTreeSet<String>,
    ) -> Connectivity {
        let net = network(ctx, objects);
        let ws = workloads(objects, tenant_ns);
        let nss = ctx.namespaces.clone();
        let tenant_of = |w: &Workload| nss.get(&w.namespace).and_then(|o| label(o, TENANT)).unwrap_or_default().to_string();
        let zone_of = |w: &Workload| nss.get(&w.namespace).and_then(|o| label(o, ZONE)).unwrap_or_default().to_string();
        let granted: BTreeSet<(String, String)> =
            flows.iter().filter(|f| f.state == FlowState::Granted).map(|f| (f.consumer.to_string(), f.provider.to_string())).collect();
        let mut conn = Connectivity::default();
        let internet_probe: IpAddr = IpAddr::from([8, 8, 8, 8]);
        let internet_client: IpAddr = IpAddr::from([203, 0, 113, 1]);
        let mut pending_findings = Vec::new();
        for a in &ws {
            conn.apps.push((format!("{}/{}", tenant_of(a), a.app), zone_of(a)));
            let mut row = Vec::new();
            for b in &ws {
                let how = if a.id != b.id { net.reaches(a, b) } else { None };
                let reach = how.is_some();
                row.push(reach);
                let (ta, tb) = (tenant_of(a), tenant_of(b));
                if a.id != b.id && ta != tb {
                    let key = (format!("{ta}/{}/{}", zone_of(a), a.app), format!("{tb}/{}/{}", zone_of(b), b.app));
                    let ok = !reach || granted.contains(&key);
                    let evidence = match &how {
                        Some(e) => format!("{} -> {}: reachable ({e})", key.0, key.1),
                        None => format!("{} -> {}: not reachable", key.0, key.1),
                    };
                    if !ok || reach {
                        pending_findings.push((
                            controls::TWO_SIDED_FLOWS,
                            if ok { Outcome::Pass } else { Outcome::Fail },
                            a.id.clone(),
                            a.namespace.clone(),
                            evidence,
                            if ok { "granted by both sides".to_string() } else { "reachable without a two-sided grant".to_string() },
                        ));
                    }
                }
            }
            conn.reach.push(row);
            conn.internet_out.push(net.reaches_ip(a, internet_probe, &[80, 443]).is_some());
            conn.internet_in.push(a.ports.iter().any(|(p, proto)| net.ingress(a, &netpol::Target::Ip(internet_client), *p, proto).0));
        }
        for (c, o, id, ns, ev, msg) in pending_findings {
            ctx.add(c, o, &id, Some(&ns), "NetworkPolicy", ev, msg);
        }
        for z in model.zones.iter().filter(|z| z.spec.kind == ZoneKind::Private) {
            let index = crate::render::Index::build(model);
            let allowed: Vec<ipnet::IpNet> = z
                .spec
                .exchange_endpoints
                .iter()
                .enumerate()
                .filter(|(i, _)| !index.rejected_endpoints.contains(&(z.name_any(), *i)))
                .filter_map(|(_, e)| e.cidr.as_ref()?.parse().ok())
                .collect();
            let mut probes: Vec<IpAddr> = vec![internet_probe, IpAddr::from([1, 1, 1, 1]), IpAddr::from([0, 0, 0, 1])];
            for other in model.zones.iter().filter(|o| o.name_any() != z.name_any()) {
                probes.extend(other.spec.cidrs.iter().filter_map(|c| c.parse::<ipnet::IpNet>().ok()).map(|n| n.hosts().next().unwrap_or(n.addr())));
            }
            for w in ws.iter().filter(|w| zone_of(w) == z.name_any()) {
                let escapes: Vec<String> = probes
                    .iter()
                    .filter(|ip| !allowed.iter().any(|a| a.contains(*ip)))
                    .filter_map(|ip| net.reaches_ip(w, *ip, &[22, 53, 80, 443, 3128, 8080, 8443]))
                    .collect();
                ctx.add(
                    controls::PRIVATE_EGRESS,
                    if escapes.is_empty() { Outcome::Pass } else { Outcome::Fail },
                    &w.id,
                    Some(&w.namespace),
                    "NetworkPolicy egress",
                    if escapes.is_empty() { "reaches only its exchange endpoints".into() } else { escapes.join("; ") },
                    format!("nothing in private zone {} reaches outside it but its exchange endpoints", z.name_any()),
                );
            }
        }
        conn
    }

    fn namespaces(objects: &[Value]) -> (BTreeMap<String, &Value>, BTreeSet<String>) {
        let namespaces: BTreeMap<String, &Value> = objects.iter().filter(|o| kind_of(o) == "Namespace").map(|o| (name_of(o).to_string(), o)).collect();
        let tenant_ns = namespaces.iter().filter(|(_, o)| label(o, TENANT).is_some()).map(|(n, _)| n.clone()).collect();
        (namespaces, tenant_ns)
    }

    /// The class-based isolation emits what the pairwise scan emits, in the
    /// same order, and the same connectivity (as a matrix, or as pairs above
    /// `limit`). Returns the number of reachable pairs across tenants.
    fn assert_isolation_as_pairwise(model: &Model, objects: &[Value], limit: usize) -> usize {
        let (namespaces, tenant_ns) = namespaces(objects);
        let objects: Vec<&Value> = objects.iter().collect();
        let objects = objects.as_slice();
        let rendered = crate::render::render(model);
        let mut new = Ctx { findings: Vec::new(), namespaces: namespaces.clone(), interned: HashSet::new() };
        let conn = isolation(&mut new, model, &rendered.flows, objects, &tenant_ns, limit);
        let mut old = Ctx { findings: Vec::new(), namespaces, interned: HashSet::new() };
        let want = isolation_pairwise(&mut old, model, &rendered.flows, objects, &tenant_ns);
        assert_eq!(emitted(&new), emitted(&old));
        assert_eq!((&conn.apps, &conn.internet_out, &conn.internet_in), (&want.apps, &want.internet_out, &want.internet_in));
        let pairs: Vec<(usize, usize)> =
            (0..want.apps.len()).flat_map(|i| (0..want.apps.len()).map(move |j| (i, j))).filter(|(i, j)| want.reach[*i][*j]).collect();
        if want.apps.len() <= limit {
            assert_eq!(conn.reach, want.reach);
            assert!(conn.reachable.is_none() && conn.note.is_none());
        } else {
            assert!(conn.reach.is_empty() && conn.note.is_some());
            assert_eq!(conn.reachable.as_ref(), Some(&pairs));
        }
        old.findings.iter().filter(|f| f.control == controls::TWO_SIDED_FLOWS).count()
    }

    #[test]
    fn isolation_by_class_equals_the_pairwise_scan() {
        let (model, objects) = chifeng();
        assert!(assert_isolation_as_pairwise(&model, &objects, MATRIX_LIMIT) > 0);
        // Above the limit, the pairs replace the matrix.
        assert_isolation_as_pairwise(&model, &objects, 3);
        let (model, objects) = noncompliant();
        assert!(assert_isolation_as_pairwise(&model, &objects, MATRIX_LIMIT) > 0);
        let (model, objects) = chifeng_twisted();
        assert!(assert_isolation_as_pairwise(&model, &objects, MATRIX_LIMIT) > 0);
    }

    #[test]
    fn chifeng_reachability_by_class_equals_pairwise() {
        for (_, objects) in [chifeng(), chifeng_twisted()] {
            let (namespaces, tenant_ns) = namespaces(&objects);
            let labels = namespaces.iter().map(|(n, o)| (n.clone(), netpol::tests::string_labels(&o["metadata"]["labels"]))).collect();
            let net = Network::new(objects.iter().filter(|o| kind_of(o) == "NetworkPolicy"), labels);
            let ws = workloads(&objects.iter().collect::<Vec<_>>(), &tenant_ns);
            assert!(netpol::tests::assert_same_as_pairwise(&net, &ws) > ws.len());
        }
    }

    /// Binding the variables once per object gives every check the outcome
    /// `VapEvaluator` gives it with the variables inlined, on every object
    /// of the Chifeng model and of the non-compliant fixture.
    #[test]
    fn bound_variables_give_the_outcomes_of_inlined_evaluation() {
        let functions = cel_functions();
        let request = empty_request();
        let (mut compared, mut failed, mut fell_back) = (0, 0, 0);
        // Odd shapes besides: no pod template (the variables do not evaluate),
        // init, ephemeral and image-volume containers, a CronJob, a StatefulSet.
        let (model, mut odd) = noncompliant();
        let pod = odd.iter().find(|o| kind_of(o) == "Pod").expect("a pod").clone();
        let ns = ns_of(&pod).to_string();
        let spec = pod["spec"].clone();
        let mut rich = spec.clone();
        rich["initContainers"] = spec["containers"].clone();
        rich["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}]);
        rich["volumes"] = json!([{"name": "v", "image": {"reference": "harbor.egov.local/a/data:1"}}, {"name": "h", "hostPath": {"path": "/"}}]);
        odd.extend([
            json!({"kind": "Deployment", "metadata": {"name": "hollow", "namespace": ns}, "spec": {"replicas": 1}}),
            json!({"kind": "Pod", "metadata": {"name": "rich", "namespace": ns}, "spec": rich}),
            json!({"kind": "CronJob", "metadata": {"name": "cron", "namespace": ns}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}),
            json!({"kind": "StatefulSet", "metadata": {"name": "set", "namespace": ns}, "spec": {"template": {"spec": rich}}}),
        ]);
        for (odd, (model, objects)) in [(false, chifeng()), (false, noncompliant()), (true, (model, odd))] {
            let (namespaces, tenant_ns) = namespaces(&objects);
            let zones: BTreeMap<String, Value> = model.zones.iter().map(|z| (z.name_any(), serde_json::to_value(z).expect("zone"))).collect();
            for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o))) {
                let Some((group, resource)) = resource_of(kind_of(o)) else { continue };
                let nso = namespaces.get(ns_of(o)).copied();
                let zone = nso.and_then(|n| label(n, ZONE)).and_then(|z| zones.get(z));
                let (scope, not_evaluated) = namespace_scope(&functions, &request, nso, zone);
                let mut here = ObjectScope::new(&scope, &not_evaluated, o);
                for (p, exprs, bound) in compiled().policies.iter().filter(|(p, ..)| p.matches(group, resource)) {
                    let bound = bound.as_ref().unwrap_or_else(|| panic!("{} evaluates with its variables bound", p.name));
                    let want = evaluate_inlined(exprs, o, nso, zone);
                    let got = here.evaluate(bound).unwrap_or_else(|| {
                        assert!(odd, "variables of {} on {}", p.name, id_of(o));
                        fell_back += 1;
                        want.clone()
                    });
                    assert_eq!(got, want, "{} on {}", p.name, id_of(o));
                    compared += want.len();
                    failed += want.iter().filter(|p| !**p).count();
                }
            }
        }
        assert!(compared > 1000 && failed > 50 && fell_back > 0, "{compared} checks compared, {failed} failed, {fell_back} fell back");
        // Variables read only by namespace are computed once per namespace; the others per object.
        let variables = &compiled().variables;
        assert!(variables.iter().any(|v| v.namespace_level) && variables.iter().any(|v| !v.namespace_level));
    }

    /// Large inventories are checked on several threads: the findings are
    /// those of one thread, in the same order.
    #[test]
    fn admission_checks_on_threads_find_what_one_thread_finds() {
        let (model, mut objects) = chifeng();
        let copies = objects.clone();
        for _ in 0..16 {
            objects.extend(copies.iter().cloned());
        }
        let refs: Vec<&Value> = objects.iter().collect();
        let (namespaces, tenant_ns) = namespaces(&objects);
        let zones: BTreeMap<String, Value> = model.zones.iter().map(|z| (z.name_any(), serde_json::to_value(z).expect("zone"))).collect();
        let mut threads = Ctx { findings: Vec::new(), namespaces: namespaces.clone(), interned: HashSet::new() };
        admission_form(&mut threads, &refs, &tenant_ns, &zones);
        let mut by_ns: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
        for o in refs.iter().filter(|o| tenant_ns.contains(ns_of(o)) && resource_of(kind_of(o)).is_some()) {
            by_ns.entry(ns_of(o)).or_default().push(o);
        }
        assert!(by_ns.values().map(Vec::len).sum::<usize>() >= 2000, "enough objects for threads");
        let mut one = Ctx { findings: Vec::new(), namespaces, interned: HashSet::new() };
        admission_namespaces(&mut one, &by_ns.into_iter().collect::<Vec<_>>(), &zones);
        assert_eq!(emitted(&threads), emitted(&one));
    }

    #[test]
    fn findings_are_sorted_as_a_stable_sort_on_their_keys() {
        let (model, objects) = noncompliant();
        let mut findings = audit(&model, &objects).findings;
        // Shuffled deterministically, with the evidence telling equal keys apart.
        findings.reverse();
        let third = findings.len() / 3;
        findings.rotate_left(third);
        let mut want = findings.clone();
        want.sort_by(|a, b| (a.control, &a.object, &a.field, a.outcome).cmp(&(b.control, &b.object, &b.field, b.outcome)));
        sort_findings(&mut findings);
        let show = |fs: &[Finding]| fs.iter().map(|f| format!("{} {} {} {:?} {}", f.control, f.object, f.field, f.outcome, f.evidence)).collect::<Vec<_>>();
        assert_eq!(show(&findings), show(&want));
        assert!(want.windows(2).any(|w| (w[0].control, &w[0].object, &w[0].field, w[0].outcome) == (w[1].control, &w[1].object, &w[1].field, w[1].outcome)));
    }

    #[test]
    fn cel_values_are_converted_as_kube_cel_converts_them() {
        // A reserved word, special characters, numbers of each kind.
        let o = json!({"namespace": 1, "a.b/c-d_e": -2, "big": u64::MAX, "f": 1.5, "l": [true, null, "s"]});
        let functions = cel_functions();
        let (scope, failed) = namespace_scope(&functions, &empty_request(), None, None);
        let here = ObjectScope::new(&scope, &failed, &o).scope;
        for (expr, want) in [
            ("object.__namespace__ == 1", true),
            ("object.a__dot__b__slash__c__dash__d__e == -2", true),
            ("object.big == 18446744073709551615u", true),
            ("object.f == 1.5", true),
            ("object.l[0] && object.l[1] == null && object.l[2] == 's'", true),
            ("request.operation == '' && request.userInfo.groups == [] && oldObject == null && namespaceObject == null", true),
            // `matches`, with its patterns kept compiled: the same outcomes, and an invalid pattern is an error.
            ("'a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'.matches('@sha256:[0-9a-f]{64}$')", true),
            ("'a/b:latest'.matches('@sha256:[0-9a-f]{64}$')", false),
            ("'a/b:latest'.matches('@sha256:[0-9a-f]{64}$') || 'x'.matches('^x')", true),
            ("'a'.matches('(')", false),
            ("'a'.matches('(') || true", true),
            ("!('a'.matches('('))", false),
        ] {
            let passed = matches!(Program::compile(expr).expect("compiles").execute(&here), Ok(CelValue::Bool(true)));
            let vap = kube::core::cel::VapEvaluator::builder()
                .object(o.clone())
                .namespace_object(Value::Null)
                .build()
                .evaluate(&[kube::core::cel::VapExpression { expression: expr.into(), message: None, message_expression: None }]);
            assert_eq!((passed, vap[0].passed), (want, want), "{expr}");
        }
    }
}
