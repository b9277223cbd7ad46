//! govcloud: a Kubernetes operator for a municipal e-government private cloud.
//!
//! The modules are layers of one pipeline; each uses only the layers above
//! it in this list (checked by `tests/architecture.rs`):
//!
//! ```text
//!   meta       keys, names, owned kinds, object comparison: the shared vocabulary
//!   problem    errors that name the object, the field and the fix
//!   api        the three resources (NetworkZone, Tenant, DepartmentApp)
//!   model      reading them from files, checked by the CRDs' own rules
//!   controls   every security and isolation rule, once: catalogue, admission policies, offline evaluator
//!   render     pure: declared resources -> owned Kubernetes objects + flow decisions
//!   audit      compliance: the catalogue's checks over live or rendered objects
//!   evaluate   绩效评估: the four-axis performance evaluation per department and district
//!   operator   controllers, apply, status, reports, install
//!   dev        the local main job; applying a model (tests, benches)
//!   cli        the `govcloud` command
//! ```
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]

pub mod api;
pub mod audit;
pub mod cli;
pub mod controls;
pub mod dev;
pub mod evaluate;
pub mod meta;
pub mod model;
pub mod operator;
pub mod problem;
pub mod render;
