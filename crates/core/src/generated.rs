//! Rust types generated from CRDs govcloud writes but does not own, checked
//! in: `make gen-types` (crates/core/gen-types.sh) regenerates them from the
//! CRD versions testenv pins. Not edited by hand; used through `meta`, which
//! adds what govcloud needs on top (see `meta::cluster_policy`).
//!
//! ```text
//!   cluster_network_policy  policy.networking.k8s.io ClusterNetworkPolicy v1beta1 (network-policy-api v0.3.0)
//! ```

// No lint needs allowing here today (clippy and rustdoc pass on kopium's
// output as it is); should a newer kopium need one, allow it on this module
// only, never in the generated file (regenerating would lose it).
pub mod cluster_network_policy;
