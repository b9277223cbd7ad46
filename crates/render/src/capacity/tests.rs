use super::*;
use serde_json::json;

fn q(s: &str) -> Quantity {
    Quantity::parse(s).expect("quantity")
}

fn zone(overcommit: Option<(i32, i32)>) -> NetworkZone {
    let mut z: NetworkZone = serde_norway::from_str(
            "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: ext}\nspec:\n  kind: extranet\n  displayName: {zh: 外网, en: Extranet}\n  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n",
        )
        .expect("zone");
    z.spec.overcommit = overcommit.map(|(cpu_percent, memory_percent)| Overcommit { cpu_percent, memory_percent });
    z
}

fn node(zone: &str, cpu: &str, memory: &str, ready: bool, tainted: bool) -> Value {
    json!({"kind": "Node", "metadata": {"name": format!("n-{zone}-{cpu}"), "labels": {"govcloud.io/zone": zone}},
            "spec": {"taints": if tainted { json!([{"key": "govcloud.io/zone", "value": zone, "effect": "NoSchedule"}]) } else { json!([]) }},
            "status": {"allocatable": {"cpu": cpu, "memory": memory}, "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" } }]}})
}

fn tenant(zone: &str, cpu: &str, memory: &str) -> Tenant {
    serde_norway::from_str(&format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: t{cpu}}}\nspec:\n  displayName: {{zh: 甲, en: A}}\n  owners: [{{kind: Group, name: a, role: admin}}]\n  zones: [{{name: {zone}, quota: {{cpu: '{cpu}', memory: {memory}, pods: 10, services: 5}}}}]\n"
        ))
        .expect("tenant")
}

#[test]
fn only_ready_tainted_nodes_of_the_pool_count_times_the_ratio() {
    let nodes = [
        node("extranet", "16", "64Gi", true, true),
        node("extranet", "16", "64Gi", true, true),
        node("extranet", "16", "64Gi", false, true),
        node("extranet", "16", "64Gi", true, false),
        node("private", "16", "64Gi", true, true),
    ];
    let c = capacity(&zone(None), &nodes).expect("known");
    assert_eq!((c.cpu, c.memory), (q("64"), q("128Gi")), "2 nodes, cpu 200 %, memory 100 %");
    let c = capacity(&zone(Some((100, 150))), &nodes).expect("known");
    assert_eq!((c.cpu, c.memory), (q("32"), q("192Gi")));
    assert_eq!(capacity(&zone(None), &nodes[2..3]), None, "no Ready node: unknown, not zero");
}

#[test]
fn the_chifeng_sized_extranet_on_two_small_nodes_is_over_committed() {
    let z = zone(None);
    let tenants: Vec<Tenant> = (0..14).map(|_| tenant("ext", "16", "32Gi")).collect();
    let g = granted("ext", &tenants);
    assert_eq!(g.cpu, q("224"));
    let small = [node("extranet", "16", "64Gi", true, true), node("extranet", "16", "64Gi", true, true)];
    let over_small = over(&z, capacity(&z, &small).expect("known"), g);
    assert_eq!(over_small.len(), 2, "{over_small:?}");
    assert!(over_small[0].to_string().starts_with("cpu 224 granted > 64"), "{over_small:?}");
    let big = [node("extranet", "64", "256Gi", true, true), node("extranet", "64", "256Gi", true, true)];
    assert!(over(&z, capacity(&z, &big).expect("known"), g).is_empty());
    assert_eq!(granted("other", &tenants), CpuMemory::default());
    let s = status(capacity(&z, &big), g).expect("status");
    assert_eq!((s.cpu.as_str(), s.granted_cpu.as_str(), s.granted_memory.as_str()), ("256", "224", "448Gi"));
}

#[test]
fn odd_allocatables_and_ratios_are_summed_and_scaled_exactly() {
    let nodes = [node("extranet", "3800m", "16318480Ki", true, true), node("extranet", "7.5", "31Gi", true, true)];
    let c = capacity(&zone(Some((150, 130))), &nodes).expect("known");
    assert_eq!((c.cpu, c.memory), (q("16.95"), q("64994956083.2")));
    let s = status(Some(c), CpuMemory::default()).expect("status");
    assert_eq!((s.cpu.as_str(), s.memory.as_str(), s.granted_cpu.as_str()), ("16950m", "64994956083200m", "0"));
    let tiny = capacity(&zone(Some((150, 100))), &[node("extranet", "1234567n", "1", true, true)]).expect("known");
    assert_eq!(tiny.cpu, q("1851851n"), "1851850.5n, rounded up to the nano");
}
