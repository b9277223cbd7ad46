//! govcloud: a Kubernetes operator for a municipal e-government private cloud.
//!
//! The workspace's crates are the layers of one pipeline; each uses only the
//! crates before it (the compiler checks it: a crate cannot name one it does
//! not depend on):
//!
//! ```text
//!   govcloud-core      meta, problem, api, model, controls: vocabulary, resources, rules (no client)
//!   govcloud-render    pure: declared resources -> owned Kubernetes objects + flow decisions
//!   govcloud-audit     compliance: the catalogue's checks over live or rendered objects
//!   govcloud-evaluate  绩效评估: the performance evaluation per department and district
//!   govcloud-import    migration: existing namespaces and workloads -> draft Tenants, DepartmentApps, report
//!   govcloud-operator  controllers, apply, status, reports, install
//!   govcloud           this package: the `govcloud` command (cli) and the local dev job (feature `dev`)
//! ```
//!
//! This crate re-exports each layer under its old module name
//! (`govcloud::render`, `govcloud::audit`, ...) for tests, benches and users.
#![forbid(unsafe_code)]

pub use govcloud_audit as audit;
pub use govcloud_core::{api, controls, meta, model, problem, provenance};
pub use govcloud_evaluate as evaluate;
pub use govcloud_import as import;
pub use govcloud_operator as operator;
pub use govcloud_render as render;

pub mod cli;
#[cfg(feature = "dev")]
pub mod dev;
