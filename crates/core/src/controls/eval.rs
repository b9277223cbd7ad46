//! The one offline evaluator of the generated admission policies: render-time
//! validation, the audit and the tests all judge an object with it, so a rule
//! written once in [`super::admission`] means the same everywhere.
//!
//! ```text
//!   Evaluator (functions registered once)
//!     └─ namespace(namespaceObject, zone)   values of the namespace, variables that read only it: once per namespace
//!          └─ object(object)                the object converted once, its variables computed once
//!               └─ evaluate(policy)         each check's verdict, `variables` bound as the API server binds them
//! ```
//!
//! JSON becomes CEL as the API server makes it: map keys are kept as they are
//! (the API server escapes schema property names such as `x-y`, never the
//! keys of a map such as a label key `govcloud.io/zone`), so the generated
//! expressions run unmodified. There is no admission request offline: the
//! `request` is empty (no operation, no user) and there is no old object, so
//! checks about a request (for example "on CREATE") hold vacuously.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use kube::core::cel::KubeCelExt;
use kube::core::cel::cel::objects::{Key, Map as CelMap};
use kube::core::cel::cel::{Context as CelContext, Program, Value as CelValue};
use serde_json::Value;

use super::admission::{self, Check, Policy};

/// A policy, compiled once.
pub struct CompiledPolicy {
    /// The generated policy.
    pub policy: &'static Policy,
    /// Its variables (indexes in the shared list), in order, with their names.
    variables: Vec<(&'static str, usize)>,
    /// Its checks; one that does not compile fails.
    checks: Vec<Option<Program>>,
}

/// A policy variable: its definition, in the context of the variables before it.
struct Variable {
    /// Definition and the (name, index) of the policy's earlier variables: a
    /// variable is shared by the policies that define it alike after alike variables.
    key: (String, Vec<(&'static str, usize)>),
    program: Option<Program>,
    /// Reads no object (only the namespace, the zone, the request and such
    /// variables): computed once per namespace.
    namespace_level: bool,
}

struct Compiled {
    policies: Vec<CompiledPolicy>,
    variables: Vec<Variable>,
}

fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let mut variables: Vec<Variable> = Vec::new();
        let mut policies = Vec::new();
        for p in admission::policies().iter().filter(|p| !p.request_only) {
            let mut bound: Vec<(&'static str, usize)> = Vec::new();
            for (name, def) in &p.variables {
                let key = (def.clone(), bound.clone());
                let i = match variables.iter().position(|v| v.key == key) {
                    Some(i) => i,
                    None => {
                        let program = Program::compile(def).ok();
                        let reads = |v: &str| program.as_ref().is_none_or(|p| p.references().has_variable(v));
                        // Which earlier variables it reads, by name (a longer name sharing a prefix only makes it per object).
                        let reads_object_variable = bound
                            .iter()
                            .any(|(n, j)| !variables[*j].namespace_level && def.contains(&format!("variables.{n}")));
                        let namespace_level = !reads("object") && !reads("oldObject") && !reads_object_variable;
                        variables.push(Variable { key, program, namespace_level });
                        variables.len() - 1
                    }
                };
                bound.push((name, i));
            }
            let checks = p.checks.iter().map(|c| Program::compile(&c.expression).ok()).collect();
            policies.push(CompiledPolicy { policy: p, variables: bound, checks });
        }
        Compiled { policies, variables }
    })
}

/// Every generated policy the evaluator can judge an object by (not those
/// that judge only a request, such as who sets the app identity label).
pub fn policies() -> &'static [CompiledPolicy] {
    &compiled().policies
}

/// The offline-checkable policies matching objects of this (group, resource).
pub fn matching(group: &str, resource: &str) -> impl Iterator<Item = &'static CompiledPolicy> {
    let (group, resource) = (group.to_string(), resource.to_string());
    policies().iter().filter(move |p| p.policy.matches(&group, &resource))
}

/// The (group, resource) admission sees for an object of `kind`, for the kinds the policies match.
pub fn resource_of(kind: &str) -> Option<(&'static str, &'static str)> {
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
        "HorizontalPodAutoscaler" => ("autoscaling", "horizontalpodautoscalers"),
        _ => return None,
    })
}

/// JSON as a CEL value, keys kept as they are.
pub fn json_to_cel(v: &Value) -> CelValue {
    match v {
        Value::Null => CelValue::Null,
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => CelValue::Int(i),
            (None, Some(u)) => CelValue::UInt(u),
            _ => CelValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => CelValue::String(Arc::new(s.clone())),
        Value::Array(a) => CelValue::List(Arc::new(a.iter().map(json_to_cel).collect())),
        Value::Object(o) => cel_map(o.iter().map(|(k, v)| (k.clone(), json_to_cel(v)))),
    }
}

fn cel_map(entries: impl IntoIterator<Item = (String, CelValue)>) -> CelValue {
    CelValue::Map(CelMap { map: Arc::new(entries.into_iter().map(|(k, v)| (Key::String(Arc::new(k)), v)).collect()) })
}

/// The `request` offline: no operation, no user, nothing requested.
fn empty_request() -> CelValue {
    let s = |v: &str| CelValue::String(Arc::new(v.to_string()));
    let entries = |e: &[(&str, CelValue)]| e.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Vec<_>>();
    cel_map(entries(&[
        ("operation", s("")),
        ("name", s("")),
        ("namespace", s("")),
        ("dryRun", CelValue::Bool(false)),
        ("kind", cel_map(entries(&[("group", s("")), ("version", s("")), ("kind", s(""))]))),
        ("resource", cel_map(entries(&[("group", s("")), ("version", s("")), ("resource", s(""))]))),
        (
            "userInfo",
            cel_map(entries(&[("username", s("")), ("uid", s("")), ("groups", CelValue::List(Arc::new(Vec::new())))])),
        ),
    ]))
}

/// The cel crate's `matches` (same regex crate, same outcome and error), with
/// the compiled patterns kept per thread (the cel crate compiles the pattern on every call).
fn matches(
    ftx: &kube::core::cel::cel::FunctionContext<'_, '_>,
    kube::core::cel::cel::extractors::This(this): kube::core::cel::cel::extractors::This<Arc<String>>,
    regex: Arc<String>,
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

/// The evaluator: the Kubernetes CEL functions, registered once. Make one per
/// thread (or per audit) and a [`NamespaceScope`] per namespace from it.
pub struct Evaluator {
    functions: CelContext<'static>,
    request: CelValue,
}

impl Default for Evaluator {
    fn default() -> Self {
        Self::new()
    }
}

impl Evaluator {
    /// The functions the API server offers, `matches` with a pattern cache.
    pub fn new() -> Self {
        let mut functions = CelContext::default().with_all();
        functions.add_function("matches", matches);
        Evaluator { functions, request: empty_request() }
    }

    /// The scope of one namespace: `namespaceObject`, the zone as `params`
    /// (when the namespace has one), and the variables that read only these.
    pub fn namespace(&self, namespace: Option<&Value>, zone: Option<&Value>) -> NamespaceScope<'_> {
        let mut scope = self.functions.new_inner_scope();
        scope.add_variable_from_value("oldObject", CelValue::Null);
        scope.add_variable_from_value("request", self.request.clone());
        if let Some(z) = zone {
            scope.add_variable_from_value("params", json_to_cel(z));
        }
        scope.add_variable_from_value("namespaceObject", namespace.map(json_to_cel).unwrap_or(CelValue::Null));
        let mut values: HashMap<usize, Option<CelValue>> = HashMap::new();
        let variables = &compiled().variables;
        for p in policies() {
            let mut bound: Vec<(&str, CelValue)> = Vec::new();
            // Namespace-level variables read only the ones before them of their level.
            for (name, i) in p.variables.iter().filter(|(_, i)| variables[*i].namespace_level) {
                let value =
                    values.entry(*i).or_insert_with(|| execute(&scope, &bound, variables[*i].program.as_ref())).clone();
                if let Some(v) = value {
                    bound.push((name, v));
                }
            }
        }
        NamespaceScope { scope, values, has_zone: zone.is_some() }
    }
}

/// `program` with `variables` bound to `bound`; None when it does not evaluate.
fn execute(scope: &CelContext<'_>, bound: &[(&str, CelValue)], program: Option<&Program>) -> Option<CelValue> {
    let program = program?;
    let mut inner = scope.new_inner_scope();
    inner.add_variable_from_value("variables", cel_map(bound.iter().map(|(n, v)| (n.to_string(), v.clone()))));
    program.execute(&inner).ok()
}

/// One namespace's values, shared by its objects.
pub struct NamespaceScope<'e> {
    scope: CelContext<'e>,
    /// The namespace-level variables: their values, or None when they do not evaluate.
    values: HashMap<usize, Option<CelValue>>,
    has_zone: bool,
}

impl NamespaceScope<'_> {
    /// Whether the zone parameter is bound (a zone-parameter policy cannot be judged without it).
    pub fn has_zone(&self) -> bool {
        self.has_zone
    }

    /// An object in this namespace, converted once for every policy.
    pub fn object(&self, o: &Value) -> ObjectScope<'_> {
        let mut scope = self.scope.new_inner_scope();
        scope.add_variable_from_value("object", json_to_cel(o));
        ObjectScope { namespace: self, scope, values: HashMap::new() }
    }
}

/// An object bound in its namespace's scope, with the variables computed so far.
pub struct ObjectScope<'s> {
    namespace: &'s NamespaceScope<'s>,
    scope: CelContext<'s>,
    values: HashMap<usize, Option<CelValue>>,
}

impl ObjectScope<'_> {
    /// Each check's verdict (true: complies). A check that does not evaluate
    /// (a field it reads is missing, a variable it reads does not evaluate)
    /// fails, as the API server's failurePolicy Fail denies it.
    pub fn evaluate(&mut self, policy: &CompiledPolicy) -> Vec<bool> {
        let variables = &compiled().variables;
        let mut bound: Vec<(&str, CelValue)> = Vec::with_capacity(policy.variables.len());
        for (name, i) in &policy.variables {
            let value = match self.namespace.values.get(i) {
                Some(v) => v.clone(),
                None => match self.values.get(i) {
                    Some(v) => v.clone(),
                    None => {
                        let v = execute(&self.scope, &bound, variables[*i].program.as_ref());
                        self.values.insert(*i, v.clone());
                        v
                    }
                },
            };
            // A variable that does not evaluate is left unbound: the checks reading it fail.
            if let Some(v) = value {
                bound.push((name, v));
            }
        }
        let mut inner = self.scope.new_inner_scope();
        inner.add_variable_from_value("variables", cel_map(bound.into_iter().map(|(n, v)| (n.to_string(), v))));
        policy
            .checks
            .iter()
            .map(|c| c.as_ref().is_some_and(|c| matches!(c.execute(&inner), Ok(CelValue::Bool(true)))))
            .collect()
    }

    /// The checks of `policy` this object fails.
    pub fn failures(&mut self, policy: &'static CompiledPolicy) -> Vec<&'static Check> {
        let verdicts = self.evaluate(policy);
        policy.policy.checks.iter().zip(verdicts).filter(|(_, ok)| !ok).map(|(c, _)| c).collect()
    }
}

/// A failed check, with the policy it belongs to.
#[derive(Clone, Copy)]
pub struct Failure {
    /// The policy.
    pub policy: &'static Policy,
    /// The check.
    pub check: &'static Check,
}

/// A stored object as the offline checks judge it: without its status and
/// the API server's bookkeeping (resourceVersion, field ownership,
/// generation, uid, creation time), which change while nothing the checks
/// read does (the report loop writes a zone's status after every audit),
/// so verdicts kept by the digest of what was judged stay valid. The
/// enforcement test holds the API server, which sees the whole object, to
/// the same verdicts.
pub fn judged(mut object: Value) -> Value {
    if let Some(o) = object.as_object_mut() {
        o.remove("status");
        if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            for bookkeeping in ["resourceVersion", "managedFields", "generation", "uid", "creationTimestamp"] {
                m.remove(bookkeeping);
            }
        }
    }
    object
}

/// Every check of every policy matching `object` that it fails, in `namespace`
/// (its Namespace object) with `zone` (its NetworkZone) as parameter.
pub fn failures(
    evaluator: &Evaluator,
    object: &Value,
    namespace: Option<&Value>,
    zone: Option<&Value>,
) -> Vec<Failure> {
    failures_in(&evaluator.namespace(namespace, zone), object)
}

/// [`failures`] in a namespace's scope made once for all of its objects
/// ([`Evaluator::namespace`]).
pub fn failures_in(scope: &NamespaceScope<'_>, object: &Value) -> Vec<Failure> {
    let Some((group, resource)) = object["kind"].as_str().and_then(resource_of) else { return Vec::new() };
    let mut here = scope.object(object);
    let mut out = Vec::new();
    for p in matching(group, resource).filter(|p| !p.policy.zone_param || scope.has_zone()) {
        out.extend(here.failures(p).into_iter().map(|check| Failure { policy: p.policy, check }));
    }
    out
}

/// The value at a field path like `spec.containers[].image`, as evidence
/// (English: [`evidence_said`] gives it for any language).
pub fn evidence(field: &str, subject: &Value) -> String {
    evidence_said(field, subject).to_string()
}

/// [`evidence`] as the catalogue of messages has it: the field and its
/// values are data, `not set` a message.
pub fn evidence_said(field: &str, subject: &Value) -> crate::messages::Arg {
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
    if shown.is_empty() {
        crate::msg!(crate::messages::Code::EvidenceNotSet, field).into()
    } else {
        format!("{field} = {}", shown.join(", ")).into()
    }
}

/// Variables computed once per namespace, and the others, by count (for tests and tuning).
pub fn variable_levels() -> (usize, usize) {
    let v = &compiled().variables;
    let ns = v.iter().filter(|v| v.namespace_level).count();
    (ns, v.len() - ns)
}

/// Checks or variables that do not compile (there should be none).
pub fn not_compiled() -> Vec<String> {
    let c = compiled();
    let mut out: Vec<String> = c.variables.iter().filter(|v| v.program.is_none()).map(|v| v.key.0.clone()).collect();
    for p in &c.policies {
        out.extend(
            p.checks.iter().zip(&p.policy.checks).filter(|(c, _)| c.is_none()).map(|(_, c)| c.expression.clone()),
        );
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod public_tests;
#[cfg(test)]
mod tests;
