use super::*;

#[test]
fn the_table_is_in_apply_order_with_unique_kinds() {
    assert!(OWNED.windows(2).all(|w| w[0].order <= w[1].order));
    let mut kinds: Vec<&str> = OWNED.iter().map(|k| k.kind).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), OWNED.len());
    let ns = owned_kind("Namespace").expect("namespaces are owned");
    assert_eq!((ns.group, ns.version, ns.plural, ns.namespaced), ("", "v1", "namespaces", false));
    let np = owned_kind("NetworkPolicy").expect("policies are owned");
    assert_eq!((np.api_version, np.plural, np.namespaced), ("networking.k8s.io/v1", "networkpolicies", true));
    let cnp = owned_kind("ClusterNetworkPolicy").expect("cluster policies are owned");
    assert_eq!(
        (cnp.api_version, cnp.plural, cnp.namespaced, cnp.optional),
        ("policy.networking.k8s.io/v1beta1", "clusternetworkpolicies", false, true)
    );
    assert_eq!(always_served().count(), OWNED.len() - 1);
}
