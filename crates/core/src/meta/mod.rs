//! The bottom layer: the vocabulary every other module shares, and nothing
//! of ours beneath it.
//!
//! ```text
//!   labels    label, annotation and finalizer keys; the labels of owned objects
//!   names     the name of every object govcloud owns, built in one place, and parsed back
//!   kinds     the kinds govcloud owns (group, version, plural, scope, apply order)
//!   compare   whether a live object already holds what would be applied
//!   cluster_policy  the policy.networking.k8s.io ClusterNetworkPolicy (admin tier), its generated types
//!   quantity  Kubernetes quantities (500m, 4Gi), exact: parse, add, compare, scale, display
//! ```
//!
//! Every key, name and API version literal is written here once; the other
//! layers use these constants and functions.

pub mod access;
pub mod cluster_policy;
pub mod compare;
pub mod kinds;
pub mod labels;
pub mod names;
pub mod quantity;

macro_rules! version {
    () => {
        "v1alpha1"
    };
}
macro_rules! group {
    () => {
        "govcloud.io"
    };
}

/// API group of every govcloud resource.
pub const GROUP: &str = group!();
/// API version served and stored.
pub const VERSION: &str = version!();
/// `apiVersion` as written in manifests: [`GROUP`]/[`VERSION`].
pub const API_VERSION: &str = concat!(group!(), "/", version!());
/// The quota resource that counts a namespace's DepartmentApps.
pub const APP_COUNT_QUOTA: &str = concat!("count/departmentapps.", group!());
/// `govcloud.io/`: what the apiVersion of a govcloud resource starts with.
pub(crate) const GROUP_PREFIX: &str = concat!(group!(), "/");

#[cfg(test)]
mod tests;
