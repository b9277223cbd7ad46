//! The govcloud API, group `govcloud.io`, version `v1alpha1`.
//!
//! Four resources, each with a status subresource:
//!
//! ```text
//!   NetworkZone (cluster)  ── nodes, address ranges, what may enter and leave
//!        ▲ spec.zones[].name            ▲ spec.zone
//!   Tenant (cluster)       ── one department or district, owners, quotas
//!        ▲ namespace <tenant>-<zone>
//!   DepartmentApp (namespaced) ── a workload and its data flows
//!   ResourceRequest (namespaced, in a tenant namespace) ── a department asks for more; a platform engineer decides
//! ```
//!
//! Every rule one object can check by itself lives here, as schema or CEL
//! (`x-kubernetes-validations`); the API server enforces it and
//! [`crate::model`] evaluates the very same rules offline.

mod app;
mod catalogue;
mod common;
mod container;
mod request;
mod sharing;
mod tenant;
mod workload;
mod zone;

pub use app::*;
pub use catalogue::*;
pub use common::*;
pub use container::*;
pub use request::*;
pub use sharing::*;
pub use tenant::*;
pub use workload::*;
pub use zone::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CRDs, in a stable order (zones, tenants, apps, requests, the catalogue).
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![NetworkZone::crd(), Tenant::crd(), DepartmentApp::crd(), ResourceRequest::crd(), SharedResource::crd()]
}

#[cfg(test)]
mod tests;
