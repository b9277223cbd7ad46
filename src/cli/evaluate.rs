//! `govcloud evaluate`: what it reads (files, a city, or the kubeconfig's cluster) and the evaluation.

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use super::args::{ClusterSource, EvaluateFormat};
use super::city::city_evaluation;
use super::inventory::{EvaluationInputs, offline_inventory};

/// What `govcloud evaluate` reads: files (`-f`), the clusters of a city, or
/// the cluster of the kubeconfig (`--cluster` names it).
pub(super) struct Source<'a> {
    pub(super) paths: &'a [PathBuf],
    pub(super) cluster: Option<String>,
    pub(super) city: &'a [ClusterSource],
}

// The command's flags, one argument each.
#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate_cmd(
    provenance: &govcloud_core::provenance::Provenance,
    source: &Source<'_>,
    filter: &crate::audit::filter::Filter,
    metrics: Option<&std::path::Path>,
    snapshots: &[PathBuf],
    prices: Option<&std::path::Path>,
    domestic: Option<&std::path::Path>,
    format: EvaluateFormat,
    lang: crate::audit::output::Lang,
    at: Option<&str>,
    output: Option<PathBuf>,
    cluster_cidrs: &[String],
) -> Result<(), CliError> {
    let (paths, cluster) = (source.paths, source.cluster.as_deref());
    use crate::evaluate::{self, Evaluation};
    let now = match at {
        Some(t) => t.parse::<k8s_openapi::jiff::Timestamp>().map_err(|e| {
            CliError::Input(format!("--at {t:?}: {e}; give an RFC 3339 time such as 2026-12-31T00:00:00Z"))
        })?,
        None => k8s_openapi::jiff::Timestamp::now(),
    };
    // Earlier evaluations first: a bad snapshot is reported before any cluster is read.
    let mut earlier: Vec<Evaluation> = Vec::new();
    for p in snapshots {
        let text = std::fs::read_to_string(p)
            .map_err(|e| CliError::Input(format!("--snapshot {}: cannot read: {e}", p.display())))?;
        let e: Evaluation = serde_json::from_str(&text).map_err(|e| {
            CliError::Input(format!(
                "--snapshot {}: line {}, column {}: {e}; give a file written by `govcloud evaluate --format json`",
                p.display(),
                e.line(),
                e.column()
            ))
        })?;
        earlier.push(e);
    }
    // The price table too: a bad one is reported before any cluster is read.
    let prices = match prices {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| CliError::Input(format!("--prices {}: cannot read: {e}", p.display())))?;
            let source = format!("--prices {}", p.display());
            Some((evaluate::PriceTable::parse(&source, &text).map_err(CliError::Input)?, source))
        }
        None => None,
    };
    // And what counts as a domestic platform.
    let domestic = match domestic {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| CliError::Input(format!("--domestic-platforms {}: cannot read: {e}", p.display())))?;
            evaluate::DomesticPlatforms::parse(&format!("--domestic-platforms {}", p.display()), &text)
                .map_err(CliError::Input)?
        }
        None => evaluate::DomesticPlatforms::default(),
    };
    let metrics_text = match metrics {
        Some(p) => Some((
            p.display().to_string(),
            std::fs::read_to_string(p)
                .map_err(|e| CliError::Input(format!("--metrics {}: cannot read: {e}", p.display())))?,
        )),
        None => None,
    };
    // Whom it covers: the city, unless the API server says this identity
    // may read only its own tenants (a department's self-evaluation).
    let mut scope = evaluate::Scope::City;
    let inputs = if !source.city.is_empty() {
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(city_evaluation(source.city, cluster_cidrs, metrics_text.is_none()))?
    } else if paths.is_empty() {
        let rt = tokio::runtime::Runtime::new()?;
        let (inputs, read) = rt.block_on(async {
            let client = kube::Client::try_default().await.map_err(|e| CliError::NoCluster {
                doing: "evaluate",
                hint: "set KUBECONFIG, or evaluate manifests with -f",
                source: Box::new(e),
            })?;
            live_inputs(&client, cluster_cidrs, cluster, metrics_text.is_none()).await
        })?;
        scope = read;
        inputs
    } else {
        let (model, objects, requests) = offline_inventory(paths, cluster_cidrs, &[], cluster)?;
        EvaluationInputs {
            model,
            objects,
            requests,
            usage: Err(evaluate::Missing::NoUsage),
            repairs: None,
            audit: None,
        }
    };
    let EvaluationInputs { model, objects, requests, usage: live_usage, repairs, audit } = inputs;
    let usage = match &metrics_text {
        Some((name, text)) => Ok(evaluate::usage::parse_pod_metrics(name, text, &evaluate::PodApps::of(&objects))
            .map_err(CliError::Input)?),
        None => live_usage,
    };
    if let Some((table, source)) = &prices {
        table.check_zones(source, &model).map_err(CliError::Input)?;
    }
    let audit = audit.unwrap_or_else(|| crate::audit::audit(&model, &objects));
    let read = Read { model: &model, audit: &audit, requests: &requests, repairs: repairs.as_ref(), scope: &scope };
    let e =
        evaluated(&read, usage.as_deref().map_err(|m| *m), &earlier, prices.as_ref().map(|(t, _)| t), &domestic, now);
    // Narrowed after: scores and ranks are the city's, whatever is shown.
    if filter.reads_findings() && scope.is_self() {
        return Err(CliError::Input(
            "--control and --failures-only keep the tenants by the city's compliance audit, which a self-evaluation does not read (this identity may read only its own tenants): leave them out, or evaluate with the cluster auditor role".into(),
        ));
    }
    // What it may name: the tenants and zones evaluated (a self-evaluation: its own).
    let tenants: Vec<String> = model.tenants.iter().map(kube::ResourceExt::name_any).collect();
    let zones: Vec<String> = match &scope {
        // A department may not read NetworkZones: the zones its namespaces were read in.
        evaluate::Scope::SelfEvaluation { zones, .. } => zones.clone(),
        evaluate::Scope::City => model.zones.iter().map(kube::ResourceExt::name_any).collect(),
    };
    if let Some(message) = filter.unknown(tenants.iter().map(String::as_str), zones.iter().map(String::as_str)) {
        return Err(CliError::Input(message));
    }
    let e = evaluate::narrow::narrowed(e, filter, &model, &audit);
    let text = match format {
        EvaluateFormat::Table => {
            provenance.text(lang == crate::audit::output::Lang::Zh) + &evaluate::output::table(&e, lang)
        }
        EvaluateFormat::Json => {
            let mut doc = evaluate::output::json(&e);
            doc["provenance"] = serde_json::to_value(provenance)?;
            if !filter.is_empty() {
                doc["filters"] = serde_json::to_value(filter)?;
            }
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        EvaluateFormat::Html => {
            crate::audit::output::page::with_provenance(&evaluate::output::html(&e, lang), provenance, lang)
        }
    };
    match output {
        Some(path) => std::fs::write(&path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// What a live evaluation reads, in the scope the API server gives this
/// identity: the city, or its own tenants (then no audit: its checks read
/// what only the city's auditors may).
async fn live_inputs(
    client: &kube::Client,
    cluster_cidrs: &[String],
    cluster: Option<&str>,
    read_usage: bool,
) -> Result<(EvaluationInputs, crate::evaluate::Scope), CliError> {
    let client = client.clone();
    let operator = |e| CliError::Operator { doing: String::new(), source: Box::new(e) };
    let mut scope = crate::operator::evaluation_scope(&client).await.map_err(operator)?;
    let crate::operator::ScopedInventory { model, objects, requests } =
        crate::operator::scoped_inventory(&client, &mut scope, cluster_cidrs, cluster).await.map_err(operator)?;
    let usage = if read_usage {
        crate::operator::live_usage(&client, &model, &crate::evaluate::PodApps::of(&objects)).await
    } else {
        Err(crate::evaluate::Missing::NoUsage)
    };
    let repairs = match crate::operator::live_repairs(&client, &model).await {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("warning: cannot read the Repaired Events ({e}); drift repairs are left uncounted");
            None
        }
    };
    let audit = scope.is_self().then(crate::audit::Audit::default);
    Ok((EvaluationInputs { model, objects, requests, usage, repairs, audit }, scope))
}

/// What an evaluation was read from.
struct Read<'a> {
    model: &'a crate::model::Model,
    audit: &'a crate::audit::Audit,
    requests: &'a [crate::api::ResourceRequest],
    repairs: Option<&'a std::collections::BTreeMap<String, u64>>,
    scope: &'a crate::evaluate::Scope,
}

/// The evaluation of what was read (the command's and the console's).
fn evaluated(
    read: &Read<'_>,
    usage: Result<&[crate::evaluate::PodUsage], crate::evaluate::Missing>,
    earlier: &[crate::evaluate::Evaluation],
    prices: Option<&crate::evaluate::PriceTable>,
    domestic: &crate::evaluate::DomesticPlatforms,
    now: k8s_openapi::jiff::Timestamp,
) -> crate::evaluate::Evaluation {
    use crate::evaluate;
    let mut pending = evaluate::pending_flow_requests(read.model, read.audit);
    pending.extend(evaluate::pending_resource_requests(read.requests));
    evaluate::evaluate(evaluate::Inputs {
        model: read.model,
        audit: read.audit,
        usage,
        repairs: read.repairs,
        pending: &pending,
        earlier,
        prices,
        requests: read.requests,
        scope: read.scope,
        domestic,
        now,
    })
}

/// The live evaluation as `client`'s identity may read it, as `govcloud
/// evaluate` (live, no files) makes it: the city, or a department's
/// self-evaluation. The console's evaluation page.
pub(crate) async fn live(client: &kube::Client) -> Result<crate::evaluate::Evaluation, CliError> {
    let (inputs, scope) = live_inputs(client, &[], None, true).await?;
    let EvaluationInputs { model, objects, requests, usage, repairs, audit } = inputs;
    let audit = audit.unwrap_or_else(|| crate::audit::audit(&model, &objects));
    let read = Read { model: &model, audit: &audit, requests: &requests, repairs: repairs.as_ref(), scope: &scope };
    let domestic = crate::evaluate::DomesticPlatforms::default();
    Ok(evaluated(&read, usage.as_deref().map_err(|m| *m), &[], None, &domestic, k8s_openapi::jiff::Timestamp::now()))
}
