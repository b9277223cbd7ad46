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
    ADMIN_TIER, ClusterNetworkPolicy, ClusterNetworkPolicySpec, MAX_ITEMS, MAX_PRIORITY, NamespacedPods, Peer, Rule, Subject, action,
};
use govcloud_core::meta::labels;
use govcloud_core::meta::names::{self, namespace_name};

/// Priority of the policy that keeps a zone from the zones it may never reach.
pub const ISOLATION_PRIORITY: i32 = 100;
/// Priority of the policies of exchange-endpoint apps.
pub const EXCHANGE_PRIORITY: i32 = 200;
/// Priority of the policy of a zone's namespaces.
pub const ZONE_PRIORITY: i32 = 300;
// Isolation before exchange before the zone's rules, all inside the API's range.
const _: () = assert!(ISOLATION_PRIORITY < EXCHANGE_PRIORITY && EXCHANGE_PRIORITY < ZONE_PRIORITY && ZONE_PRIORITY <= MAX_PRIORITY);

/// The Admin-tier policies of zone `zone` (none for a zone the index does not hold).
pub fn render(index: &Index<'_>, zone: &str) -> Vec<Owned> {
    let Some(z) = index.zones.get(zone).copied() else { return vec![] };
    let mut out = Vec::new();
    let own = labels::owned_by("NetworkZone", zone);
    let policy = |name: String, priority: i32, subject: Subject, ingress: Vec<Rule>, egress: Vec<Rule>| {
        Owned::ClusterNetworkPolicy(ClusterNetworkPolicy {
            metadata: meta(&name, None, own.clone()),
            spec: ClusterNetworkPolicySpec { tier: ADMIN_TIER.into(), priority, subject, ingress, egress },
        })
    };
    let zone_subject = Subject { namespaces: Some(zone_namespaces(&[zone])), pods: None };

    // Zones this one may never reach, whatever is registered.
    let never: Vec<&NetworkZone> = index.zones.values().copied().filter(|o| o.name_any() != zone && never_connected(z.spec.kind, o.spec.kind)).collect();
    if !never.is_empty() {
        let names: Vec<String> = never.iter().map(|o| o.name_any()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut egress = vec![to("never-connected-zones", action::DENY, vec![namespaces_peer(zone_namespaces(&names))])];
        let cidrs: Vec<String> = never.iter().flat_map(|o| o.spec.cidrs.iter()).filter_map(|c| masked(c)).collect();
        egress.extend(networks_rules("never-connected-networks", action::DENY, cidrs));
        let ingress = vec![from("never-connected-zones", action::DENY, vec![namespaces_peer(zone_namespaces(&names))])];
        out.push(policy(names::zone_isolation_policy(zone), ISOLATION_PRIORITY, zone_subject.clone(), ingress, egress));
    }

    // Apps registered as exchange endpoints: their peer zones may call them;
    // in a private zone they may call their peers' endpoints registered for it.
    for (app, peers) in exchange_apps(z, &index.zones) {
        let peer_names: Vec<&str> = peers.iter().map(String::as_str).collect();
        let ingress = vec![from("exchange-peers", action::PASS, vec![namespaces_peer(zone_namespaces(&peer_names))])];
        let mut egress = Vec::new();
        if leaves_only_through_endpoints(z.spec.kind) {
            let registered: Vec<(&NetworkZone, &govcloud_core::api::AppRef)> = peers
                .iter()
                .filter_map(|p| index.zones.get(p).copied())
                .flat_map(|pz| exchange_apps(pz, &index.zones).into_iter().filter(|(_, ps)| ps.iter().any(|x| x == zone)).map(move |(a, _)| (pz, a)))
                .collect();
            // Endpoints of this cluster by their pods; of another cluster, at their addresses.
            let targets: Vec<Peer> =
                registered.iter().filter(|(pz, _)| index.hosts(pz)).map(|(pz, a)| app_peer(&namespace_name(&a.tenant, &pz.name_any()), &a.app)).collect();
            egress.extend(chunked(to, "exchange-peers", action::PASS, targets));
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
            egress.extend(networks_rules("exchange-peers-elsewhere", action::PASS, addresses));
        }
        let subject = Subject { namespaces: None, pods: Some(app_pods(&namespace_name(&app.tenant, zone), &app.app)) };
        out.push(policy(names::exchange_admin_policy(zone, &app.tenant, &app.app), EXCHANGE_PRIORITY, subject, ingress, egress));
    }

    // The zone's namespaces: their own zone, DNS and the endpoints of other
    // zones stay for the NetworkPolicies; other pods are denied.
    let mut ingress = vec![from("same-zone", action::PASS, vec![namespaces_peer(zone_namespaces(&[zone]))])];
    if z.spec.kind == ZoneKind::Internet {
        // Public apps are reached through the platform's ingress controller.
        ingress.push(from("ingress-controller", action::PASS, vec![namespaces_peer(match_labels(&[(labels::INGRESS_CONTROLLER_NS, "true")]))]));
    }
    ingress.push(from("other-zones", action::DENY, vec![namespaces_peer(other_zones(zone))]));
    ingress.push(from("not-a-tenant", action::DENY, vec![namespaces_peer(not_tenant())]));
    let mut egress = vec![
        to("same-zone", action::PASS, vec![namespaces_peer(zone_namespaces(&[zone]))]),
        to(
            "dns",
            action::PASS,
            vec![Peer {
                pods: Some(NamespacedPods { namespace_selector: ns_named(names::DNS_NAMESPACE), pod_selector: match_labels(&[names::DNS_POD]) }),
                ..Default::default()
            }],
        ),
    ];
    if !leaves_only_through_endpoints(z.spec.kind) {
        let targets: Vec<Peer> = index
            .zones
            .values()
            .copied()
            .filter(|o| o.name_any() != zone)
            .flat_map(|o| exchange_apps(o, &index.zones).into_iter().filter(|(_, ps)| ps.iter().any(|x| x == zone)).map(move |(a, _)| (o, a)))
            .map(|(o, a)| app_peer(&namespace_name(&a.tenant, &o.name_any()), &a.app))
            .collect();
        egress.extend(chunked(to, "exchange-endpoints", action::PASS, targets));
    }
    egress.push(to("other-zones", action::DENY, vec![namespaces_peer(other_zones(zone))]));
    egress.push(to("not-a-tenant", action::DENY, vec![namespaces_peer(not_tenant())]));
    if leaves_only_through_endpoints(z.spec.kind) {
        // Outside the cluster's pods: only the zone's exchange addresses (its
        // NetworkPolicy narrows them to their ports), nothing else. Every pod
        // it may reach was passed above: "networks" also match pod addresses.
        let exits: Vec<String> = endpoint_exits(index, z).filter_map(|(c, _)| masked(c)).collect();
        egress.extend(networks_rules("exchange-addresses", action::PASS, exits));
        egress.push(Rule {
            name: "outside".into(),
            action: action::DENY.into(),
            to: vec![networks_peer(vec!["0.0.0.0/0".into(), "::/0".into()])],
            ..Default::default()
        });
    }
    out.push(policy(names::zone_admin_policy(zone), ZONE_PRIORITY, zone_subject, ingress, egress));
    out
}

/// An ingress rule.
fn from(name: &str, action: &str, peers: Vec<Peer>) -> Rule {
    Rule { name: name.into(), action: action.into(), from: peers, ..Default::default() }
}

/// An egress rule.
fn to(name: &str, action: &str, peers: Vec<Peer>) -> Rule {
    Rule { name: name.into(), action: action.into(), to: peers, ..Default::default() }
}

/// Rules (made by `make`, [`from`] or [`to`]) of at most [`MAX_ITEMS`] peers each, named `name-1`, `name-2`, ...
fn chunked(make: fn(&str, &str, Vec<Peer>) -> Rule, name: &str, action: &str, peers: Vec<Peer>) -> Vec<Rule> {
    let n = peers.len().div_ceil(MAX_ITEMS);
    peers.chunks(MAX_ITEMS).enumerate().map(|(i, c)| make(&if n > 1 { format!("{name}-{}", i + 1) } else { name.to_string() }, action, c.to_vec())).collect()
}

/// Rules over at most [`MAX_ITEMS`] networks each (egress only).
fn networks_rules(name: &str, action: &str, mut cidrs: Vec<String>) -> Vec<Rule> {
    cidrs.sort();
    cidrs.dedup();
    let peers: Vec<Peer> = cidrs.chunks(MAX_ITEMS).map(|c| networks_peer(c.to_vec())).collect();
    chunked(to, name, action, peers)
}

fn networks_peer(networks: Vec<String>) -> Peer {
    Peer { networks, ..Default::default() }
}

fn namespaces_peer(sel: LabelSelector) -> Peer {
    Peer { namespaces: Some(sel), ..Default::default() }
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
    LabelSelector { match_labels: None, match_expressions: Some(vec![requirement(labels::TENANT, "Exists", &[]), requirement(labels::ZONE, "In", zones)]) }
}

/// Tenant namespaces of every zone but `zone` (a tenant namespace without a zone label too).
fn other_zones(zone: &str) -> LabelSelector {
    LabelSelector { match_labels: None, match_expressions: Some(vec![requirement(labels::TENANT, "Exists", &[]), requirement(labels::ZONE, "NotIn", &[zone])]) }
}

/// Namespaces that are no tenant's.
fn not_tenant() -> LabelSelector {
    LabelSelector { match_labels: None, match_expressions: Some(vec![requirement(labels::TENANT, "DoesNotExist", &[])]) }
}

fn ns_named(ns: &str) -> LabelSelector {
    match_labels(&[(labels::NAMESPACE_NAME, ns)])
}

/// The pods of one app in one namespace, by labels tenants cannot forge across namespaces.
fn app_pods(namespace: &str, app: &str) -> NamespacedPods {
    NamespacedPods { namespace_selector: ns_named(namespace), pod_selector: match_labels(&[(labels::APP, app)]) }
}

fn app_peer(namespace: &str, app: &str) -> Peer {
    Peer { pods: Some(app_pods(namespace, app)), ..Default::default() }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use govcloud_core::model::Model;

    fn chifeng(admin_tier: bool) -> Model {
        let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
        let mut m = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
        m.admin_tier = admin_tier;
        m
    }

    fn policies(m: &Model) -> BTreeMap<String, ClusterNetworkPolicy> {
        super::super::render(m)
            .objects
            .into_iter()
            .filter_map(|o| match o {
                Owned::ClusterNetworkPolicy(p) => Some((p.metadata.name.clone().unwrap_or_default(), p)),
                _ => None,
            })
            .collect()
    }

    /// A private app registered to call an extranet endpoint in another
    /// cluster passes to the endpoint's address (there are no pods of it
    /// here), and the extranet's own policies are not rendered in this cluster.
    #[test]
    fn a_private_exchange_app_passes_to_an_endpoint_in_another_cluster_at_its_address() {
        let zone = |name: &str, kind: &str, cluster: &str, cidr: &str, endpoint: &str| {
            format!(
                "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {{name: {name}}}\nspec:\n  kind: {kind}\n  cluster: {cluster}\n  displayName: {{zh: 区, en: Zone}}\n  nodePool:\n    selector: {{govcloud.io/zone: {name}}}\n    taint: {{key: govcloud.io/zone, value: {name}}}\n  cidrs: [{cidr}]\n  allowedRegistries: [harbor.egov.local]\n  exchangeEndpoints: [{endpoint}]\n"
            )
        };
        let text = [
            zone(
                "ext",
                "extranet",
                "egov",
                "10.10.0.0/16",
                "{name: api, peerZones: [priv], app: {tenant: a, app: api}, ports: [443], address: 10.10.255.1/32}",
            ),
            zone("priv", "private", "private", "10.30.0.0/16", "{name: job, peerZones: [ext], app: {tenant: b, app: job}}"),
        ]
        .join("---\n");
        let mut m = govcloud_core::model::load_str("two.yaml", &text).expect("model").model;
        m.admin_tier = true;
        m.cluster = Some("private".into());
        let here = policies(&m);
        let p = &here[&names::exchange_admin_policy("priv", "b", "job")];
        let passes: Vec<&Rule> = p.spec.egress.iter().filter(|r| r.action == action::PASS).collect();
        assert!(passes.iter().any(|r| r.to.iter().any(|t| t.networks.contains(&"10.10.255.1/32".to_string()))), "{passes:?}");
        assert!(here.keys().all(|k| !k.contains("-ext")), "no policy of a zone hosted elsewhere: {:?}", here.keys());
    }

    fn json(objects: &[Owned]) -> Vec<String> {
        objects.iter().map(|o| serde_json::to_string(o).expect("json")).collect()
    }

    #[test]
    fn without_the_admin_tier_nothing_changes_and_with_it_only_policies_are_added() {
        let off = super::super::render(&chifeng(false));
        assert!(off.objects.iter().all(|o| o.kind() != "ClusterNetworkPolicy"));
        let on = super::super::render(&chifeng(true));
        let without: Vec<Owned> = on.objects.iter().filter(|o| o.kind() != "ClusterNetworkPolicy").cloned().collect();
        assert_eq!(json(&without), json(&off.objects));
        assert_eq!(on.problems, off.problems);
        let names: Vec<String> = policies(&chifeng(true)).into_keys().collect();
        assert!(names.len() >= 7, "{names:?}");
    }

    #[test]
    fn private_and_internet_deny_each_other_above_everything_else() {
        let ps = policies(&chifeng(true));
        let private = &ps[&names::zone_isolation_policy("private")];
        let internet = &ps[&names::zone_isolation_policy("internet")];
        assert!(!ps.contains_key(&names::zone_isolation_policy("extranet")), "the extranet may reach both through endpoints");
        for (p, other) in [(private, "internet"), (internet, "private")] {
            assert_eq!((p.spec.tier.as_str(), p.spec.priority), (ADMIN_TIER, ISOLATION_PRIORITY));
            let sel = p.spec.ingress[0].from[0].namespaces.as_ref().expect("namespaces");
            assert_eq!(sel.match_labels.as_ref().and_then(|l| l.get(labels::ZONE)).map(String::as_str), Some(other));
            assert_eq!(p.spec.ingress[0].action, action::DENY);
            assert!(p.spec.egress.iter().all(|r| r.action == action::DENY && r.from.is_empty()));
            assert!(p.spec.egress.iter().any(|r| r.to.iter().any(|t| !t.networks.is_empty())), "the other zone's addresses");
        }
    }

    #[test]
    fn exchange_endpoints_open_exactly_what_the_flows_use() {
        let ps = policies(&chifeng(true));
        let pop = &ps[&names::exchange_admin_policy("private", "public-security", "population-db")];
        let pods = pop.spec.subject.pods.as_ref().expect("pods");
        assert_eq!(pods.pod_selector.match_labels.as_ref().and_then(|l| l.get(labels::APP)).map(String::as_str), Some("population-db"));
        assert_eq!(pop.spec.ingress.len(), 1);
        assert_eq!(pop.spec.ingress[0].action, action::PASS);
        let from = pop.spec.ingress[0].from[0].namespaces.as_ref().expect("namespaces");
        assert_eq!(from.match_labels.as_ref().and_then(|l| l.get(labels::ZONE)).map(String::as_str), Some("extranet"));
        // The extranet's namespaces may send to the population database (and to no other private app).
        let ext = &ps[&names::zone_admin_policy("extranet")];
        let passed: Vec<String> = ext
            .spec
            .egress
            .iter()
            .filter(|r| r.name.starts_with("exchange-endpoints"))
            .flat_map(|r| &r.to)
            .filter_map(|p| p.pods.as_ref())
            .map(|p| format!("{:?}", p.namespace_selector.match_labels))
            .collect();
        assert!(passed.iter().any(|p| p.contains("public-security-private")), "{passed:?}");
        // The private zone sends nothing to other zones from its zone policy, and nothing outside but its exchange addresses.
        let private = &ps[&names::zone_admin_policy("private")];
        assert!(private.spec.egress.iter().all(|r| !r.name.starts_with("exchange-endpoints")));
        let exits: Vec<&String> = private.spec.egress.iter().filter(|r| r.action == action::PASS).flat_map(|r| &r.to).flat_map(|p| &p.networks).collect();
        assert_eq!(exits, ["10.30.255.10/32"]);
        let last = private.spec.egress.last().expect("rules");
        assert_eq!((last.action.as_str(), last.to[0].networks.clone()), (action::DENY, vec!["0.0.0.0/0".to_string(), "::/0".to_string()]));
        // Nothing opens private <-> internet, even if an endpoint named it.
        let mut m = chifeng(true);
        for z in m.zones.iter_mut().filter(|z| z.name_any() == "private") {
            for e in &mut z.spec.exchange_endpoints {
                e.peer_zones.push("internet".into());
            }
        }
        let ps = policies(&m);
        let pop = &ps[&names::exchange_admin_policy("private", "public-security", "population-db")];
        let from = pop.spec.ingress[0].from[0].namespaces.as_ref().expect("namespaces");
        assert_eq!(from.match_labels.as_ref().and_then(|l| l.get(labels::ZONE)).map(String::as_str), Some("extranet"));
    }

    #[test]
    fn namespaces_outside_the_tenants_are_denied_but_dns_and_the_ingress_controller_stay() {
        let ps = policies(&chifeng(true));
        for (name, p) in ps.iter().filter(|(_, p)| p.spec.priority == ZONE_PRIORITY) {
            let names = |rules: &[Rule]| rules.iter().map(|r| (r.name.clone(), r.action.clone())).collect::<Vec<_>>();
            let ingress = names(&p.spec.ingress);
            assert_eq!(ingress.first().map(|r| r.0.as_str()), Some("same-zone"), "{name}");
            assert!(ingress.ends_with(&[("other-zones".into(), action::DENY.into()), ("not-a-tenant".into(), action::DENY.into())]), "{name}");
            let egress = names(&p.spec.egress);
            let dns = egress.iter().position(|r| r.0 == "dns").expect("dns");
            let deny = egress.iter().position(|r| r.0 == "not-a-tenant").expect("deny");
            assert!(dns < deny, "{name}");
            assert_eq!(ingress.iter().any(|r| r.0 == "ingress-controller"), name == &names::zone_admin_policy("internet"), "{name}");
            assert!(p.spec.ingress.iter().all(|r| r.to.is_empty() && r.from.len() <= MAX_ITEMS));
            assert!(p.spec.egress.iter().all(|r| r.from.is_empty() && r.to.len() <= MAX_ITEMS));
            assert!(p.spec.ingress.len() <= MAX_ITEMS && p.spec.egress.len() <= MAX_ITEMS);
            assert_eq!(p.metadata.labels.as_ref().and_then(|l| l.get(labels::OWNER_KIND)).map(String::as_str), Some("NetworkZone"));
        }
    }

    #[test]
    fn a_zone_owner_renders_its_policies_from_the_plan() {
        let m = chifeng(true);
        let planned = super::super::plan(&m, &Default::default());
        let owned = planned.owner("NetworkZone", "", "private");
        assert!(owned.objects.iter().any(|o| o.kind() == "ClusterNetworkPolicy" && o.name() == names::zone_admin_policy("private")));
        assert!(owned.objects.iter().filter(|o| o.kind() == "ClusterNetworkPolicy").all(|o| o.name().contains("private")));
        let off = chifeng(false);
        assert!(super::super::plan(&off, &Default::default()).owner("NetworkZone", "", "private").objects.iter().all(|o| o.kind() != "ClusterNetworkPolicy"));
    }
}
