//! The tests on real control planes: `make test` starts one shared plane
//! (`testenv/with-cluster`) and names it with `GOVCLOUD_TEST_KUBECONFIG`;
//! the tests that need a plane of their own (the admin tier, a city of two
//! clusters, faults, testenv's own checks) start it with `testenv up`, which
//! picks a free port block under a machine-wide lock, and bring it down.
//! Each test makes its own names (`support::unique`), so they run in
//! parallel. The tests that need neither are `tests/offline`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup is a failed test

#[path = "../support/mod.rs"]
mod support;

mod admin_tier;
mod admission_install;
mod admission_zones;
mod api_server;
mod api_validation;
mod apps;
mod autoscaling;
mod catalogue;
mod clusters;
mod clusters_audit_live;
mod console;
mod console_city;
mod console_sharing;
mod control_plane;
mod enforcement;
mod evaluate_scope;
mod faults;
mod helm_chart;
mod helm_install;
mod import;
mod invalid_catalogue;
mod mine;
mod operator;
mod provenance;
mod public;
mod requests;
mod sharing;
mod stateful;
mod testenv_models;
mod usage;
mod zone_platforms;
