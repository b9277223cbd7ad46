//! govcloud: a Kubernetes operator for a municipal e-government private cloud.
//!
//! ```text
//!   api        the three resources (NetworkZone, Tenant, DepartmentApp)
//!   model      reading them from files, checked by the CRDs' own rules
//!   render     pure: declared resources -> owned Kubernetes objects + flow decisions
//!   controls   security and isolation rules, each defined once
//!   problem    errors that name the object, the field and the fix
//!   cli        the `govcloud` command
//! ```
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]

pub mod api;
pub mod audit;
pub mod cli;
pub mod controls;
pub mod dev;
pub mod meta;
pub mod model;
pub mod operator;
pub mod problem;
pub mod render;
