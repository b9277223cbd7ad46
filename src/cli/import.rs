//! `govcloud import`: reads what departments run today (files, or a cluster
//! it only lists) and writes draft Tenants and DepartmentApps and the
//! migration report. The mapping is `govcloud_import`'s; this is the edge.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use kube::ResourceExt;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use serde_json::Value;

use super::CliError;
use crate::import::{Import, Options, Target};

/// Output format of `govcloud import`'s report.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ImportFormat {
    /// A table for the terminal.
    Table,
    /// One JSON document.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// The flags of `govcloud import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Manifests to import (for example `kubectl get -A -o yaml` output, or
    /// what `govcloud render` printed), and the NetworkZones (and Tenants)
    /// to judge them by; a file or a directory, repeatable.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Read the workloads of the cluster of the kubeconfig (list only:
    /// nothing there is changed), with its NetworkZones, Tenants and
    /// DepartmentApps where govcloud is installed (files given with -f come first).
    #[arg(long)]
    live: bool,
    /// With --live: only these namespaces, each read on its own (a user who
    /// may view them is enough); repeatable. Default: every namespace.
    #[arg(long = "namespace", short = 'n', value_name = "NAMESPACE")]
    namespaces: Vec<String>,
    /// Where a namespace goes: NAMESPACE=ZONE (the tenant is the namespace's
    /// name, less a -ZONE suffix) or NAMESPACE=TENANT/ZONE. Repeatable.
    #[arg(long = "map", value_name = "NAMESPACE=[TENANT/]ZONE", value_parser = parse_map)]
    map: Vec<(String, Target)>,
    /// The zone of every namespace neither mapped nor labelled by govcloud.
    #[arg(long, value_name = "ZONE")]
    default_zone: Option<String>,
    /// Write the drafts here, one file per Tenant (tenants/NAME.yaml) and
    /// per DepartmentApp (apps/NAMESPACE/NAME.yaml); without it they are
    /// printed on stdout and the report on stderr.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Report format.
    #[arg(long = "output", value_enum, default_value_t = ImportFormat::Table)]
    format: ImportFormat,
    /// Language of the table and HTML report (default: the locale's, as `govcloud --help` says).
    #[arg(long, value_enum)]
    lang: Option<crate::audit::output::Lang>,
    /// Write the report to this file.
    #[arg(long = "report", value_name = "FILE")]
    report: Option<PathBuf>,
}

fn parse_map(s: &str) -> Result<(String, Target), String> {
    let Some((ns, to)) = s.split_once('=').filter(|(n, t)| !n.is_empty() && !t.is_empty()) else {
        return Err(format!(
            "{s:?} is not NAMESPACE=[TENANT/]ZONE: write for example portal=extranet or portal=culture/internet"
        ));
    };
    let target = match to.split_once('/') {
        Some((t, z)) if !t.is_empty() && !z.is_empty() => Target { tenant: Some(t.into()), zone: z.into() },
        Some(_) => return Err(format!("{s:?}: write TENANT/ZONE with both parts, for example culture/internet")),
        None => Target { tenant: None, zone: to.into() },
    };
    Ok((ns.to_string(), target))
}

/// The kinds read live: workloads and what says something about them. No
/// Secret or ConfigMap is read: the drafts name them, their data stays put.
/// The last ones only fill in a draft Tenant (govcloud's limits and owners):
/// where they may not be read, the draft goes without.
const LIVE_KINDS: &[(&str, &str, &str)] = &[
    ("", "v1", "Namespace"),
    ("apps", "v1", "Deployment"),
    ("apps", "v1", "StatefulSet"),
    ("apps", "v1", "DaemonSet"),
    ("apps", "v1", "ReplicaSet"),
    ("", "v1", "ReplicationController"),
    ("batch", "v1", "Job"),
    ("batch", "v1", "CronJob"),
    ("", "v1", "Pod"),
    ("", "v1", "Service"),
    ("networking.k8s.io", "v1", "Ingress"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("policy", "v1", "PodDisruptionBudget"),
    ("", "v1", "ResourceQuota"),
    ("", "v1", "LimitRange"),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding"),
];

/// Kinds of [`LIVE_KINDS`] read when allowed.
const OPTIONAL_KINDS: &[&str] = &["LimitRange", "RoleBinding"];

/// Every object of the live kinds (in `namespaces` when given), and the
/// cluster's NetworkZones, Tenants and DepartmentApps where govcloud is
/// installed and the user may read them (else none).
pub async fn read_live(
    client: &kube::Client,
    namespaces: &[String],
) -> Result<(Vec<Value>, crate::model::Model), CliError> {
    let mut objects = Vec::new();
    for (group, version, kind) in LIVE_KINDS {
        let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
        let mut items: Vec<DynamicObject> = Vec::new();
        let optional = OPTIONAL_KINDS.contains(kind);
        let cannot_list = |e: kube::Error| cannot_list(kind, e);
        if namespaces.is_empty() {
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
            match api.list(&ListParams::default()).await {
                Ok(list) => items = list.items,
                Err(_) if optional => {}
                Err(e) => return Err(cannot_list(e)),
            }
        } else if *kind == "Namespace" {
            // A department may read its namespaces' objects without the right to read the namespaces.
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
            for ns in namespaces {
                if let Ok(Some(o)) = api.get_opt(ns).await {
                    items.push(o);
                }
            }
        } else {
            // Each namespace on its own: a department's rights are enough.
            for ns in namespaces {
                let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
                match api.list(&ListParams::default()).await {
                    Ok(list) => items.extend(list.items),
                    Err(_) if optional => {}
                    Err(e) => return Err(cannot_list(e)),
                }
            }
        }
        for o in items {
            let mut v = serde_json::to_value(&o)?;
            v["apiVersion"] = Value::String(ar.api_version.clone());
            v["kind"] = Value::String(kind.to_string());
            if let Some(m) = v["metadata"].as_object_mut() {
                m.remove("managedFields");
            }
            objects.push(v);
        }
    }
    // govcloud's own resources, where it is installed (elsewhere: none).
    let zones = Api::<crate::api::NetworkZone>::all(client.clone()).list(&ListParams::default()).await;
    let tenants = Api::<crate::api::Tenant>::all(client.clone()).list(&ListParams::default()).await;
    let mut apps = Vec::new();
    for ns in namespaces {
        let api = Api::<crate::api::DepartmentApp>::namespaced(client.clone(), ns);
        apps.extend(api.list(&ListParams::default()).await.map(|l| l.items).unwrap_or_default());
    }
    if namespaces.is_empty() {
        let api = Api::<crate::api::DepartmentApp>::all(client.clone());
        apps = api.list(&ListParams::default()).await.map(|l| l.items).unwrap_or_default();
    }
    let model = crate::model::Model {
        zones: zones.map(|l| l.items).unwrap_or_default(),
        tenants: tenants.map(|l| l.items).unwrap_or_default(),
        apps,
        ..Default::default()
    };
    Ok((objects, model))
}

fn cannot_list(kind: &str, e: kube::Error) -> CliError {
    CliError::Kube {
        doing: format!(
            "cannot list {kind} objects (the import reads workloads, Services, Ingresses, NetworkPolicies, autoscalers, disruption budgets and quotas; give -n for the namespaces you may read)"
        ),
        source: e,
    }
}

pub(super) fn import_cmd(args: ImportArgs) -> Result<(), CliError> {
    if !args.live && args.paths.is_empty() {
        return Err(CliError::Input(
            "nothing to import: give manifests with -f, or read the cluster of the kubeconfig with --live".into(),
        ));
    }
    let lang = super::args::lang_or_locale(args.lang);
    let (mut loaded, mut objects) = match crate::model::load_mixed(&args.paths) {
        Ok(r) => r,
        Err(problems) => {
            for p in &problems {
                eprintln!("{}", p.error_line(lang));
            }
            return Err(CliError::Invalid(problems.len()));
        }
    };
    if args.live {
        let rt = tokio::runtime::Runtime::new()?;
        let (live, cluster) = rt.block_on(async {
            let client = kube::Client::try_default().await.map_err(|e| CliError::NoCluster {
                doing: "import from",
                hint: "set KUBECONFIG, or import manifests with -f",
                source: Box::new(e),
            })?;
            read_live(&client, &args.namespaces).await
        })?;
        objects.extend(live);
        // What the files declare comes first; the cluster's fills in the rest.
        let model = &mut loaded.model;
        let zones: Vec<String> = model.zones.iter().map(|z| z.name_any()).collect();
        model.zones.extend(cluster.zones.into_iter().filter(|z| !zones.contains(&z.name_any())));
        let tenants: Vec<String> = model.tenants.iter().map(|t| t.name_any()).collect();
        model.tenants.extend(cluster.tenants.into_iter().filter(|t| !tenants.contains(&t.name_any())));
        let apps: Vec<(Option<String>, String)> = model.apps.iter().map(|a| (a.namespace(), a.name_any())).collect();
        model.apps.extend(cluster.apps.into_iter().filter(|a| !apps.contains(&(a.namespace(), a.name_any()))));
    }
    let options = Options { map: args.map.into_iter().collect::<BTreeMap<_, _>>(), default_zone: args.default_zone };
    let result = crate::import::import(&objects, &loaded.model, &options);
    let report = match args.format {
        ImportFormat::Table => crate::import::output::table(&result, lang),
        ImportFormat::Json => serde_json::to_string_pretty(&crate::import::output::json(&result))? + "\n",
        ImportFormat::Html => crate::import::output::html(&result, lang),
    };
    match &args.out_dir {
        Some(dir) => write_drafts(dir, &result)?,
        None => std::io::stdout().lock().write_all(drafts_yaml(&result)?.as_bytes())?,
    }
    match (&args.report, &args.out_dir) {
        (Some(path), _) => std::fs::write(path, report)?,
        (None, Some(_)) => std::io::stdout().lock().write_all(report.as_bytes())?,
        (None, None) => std::io::stderr().lock().write_all(report.as_bytes())?,
    }
    Ok(())
}

const HEADER: &str =
    "# Draft by `govcloud import`: review it (owners, quotas, what the report says must change) before applying.\n";

/// Every draft as multi-document YAML.
pub fn drafts_yaml(result: &Import) -> Result<String, serde_norway::Error> {
    let mut text = String::from(HEADER);
    for t in &result.tenants {
        text.push_str("---\n");
        text.push_str(&serde_norway::to_string(t)?);
    }
    for a in &result.apps {
        text.push_str("---\n");
        text.push_str(&serde_norway::to_string(a)?);
    }
    Ok(text)
}

fn write_drafts(dir: &Path, result: &Import) -> Result<(), CliError> {
    let write = |path: PathBuf, yaml: String| -> Result<(), CliError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, format!("{HEADER}{yaml}"))?;
        eprintln!("wrote {}", path.display());
        Ok(())
    };
    for t in &result.tenants {
        write(dir.join("tenants").join(format!("{}.yaml", t.name_any())), serde_norway::to_string(t)?)?;
    }
    for a in &result.apps {
        let ns = a.namespace().unwrap_or_default();
        write(dir.join("apps").join(ns).join(format!("{}.yaml", a.name_any())), serde_norway::to_string(a)?)?;
    }
    Ok(())
}
