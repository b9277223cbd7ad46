//! `govcloud render`: load and render a model, per cluster, and the summary.

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::api::FlowState;
use crate::model::{LoadedModel, load_paths};
use crate::problem::{FileProblem, Problem};
use crate::render::{self, Owned, Rendered};

/// Loads and renders (for a cluster whose pod and service ranges are
/// `cluster_cidrs`), turning every problem (invalid or unresolved) into an error.
pub fn render_strict(
    paths: &[PathBuf],
    cluster_cidrs: &[String],
    cluster: Option<&str>,
) -> Result<(LoadedModel, Rendered), Vec<FileProblem>> {
    render_with(paths, cluster_cidrs, &[], cluster, false)
}

/// [`render_strict`], with the API server at `api_server` (its addresses,
/// excepted from the egress ranges that hold them) and the zones'
/// Admin-tier ClusterNetworkPolicies when `admin_tier`.
pub fn render_with(
    paths: &[PathBuf],
    cluster_cidrs: &[String],
    api_server: &[String],
    cluster: Option<&str>,
    admin_tier: bool,
) -> Result<(LoadedModel, Rendered), Vec<FileProblem>> {
    let mut loaded = load_paths(paths)?;
    loaded.model.cluster_cidrs = cluster_cidrs.to_vec();
    loaded.model.api_server = api_server.to_vec();
    loaded.model.cluster = cluster.map(String::from);
    loaded.model.admin_tier = admin_tier;
    // Tenants as granted now: declared plus the approved requests in effect.
    render::grant_requests(&mut loaded.model, k8s_openapi::jiff::Timestamp::now());
    let rendered = render::render(&loaded.model);
    if rendered.problems.is_empty() {
        return Ok((loaded, rendered));
    }
    Err(rendered.problems.iter().map(|p| locate(&loaded, p)).collect())
}

pub(super) fn locate(loaded: &LoadedModel, p: &Problem) -> FileProblem {
    let (file, document) = loaded.origin(&p.object).cloned().unwrap_or_default();
    FileProblem {
        file,
        document,
        object: Some(p.object.clone()),
        field: p.field.clone(),
        message: p.message.clone(),
        fix: p.fix.clone(),
    }
}

/// Renders for `cluster` (`None`: every cluster the model names, one after
/// another, each headed by a comment naming it); problems are printed in `lang`.
pub(super) fn render_cmd(
    paths: &[PathBuf],
    summary_only: bool,
    cluster_cidrs: &[String],
    api_server: &[String],
    cluster: Option<Option<String>>,
    admin_tier: bool,
    lang: crate::audit::output::Lang,
) -> Result<(), CliError> {
    let explicit = cluster.is_some();
    let clusters = match cluster {
        Some(c) => vec![c],
        None => match load_paths(paths) {
            Ok(loaded) if loaded.model.clusters().len() > 1 => loaded.model.clusters(),
            // One cluster (or a model that does not load: render_strict says why).
            Ok(loaded) => vec![loaded.model.clusters().pop().flatten()],
            Err(_) => vec![None],
        },
    };
    let several = clusters.len() > 1;
    // Serialise everything first so a failure prints nothing as if it had succeeded.
    let (mut text, mut summaries) = (String::new(), String::new());
    for cluster in &clusters {
        let (loaded, rendered) = match render_with(paths, cluster_cidrs, api_server, cluster.as_deref(), admin_tier) {
            Ok(r) => r,
            Err(problems) => {
                for p in &problems {
                    eprintln!("{}", p.error_line(lang));
                }
                return Err(CliError::Invalid(problems.len()));
            }
        };
        let named = loaded.model.clusters();
        if explicit && !named.contains(cluster) {
            let list: Vec<String> = named.iter().map(|c| crate::render::cluster_label(c.as_deref())).collect();
            return Err(CliError::Input(format!(
                "--cluster {:?}: no NetworkZone is hosted there (spec.cluster); the model's zones are in {}: name one of them",
                cluster.clone().unwrap_or_default(),
                list.join(", ")
            )));
        }
        let mut objects: Vec<Owned> = render::render_platform();
        objects.extend(rendered.objects.iter().cloned());
        if several {
            let name = crate::render::cluster_label(cluster.as_deref());
            text.push_str(&format!("# {name}: apply what follows, up to the next such line, to that cluster\n"));
            summaries.push_str(&format!("{name}:\n"));
        }
        if !summary_only {
            for o in &objects {
                text.push_str("---\n");
                text.push_str(&serde_norway::to_string(o)?);
            }
        }
        summaries.push_str(&summary(&loaded, &rendered, &objects));
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    eprint!("{summaries}");
    Ok(())
}

/// The short summary printed on stderr after rendering.
pub fn summary(loaded: &LoadedModel, rendered: &Rendered, objects: &[Owned]) -> String {
    let m = &loaded.model;
    let mut s = format!(
        "govcloud render: {} zones, {} tenants, {} apps -> {} objects\n",
        m.zones.len(),
        m.tenants.len(),
        m.apps.len(),
        objects.len()
    );
    let mut counts: std::collections::BTreeMap<(usize, &str), usize> = Default::default();
    for o in objects {
        *counts.entry((o.order(), o.kind())).or_default() += 1;
    }
    for ((_, kind), n) in counts {
        s.push_str(&format!("  {kind:<20} {n}\n"));
    }
    s.push_str(&format!(
        "flows: {} granted, {} pending, {} refused\n",
        rendered.flows_in(FlowState::Granted),
        rendered.flows_in(FlowState::Pending),
        rendered.flows_in(FlowState::Refused)
    ));
    for f in rendered.flows.iter().filter(|f| f.state != FlowState::Granted) {
        s.push_str(&format!("  {:<8} {} -> {}: {}\n", f.state.as_str(), f.consumer, f.provider, f.reason));
    }
    s
}
