//! `govcloud catalogue`: the catalogue (目录) of shared information
//! resources, from files (`-f`: what the model declares and its flows
//! decide) or from the cluster of the kubeconfig (the `SharedResource`
//! objects the operator keeps, which every department may list), as a
//! table, JSON or an HTML page.

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use super::args::CatalogueFormat;
use super::render::locate;
use crate::api::{CatalogueEntry, SharedResource};
use crate::audit::output::Lang;

pub(crate) mod output;

/// The catalogue of the files given, or of the cluster when none are.
pub(super) fn catalogue_cmd(
    paths: &[PathBuf],
    format: CatalogueFormat,
    lang: Lang,
    output: Option<PathBuf>,
    provenance: &govcloud_core::provenance::Provenance,
) -> Result<(), CliError> {
    let entries = if paths.is_empty() { live()? } else { offline(paths, lang)? };
    let text = match format {
        CatalogueFormat::Table => provenance.text(lang == Lang::Zh) + &output::table(&entries, lang),
        CatalogueFormat::Json => {
            let mut doc = output::json(&entries);
            doc["provenance"] = serde_json::to_value(provenance)?;
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        CatalogueFormat::Html => {
            crate::audit::output::page::with_provenance(&output::html(&entries, lang), provenance, lang)
        }
    };
    match output {
        Some(path) => std::fs::write(&path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// The catalogue the files declare: every problem of the model is an error
/// (as for `govcloud render`, printed in `lang`), since counts read from a model that does
/// not render would mislead.
fn offline(paths: &[PathBuf], lang: Lang) -> Result<Vec<CatalogueEntry>, CliError> {
    let invalid = |problems: Vec<crate::problem::FileProblem>| {
        for p in &problems {
            eprintln!("{}", p.error_line(lang));
        }
        CliError::Invalid(problems.len())
    };
    let mut loaded = crate::model::load_paths(paths).map_err(invalid)?;
    // As granted now: declared plus the approved requests in effect.
    crate::render::grant_requests(&mut loaded.model, k8s_openapi::jiff::Timestamp::now());
    let planned = crate::render::plan(&loaded.model, &Default::default());
    if !planned.problems.is_empty() {
        return Err(invalid(planned.problems.iter().map(|p| locate(&loaded, p)).collect()));
    }
    Ok(crate::render::catalogue(&planned.index, &planned.flows))
}

/// The catalogue the operator keeps in the cluster of the kubeconfig: the
/// SharedResources labelled as govcloud's, which only the operator may
/// create or change (the managed-objects admission policy); anything else
/// of that kind is not the catalogue.
fn live() -> Result<Vec<CatalogueEntry>, CliError> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let client = kube::Client::try_default().await.map_err(|e| CliError::NoCluster {
            doing: "read the catalogue of",
            hint: "set KUBECONFIG, or list the catalogue of manifests with -f",
            source: Box::new(e),
        })?;
        let lp = kube::api::ListParams::default().labels(crate::meta::labels::MANAGED_SELECTOR);
        let list = kube::Api::<SharedResource>::all(client).list(&lp).await.map_err(|e| {
            let doing = match &e {
                kube::Error::Api(s) if s.code == 404 => {
                    "cannot list SharedResources: the cluster does not serve them; install govcloud's CRDs (`govcloud crd | kubectl apply -f -`) and run the operator"
                }
                kube::Error::Api(s) if s.code == 403 => {
                    "cannot list SharedResources: not allowed; every owner of a Tenant may read the catalogue: ask a platform engineer to check that you or your group is among a Tenant's spec.owners"
                }
                _ => "cannot list SharedResources",
            };
            CliError::Kube { doing: doing.into(), source: e }
        })?;
        let mut entries: Vec<CatalogueEntry> = list.items.into_iter().map(|r| r.spec).collect();
        entries.sort_by_key(CatalogueEntry::key);
        Ok(entries)
    })
}
