//! The `policy.networking.k8s.io` ClusterNetworkPolicy (network-policy-api
//! v0.3.0, standard channel, storage version `v1beta1`). k8s-openapi has no
//! such type: its types are generated from the upstream CRD
//! ([`crate::generated::cluster_network_policy`], `make gen-types`) and
//! re-exported here, with what govcloud adds: the constants it writes and
//! reads, k8s-openapi's `Resource` constants (kube's `Resource` comes with
//! the generated derive), and the peers and subjects from label selectors.
//!
//! Semantics (from the CRD): policies of the `Admin` tier are evaluated
//! before any NetworkPolicy, those of the `Baseline` tier after; inside a
//! tier, lower `priority` first (0..=1000), rules in the order written. A
//! rule's action is `Accept` (no NetworkPolicy consulted), `Deny` (dropped,
//! nothing later consulted) or `Pass` (skip to the next tier: the
//! NetworkPolicies decide). Ingress peers are pods or namespaces; egress
//! peers also networks (CIDRs).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

pub use crate::generated::cluster_network_policy::*;

macro_rules! group {
    () => {
        "policy.networking.k8s.io"
    };
}
macro_rules! version {
    () => {
        "v1beta1"
    };
}

/// API group of the network-policy API.
pub const GROUP: &str = group!();
/// The version govcloud writes (the CRD's storage version).
pub const VERSION: &str = version!();
/// Resource (plural).
pub const PLURAL: &str = "clusternetworkpolicies";
/// Name of the CustomResourceDefinition that serves the kind.
pub const CRD_NAME: &str = concat!("clusternetworkpolicies.", group!());
/// The tier evaluated before every NetworkPolicy, as objects read as JSON write it
/// ([`ClusterNetworkPolicyTier::Admin`]).
pub const ADMIN_TIER: &str = "Admin";
/// Highest priority value the API accepts (lowest precedence).
pub const MAX_PRIORITY: i32 = 1000;
/// Most rules in one direction, and most peers in one rule, the API accepts.
pub const MAX_ITEMS: usize = 25;

/// A rule's action, as objects read as JSON write it (the generated
/// `ClusterNetworkPolicyIngressAction` and `ClusterNetworkPolicyEgressAction`).
pub mod action {
    /// Allowed; no NetworkPolicy consulted.
    pub const ACCEPT: &str = "Accept";
    /// Dropped; nothing later consulted.
    pub const DENY: &str = "Deny";
    /// Decided by the next tier (the NetworkPolicies).
    pub const PASS: &str = "Pass";
}

/// The kind's constants as k8s-openapi's types give theirs (the table of
/// owned kinds is built from them at compile time); kube's `Resource`, which
/// the generated derive implements, says the same (a unit test checks).
impl k8s_openapi::Resource for ClusterNetworkPolicy {
    const API_VERSION: &'static str = concat!(group!(), "/", version!());
    const GROUP: &'static str = group!();
    const KIND: &'static str = "ClusterNetworkPolicy";
    const VERSION: &'static str = version!();
    const URL_PATH_SEGMENT: &'static str = PLURAL;
    type Scope = k8s_openapi::ClusterResourceScope;
}

/// The generated label selectors (one type per place in the CRD, all of the
/// shape of `LabelSelector`) from k8s-openapi's.
macro_rules! from_label_selector {
    ($($selector:ident / $requirement:ident),* $(,)?) => {$(
        impl From<LabelSelector> for $selector {
            fn from(s: LabelSelector) -> Self {
                $selector {
                    match_expressions: s.match_expressions.map(|rs| {
                        rs.into_iter()
                            .map(|r| $requirement { key: r.key, operator: r.operator, values: r.values })
                            .collect()
                    }),
                    match_labels: s.match_labels,
                }
            }
        }
    )*};
}

from_label_selector!(
    ClusterNetworkPolicySubjectNamespaces / ClusterNetworkPolicySubjectNamespacesMatchExpressions,
    ClusterNetworkPolicySubjectPodsNamespaceSelector / ClusterNetworkPolicySubjectPodsNamespaceSelectorMatchExpressions,
    ClusterNetworkPolicySubjectPodsPodSelector / ClusterNetworkPolicySubjectPodsPodSelectorMatchExpressions,
    ClusterNetworkPolicyIngressFromNamespaces / ClusterNetworkPolicyIngressFromNamespacesMatchExpressions,
    ClusterNetworkPolicyIngressFromPodsNamespaceSelector
        / ClusterNetworkPolicyIngressFromPodsNamespaceSelectorMatchExpressions,
    ClusterNetworkPolicyIngressFromPodsPodSelector / ClusterNetworkPolicyIngressFromPodsPodSelectorMatchExpressions,
    ClusterNetworkPolicyEgressToNamespaces / ClusterNetworkPolicyEgressToNamespacesMatchExpressions,
    ClusterNetworkPolicyEgressToPodsNamespaceSelector
        / ClusterNetworkPolicyEgressToPodsNamespaceSelectorMatchExpressions,
    ClusterNetworkPolicyEgressToPodsPodSelector / ClusterNetworkPolicyEgressToPodsPodSelectorMatchExpressions,
);

impl ClusterNetworkPolicySubject {
    /// Every pod of the namespaces `namespaces` selects.
    pub fn namespaces(namespaces: LabelSelector) -> Self {
        Self { namespaces: Some(namespaces.into()), pods: None }
    }

    /// The pods `pods` selects in the namespaces `namespaces` selects (both selectors written out).
    pub fn pods(namespaces: LabelSelector, pods: LabelSelector) -> Self {
        let pods =
            ClusterNetworkPolicySubjectPods { namespace_selector: Some(namespaces.into()), pod_selector: pods.into() };
        Self { namespaces: None, pods: Some(pods) }
    }
}

impl ClusterNetworkPolicyIngressFrom {
    /// Every pod of the namespaces `namespaces` selects.
    pub fn namespaces(namespaces: LabelSelector) -> Self {
        Self { namespaces: Some(namespaces.into()), pods: None }
    }

    /// The pods `pods` selects in the namespaces `namespaces` selects (both selectors written out).
    pub fn pods(namespaces: LabelSelector, pods: LabelSelector) -> Self {
        let pods = ClusterNetworkPolicyIngressFromPods {
            namespace_selector: Some(namespaces.into()),
            pod_selector: pods.into(),
        };
        Self { namespaces: None, pods: Some(pods) }
    }
}

impl ClusterNetworkPolicyEgressTo {
    /// Every pod of the namespaces `namespaces` selects.
    pub fn namespaces(namespaces: LabelSelector) -> Self {
        Self { namespaces: Some(namespaces.into()), ..Default::default() }
    }

    /// The pods `pods` selects in the namespaces `namespaces` selects (both selectors written out).
    pub fn pods(namespaces: LabelSelector, pods: LabelSelector) -> Self {
        let pods =
            ClusterNetworkPolicyEgressToPods { namespace_selector: Some(namespaces.into()), pod_selector: pods.into() };
        Self { pods: Some(pods), ..Default::default() }
    }

    /// Addresses (CIDRs), pods' addresses included.
    pub fn networks(cidrs: Vec<String>) -> Self {
        Self { networks: Some(cidrs), ..Default::default() }
    }
}

#[cfg(test)]
mod tests;
