//! The operator: `govcloud run`.
//!
//! ```text
//!   watches (reflector caches) ──► triggers ──► Controller<NetworkZone | Tenant | DepartmentApp | ResourceRequest>
//!                                                   │ reconcile::<K> (controller): model from caches
//!                                                   ▼
//!                      render (pure, cached per model version) ──► apply (SSA, skip unchanged, prune)
//!                                                   │
//!                                                   ▼
//!                                       status (pure, per kind) + events (only on change)
//! ```
//!
//! Every decision comes from [`govcloud_render`]; this module only reads caches,
//! writes what differs, and reports.
//!
//! ```text
//!   run         the watches, leader election, each term as leader
//!   context     the controllers' shared state: caches, plans, events, backoff
//!   controller  the one reconcile skeleton (finalizer, waits, error policy)
//!   zone, tenant, app   what each controller does that the others do not
//!   request     departments' ResourceRequests: status, history, Events, expiry
//!   status      conditions, and the one status write
//!   apply       the one place owned objects are written
//!   install     CRDs, admission policies, the operator's own manifests
//!   watch       the watches' plumbing: reflectors, where owned kinds' events go, what caches keep
//!   inventory   what a live audit reads: the audited kinds, paged lists, the kept Inventory
//!   report      one-shot reads of the cluster: audit, usage, repairs, evaluation; the report CRDs
//!   report_loop the compliance loop: an audit per change (debounced) and per resync, reports written
//!   wakeups     discovery of the Admin tier, the audited kinds' watches that wake the reports
//!   admin_tier  whether the cluster serves ClusterNetworkPolicy (discovery), its cache and watch
//! ```

mod admin_tier;
pub mod api_server;
mod app;
mod apply;
mod cache;
pub mod client;
mod context;
mod controller;
pub mod deadline;
mod error;
pub mod install;
mod inventory;
pub mod leader;
pub mod memory;
mod metrics;
mod ownership;
mod report;
mod report_loop;
mod request;
mod run;
mod scope;
mod status;
mod tenant;
mod triggers;
mod wakeups;
mod watch;
mod zone;

pub use admin_tier::served as admin_tier_served;
pub use apply::ApplyReport;
pub use cache::{Kept, KeptStore, KeptWriter};
pub use context::{Context, PLAN_INTERVAL, Plan};
pub use error::{Doing, Error, Halt, Result, SelectorError, StartError, Step, Wait, WrongCluster};
pub use install::{CRD_ESTABLISHED, admission_policies, install_crds};
pub use inventory::{AUDITED, Listed, as_audited, live_inventory, live_inventory_as};
pub use leader::{ElectionError, LeaderElection};
pub use metrics::{CountRequests, Metrics};
pub use report::{live_audit, live_evaluation, live_repairs, live_usage};
pub use report_loop::{Due, Round, audit_round, build_reports};
pub use run::{Leader, Options, RESYNC, SHUTDOWN_GRACE, parse_selector, run};
pub use scope::{ScopedInventory, evaluation_scope, scoped_inventory};
pub use triggers::STATUS_REFRESH;
