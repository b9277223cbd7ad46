//! The tests that need no cluster and no Go-built component: `cargo test
//! --test offline` on a fresh clone (the HTML pages are also opened in
//! headless Chromium where it is installed; CI installs it). The tests on a
//! real control plane are the other test targets (`make test` runs all).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup is a failed test

#[path = "../support/mod.rs"]
mod support;

#[allow(dead_code)] // the benches' generators: the x10 province and random models are used here
#[path = "../../benches/support/models.rs"]
mod models;

mod api_server;
mod architecture;
mod audit_equivalence;
mod audit_fixture;
mod audit_since;
mod catalogue;
mod cli_bad_input;
mod clusters_audit;
mod console;
mod crds;
mod evaluate;
mod evaluate_domestic;
mod evaluate_filter;
mod evaluate_five;
mod fuzz_props;
mod image;
mod import;
mod lang;
mod log_plain;
mod pages_shots;
mod provenance;
mod render_autoscaling;
mod render_flows;
mod render_isolation;
mod render_sharing;
mod report_equivalence;
