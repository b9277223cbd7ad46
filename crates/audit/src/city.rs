//! A city of several clusters: one audit from each cluster's, with the flows between clusters judged on both sides.

use govcloud_core::controls;

use kube::ResourceExt;

use govcloud_core::api::FlowState;
use govcloud_core::controls::Severity;
use govcloud_core::messages::{Code, Lang};
use govcloud_core::model::Model;
use govcloud_core::msg;
use serde_json::Value;

use crate::ctx::intern;
use crate::drift::first_difference;
use crate::{Across, Audit, Finding, FlowRow, MATRIX_LIMIT, Outcome, sort_findings};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

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
        let mut tagged = audit.findings;
        crate::tag_cluster(&mut tagged, &tag);
        findings.extend(tagged);
        let c = audit.connectivity;
        let n_apps = c.apps.len();
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
        if c.api_server_out.is_empty() {
            out.connectivity.api_server_out.extend(std::iter::repeat_n(None, n_apps));
        } else {
            out.connectivity.api_server_out.extend(c.api_server_out);
        }
        out.connectivity.api_server.extend(c.api_server);
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
        for (t, mn) in audit.mongolian {
            out.mongolian.entry(t).or_insert(mn);
        }
    }
    if out.connectivity.api_server_out.iter().all(Option::is_none) {
        out.connectivity.api_server_out.clear();
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
pub(crate) fn city_finding(
    interned: &mut HashSet<Arc<str>>,
    control: &'static str,
    outcome: Outcome,
    object: &str,
    namespace: Option<&str>,
    zone: Option<&str>,
    field: &str,
    evidence: impl Into<govcloud_core::messages::Arg>,
    message: Code,
) -> Finding {
    let (evidence, evidence_message) = match evidence.into() {
        govcloud_core::messages::Arg::Msg(m) => (m.to_string(), Some(Arc::new(m))),
        data => (data.to_string(), None),
    };
    let subject = crate::Subject {
        object: intern(interned, object),
        namespace: namespace.map(|n| intern(interned, n)),
        tenant: None,
        zone: zone.map(|z| intern(interned, z)),
        cluster: None,
    };
    Finding {
        subject: Arc::new(subject),
        check: Arc::new(crate::Check {
            control,
            outcome,
            severity: controls::control(control).map(|c| c.severity).unwrap_or(Severity::Medium),
            field: intern(interned, field),
            evidence: intern(interned, &evidence),
            evidence_message,
            message: intern(interned, message.text(Lang::En)),
            reason: Arc::new(msg!(message)),
        }),
    }
}

/// How people read the clusters `ks` of `clusters`.
pub(crate) fn cluster_names(
    clusters: &[ClusterAudit],
    ks: impl IntoIterator<Item = usize>,
) -> govcloud_core::messages::Arg {
    govcloud_core::messages::Arg::list(
        ks.into_iter().map(|k| govcloud_render::cluster_message(clusters[k].0.as_deref())),
    )
}

/// GC-CITY-001: every zone, tenant and app with the same spec in every cluster.
pub(crate) fn city_models(clusters: &[ClusterAudit], interned: &mut HashSet<Arc<str>>) -> Vec<Finding> {
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
    let message = Code::CitySameModel;
    let mut out = Vec::new();
    for (id, (ns, zone, copies)) in held {
        let absent: Vec<usize> = (0..n).filter(|k| copies[*k].is_none()).collect();
        let present: Vec<usize> = (0..n).filter(|k| copies[*k].is_some()).collect();
        let first = present.first().and_then(|k| copies[*k].as_ref());
        let differing: Vec<usize> = present.iter().copied().filter(|k| copies[*k].as_ref() != first).collect();
        let evidence = if !absent.is_empty() {
            msg!(
                Code::EvidencePresentAbsent,
                cluster_names(clusters, present.iter().copied()),
                cluster_names(clusters, absent.iter().copied())
            )
        } else if let (Some(&d), Some(&f)) = (differing.first(), present.first()) {
            let (a, b) = (copies[d].as_ref().unwrap_or(&Value::Null), copies[f].as_ref().unwrap_or(&Value::Null));
            let diff = first_difference(a, b, "spec")
                .or_else(|| first_difference(b, a, "spec"))
                .unwrap_or_else(|| msg!(Code::EvidenceDiffers));
            msg!(Code::EvidenceCopiesDiffer, cluster_names(clusters, [d]), cluster_names(clusters, [f]), diff)
        } else {
            msg!(Code::EvidenceSameIn, cluster_names(clusters, 0..n))
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
pub(crate) fn city_flows(clusters: &[ClusterAudit], interned: &mut HashSet<Arc<str>>) -> Vec<Finding> {
    let mut rows: BTreeMap<(&str, &str), Vec<(usize, &FlowRow)>> = BTreeMap::new();
    for (k, (_, _, audit)) in clusters.iter().enumerate() {
        for r in &audit.flows {
            rows.entry((&r.from, &r.to)).or_default().push((k, r));
        }
    }
    let zone_of = |key: &str| key.split('/').nth(1).unwrap_or_default().to_string();
    let message = Code::CityFlowsAlike;
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
        // The state as the flow's status writes it (a value), its ports and address.
        let show = |r: &FlowRow| {
            let ports: Vec<String> = r.ports.iter().map(ToString::to_string).collect();
            let mut shown = msg!(match r.state {
                FlowState::Granted => Code::StateGranted,
                FlowState::Pending => Code::StatePending,
                FlowState::Refused => Code::StateRefused,
            });
            if !ports.is_empty() {
                shown = msg!(Code::EvidenceOnPort, shown, ports.join(","));
            }
            if let Some(a) = r.address.as_deref() {
                shown = msg!(Code::EvidenceAtAddress, shown, a);
            }
            shown
        };
        let flow = format!("{from} -> {to}");
        let (outcome, evidence) = match (row(sides[0]), row(sides[1])) {
            (Some(a), Some(b)) if (a.state, &a.ports, &a.address) == (b.state, &b.ports, &b.address) => (
                Outcome::Pass,
                msg!(Code::EvidenceFlowDecided, flow, show(a), cluster_names(clusters, sides.iter().copied())),
            ),
            (Some(a), Some(b)) => (
                Outcome::Fail,
                msg!(
                    Code::EvidenceFlowDecidedApart,
                    flow,
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
                    msg!(
                        Code::EvidenceFlowUndeclared,
                        flow,
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
