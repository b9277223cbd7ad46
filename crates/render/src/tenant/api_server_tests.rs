//! The API server's addresses excepted from egress ipBlocks that hold them.

use super::*;
use govcloud_core::model::{Model, load_paths};

fn chifeng() -> Model {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
    load_paths(&[dir]).unwrap_or_else(|e| panic!("{e:#?}")).model
}

/// Every egress ipBlock of every NetworkPolicy: (namespace/name, block).
fn egress_blocks(model: &Model) -> Vec<(String, IPBlock)> {
    let r = crate::render(model);
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    let mut out = Vec::new();
    for o in &r.objects {
        let Owned::NetworkPolicy(p) = o else { continue };
        let id = format!("{}/{}", o.namespace(), o.name());
        for rule in p.spec.iter().flat_map(|s| s.egress.iter().flatten()) {
            for peer in rule.to.iter().flatten() {
                if let Some(b) = &peer.ip_block {
                    out.push((id.clone(), b.clone()));
                }
            }
        }
    }
    out
}

fn holds(block: &IPBlock, address: &str) -> bool {
    let net: ipnet::IpNet = block.cidr.parse().expect("cidr");
    net.contains(&address.parse::<std::net::IpAddr>().expect("address"))
}

fn excepts(block: &IPBlock, cidr: &str) -> bool {
    block.except.iter().flatten().any(|e| e == cidr)
}

#[test]
fn addresses_become_one_address_ranges() {
    let given = ["10.0.0.1", "fd00::1", "10.0.0.1", " 192.168.1.5 ", "172.16.0.9/32", "not-an-address"];
    let got = crate::api_server_cidrs(&given.map(String::from));
    assert_eq!(got, ["10.0.0.1/32", "172.16.0.9/32", "192.168.1.5/32", "fd00::1/128"]);
    assert!(crate::api_server_cidrs(&[]).is_empty());
}

#[test]
fn the_internet_zones_egress_excepts_the_api_server_outside_the_cluster_ranges() {
    let mut m = chifeng();
    let before = egress_blocks(&m);
    let wide: Vec<_> = before.iter().filter(|(_, b)| holds(b, "192.168.1.10")).collect();
    assert!(!wide.is_empty(), "Chifeng has egress blocks that hold 192.168.1.10 (the internet zone's 0.0.0.0/0)");
    assert!(wide.iter().all(|(_, b)| !excepts(b, "192.168.1.10/32")), "nothing excepted without the input");

    m.api_server = vec!["192.168.1.10".into()];
    let after = egress_blocks(&m);
    let mut internet = 0;
    for (id, b) in &after {
        if holds(b, "192.168.1.10") {
            assert!(excepts(b, "192.168.1.10/32"), "{id}: {} holds the API server yet excepts {:?}", b.cidr, b.except);
            internet += usize::from(b.cidr == "0.0.0.0/0");
        } else {
            assert!(!excepts(b, "192.168.1.10/32"), "{id}: {} does not hold it, yet excepts it", b.cidr);
        }
    }
    assert!(internet >= 1, "the internet zone's 0.0.0.0/0 egress was checked");
    // Only the excepts changed: the same blocks, the same cluster ranges.
    assert_eq!(before.len(), after.len());
    for ((_, b0), (_, b1)) in before.iter().zip(&after) {
        assert_eq!(b0.cidr, b1.cidr);
        let rest: Vec<&String> = b1.except.iter().flatten().filter(|e| *e != "192.168.1.10/32").collect();
        assert_eq!(rest, b0.except.iter().flatten().collect::<Vec<_>>());
    }
}

#[test]
fn a_narrow_egress_range_excepts_only_the_addresses_it_holds() {
    // An extranet egress range 10.0.0.0/8 holds 10.99.0.1, not 192.168.1.10.
    let mut m = chifeng();
    for z in m.zones.iter_mut().filter(|z| z.spec.kind == govcloud_core::api::ZoneKind::Extranet) {
        if let Some(e) = z.spec.egress.as_mut() {
            e.allowed_cidrs.push("10.0.0.0/8".into());
        }
    }
    m.api_server = vec!["192.168.1.10".into(), "10.99.0.1".into()];
    let blocks = egress_blocks(&m);
    let ten = blocks.iter().filter(|(_, b)| b.cidr.starts_with("10.") && holds(b, "10.99.0.1")).count();
    assert!(ten >= 1, "the extranet's 10.0.0.0/8 holds 10.99.0.1");
    for (id, b) in &blocks {
        assert_eq!(excepts(b, "10.99.0.1/32"), holds(b, "10.99.0.1") && b.cidr != "10.99.0.1/32", "{id} {b:?}");
        assert_eq!(excepts(b, "192.168.1.10/32"), holds(b, "192.168.1.10"), "{id} {b:?}");
    }
    // Several endpoints: a block that holds both excepts both, sorted.
    let both = blocks.iter().find(|(_, b)| b.cidr == "0.0.0.0/0").expect("the internet egress");
    let ex = both.1.except.clone().unwrap_or_default();
    let (i, j) = (ex.iter().position(|e| e == "10.99.0.1/32"), ex.iter().position(|e| e == "192.168.1.10/32"));
    assert!(matches!((i, j), (Some(i), Some(j)) if i < j), "{ex:?}");
}

#[test]
fn an_ipv6_api_server_is_excepted_from_ipv6_ranges_only() {
    let mut m = chifeng();
    for z in m.zones.iter_mut().filter(|z| z.spec.kind == govcloud_core::api::ZoneKind::Internet) {
        if let Some(e) = z.spec.egress.as_mut() {
            e.allowed_cidrs.push("::/0".into());
        }
    }
    m.api_server = vec!["fd00:10::1".into(), "192.168.1.10".into()];
    let blocks = egress_blocks(&m);
    let v6: Vec<_> = blocks.iter().filter(|(_, b)| b.cidr == "::/0").collect();
    assert!(!v6.is_empty(), "the internet zone's ::/0 egress");
    for (id, b) in &v6 {
        assert_eq!(b.except.clone().unwrap_or_default(), ["fd00:10::1/128"], "{id}");
    }
    for (id, b) in blocks.iter().filter(|(_, b)| b.cidr == "0.0.0.0/0") {
        assert!(!excepts(b, "fd00:10::1/128") && excepts(b, "192.168.1.10/32"), "{id} {b:?}");
    }
}
