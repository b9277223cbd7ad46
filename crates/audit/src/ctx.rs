//! The findings recorder of one audit run and the helpers that read an object's kind and pod.

use govcloud_core::controls;

use govcloud_core::controls::{AuditBy, Severity};
use govcloud_core::messages::{Arg, Message};
use serde_json::Value;

use crate::{Check, Finding, Outcome, Subject};
use govcloud_core::meta::labels::{TENANT, ZONE};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

pub(crate) fn kind_of(o: &Value) -> &str {
    o["kind"].as_str().unwrap_or_default()
}
pub(crate) fn ns_of(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or_default()
}
pub(crate) fn name_of(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or_default()
}
pub(crate) fn id_of(o: &Value) -> String {
    if ns_of(o).is_empty() {
        format!("{}/{}", kind_of(o), name_of(o))
    } else {
        format!("{}/{}/{}", kind_of(o), ns_of(o), name_of(o))
    }
}
pub(crate) fn label<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    o["metadata"]["labels"][key].as_str()
}

pub(crate) struct Ctx<'a> {
    pub(crate) findings: Vec<Finding>,
    pub(crate) namespaces: BTreeMap<String, &'a Value>,
    /// The strings findings repeat (objects, namespaces, tenants, zones,
    /// fields, messages), held once: a large cluster has hundreds of
    /// thousands of findings.
    pub(crate) interned: HashSet<Arc<str>>,
    /// The reasons findings repeat, held once likewise.
    pub(crate) reasons: HashSet<Arc<Message>>,
    /// The subjects of findings, one per object checked.
    pub(crate) subjects: HashSet<Arc<Subject>>,
    /// The checks of findings, each held once: most repeat on other objects.
    pub(crate) checks: HashSet<Arc<Check>>,
    /// The audit path recording: it records findings of its own controls only.
    pub(crate) path: Option<AuditBy>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(namespaces: BTreeMap<String, &'a Value>) -> Self {
        Ctx {
            findings: Vec::new(),
            namespaces,
            interned: HashSet::new(),
            reasons: HashSet::new(),
            subjects: HashSet::new(),
            checks: HashSet::new(),
            path: None,
        }
    }

    pub(crate) fn on(mut self, path: AuditBy) -> Self {
        self.path = Some(path);
        self
    }

    // One flat recorder keeps every check's call site a single readable line.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        control: &'static str,
        outcome: Outcome,
        object: &str,
        namespace: Option<&str>,
        field: &str,
        evidence: impl Into<Arg>,
        message: Message,
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
        // Words without data (`complies`, `absent`) repeat: held once, as reasons are.
        let (evidence, evidence_message) = match evidence.into() {
            Arg::Msg(m) if m.args.is_empty() => (m.to_string(), Some(intern_reason(&mut self.reasons, m))),
            Arg::Msg(m) => (m.to_string(), Some(Arc::new(m))),
            data => (data.to_string(), None),
        };
        // Most evidence repeats too (`complies`: two findings in three).
        let evidence = intern(&mut self.interned, &evidence);
        let subject = Subject {
            object: intern(&mut self.interned, object),
            namespace: ns.map(|n| intern(&mut self.interned, n)),
            tenant: tenant.map(|t| intern(&mut self.interned, t)),
            zone: zone.map(|z| intern(&mut self.interned, z)),
            cluster: None,
        };
        let check = Check {
            control,
            outcome,
            severity,
            field: intern(&mut self.interned, field),
            evidence,
            evidence_message,
            message: intern(&mut self.interned, &message.to_string()),
            reason: intern_reason(&mut self.reasons, message),
        };
        let finding = Finding {
            subject: intern_subject(&mut self.subjects, subject),
            check: intern_check(&mut self.checks, check),
        };
        grow(&mut self.findings, 1);
        self.findings.push(finding);
    }
}

/// Makes room in `v` for `more`, by an eighth of what it holds rather than
/// doubling: a province's audit holds hundreds of thousands of findings,
/// and a vector that doubles holds up to half again as much unused room.
pub(crate) fn grow<T>(v: &mut Vec<T>, more: usize) {
    if v.capacity() - v.len() < more {
        v.reserve_exact(more.max(v.len() / 8).max(1024));
    }
}

/// The one shared copy of `s`.
pub(crate) fn intern(set: &mut HashSet<Arc<str>>, s: &str) -> Arc<str> {
    if let Some(a) = set.get(s) {
        return a.clone();
    }
    let a: Arc<str> = Arc::from(s);
    set.insert(a.clone());
    a
}

/// The one shared copy of `s`.
pub(crate) fn intern_subject(set: &mut HashSet<Arc<Subject>>, s: Subject) -> Arc<Subject> {
    if let Some(a) = set.get(&s) {
        return a.clone();
    }
    let a = Arc::new(s);
    set.insert(a.clone());
    a
}

/// The one shared copy of `c`.
pub(crate) fn intern_check(set: &mut HashSet<Arc<Check>>, c: Check) -> Arc<Check> {
    if let Some(a) = set.get(&c) {
        return a.clone();
    }
    let a = Arc::new(c);
    set.insert(a.clone());
    a
}

/// The one shared copy of `m`.
pub(crate) fn intern_reason(set: &mut HashSet<Arc<Message>>, m: Message) -> Arc<Message> {
    if let Some(a) = set.get(&m) {
        return a.clone();
    }
    let a = Arc::new(m);
    set.insert(a.clone());
    a
}

/// The pod (metadata, spec) a workload object runs, for NetworkPolicy semantics.
pub(crate) fn pod_of(o: &Value) -> Option<(&Value, &Value)> {
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
