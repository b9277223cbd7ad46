use std::collections::BTreeMap;

use super::*;
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::model::Model;

fn chifeng(admin_tier: bool) -> Model {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
    let mut m = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
    m.admin_tier = admin_tier;
    m
}

fn ingress_of(p: &ClusterNetworkPolicy) -> &[IngressRule] {
    p.spec.ingress.as_deref().unwrap_or_default()
}

fn egress_of(p: &ClusterNetworkPolicy) -> &[EgressRule] {
    p.spec.egress.as_deref().unwrap_or_default()
}

fn networks(peer: &EgressPeer) -> &[String] {
    peer.networks.as_deref().unwrap_or_default()
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
    let passes: Vec<&EgressRule> = egress_of(p).iter().filter(|r| r.action == EgressAction::Pass).collect();
    assert!(
        passes.iter().any(|r| r.to.iter().any(|t| networks(t).contains(&"10.10.255.1/32".to_string()))),
        "{passes:?}"
    );
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
    assert!(
        !ps.contains_key(&names::zone_isolation_policy("extranet")),
        "the extranet may reach both through endpoints"
    );
    for (p, other) in [(private, "internet"), (internet, "private")] {
        assert_eq!((&p.spec.tier, p.spec.priority), (&ClusterNetworkPolicyTier::Admin, ISOLATION_PRIORITY));
        let sel = ingress_of(p)[0].from[0].namespaces.as_ref().expect("namespaces");
        assert_eq!(sel.match_labels.as_ref().and_then(|l| l.get(labels::ZONE)).map(String::as_str), Some(other));
        assert_eq!(ingress_of(p)[0].action, IngressAction::Deny);
        assert!(egress_of(p).iter().all(|r| r.action == EgressAction::Deny));
        assert!(
            egress_of(p).iter().any(|r| r.to.iter().any(|t| !networks(t).is_empty())),
            "the other zone's addresses"
        );
    }
}

#[test]
fn exchange_endpoints_open_exactly_what_the_flows_use() {
    let ps = policies(&chifeng(true));
    let pop = &ps[&names::exchange_admin_policy("private", "public-security", "population-db")];
    let pods = pop.spec.subject.pods.as_ref().expect("pods");
    assert_eq!(
        pods.pod_selector.match_labels.as_ref().and_then(|l| l.get(labels::APP)).map(String::as_str),
        Some("population-db")
    );
    assert_eq!(ingress_of(pop).len(), 1);
    assert_eq!(ingress_of(pop)[0].action, IngressAction::Pass);
    let from = ingress_of(pop)[0].from[0].namespaces.as_ref().expect("namespaces");
    assert_eq!(from.match_labels.as_ref().and_then(|l| l.get(labels::ZONE)).map(String::as_str), Some("extranet"));
    // The extranet's namespaces may send to the population database (and to no other private app).
    let ext = &ps[&names::zone_admin_policy("extranet")];
    let passed: Vec<String> = egress_of(ext)
        .iter()
        .filter(|r| r.name.as_deref().is_some_and(|n| n.starts_with("exchange-endpoints")))
        .flat_map(|r| &r.to)
        .filter_map(|p| p.pods.as_ref())
        .map(|p| format!("{:?}", p.namespace_selector.as_ref().map(|s| &s.match_labels)))
        .collect();
    assert!(passed.iter().any(|p| p.contains("public-security-private")), "{passed:?}");
    // The private zone sends nothing to other zones from its zone policy, and nothing outside but its exchange addresses.
    let private = &ps[&names::zone_admin_policy("private")];
    assert!(egress_of(private).iter().all(|r| !r.name.as_deref().is_some_and(|n| n.starts_with("exchange-endpoints"))));
    let exits: Vec<&String> = egress_of(private)
        .iter()
        .filter(|r| r.action == EgressAction::Pass)
        .flat_map(|r| &r.to)
        .flat_map(networks)
        .collect();
    assert_eq!(exits, ["10.30.255.10/32"]);
    let last = egress_of(private).last().expect("rules");
    assert_eq!(
        (&last.action, networks(&last.to[0])),
        (&EgressAction::Deny, &["0.0.0.0/0".to_string(), "::/0".to_string()][..])
    );
    // Nothing opens private <-> internet, even if an endpoint named it.
    let mut m = chifeng(true);
    for z in m.zones.iter_mut().filter(|z| z.name_any() == "private") {
        for e in &mut z.spec.exchange_endpoints {
            e.peer_zones.push("internet".into());
        }
    }
    let ps = policies(&m);
    let pop = &ps[&names::exchange_admin_policy("private", "public-security", "population-db")];
    let from = ingress_of(pop)[0].from[0].namespaces.as_ref().expect("namespaces");
    assert_eq!(from.match_labels.as_ref().and_then(|l| l.get(labels::ZONE)).map(String::as_str), Some("extranet"));
}

#[test]
fn namespaces_outside_the_tenants_are_denied_but_dns_and_the_ingress_controller_stay() {
    let ps = policies(&chifeng(true));
    for (name, p) in ps.iter().filter(|(_, p)| p.spec.priority == ZONE_PRIORITY) {
        let ingress: Vec<(&str, IngressAction)> =
            ingress_of(p).iter().map(|r| (r.name.as_deref().unwrap_or_default(), r.action.clone())).collect();
        assert_eq!(ingress.first().map(|r| r.0), Some("same-zone"), "{name}");
        assert!(
            ingress.ends_with(&[("other-zones", IngressAction::Deny), ("not-a-tenant", IngressAction::Deny)]),
            "{name}"
        );
        let egress: Vec<&str> = egress_of(p).iter().map(|r| r.name.as_deref().unwrap_or_default()).collect();
        let dns = egress.iter().position(|r| *r == "dns").expect("dns");
        let deny = egress.iter().position(|r| *r == "not-a-tenant").expect("deny");
        assert!(dns < deny, "{name}");
        assert_eq!(
            ingress.iter().any(|r| r.0 == "ingress-controller"),
            name == &names::zone_admin_policy("internet"),
            "{name}"
        );
        assert!(ingress_of(p).iter().all(|r| r.from.len() <= MAX_ITEMS));
        assert!(egress_of(p).iter().all(|r| r.to.len() <= MAX_ITEMS));
        assert!(ingress_of(p).len() <= MAX_ITEMS && egress_of(p).len() <= MAX_ITEMS);
        assert_eq!(
            p.metadata.labels.as_ref().and_then(|l| l.get(labels::OWNER_KIND)).map(String::as_str),
            Some("NetworkZone")
        );
    }
}

#[test]
fn a_zone_owner_renders_its_policies_from_the_plan() {
    let m = chifeng(true);
    let planned = super::super::plan(&m, &Default::default());
    let owned = planned.owner(OwnerKind::NetworkZone, "", "private");
    assert!(
        owned
            .objects
            .iter()
            .any(|o| o.kind() == "ClusterNetworkPolicy" && o.name() == names::zone_admin_policy("private"))
    );
    assert!(owned.objects.iter().filter(|o| o.kind() == "ClusterNetworkPolicy").all(|o| o.name().contains("private")));
    let off = chifeng(false);
    assert!(
        super::super::plan(&off, &Default::default())
            .owner(OwnerKind::NetworkZone, "", "private")
            .objects
            .iter()
            .all(|o| o.kind() != "ClusterNetworkPolicy")
    );
}
