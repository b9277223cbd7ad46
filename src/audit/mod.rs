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

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use kube::ResourceExt;
use serde::Serialize;
use serde_json::{Value, json};

use crate::api::{FlowState, ZoneKind};
use crate::controls::{self, Severity, admission};
use crate::model::Model;
use crate::render::labels::{self, TENANT, ZONE};
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
    pub object: String,
    /// Namespace, for namespaced objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Tenant the object belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Zone the object belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Field checked.
    pub field: String,
    /// What was seen.
    pub evidence: String,
    /// What it means.
    pub message: String,
}

/// Who may reach whom: apps (tenant/app) by apps, plus the internet.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Connectivity {
    /// Apps as `tenant/app`, with their zone.
    pub apps: Vec<(String, String)>,
    /// `reach[i][j]`: app i may open a connection to app j.
    pub reach: Vec<Vec<bool>>,
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
}

impl Ctx<'_> {
    // One flat recorder keeps every check's call site a single readable line.
    #[allow(clippy::too_many_arguments)]
    fn add(&mut self, control: &'static str, outcome: Outcome, object: &str, namespace: Option<&str>, field: &str, evidence: String, message: String) {
        let severity = controls::control(control).map(|c| c.severity).unwrap_or(Severity::Medium);
        let ns = namespace.filter(|n| !n.is_empty()).map(str::to_string);
        let nso = ns.as_ref().and_then(|n| self.namespaces.get(n));
        let tenant = nso.and_then(|o| label(o, TENANT)).map(str::to_string);
        let zone = nso.and_then(|o| label(o, ZONE)).map(str::to_string);
        self.findings.push(Finding {
            control,
            outcome,
            severity,
            object: object.to_string(),
            namespace: ns,
            tenant,
            zone,
            field: field.to_string(),
            evidence,
            message,
        });
    }
}

/// The pod (metadata + spec) a workload object runs, for NetworkPolicy semantics.
fn pod_of(o: &Value) -> Option<Value> {
    match kind_of(o) {
        "Pod" => Some(o.clone()),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "ReplicationController" => {
            Some(json!({"apiVersion": "v1", "kind": "Pod", "metadata": o["spec"]["template"]["metadata"], "spec": o["spec"]["template"]["spec"]}))
        }
        "CronJob" => Some(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": o["spec"]["jobTemplate"]["spec"]["template"]["metadata"], "spec": o["spec"]["jobTemplate"]["spec"]["template"]["spec"]}),
        ),
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
        "DepartmentApp" => ("govcloud.io", "departmentapps"),
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
    // The declared apps are objects too (checked against their zone).
    let mut objects: Vec<Value> = objects.to_vec();
    for a in &model.apps {
        let id = format!("DepartmentApp/{}/{}", a.namespace().unwrap_or_default(), a.name_any());
        if !objects.iter().any(|o| id_of(o) == id)
            && let Ok(v) = serde_json::to_value(a)
        {
            objects.push(v);
        }
    }
    let objects = objects.as_slice();
    let namespaces: BTreeMap<String, &Value> = objects.iter().filter(|o| kind_of(o) == "Namespace").map(|o| (name_of(o).to_string(), o)).collect();
    let tenant_ns: BTreeSet<String> = namespaces.iter().filter(|(_, o)| label(o, TENANT).is_some()).map(|(n, _)| n.clone()).collect();
    let mut ctx = Ctx { findings: Vec::new(), namespaces: namespaces.clone() };
    let zones: BTreeMap<String, Value> = model.zones.iter().map(|z| (z.name_any(), serde_json::to_value(z).unwrap_or_default())).collect();

    admission_form(&mut ctx, objects, &tenant_ns, &zones);
    running_pods(&mut ctx, model, objects, &tenant_ns);
    public_hosts(&mut ctx, objects, &tenant_ns);
    tenant_privileges(&mut ctx, model, objects, &tenant_ns);
    app_identity(&mut ctx, objects, &tenant_ns);
    zone_ranges(&mut ctx, model, objects, &tenant_ns);
    namespace_controls(&mut ctx, objects, &tenant_ns);
    zone_nodes(&mut ctx, model, objects);
    let rendered = crate::render::render(model);
    drift(&mut ctx, &rendered, objects);
    let connectivity = isolation(&mut ctx, model, &rendered, objects, &tenant_ns);

    let mut findings = ctx.findings;
    findings.sort_by(|a, b| (a.control, &a.object, &a.field, a.outcome).cmp(&(b.control, &b.object, &b.field, b.outcome)));
    Audit {
        findings,
        connectivity,
        flows: rendered
            .flows
            .iter()
            .map(|f| FlowRow { from: f.consumer.to_string(), to: f.provider.to_string(), state: f.state, reason: f.reason.clone() })
            .collect(),
        zones: model.zones.iter().map(|z| (z.name_any(), z.spec.kind.to_string(), z.spec.mlps_level)).collect(),
        tenants: model.tenants.iter().map(|t| (t.name_any(), t.spec.display_name.zh.clone(), t.spec.display_name.en.clone())).collect(),
    }
}

/// The generated admission CEL, evaluated on what is already there: every
/// object a policy matches, whoever owns it (a pod with owner references is
/// audited like any other). Checks that only make sense for a request (such
/// as "nodeName is not set on create") hold vacuously here; what runs is
/// checked by [`running_pods`].
fn admission_form(ctx: &mut Ctx<'_>, objects: &[Value], tenant_ns: &BTreeSet<String>, zones: &BTreeMap<String, Value>) {
    let compiled = compiled_policies();
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o))) {
        let Some((group, resource)) = resource_of(kind_of(o)) else { continue };
        let ns = ns_of(o);
        let nso = ctx.namespaces.get(ns).map(|v| (*v).clone()).unwrap_or(Value::Null);
        let zone = label(&nso, ZONE).and_then(|z| zones.get(z)).cloned();
        for (p, exprs) in compiled.iter().filter(|(p, _)| p.matches(group, resource)) {
            if p.zone_param && zone.is_none() {
                for c in &p.checks {
                    ctx.add(c.control, Outcome::Skip, &id_of(o), Some(ns), "", "the namespace's NetworkZone is not declared".into(), c.message.clone());
                }
                continue;
            }
            let mut b = kube::core::cel::VapEvaluator::builder().object(o.clone()).namespace_object(nso.clone());
            if let Some(z) = &zone {
                b = b.params(z.clone());
            }
            let evaluator = b.build();
            for (c, r) in p.checks.iter().zip(evaluator.evaluate_compiled(exprs)) {
                let outcome = if r.passed { Outcome::Pass } else { Outcome::Fail };
                let field = c.message.split_whitespace().next().unwrap_or_default().trim_end_matches(':');
                let evidence = if r.passed { "complies".to_string() } else { evidence_for(field, o) };
                ctx.add(c.control, outcome, &id_of(o), Some(ns), field, evidence, format!("[{}] {}", c.control, c.message));
            }
        }
    }
}

type CompiledPolicy = (&'static admission::Policy, Vec<Result<kube::core::cel::CompiledVapExpression, kube::core::cel::VapError>>);

/// The policies' checks, compiled once for the offline evaluator.
fn compiled_policies() -> &'static [CompiledPolicy] {
    static C: std::sync::OnceLock<Vec<CompiledPolicy>> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let compiler = kube::core::cel::VapEvaluator::builder().build();
        admission::policies()
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
                (p, compiler.compile_expressions(&exprs))
            })
            .collect()
    })
}

/// GC-ZONE-001 for what runs: a scheduled pod in a zone's namespace is on a
/// node of that zone (checked when the nodes are in scope).
fn running_pods(ctx: &mut Ctx<'_>, model: &Model, objects: &[Value], tenant_ns: &BTreeSet<String>) {
    let nodes: BTreeMap<&str, &Value> = objects.iter().filter(|o| kind_of(o) == "Node").map(|n| (name_of(n), n)).collect();
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
fn namespace_controls(ctx: &mut Ctx<'_>, objects: &[Value], tenant_ns: &BTreeSet<String>) {
    for ns in tenant_ns {
        let nso = ctx.namespaces[ns].clone();
        let id = format!("Namespace/{ns}");
        let find = |kind: &str, name: &str| objects.iter().find(|o| kind_of(o) == kind && ns_of(o) == ns && name_of(o) == name);
        // GC-NET-001
        match find("NetworkPolicy", crate::render::DEFAULT_DENY) {
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
        let got = label(&nso, "pod-security.kubernetes.io/enforce").unwrap_or("(none)");
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
        for (kind, name) in [("ResourceQuota", "govcloud-quota"), ("LimitRange", "govcloud-limits")] {
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
fn app_identity(ctx: &mut Ctx<'_>, objects: &[Value], tenant_ns: &BTreeSet<String>) {
    let by_key: BTreeMap<(String, String, String), &Value> =
        objects.iter().map(|o| ((ns_of(o).to_string(), kind_of(o).to_string(), name_of(o).to_string()), o)).collect();
    let managed = |o: &Value| label(o, labels::MANAGED_BY) == Some(labels::MANAGER);
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o))) {
        let Some(pod) = pod_of(o) else { continue };
        let Some(app) = pod["metadata"]["labels"][labels::APP].as_str() else { continue };
        let mut cur = o;
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
fn tenant_privileges(ctx: &mut Ctx<'_>, model: &Model, objects: &[Value], tenant_ns: &BTreeSet<String>) {
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
            let ok = role == crate::render::CLUSTER_AUDITOR
                && model.tenants.iter().any(|t| {
                    t.spec.audit_scope == crate::api::AuditScope::Cluster
                        && t.spec
                            .owners
                            .iter()
                            .any(|o| o.role == crate::api::OwnerRole::Auditor && (o.kind.as_str(), o.name.as_str()) == (key.0.as_str(), key.1.as_str()))
                })
                || tenants.iter().any(|t| role == labels::tenant_cluster_role(t));
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
    for rb in objects.iter().filter(|o| kind_of(o) == "RoleBinding" && tenant_ns.contains(ns_of(o)) && o["roleRef"]["name"] == crate::render::EXEC_ROLE) {
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
            format!("{} bound at MLPS level {level}", crate::render::EXEC_ROLE),
            "exec, attach and port-forward only at level 2, or where the zone sets allowExec".into(),
        );
    }
}

/// GC-NET-004: every exchange endpoint address lies inside its zone's or a
/// peer zone's ranges (the renderer's own verdict); GC-NET-005: every ipBlock
/// in a tenant namespace that spans the cluster's pod or service range
/// excepts it.
fn zone_ranges(ctx: &mut Ctx<'_>, model: &Model, objects: &[Value], tenant_ns: &BTreeSet<String>) {
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
fn public_hosts(ctx: &mut Ctx<'_>, objects: &[Value], tenant_ns: &BTreeSet<String>) {
    let mut ingresses: Vec<&Value> = objects.iter().filter(|o| kind_of(o) == "Ingress" && tenant_ns.contains(ns_of(o))).collect();
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
fn zone_nodes(ctx: &mut Ctx<'_>, model: &Model, objects: &[Value]) {
    let nodes: Vec<&Value> = objects.iter().filter(|o| kind_of(o) == "Node").collect();
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
fn drift(ctx: &mut Ctx<'_>, rendered: &crate::render::Rendered, objects: &[Value]) {
    let by_id: BTreeMap<String, &Value> = objects.iter().map(|o| (id_of(o), o)).collect();
    for o in &rendered.objects {
        let Ok(desired) = serde_json::to_value(o) else { continue };
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
            Some(live) if crate::operator::compare::object_contains(live, &desired) => {
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
        (a, d) if crate::operator::compare::contains(a, d) => None,
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

fn workloads(objects: &[Value], tenant_ns: &BTreeSet<String>) -> Vec<Workload> {
    let listed: BTreeSet<(String, String, String)> = objects
        .iter()
        .filter(|o| kind_of(o) != "Pod" && pod_of(o).is_some())
        .map(|o| (ns_of(o).to_string(), kind_of(o).to_string(), name_of(o).to_string()))
        .collect();
    let mut out = Vec::new();
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o))) {
        let Some(pod) = pod_of(o) else { continue };
        if run_by_listed_workload(o, &listed) {
            continue;
        }
        let labels: BTreeMap<String, String> = pod["metadata"]["labels"]
            .as_object()
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        let ports = pod["spec"]["containers"]
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

/// GC-NET-002 and GC-NET-003 from NetworkPolicy semantics; the connectivity matrix.
fn isolation(ctx: &mut Ctx<'_>, model: &Model, rendered: &crate::render::Rendered, objects: &[Value], tenant_ns: &BTreeSet<String>) -> Connectivity {
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
    let net = Network::new(objects.iter().filter(|o| kind_of(o) == "NetworkPolicy").cloned().collect(), namespace_labels);
    let ws = workloads(objects, tenant_ns);
    let nss = ctx.namespaces.clone();
    let tenant_of = |w: &Workload| nss.get(&w.namespace).and_then(|o| label(o, TENANT)).unwrap_or_default().to_string();
    let zone_of = |w: &Workload| nss.get(&w.namespace).and_then(|o| label(o, ZONE)).unwrap_or_default().to_string();
    let granted: BTreeSet<(String, String)> =
        rendered.flows.iter().filter(|f| f.state == FlowState::Granted).map(|f| (f.consumer.to_string(), f.provider.to_string())).collect();
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
