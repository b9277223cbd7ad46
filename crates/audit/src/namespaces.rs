//! Namespaces (`AuditBy::Namespaces`): each tenant namespace's default deny, Pod Security, quota and limits; declaration namespaces hold declarations only.

use govcloud_core::controls;
use govcloud_core::messages::{Arg, Code};
use govcloud_core::meta::labels;
use govcloud_core::msg;

use serde_json::Value;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, kind_of, label, name_of, ns_of};
use govcloud_core::meta::labels::ZONE;
use govcloud_core::meta::quantity::Quantity;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Per tenant namespace: default deny, Pod Security level, quota and
/// limits; for the namespaces of zones another cluster hosts, that they hold
/// declarations only.
pub(crate) fn namespace_controls(
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
                    msg!(Code::EvidencePodSelector, spec["podSelector"].to_string(), format!("{types:?}")),
                    if denies { msg!(Code::DefaultDenyHolds) } else { msg!(Code::DefaultDenyWeakened) },
                );
            }
            None => ctx.add(
                controls::DEFAULT_DENY,
                Outcome::Fail,
                &id,
                Some(ns),
                "NetworkPolicy govcloud-default-deny",
                msg!(Code::EvidenceAbsent),
                msg!(Code::DefaultDenyAbsent),
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
            msg!(Code::EvidenceLevelRequires, got, level.to_string(), want),
            msg!(Code::PodSecurityLevel, want.to_string(), level.to_string()),
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
                msg!(if present { Code::EvidencePresent } else { Code::EvidenceKindAbsent }, format!("{kind}/{name}")),
                msg!(Code::NamespaceHasKind, kind),
            );
        }
    }
}

/// What a declaration namespace may not hold: what runs, serves, stores,
/// opens a path or lets someone work there.
pub(crate) const NOT_DECLARATIONS: &[&str] = &[
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

/// Whether a quantity (`0`, `0m`, `0Gi`, or the number 0) is zero.
pub(crate) fn is_zero(q: &Value) -> bool {
    q.as_str().and_then(|s| Quantity::parse(s).ok()).is_some_and(Quantity::is_zero) || q.as_f64() == Some(0.0)
}

/// GC-ZONE-005: the namespaces of a zone another cluster hosts (by the
/// model) hold declarations only: labelled hosted-in with that cluster, with
/// their zero quota, and nothing that runs or serves; a namespace labelled
/// hosted-in whose zone runs here is mislabelled.
pub(crate) fn declarations(
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
                msg!(
                    Code::EvidenceHostedInHere,
                    format!("{}={}", labels::HOSTED_IN, got.unwrap_or_default()),
                    format!("{zone:?}")
                ),
                msg!(Code::HostedInOnlyRemote),
            );
            continue;
        };
        let elsewhere = govcloud_render::cluster_label((!host.is_empty()).then_some(host.as_str()));
        let message = msg!(Code::DeclarationsOnly, zone.to_string(), elsewhere.to_string());
        ctx.add(
            controls::DECLARATIONS_ONLY,
            if got == Some(host.as_str()) { Outcome::Pass } else { Outcome::Fail },
            &id,
            Some(ns),
            &field,
            match got {
                Some(g) => msg!(Code::EvidenceLabelWant, format!("{}={g:?}", labels::HOSTED_IN), format!("{host:?}")),
                None => msg!(Code::EvidenceNoLabelWant, labels::HOSTED_IN, format!("{host:?}")),
            },
            message.clone(),
        );
        let quota = first.get(&("ResourceQuota", ns.as_str(), govcloud_core::meta::names::QUOTA)).copied();
        let open: Vec<String> = match quota {
            None => vec![msg!(Code::EvidenceAbsent).to_string()],
            Some(q) => govcloud_render::DECLARATIONS_ONLY
                .iter()
                .filter(|r| !is_zero(&q["spec"]["hard"][**r]))
                .map(|r| {
                    format!(
                        "{r}={}",
                        match &q["spec"]["hard"][*r] {
                            // Kubernetes' word for a quota without a limit: data, as `kubectl` shows it.
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
            if open.is_empty() { Arg::from(msg!(Code::EvidenceHeldAtZero)) } else { Arg::from(open.join(", ")) },
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
                msg!(Code::EvidenceNothingHere),
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
                msg!(
                    Code::EvidenceInDeclarations,
                    kind_of(o),
                    zone,
                    govcloud_render::cluster_message((!host.is_empty()).then_some(host.as_str()))
                ),
                message.clone(),
            );
        }
    }
}
