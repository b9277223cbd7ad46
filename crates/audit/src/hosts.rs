//! Public hosts (`AuditBy::PublicHosts`): who owns which host name, and which Ingress serves it.

use govcloud_core::controls;
use govcloud_core::messages::Code;
use govcloud_core::msg;

use govcloud_core::model::Model;
use serde_json::Value;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, kind_of, ns_of};
use std::collections::{BTreeMap, BTreeSet};

/// GC-SVC-003 across objects: no two Ingresses in tenant namespaces serve one
/// host; the first (by creation, then name) keeps it.
/// GC-SVC-003 on Tenants: a host belongs to one tenant, so two tenants'
/// `allowedHosts` (approved Hostname requests folded in) never name the same
/// host; admission would then let neither take it from the other.
pub(crate) fn tenant_hosts(ctx: &mut Ctx<'_>, model: &Model) {
    let owners = govcloud_render::host_owners(&model.tenants);
    let mut by_host: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for o in &owners {
        by_host.entry(o.host.as_str()).or_default().push(o.tenant.as_str());
    }
    for (host, tenants) in by_host {
        for t in &tenants {
            let others: Vec<&str> = tenants.iter().copied().filter(|o| o != t).collect();
            let (outcome, evidence) = if others.is_empty() {
                (Outcome::Pass, msg!(Code::EvidenceHostOwnedAlone, host, *t))
            } else {
                (Outcome::Fail, msg!(Code::EvidenceHostAlsoOwned, host, others.join(", ")))
            };
            ctx.add(
                controls::PUBLIC_HOSTS,
                outcome,
                &format!("Tenant/{t}"),
                None,
                "spec.allowedHosts",
                evidence,
                msg!(Code::HostOneTenant),
            );
        }
    }
}

pub(crate) fn public_hosts(ctx: &mut Ctx<'_>, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
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
                    msg!(Code::EvidenceHostAlsoServed, &host, first),
                    msg!(Code::HostFirstApp),
                ),
                _ => {
                    owner.insert(host.clone(), id.clone());
                    ctx.add(
                        controls::PUBLIC_HOSTS,
                        Outcome::Pass,
                        &id,
                        Some(ns_of(i)),
                        "spec.rules[].host",
                        msg!(Code::EvidenceHostServedHere, &host),
                        msg!(Code::HostFirstApp),
                    );
                }
            }
        }
    }
}
