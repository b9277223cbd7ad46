//! Per zone, where the cluster serves the network-policy API: Admin-tier
//! ClusterNetworkPolicies that hold the zone's isolation above every
//! NetworkPolicy, so no policy added to a tenant namespace can widen it.
//!
//! ```text
//!   priority 100  govcloud-zone-<z>-isolation   Deny   zones <z> may never reach (namespaces, and their cidrs out)
//!   priority 200  govcloud-exchange-<z>-<t>-<a> Pass   an exchange app: from its peer zones (and, private, to their endpoints)
//!   priority 300  govcloud-zone-<z>             Pass   same zone, DNS, other zones' endpoints, the ingress controller, exits
//!                                               Deny   other zones' and non-tenant namespaces (private: the outside too)
//! ```
//!
//! Nothing is `Accept`ed: what is passed, the namespace's NetworkPolicies
//! decide (tenant grants, ports), as they do without the admin tier. The
//! facts (which zones never talk, what an exchange endpoint opens, where a
//! private zone may send) come from `flows` and `tenant`, the code that
//! decides the flows and writes the NetworkPolicies.
//!
//! Priorities 0-99 stay free for a cluster admin's own policies above
//! govcloud's; each govcloud policy selects pods no other govcloud policy of
//! the same priority selects, so the order of evaluation never depends on
//! the implementation.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use kube::ResourceExt;

use super::Owned;
use super::flows::{exchange_apps, leaves_only_through_endpoints, never_connected};
use super::index::Index;
use super::objects::meta;
use super::tenant::{endpoint_exits, match_labels};
use govcloud_core::api::{NetworkZone, ZoneKind};
use govcloud_core::meta::cluster_policy::{
    ClusterNetworkPolicy, ClusterNetworkPolicyEgress as EgressRule, ClusterNetworkPolicyEgressAction as EgressAction,
    ClusterNetworkPolicyEgressTo as EgressPeer, ClusterNetworkPolicyIngress as IngressRule,
    ClusterNetworkPolicyIngressAction as IngressAction, ClusterNetworkPolicyIngressFrom as IngressPeer,
    ClusterNetworkPolicySpec, ClusterNetworkPolicySubject as Subject, ClusterNetworkPolicyTier, MAX_ITEMS,
    MAX_PRIORITY,
};
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels;
use govcloud_core::meta::names::{self, namespace_name};

/// Priority of the policy that keeps a zone from the zones it may never reach.
pub const ISOLATION_PRIORITY: i32 = 100;
/// Priority of the policies of exchange-endpoint apps.
pub const EXCHANGE_PRIORITY: i32 = 200;
/// Priority of the policy of a zone's namespaces.
pub const ZONE_PRIORITY: i32 = 300;
// Isolation before exchange before the zone's rules, all inside the API's range.
const _: () = assert!(
    ISOLATION_PRIORITY < EXCHANGE_PRIORITY && EXCHANGE_PRIORITY < ZONE_PRIORITY && ZONE_PRIORITY <= MAX_PRIORITY
);

/// The Admin-tier policies of zone `zone` (none for a zone the index does not hold).
pub fn render(index: &Index<'_>, zone: &str) -> Vec<Owned> {
    let Some(z) = index.zones.get(zone).copied() else { return vec![] };
    let mut out = Vec::new();
    let own = labels::owned_by(OwnerKind::NetworkZone, zone);
    // Both directions written out even when empty, so rules someone adds
    // are a difference a forced apply takes away.
    let policy = |name: String, priority: i32, subject: Subject, ingress: Vec<IngressRule>, egress: Vec<EgressRule>| {
        Owned::ClusterNetworkPolicy(ClusterNetworkPolicy {
            metadata: meta(&name, None, own.clone()),
            spec: ClusterNetworkPolicySpec {
                tier: ClusterNetworkPolicyTier::Admin,
                priority,
                subject,
                ingress: Some(ingress),
                egress: Some(egress),
            },
            status: None,
        })
    };
    let zone_subject = Subject::namespaces(zone_namespaces(&[zone]));

    // Zones this one may never reach, whatever is registered.
    let never: Vec<&NetworkZone> = index
        .zones
        .values()
        .copied()
        .filter(|o| o.name_any() != zone && never_connected(z.spec.kind, o.spec.kind))
        .collect();
    if !never.is_empty() {
        let names: Vec<String> = never.iter().map(|o| o.name_any()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut egress = vec![to(
            "never-connected-zones",
            EgressAction::Deny,
            vec![EgressPeer::namespaces(zone_namespaces(&names))],
        )];
        let cidrs: Vec<String> = never.iter().flat_map(|o| o.spec.cidrs.iter()).filter_map(|c| masked(c)).collect();
        egress.extend(networks_rules("never-connected-networks", EgressAction::Deny, cidrs));
        let ingress = vec![from(
            "never-connected-zones",
            IngressAction::Deny,
            vec![IngressPeer::namespaces(zone_namespaces(&names))],
        )];
        out.push(policy(names::zone_isolation_policy(zone), ISOLATION_PRIORITY, zone_subject.clone(), ingress, egress));
    }

    // Apps registered as exchange endpoints: their peer zones may call them;
    // in a private zone they may call their peers' endpoints registered for it.
    for (app, peers) in exchange_apps(z, &index.zones) {
        let peer_names: Vec<&str> = peers.iter().map(String::as_str).collect();
        let ingress = vec![from(
            "exchange-peers",
            IngressAction::Pass,
            vec![IngressPeer::namespaces(zone_namespaces(&peer_names))],
        )];
        let mut egress = Vec::new();
        if leaves_only_through_endpoints(z.spec.kind) {
            let registered: Vec<(&NetworkZone, &govcloud_core::api::AppRef)> = peers
                .iter()
                .filter_map(|p| index.zones.get(p).copied())
                .flat_map(|pz| {
                    exchange_apps(pz, &index.zones)
                        .into_iter()
                        .filter(|(_, ps)| ps.iter().any(|x| x == zone))
                        .map(move |(a, _)| (pz, a))
                })
                .collect();
            // Endpoints of this cluster by their pods; of another cluster, at their addresses.
            let targets: Vec<EgressPeer> = registered
                .iter()
                .filter(|(pz, _)| index.hosts(pz))
                .map(|(pz, a)| app_peer(&namespace_name(&a.tenant, &pz.name_any()), &a.app))
                .collect();
            egress.extend(chunked("exchange-peers", EgressAction::Pass, targets));
            let mut addresses: Vec<String> = registered
                .iter()
                .filter(|(pz, _)| !index.hosts(pz))
                .flat_map(|(pz, a)| {
                    pz.spec
                        .exchange_endpoints
                        .iter()
                        .filter(move |e| e.app.as_ref() == Some(*a) && e.peer_zones.iter().any(|p| p == zone))
                        .filter_map(|e| e.address.clone())
                })
                .filter_map(|c| masked(&c))
                .collect();
            addresses.sort();
            addresses.dedup();
            egress.extend(networks_rules("exchange-peers-elsewhere", EgressAction::Pass, addresses));
        }
        let (namespaces, pods) = app_pods(&namespace_name(&app.tenant, zone), &app.app);
        let subject = Subject::pods(namespaces, pods);
        out.push(policy(
            names::exchange_admin_policy(zone, &app.tenant, &app.app),
            EXCHANGE_PRIORITY,
            subject,
            ingress,
            egress,
        ));
    }

    // The zone's namespaces: their own zone, DNS and the endpoints of other
    // zones stay for the NetworkPolicies; other pods are denied.
    let mut ingress =
        vec![from("same-zone", IngressAction::Pass, vec![IngressPeer::namespaces(zone_namespaces(&[zone]))])];
    if z.spec.kind == ZoneKind::Internet {
        // Public apps are reached through the platform's ingress controller.
        ingress.push(from(
            "ingress-controller",
            IngressAction::Pass,
            vec![IngressPeer::namespaces(match_labels(&[(labels::INGRESS_CONTROLLER_NS, "true")]))],
        ));
    }
    ingress.push(from("other-zones", IngressAction::Deny, vec![IngressPeer::namespaces(other_zones(zone))]));
    ingress.push(from("not-a-tenant", IngressAction::Deny, vec![IngressPeer::namespaces(not_tenant())]));
    let mut egress = vec![
        to("same-zone", EgressAction::Pass, vec![EgressPeer::namespaces(zone_namespaces(&[zone]))]),
        to(
            "dns",
            EgressAction::Pass,
            vec![EgressPeer::pods(ns_named(names::DNS_NAMESPACE), match_labels(&[names::DNS_POD]))],
        ),
    ];
    if !leaves_only_through_endpoints(z.spec.kind) {
        let targets: Vec<EgressPeer> = index
            .zones
            .values()
            .copied()
            .filter(|o| o.name_any() != zone)
            .flat_map(|o| {
                exchange_apps(o, &index.zones)
                    .into_iter()
                    .filter(|(_, ps)| ps.iter().any(|x| x == zone))
                    .map(move |(a, _)| (o, a))
            })
            .map(|(o, a)| app_peer(&namespace_name(&a.tenant, &o.name_any()), &a.app))
            .collect();
        egress.extend(chunked("exchange-endpoints", EgressAction::Pass, targets));
    }
    egress.push(to("other-zones", EgressAction::Deny, vec![EgressPeer::namespaces(other_zones(zone))]));
    egress.push(to("not-a-tenant", EgressAction::Deny, vec![EgressPeer::namespaces(not_tenant())]));
    if leaves_only_through_endpoints(z.spec.kind) {
        // Outside the cluster's pods: only the zone's exchange addresses (its
        // NetworkPolicy narrows them to their ports), nothing else. Every pod
        // it may reach was passed above: "networks" also match pod addresses.
        let exits: Vec<String> = endpoint_exits(index, z).filter_map(|(c, _)| masked(c)).collect();
        egress.extend(networks_rules("exchange-addresses", EgressAction::Pass, exits));
        egress.push(to(
            "outside",
            EgressAction::Deny,
            vec![EgressPeer::networks(vec!["0.0.0.0/0".into(), "::/0".into()])],
        ));
    }
    out.push(policy(names::zone_admin_policy(zone), ZONE_PRIORITY, zone_subject, ingress, egress));
    out
}

/// An ingress rule (all protocols).
fn from(name: &str, action: IngressAction, peers: Vec<IngressPeer>) -> IngressRule {
    IngressRule { name: Some(name.into()), action, from: peers, protocols: None }
}

/// An egress rule (all protocols).
fn to(name: &str, action: EgressAction, peers: Vec<EgressPeer>) -> EgressRule {
    EgressRule { name: Some(name.into()), action, to: peers, protocols: None }
}

/// Egress rules of at most [`MAX_ITEMS`] peers each, named `name-1`, `name-2`, ...
fn chunked(name: &str, action: EgressAction, peers: Vec<EgressPeer>) -> Vec<EgressRule> {
    let n = peers.len().div_ceil(MAX_ITEMS);
    peers
        .chunks(MAX_ITEMS)
        .enumerate()
        .map(|(i, c)| {
            to(&if n > 1 { format!("{name}-{}", i + 1) } else { name.to_string() }, action.clone(), c.to_vec())
        })
        .collect()
}

/// Egress rules over at most [`MAX_ITEMS`] networks each.
fn networks_rules(name: &str, action: EgressAction, mut cidrs: Vec<String>) -> Vec<EgressRule> {
    cidrs.sort();
    cidrs.dedup();
    let peers: Vec<EgressPeer> = cidrs.chunks(MAX_ITEMS).map(|c| EgressPeer::networks(c.to_vec())).collect();
    chunked(name, action, peers)
}

/// A CIDR as the API takes it: its network address (`10.30.0.1/16` -> `10.30.0.0/16`).
fn masked(cidr: &str) -> Option<String> {
    cidr.parse::<ipnet::IpNet>().ok().map(|n| n.trunc().to_string())
}

fn requirement(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
    LabelSelectorRequirement {
        key: key.into(),
        operator: operator.into(),
        values: (!values.is_empty()).then(|| values.iter().map(|v| v.to_string()).collect()),
    }
}

/// The tenant namespaces of the zones named (labelled with a tenant and one of them).
fn zone_namespaces(zones: &[&str]) -> LabelSelector {
    if let [zone] = zones {
        return LabelSelector {
            match_labels: Some([(labels::ZONE.to_string(), zone.to_string())].into()),
            match_expressions: Some(vec![requirement(labels::TENANT, "Exists", &[])]),
        };
    }
    LabelSelector {
        match_labels: None,
        match_expressions: Some(vec![
            requirement(labels::TENANT, "Exists", &[]),
            requirement(labels::ZONE, "In", zones),
        ]),
    }
}

/// Tenant namespaces of every zone but `zone` (a tenant namespace without a zone label too).
fn other_zones(zone: &str) -> LabelSelector {
    LabelSelector {
        match_labels: None,
        match_expressions: Some(vec![
            requirement(labels::TENANT, "Exists", &[]),
            requirement(labels::ZONE, "NotIn", &[zone]),
        ]),
    }
}

/// Namespaces that are no tenant's.
fn not_tenant() -> LabelSelector {
    LabelSelector {
        match_labels: None,
        match_expressions: Some(vec![requirement(labels::TENANT, "DoesNotExist", &[])]),
    }
}

fn ns_named(ns: &str) -> LabelSelector {
    match_labels(&[(labels::NAMESPACE_NAME, ns)])
}

/// The pods of one app in one namespace, by labels tenants cannot forge
/// across namespaces: (namespace selector, pod selector).
fn app_pods(namespace: &str, app: &str) -> (LabelSelector, LabelSelector) {
    (ns_named(namespace), match_labels(&[(labels::APP, app)]))
}

fn app_peer(namespace: &str, app: &str) -> EgressPeer {
    let (namespaces, pods) = app_pods(namespace, app);
    EgressPeer::pods(namespaces, pods)
}

#[cfg(test)]
mod tests;
