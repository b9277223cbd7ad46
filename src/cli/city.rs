//! A city of several clusters: a client for each, and the audit and the
//! evaluation inputs of them all, live or (audit) offline.

use std::path::PathBuf;

use super::CliError;
use super::args::ClusterSource;
use super::inventory::{EvaluationInputs, offline_inventory};
use crate::render;

/// A client for one cluster of a city, its kubeconfig and context checked
/// first so that a wrong flag is named, not a connection error.
async fn city_client(source: &ClusterSource) -> Result<kube::Client, CliError> {
    use kube::config::{KubeConfigOptions, Kubeconfig};
    let flag = source.flag();
    let kubeconfig = match &source.kubeconfig {
        Some(path) => Kubeconfig::read_from(path).map_err(|e| {
            CliError::Input(format!("{flag}: cannot read the kubeconfig {}: {e}; give the path of that cluster's kubeconfig file", path.display()))
        })?,
        None => Kubeconfig::read().map_err(|e| {
            CliError::Input(format!(
                "{flag}: cannot read the default kubeconfig: {e}; set KUBECONFIG, or give the file with --cluster-kubeconfig NAME=PATH#CONTEXT"
            ))
        })?,
    };
    if let Some(context) = &source.context
        && !kubeconfig.contexts.iter().any(|c| &c.name == context)
    {
        let known: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(CliError::Input(format!(
            "{flag}: the kubeconfig has no context {context:?}; use one of: {}",
            if known.is_empty() { "(none)".to_string() } else { known.join(", ") }
        )));
    }
    let options = KubeConfigOptions { context: source.context.clone(), ..Default::default() };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| CliError::Input(format!("{flag}: {e}")))?;
    kube::Client::try_from(config)
        .map_err(|e| CliError::Kube { doing: format!("{flag}: cannot build a client"), source: e })
}

/// Audits every cluster given, live, each with the model it holds, into one report.
pub(super) async fn live_city(
    sources: &[ClusterSource],
    cluster_cidrs: &[String],
) -> Result<crate::audit::Audit, CliError> {
    let mut audits = Vec::new();
    for source in sources {
        let client = city_client(source).await?;
        let (model, objects) = crate::operator::live_inventory(&client, "", cluster_cidrs, source.name.as_deref())
            .await
            .map_err(|e| CliError::Unreachable {
                flag: source.flag(),
                what: render::cluster_label(source.name.as_deref()),
                source: Box::new(e),
            })?;
        let audit = crate::audit::audit(&model, &objects);
        audits.push((source.name.clone(), model, audit));
    }
    Ok(crate::audit::city(audits))
}

/// Offline, a model that names several clusters and no `--cluster`: what it
/// renders for each cluster, audited and merged into one report; `None` when
/// it names one cluster at most.
pub(super) fn offline_city(
    paths: &[PathBuf],
    cluster_cidrs: &[String],
) -> Result<Option<crate::audit::Audit>, CliError> {
    let Ok((loaded, objects)) = crate::model::load_mixed(paths) else {
        // offline_inventory reports the problems.
        return Ok(None);
    };
    let clusters = loaded.model.clusters();
    if clusters.len() < 2 {
        return Ok(None);
    }
    let names: Vec<String> = clusters.iter().map(|c| render::cluster_label(c.as_deref())).collect();
    if !objects.is_empty() {
        return Err(CliError::Input(format!(
            "the model's zones run in {}, and objects were given: say which cluster they come from with --cluster NAME, or give only the model to audit what it renders in every cluster",
            names.join(" and ")
        )));
    }
    let mut audits = Vec::new();
    for cluster in clusters {
        let (model, objects, _) = offline_inventory(paths, cluster_cidrs, &[], cluster.as_deref())?;
        let audit = crate::audit::audit(&model, &objects);
        audits.push((cluster, model, audit));
    }
    Ok(Some(crate::audit::city(audits)))
}

/// Reads every cluster of the city for its evaluation: each cluster's model,
/// objects, requests, usage and repairs, put together as one
/// ([`crate::evaluate::city::city_model`]): each app's status, each quota and
/// each request from the cluster hosting its zone; usage only when every
/// cluster gives it; repairs summed; the city's audit for the security axis.
pub(super) async fn city_evaluation(
    sources: &[ClusterSource],
    cluster_cidrs: &[String],
    read_usage: bool,
) -> Result<EvaluationInputs, CliError> {
    let mut read = Vec::new();
    for source in sources {
        let client = city_client(source).await?;
        let name = source.name.as_deref();
        let failed = |what: &str, e: Box<dyn std::error::Error + Send + Sync>| CliError::Unreachable {
            flag: source.flag(),
            what: format!("{what} of {}", render::cluster_label(name)),
            source: e,
        };
        let (model, objects) = crate::operator::live_inventory(&client, "", cluster_cidrs, name)
            .await
            .map_err(|e| failed("the objects", Box::new(e)))?;
        let requests: Vec<crate::api::ResourceRequest> = kube::Api::<crate::api::ResourceRequest>::all(client.clone())
            .list(&Default::default())
            .await
            .map_err(|e| failed("the ResourceRequests", Box::new(e)))?
            .items;
        let usage = if read_usage {
            crate::operator::live_usage(&client, &model, &crate::evaluate::PodApps::of(&objects)).await
        } else {
            Err(crate::evaluate::Missing::NoUsage)
        };
        let repairs = match crate::operator::live_repairs(&client, &model).await {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!(
                    "warning: {}: cannot read the Repaired Events ({e}); drift repairs are left uncounted",
                    source.flag()
                );
                None
            }
        };
        read.push((source.name.clone(), model, objects, requests, usage, repairs));
    }
    let parts: Vec<crate::evaluate::city::ClusterModel<'_>> = read.iter().map(|(n, m, ..)| (n.as_deref(), m)).collect();
    let model = crate::evaluate::city::city_model(&parts)
        .ok_or_else(|| CliError::Input("name at least one cluster of the city".into()))?;
    let requests = read
        .iter()
        .flat_map(|(n, _, _, requests, ..)| {
            let city = &parts[0].1;
            requests.iter().filter(move |r| {
                crate::evaluate::city::hosts_namespace(
                    city,
                    n.as_deref(),
                    &kube::ResourceExt::namespace(*r).unwrap_or_default(),
                )
            })
        })
        .cloned()
        .collect();
    let usage = read.iter().map(|(.., u, _)| u.clone()).collect::<Result<Vec<_>, _>>().map(|u| u.concat());
    let repairs = read.iter().map(|(.., r)| r.clone()).collect::<Option<Vec<_>>>().map(|rs| {
        rs.into_iter().flatten().fold(
            std::collections::BTreeMap::new(),
            |mut sum: std::collections::BTreeMap<String, u64>, (t, n)| {
                *sum.entry(t).or_default() += n;
                sum
            },
        )
    });
    let audits =
        read.iter().map(|(n, m, objects, ..)| (n.clone(), m.clone(), crate::audit::audit(m, objects))).collect();
    let objects = read.into_iter().flat_map(|(_, _, objects, ..)| objects).collect();
    Ok(EvaluationInputs { model, objects, requests, usage, repairs, audit: Some(crate::audit::city(audits)) })
}
