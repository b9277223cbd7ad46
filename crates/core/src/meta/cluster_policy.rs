//! The `policy.networking.k8s.io` ClusterNetworkPolicy (network-policy-api
//! v0.3.0, standard channel, storage version `v1beta1`): the subset govcloud
//! writes and reads. k8s-openapi has no such type; this one implements its
//! `Resource` and `Metadata` traits so kube's typed and dynamic clients both
//! take it.
//!
//! Semantics (from the CRD): policies of the `Admin` tier are evaluated
//! before any NetworkPolicy, those of the `Baseline` tier after; inside a
//! tier, lower `priority` first (0..=1000), rules in the order written. A
//! rule's action is `Accept` (no NetworkPolicy consulted), `Deny` (dropped,
//! nothing later consulted) or `Pass` (skip to the next tier: the
//! NetworkPolicies decide). Ingress peers are pods or namespaces; egress
//! peers also networks (CIDRs).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::{Deserialize, Serialize};

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
/// The tier evaluated before every NetworkPolicy.
pub const ADMIN_TIER: &str = "Admin";
/// Highest priority value the API accepts (lowest precedence).
pub const MAX_PRIORITY: i32 = 1000;
/// Most rules in one direction, and most peers in one rule, the API accepts.
pub const MAX_ITEMS: usize = 25;

/// A ClusterNetworkPolicy (serialized with its `apiVersion` and `kind`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterNetworkPolicy {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// What it does.
    pub spec: ClusterNetworkPolicySpec,
}

/// The spec of a [`ClusterNetworkPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterNetworkPolicySpec {
    /// `Admin` or `Baseline`.
    pub tier: String,
    /// Precedence inside the tier: lower first.
    pub priority: i32,
    /// The pods the policy applies to.
    pub subject: Subject,
    /// Rules on traffic to the subject, first match wins. Written out even
    /// when empty, so rules someone adds are a difference a forced apply
    /// takes away.
    #[serde(default)]
    pub ingress: Vec<Rule>,
    /// Rules on traffic from the subject, first match wins (written out even when empty).
    #[serde(default)]
    pub egress: Vec<Rule>,
}

/// Exactly one of namespaces or pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// Every pod of the selected namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<LabelSelector>,
    /// The selected pods of the selected namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<NamespacedPods>,
}

/// Pods by namespace and pod labels.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespacedPods {
    /// Namespaces.
    pub namespace_selector: LabelSelector,
    /// Pods in them.
    pub pod_selector: LabelSelector,
}

/// One ingress or egress rule (ingress rules carry `from`, egress rules `to`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Name, for observability.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `Accept`, `Deny` or `Pass`.
    pub action: String,
    /// Peers of an ingress rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<Peer>,
    /// Peers of an egress rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Peer>,
    /// Protocols and ports; none: every one. govcloud writes none (the
    /// NetworkPolicies it passes to restrict ports) but reads them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<serde_json::Value>,
}

/// Exactly one of namespaces, pods or (egress only) networks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Peer {
    /// Every pod of the selected namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<LabelSelector>,
    /// The selected pods of the selected namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<NamespacedPods>,
    /// CIDRs (egress only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<String>,
}

/// A rule's action.
pub mod action {
    /// Allowed; no NetworkPolicy consulted.
    pub const ACCEPT: &str = "Accept";
    /// Dropped; nothing later consulted.
    pub const DENY: &str = "Deny";
    /// Decided by the next tier (the NetworkPolicies).
    pub const PASS: &str = "Pass";
}

impl k8s_openapi::Resource for ClusterNetworkPolicy {
    const API_VERSION: &'static str = concat!(group!(), "/", version!());
    const GROUP: &'static str = group!();
    const KIND: &'static str = "ClusterNetworkPolicy";
    const VERSION: &'static str = version!();
    const URL_PATH_SEGMENT: &'static str = PLURAL;
    type Scope = k8s_openapi::ClusterResourceScope;
}

impl k8s_openapi::ListableResource for ClusterNetworkPolicy {
    const LIST_KIND: &'static str = "ClusterNetworkPolicyList";
}

impl k8s_openapi::Metadata for ClusterNetworkPolicy {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl Serialize for ClusterNetworkPolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use k8s_openapi::Resource;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Typed<'a> {
            api_version: &'a str,
            kind: &'a str,
            metadata: &'a ObjectMeta,
            spec: &'a ClusterNetworkPolicySpec,
        }
        Typed { api_version: Self::API_VERSION, kind: Self::KIND, metadata: &self.metadata, spec: &self.spec }
            .serialize(s)
    }
}

#[cfg(test)]
mod tests;
