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
                        let reads_object_variable = bound.iter().any(|(n, j)| !variables[*j].namespace_level && def.contains(&format!("variables.{n}")));
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
        ("userInfo", cel_map(entries(&[("username", s("")), ("uid", s("")), ("groups", CelValue::List(Arc::new(Vec::new())))]))),
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
                let value = values.entry(*i).or_insert_with(|| execute(&scope, &bound, variables[*i].program.as_ref())).clone();
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
        policy.checks.iter().map(|c| c.as_ref().is_some_and(|c| matches!(c.execute(&inner), Ok(CelValue::Bool(true))))).collect()
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
pub fn failures(evaluator: &Evaluator, object: &Value, namespace: Option<&Value>, zone: Option<&Value>) -> Vec<Failure> {
    let Some((group, resource)) = object["kind"].as_str().and_then(resource_of) else { return Vec::new() };
    let scope = evaluator.namespace(namespace, zone);
    let mut here = scope.object(object);
    let mut out = Vec::new();
    for p in matching(group, resource).filter(|p| !p.policy.zone_param || scope.has_zone()) {
        out.extend(here.failures(p).into_iter().map(|check| Failure { policy: p.policy, check }));
    }
    out
}

/// The value at a field path like `spec.containers[].image`, as evidence.
pub fn evidence(field: &str, subject: &Value) -> String {
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
        out.extend(p.checks.iter().zip(&p.policy.checks).filter(|(c, _)| c.is_none()).map(|(_, c)| c.expression.clone()));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::controls::*;
    use crate::meta::labels::{ALLOWED_HOSTS, ALLOWED_REGISTRIES, CORDONED as CORDONED_LABEL, MLPS_LEVEL, TENANT, ZONE, ZONE_KIND};

    fn digest() -> String {
        format!("@sha256:{}", "0".repeat(64))
    }

    fn namespace(level: u8, registries: Option<&str>) -> Value {
        let mut annotations = json!({ALLOWED_HOSTS: "*.health.example.org,www.health.example.org"});
        if let Some(r) = registries {
            annotations[ALLOWED_REGISTRIES] = json!(r);
        }
        json!({"kind": "Namespace", "metadata": {"name": "health-internet",
            "labels": {TENANT: "health", ZONE: "internet", ZONE_KIND: "internet", MLPS_LEVEL: level.to_string(), CORDONED_LABEL: "true"},
            "annotations": annotations}})
    }

    fn zone() -> Value {
        json!({"kind": "NetworkZone", "metadata": {"name": "internet"}, "spec": {
            "kind": "internet", "internetIngress": true, "publicDomain": "example.gov", "mlpsLevel": 3,
            "nodePool": {"selector": {ZONE: "internet", "node.example/pool": "dmz"}, "taint": {"key": ZONE, "value": "internet", "effect": "NoSchedule"}},
            "allowedRegistries": ["harbor.egov.local", "registry.example:5000/gov"],
            "allowedVolumeTypes": ["nfs"], "allowedPriorityClasses": ["gov-high"]}})
    }

    fn container(image: &str) -> Value {
        json!({"name": "c", "image": image, "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}})
    }

    /// A pod that passes every check.
    fn pod() -> Value {
        json!({"kind": "Pod", "metadata": {"name": "p", "namespace": "health-internet"}, "spec": {
            "containers": [container(&format!("harbor.egov.local/health/web{}", digest()))],
            "nodeSelector": {ZONE: "internet", "node.example/pool": "dmz"},
            "tolerations": [{"key": ZONE, "operator": "Equal", "value": "internet", "effect": "NoSchedule"}, {"key": "node.kubernetes.io/not-ready", "operator": "Exists"}],
            "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "x"}}]}})
    }

    /// The controls `o` fails, sorted, with the namespace at `level`.
    fn failing_at(o: &Value, level: u8, registries: Option<&str>) -> Vec<&'static str> {
        let ns = namespace(level, registries);
        let mut ids: Vec<&str> = failures(&Evaluator::new(), o, Some(&ns), Some(&zone())).iter().map(|f| f.check.control).collect();
        ids.sort();
        ids
    }

    fn failing(o: &Value) -> Vec<&'static str> {
        failing_at(o, 3, Some("harbor.egov.local/health"))
    }

    fn with(mut o: Value, pointer: &str, value: Value) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
        let target = o.pointer_mut(parent).expect("parent");
        match target {
            Value::Array(a) => a.push(value),
            t => t[key] = value,
        }
        o
    }

    #[test]
    fn everything_compiles_and_namespace_variables_are_shared() {
        assert_eq!(not_compiled(), Vec::<String>::new());
        let (ns, object) = variable_levels();
        assert!(ns >= 5 && object >= 5, "{ns} namespace-level, {object} per object");
    }

    #[test]
    fn each_pod_check_has_its_verdict() {
        let image = |i: &str| with(pod(), "/spec/containers/0/image", json!(i));
        let cases: Vec<(&str, Value, Vec<&str>)> = vec![
            ("compliant", pod(), vec![]),
            ("privileged", with(pod(), "/spec/containers/0/securityContext", json!({"privileged": true})), vec![NO_PRIVILEGED]),
            ("privileged false", with(pod(), "/spec/containers/0/securityContext", json!({"privileged": false})), vec![]),
            (
                "escalation in an init container",
                with(
                    pod(),
                    "/spec/initContainers",
                    json!([{"name": "i", "image": format!("harbor.egov.local/health/i{}", digest()), "securityContext": {"allowPrivilegeEscalation": true}}]),
                ),
                // An init container needs resources too.
                vec![NO_PRIVILEGED, RESOURCES],
            ),
            ("hostNetwork", with(pod(), "/spec/hostNetwork", json!(true)), vec![HOST_NAMESPACES]),
            ("hostPID false", with(pod(), "/spec/hostPID", json!(false)), vec![]),
            ("hostPath", with(pod(), "/spec/volumes/-", json!({"name": "h", "hostPath": {"path": "/"}})), vec![HOST_PATH]),
            ("hostPort", with(pod(), "/spec/containers/0/ports", json!([{"containerPort": 80, "hostPort": 80}])), vec![HOST_PORTS]),
            ("hostPort 0", with(pod(), "/spec/containers/0/ports", json!([{"containerPort": 80, "hostPort": 0}])), vec![]),
            // Offline there is no request: "not set on create" holds for a pod (the scheduler sets it later).
            ("a pod's nodeName", with(pod(), "/spec/nodeName", json!("n1")), vec![]),
            ("no digest at level 3", image("harbor.egov.local/health/web:1"), vec![IMAGE_DIGEST]),
            ("a short digest", image("harbor.egov.local/health/web@sha256:abc"), vec![IMAGE_DIGEST]),
            ("an uppercase digest", image(&format!("harbor.egov.local/health/web@sha256:{}", "A".repeat(64))), vec![IMAGE_DIGEST]),
            ("a public registry", image(&format!("docker.io/library/nginx{}", digest())), vec![IMAGE_REGISTRY, IMAGE_REGISTRY]),
            ("a look-alike registry", image(&format!("harbor.egov.local.evil.com/health/x{}", digest())), vec![IMAGE_REGISTRY, IMAGE_REGISTRY]),
            ("outside the tenant's path", image(&format!("harbor.egov.local/healthx/x{}", digest())), vec![IMAGE_REGISTRY]),
            ("outside the tenant's path, zone registry with a port", image(&format!("registry.example:5000/gov/x{}", digest())), vec![IMAGE_REGISTRY]),
            (
                "an image volume from a public registry",
                with(pod(), "/spec/volumes/-", json!({"name": "data", "image": {"reference": format!("quay.io/x/y{}", digest())}})),
                // Image volumes are not among the zone's volume sources either.
                vec![IMAGE_REGISTRY, IMAGE_REGISTRY, VOLUME_SOURCES],
            ),
            ("no limits", with(pod(), "/spec/containers/0/resources", json!({"requests": {"cpu": "1", "memory": "1Gi"}})), vec![RESOURCES]),
            ("no node selector", with(pod(), "/spec/nodeSelector", json!({ZONE: "internet"})), vec![ZONE_NODES]),
            ("another zone's nodes", with(pod(), "/spec/nodeSelector", json!({ZONE: "private", "node.example/pool": "dmz"})), vec![ZONE_NODES]),
            ("a foreign toleration", with(pod(), "/spec/tolerations/-", json!({"key": "dedicated", "operator": "Exists"})), vec![ZONE_TOLERATIONS]),
            ("tolerating every taint", with(pod(), "/spec/tolerations/-", json!({"operator": "Exists"})), vec![ZONE_TOLERATIONS]),
            ("the zone's key, any value", with(pod(), "/spec/tolerations/-", json!({"key": ZONE, "operator": "Exists"})), vec![ZONE_TOLERATIONS]),
            ("nfs, which the zone allows", with(pod(), "/spec/volumes/-", json!({"name": "n", "nfs": {"server": "s", "path": "/"}})), vec![]),
            ("iscsi", with(pod(), "/spec/volumes/-", json!({"name": "n", "iscsi": {"targetPortal": "s", "iqn": "x", "lun": 0}})), vec![VOLUME_SOURCES]),
            ("a system priority class", with(pod(), "/spec/priorityClassName", json!("system-node-critical")), vec![PRIORITY_CLASSES]),
            ("the zone's priority class", with(pod(), "/spec/priorityClassName", json!("gov-high")), vec![]),
            ("an unmasked /proc", with(pod(), "/spec/containers/0/securityContext", json!({"procMount": "Unmasked"})), vec![NO_PRIVILEGED]),
            ("the default /proc", with(pod(), "/spec/containers/0/securityContext", json!({"procMount": "Default"})), vec![]),
            (
                "a claim template naming a volume",
                with(pod(), "/spec/volumes/-", json!({"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {"volumeName": "pv1"}}}})),
                vec![CLAIM_BINDING],
            ),
            // Missing fields fail the checks that read them, as the API server's failurePolicy Fail denies them.
            (
                "no containers",
                json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"nodeSelector": {ZONE: "internet", "node.example/pool": "dmz"}}}),
                vec![NO_PRIVILEGED, NO_PRIVILEGED, NO_PRIVILEGED, HOST_PORTS, IMAGE_DIGEST, IMAGE_REGISTRY, RESOURCES, IMAGE_REGISTRY],
            ),
        ];
        for (what, o, mut want) in cases {
            want.sort();
            assert_eq!(failing(&o), want, "{what}");
        }
        // Level 2, no tenant narrowing: a tag will do, any allowed registry.
        assert_eq!(failing_at(&with(pod(), "/spec/containers/0/image", json!("registry.example:5000/gov/x:1")), 2, None), Vec::<&str>::new());
        // A workload template may not name a node.
        let deployment = json!({"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"metadata": {}, "spec": with(pod(), "/spec/nodeName", json!("n1"))["spec"].clone()}}});
        assert_eq!(failing(&deployment), vec![NO_NODE_NAME]);
        let cron = json!({"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": with(pod(), "/spec/hostIPC", json!(true))["spec"].clone()}}}}});
        assert_eq!(failing(&cron), vec![HOST_NAMESPACES]);
        // A StatefulSet's claim templates may not name a volume (its controller would bind it).
        let sts = |volume_name: Value| {
            json!({"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"metadata": {}, "spec": pod()["spec"].clone()},
                "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"volumeName": volume_name}}]}})
        };
        assert_eq!(failing(&sts(json!("etcd-data"))), vec![CLAIM_BINDING]);
        assert_eq!(failing(&sts(json!(""))), Vec::<&str>::new());
    }

    #[test]
    fn other_kinds_have_their_verdicts() {
        let app = |spec: Value| json!({"kind": "DepartmentApp", "metadata": {"name": "a", "namespace": "health-internet"}, "spec": spec});
        let image = format!("harbor.egov.local/health/a{}", digest());
        assert_eq!(failing(&app(json!({"zone": "internet", "image": image, "exposure": "public", "host": "a.example.gov"}))), Vec::<&str>::new());
        assert_eq!(failing(&app(json!({"zone": "internet", "image": image, "host": "x.health.example.org"}))), Vec::<&str>::new());
        assert_eq!(failing(&app(json!({"zone": "internet", "image": image, "host": "health.example.org"}))), vec![PUBLIC_HOSTS]);
        assert_eq!(failing(&app(json!({"zone": "internet", "image": image, "host": "www.gov.cn"}))), vec![PUBLIC_HOSTS]);
        assert_eq!(failing(&app(json!({"zone": "internet", "image": image, "host": "example.gov"}))), vec![PUBLIC_HOSTS], "the zone's apex is the city's");
        assert_eq!(failing(&app(json!({"zone": "private", "image": "harbor.egov.local/health/a:1"}))), vec![APP_ZONE, IMAGE_DIGEST]);
        assert_eq!(failing(&app(json!({"zone": "internet", "image": "quay.io/a:1"}))), vec![IMAGE_REGISTRY, IMAGE_REGISTRY, IMAGE_DIGEST]);
        let service = json!({"kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "LoadBalancer", "externalIPs": ["1.2.3.4"]}});
        assert_eq!(failing(&service), vec![EXTERNAL_SERVICES, EXTERNAL_SERVICES]);
        let service = |spec: Value| json!({"kind": "Service", "metadata": {"name": "s"}, "spec": spec});
        assert_eq!(failing(&service(json!({"type": "ExternalName", "externalName": "kubernetes.default.svc"}))), vec![EXTERNAL_SERVICES]);
        assert_eq!(failing(&service(json!({"type": "NodePort"}))), vec![EXTERNAL_SERVICES]);
        // Offline there is no CREATE: an allocated address is what the API server chose.
        assert_eq!(failing(&service(json!({"type": "ClusterIP", "clusterIP": "10.96.0.10"}))), Vec::<&str>::new());
        let ingress = |backend: &str| {
            json!({"kind": "Ingress", "metadata": {"name": "site", "namespace": "health-internet"}, "spec": {"rules": [{"host": "a.example.gov",
                "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": backend, "port": {"name": "http"}}}}]}}]}})
        };
        assert_eq!(failing(&ingress("site")), Vec::<&str>::new());
        assert_eq!(failing(&ingress("kube-dns")), vec![INGRESS_ZONE]);
        // `namespace` is a field like any other (a reserved word in CEL, not escaped by the API server).
        let binding = |subject: Value| {
            json!({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "health-internet"},
                "roleRef": {"kind": "ClusterRole", "name": crate::meta::names::tenant_role("developer")}, "subjects": [subject]})
        };
        assert_eq!(failing(&binding(json!({"kind": "ServiceAccount", "name": "x", "namespace": "health-internet"}))), Vec::<&str>::new());
        assert_eq!(
            failing(&binding(json!({"kind": "ServiceAccount", "name": "x", "namespace": "health-private"}))),
            vec![TENANT_BINDINGS],
            "another zone's workload"
        );
        assert_eq!(failing(&binding(json!({"kind": "ServiceAccount", "name": "x", "namespace": "police-internet"}))), vec![TENANT_BINDINGS]);
        assert_eq!(failing(&binding(json!({"kind": "Group", "name": "system:authenticated"}))), vec![TENANT_BINDINGS]);
        let secret = json!({"kind": "Secret", "metadata": {"name": "t"}, "type": "kubernetes.io/service-account-token"});
        assert_eq!(failing(&secret), vec![NO_TOKEN_SECRETS]);
    }

    #[test]
    fn map_keys_are_not_escaped() {
        let o = json!({"namespace": 1, "a.b/c-d_e": -2, "big": u64::MAX, "f": 1.5, "l": [true, null, "s"]});
        let evaluator = Evaluator::new();
        let scope = evaluator.namespace(None, None);
        let here = scope.object(&o);
        for (expr, want) in [
            ("object.namespace == 1", true),
            ("object['a.b/c-d_e'] == -2 && 'a.b/c-d_e' in object", true),
            ("has(object.a__dot__b__slash__c__dash__d__e)", false),
            ("object.big == 18446744073709551615u", true),
            ("object.f == 1.5", true),
            ("object.l[0] && object.l[1] == null && object.l[2] == 's'", true),
            ("request.operation == '' && request.userInfo.groups == [] && oldObject == null && namespaceObject == null", true),
            ("'a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'.matches('@sha256:[0-9a-f]{64}$')", true),
            ("'a/b:latest'.matches('@sha256:[0-9a-f]{64}$')", false),
            ("'a'.matches('(')", false),
            ("'a'.matches('(') || true", true),
        ] {
            let passed = matches!(Program::compile(expr).expect("compiles").execute(&here.scope), Ok(CelValue::Bool(true)));
            assert_eq!(passed, want, "{expr}");
        }
    }
}
