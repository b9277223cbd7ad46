//! govcloud's core: the shared vocabulary, the resources and the rules. No
//! client and no async runtime: everything here is pure and is used by
//! render, audit, the operator and the CLI alike.
//!
//! ```text
//!   meta       keys, names, owned kinds, object comparison: the shared vocabulary
//!   problem    errors that name the object, the field and the fix
//!   api        the resources (NetworkZone, Tenant, DepartmentApp, ResourceRequest)
//!   model      reading them from files, checked by the CRDs' own rules
//!   controls   every security and isolation rule, once: catalogue, admission policies, offline evaluator
//!   messages   every reason and message a page shows, once: stable codes, zh and en texts; the locale's language
//!   generated  types generated from CRDs we write but do not own (`make gen-types`), used through `meta`
//! ```
#![forbid(unsafe_code)]

pub mod api;
pub mod controls;
pub mod generated;
pub mod memory;
pub mod messages;
pub mod meta;
pub mod model;
pub mod problem;
pub mod provenance;
