//! The admission-form controls: the generated policies' CEL evaluated offline on every object, and Ingress backends.

use govcloud_core::controls;
use govcloud_core::controls::eval;
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::meta::labels;
use govcloud_core::msg;

use serde_json::Value;

use crate::ctx::{Ctx, id_of, kind_of, label, name_of, ns_of};
use crate::{Finding, Outcome};
use govcloud_core::meta::labels::ZONE;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Objects from which the admission checks spread over threads.
pub(crate) const SPREAD: usize = 1000;

/// The generated admission CEL, evaluated on what is already there: every
/// object a policy matches, whoever owns it (a pod with owner references is
/// audited like any other). Checks that only make sense for a request (such
/// as "nodeName is not set on create") hold vacuously here; what runs is
/// checked by [`running_pods`].
pub(crate) fn admission_form(
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
    let parts =
        if total < SPREAD { 1 } else { std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4) };
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
    for mut part in found {
        crate::ctx::grow(&mut ctx.findings, part.len());
        ctx.findings.append(&mut part);
    }
}

pub(crate) fn admission_namespaces(ctx: &mut Ctx<'_>, groups: &[(&str, Vec<&Value>)], zones: &BTreeMap<String, Value>) {
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
                            msg!(Code::EvidenceZoneUndeclared),
                            msg!(Code::AdmissionUnchecked, c.control, &c.message, Arg::Title(c.control)),
                        );
                    }
                    continue;
                };
                for (c, passed) in p.policy.checks.iter().zip(passed) {
                    let outcome = if *passed { Outcome::Pass } else { Outcome::Fail };
                    let field = c.field();
                    let evidence =
                        if *passed { msg!(Code::EvidenceComplies).into() } else { eval::evidence_said(field, o) };
                    ctx.add(
                        c.control,
                        outcome,
                        &id,
                        Some(ns),
                        field,
                        evidence,
                        msg!(Code::AdmissionRule, c.control, &c.message, Arg::Title(c.control)),
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
pub(crate) struct Verdicts;

/// One object's verdicts, in [`eval::matching`] order.
pub(crate) type ObjectVerdicts = Arc<Vec<Option<Vec<bool>>>>;

impl Verdicts {
    /// Verdicts kept at most; past it the memory starts again empty.
    pub(crate) const KEPT: usize = 200_000;

    pub(crate) fn memo() -> &'static std::sync::Mutex<HashMap<[u8; 32], ObjectVerdicts>> {
        static MEMO: std::sync::OnceLock<std::sync::Mutex<HashMap<[u8; 32], ObjectVerdicts>>> =
            std::sync::OnceLock::new();
        MEMO.get_or_init(Default::default)
    }

    /// SHA-256 of `parts` (absent ones counted as such), after `prefix`.
    pub(crate) fn digest(parts: &[Option<&Value>], prefix: Option<&[u8; 32]>) -> [u8; 32] {
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
    pub(crate) fn of(scope: &[u8; 32], o: &Value, judge: impl FnOnce() -> Vec<Option<Vec<bool>>>) -> ObjectVerdicts {
        let key = Self::digest(&[Some(o)], Some(scope));
        let lock = || Self::memo().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = lock().get(&key) {
            return known.clone();
        }
        let judged = judge();
        // Kept across rounds: made (a copy of what was judged) and inserted
        // on the pages of what lasts, not among the round's short-lived
        // allocations, whose pages it would keep resident after the round.
        govcloud_core::memory::lasting(|| {
            let found: ObjectVerdicts = Arc::new(judged.to_vec());
            let mut kept = lock();
            if kept.len() >= Self::KEPT {
                kept.clear();
            }
            kept.insert(key, found.clone());
            found
        })
    }
}

/// GC-SVC-002 across objects: an Ingress in a tenant namespace sends public
/// traffic only to Services govcloud manages in its namespace. The admission
/// CEL reads the backends' names; what a name stands for takes the other
/// objects: a Service that exists, labelled as govcloud's, and not of type
/// ExternalName (which would proxy the internet to any host the Service
/// names, inside the city's networks or out).
pub(crate) fn ingress_backends(ctx: &mut Ctx<'_>, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
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
        let mut wrong: Vec<Message> = Vec::new();
        for (field, b) in backends {
            let Some(name) = b["service"]["name"].as_str() else {
                wrong.push(match b["resource"]["kind"].as_str() {
                    Some(k) => msg!(
                        Code::EvidenceResourceBackend,
                        &field,
                        k,
                        b["resource"]["name"].as_str().unwrap_or_default()
                    ),
                    None => msg!(Code::EvidenceNamesNoService, &field),
                });
                continue;
            };
            let Some(s) = services.get(&(ns, name)) else {
                wrong.push(msg!(Code::EvidenceNoSuchService, &field, name));
                continue;
            };
            let mut why = Vec::new();
            if label(s, labels::MANAGED_BY) != Some(labels::MANAGER) {
                why.push(msg!(Code::EvidenceNotGovclouds, format!("{}={}", labels::MANAGED_BY, labels::MANAGER)));
            }
            if s["spec"]["type"] == "ExternalName" {
                let to = s["spec"]["externalName"].as_str().map_or_else(|| Code::EvidenceNoHost.into(), Arg::from);
                why.push(msg!(Code::EvidenceExternalNameTo, to));
            }
            match why.into_iter().reduce(|a, b| msg!(Code::EvidenceBoth, a, b)) {
                None => routes.push(format!("Service {name}")),
                Some(why) => wrong.push(msg!(Code::EvidenceServiceIs, &field, name, why)),
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
            Message::joined(wrong).unwrap_or_else(|| msg!(Code::EvidenceRoutesOnly, routes.join(", "))),
            msg!(Code::IngressToManaged),
        );
    }
}

#[cfg(test)]
mod tests;
