//! What the audit and the evaluation read: the model and the objects, from
//! files (one cluster, or a city's clusters each from its own files).

use std::path::PathBuf;

use super::CliError;
use crate::render;

/// The model and the objects to audit, from files: the objects given, or
/// when none are, what the model renders (platform objects included).
/// The model (approved requests folded in), the objects, and the
/// ResourceRequests as filed.
pub(super) type Inventory = (crate::model::Model, Vec<serde_json::Value>, Vec<crate::api::ResourceRequest>);

pub(super) fn offline_inventory(
    paths: &[PathBuf],
    cluster_cidrs: &[String],
    api_server: &[String],
    cluster: Option<&str>,
) -> Result<Inventory, CliError> {
    let (mut loaded, mut objects) = match crate::model::load_mixed(paths) {
        Ok(r) => r,
        Err(problems) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            return Err(CliError::Invalid(problems.len()));
        }
    };
    loaded.model.cluster_cidrs = cluster_cidrs.to_vec();
    loaded.model.api_server = api_server.to_vec();
    loaded.model.cluster = cluster.map(String::from);
    // Objects from a cluster: its ConfigMaps' digests are what its apps' pod templates carry.
    loaded.model.config_map_digests = crate::model::config_map_digests(&objects);
    // As granted now: an approved request's quota is no drift.
    let requests = loaded.model.requests.clone();
    render::grant_requests(&mut loaded.model, k8s_openapi::jiff::Timestamp::now());
    if objects.is_empty() {
        let rendered = render::render(&loaded.model);
        for o in render::render_platform().iter().chain(rendered.objects.iter()) {
            objects.push(serde_json::to_value(o)?);
        }
    }
    // The requests as filed and decided are audited too (GC-REQ-001).
    for r in &requests {
        objects.push(serde_json::to_value(r)?);
    }
    // Objects from a cluster that serves ClusterNetworkPolicy: govcloud's are expected among them.
    loaded.model.admin_tier = crate::audit::serves_admin_tier(&objects);
    Ok((loaded.model, objects, requests))
}

/// What an evaluation is made of, as read.
pub(super) struct EvaluationInputs {
    pub(super) model: crate::model::Model,
    pub(super) objects: Vec<serde_json::Value>,
    pub(super) requests: Vec<crate::api::ResourceRequest>,
    /// Pod usage, or why there is none.
    pub(super) usage: Result<Vec<crate::evaluate::PodUsage>, crate::evaluate::Missing>,
    pub(super) repairs: Option<std::collections::BTreeMap<String, u64>>,
    /// The city's audit, when several clusters were read.
    pub(super) audit: Option<crate::audit::Audit>,
}
