//! `govcloud mine` (`kubectl govcloud mine`): a department's own view. Who
//! the API server says the user is (SelfSubjectReview), which tenants RBAC
//! lets it read (SelfSubjectRulesReview: its tenant's role names them), and
//! of each what its user may read: the Tenant, its zones, the apps and
//! ResourceRequests of its namespaces. Nothing is filtered here by a field a
//! department writes: what is shown is what the API server allowed.

use std::io::Write;
use std::path::PathBuf;

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{SelfSubjectRulesReview, SelfSubjectRulesReviewSpec};
use kube::api::{Api, ListParams, PostParams};
use kube::{Client, ResourceExt};

use super::CliError;
use super::args::MineFormat;
use crate::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use crate::audit::output::Lang;

pub mod view;
use crate::meta::access::{Readable, readable_tenants};
use view::{Identity, Read};

/// Reads and prints the view.
pub(super) fn mine_cmd(format: MineFormat, lang: Lang, output: Option<PathBuf>) -> Result<(), CliError> {
    let rt = tokio::runtime::Runtime::new()?;
    let mine = rt.block_on(async {
        let client = Client::try_default().await.map_err(|e| CliError::NoCluster {
            doing: "show your tenants on",
            hint: "set KUBECONFIG to the kubeconfig your department was given",
            source: Box::new(e),
        })?;
        let identity = identity(&client).await?;
        let mut read = Vec::new();
        for tenant in tenants(&client).await? {
            read.push(of_tenant(&client, tenant).await?);
        }
        Ok::<_, CliError>(view::view(identity, read))
    })?;
    let text = match format {
        MineFormat::Table => view::table(&mine, lang),
        MineFormat::Json => serde_json::to_string_pretty(&mine)? + "\n",
    };
    match output {
        Some(path) => std::fs::write(&path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// Who the API server says the user is.
pub(super) async fn identity(client: &Client) -> Result<Identity, CliError> {
    let review: SelfSubjectReview = serde_json::from_value(serde_json::json!({
        "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview", "metadata": {}
    }))?;
    let review =
        Api::<SelfSubjectReview>::all(client.clone()).create(&PostParams::default(), &review).await.map_err(|e| {
            CliError::Kube { doing: "cannot ask the API server who you are (SelfSubjectReview)".into(), source: e }
        })?;
    let info = review.status.and_then(|s| s.user_info).unwrap_or_default();
    Ok(Identity { username: info.username.unwrap_or_default(), groups: info.groups.unwrap_or_default() })
}

/// The Tenants RBAC lets the user read.
pub(super) async fn tenants(client: &Client) -> Result<Vec<Tenant>, CliError> {
    let review = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec { namespace: Some("default".into()) },
        ..Default::default()
    };
    let review = Api::<SelfSubjectRulesReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await
        .map_err(|e| CliError::Kube {
            doing: "cannot ask the API server what you may read (SelfSubjectRulesReview)".into(),
            source: e,
        })?;
    let rules = review.status.map(|s| s.resource_rules).unwrap_or_default();
    let api = Api::<Tenant>::all(client.clone());
    match readable_tenants(&rules) {
        Readable::All => Ok(api
            .list(&ListParams::default())
            .await
            .map_err(|e| CliError::Kube { doing: "cannot list Tenants".into(), source: e })?
            .items),
        Readable::Named(names) => {
            let mut out = Vec::new();
            for name in names {
                // A rule for a Tenant gone: nothing to show of it.
                if let Some(t) = api
                    .get_opt(&name)
                    .await
                    .map_err(|e| CliError::Kube { doing: format!("cannot read Tenant {name}"), source: e })?
                {
                    out.push(t);
                }
            }
            Ok(out)
        }
    }
}

/// What the user may read of one tenant: its zones (by name) and, in each
/// of its namespaces, the apps and ResourceRequests (a namespace it may not
/// list in, hosted by another cluster, is named as such).
pub(super) async fn of_tenant(client: &Client, tenant: Tenant) -> Result<Read, CliError> {
    let mut zones = Vec::new();
    for z in &tenant.spec.zones {
        if let Ok(Some(zone)) = Api::<NetworkZone>::all(client.clone()).get_opt(&z.name).await {
            zones.push(zone);
        }
    }
    let namespaces: Vec<String> = match tenant.status.as_ref().map(|s| &s.namespaces) {
        Some(ns) if !ns.is_empty() => ns.clone(),
        _ => {
            tenant.spec.zones.iter().map(|z| crate::meta::names::namespace_name(&tenant.name_any(), &z.name)).collect()
        }
    };
    let (mut apps, mut requests, mut unreadable) = (Vec::new(), Vec::new(), Vec::new());
    for ns in namespaces {
        let lp = ListParams::default();
        let a = Api::<DepartmentApp>::namespaced(client.clone(), &ns).list(&lp).await;
        let r = Api::<ResourceRequest>::namespaced(client.clone(), &ns).list(&lp).await;
        match (a, r) {
            (Ok(a), Ok(r)) => {
                apps.extend(a.items);
                requests.extend(r.items);
            }
            (Err(kube::Error::Api(s)), _) | (_, Err(kube::Error::Api(s))) if s.code == 403 => unreadable.push(ns),
            (Err(e), _) | (_, Err(e)) => {
                return Err(CliError::Kube {
                    doing: format!("cannot list the apps and requests of namespace {ns}"),
                    source: e,
                });
            }
        }
    }
    Ok(Read { tenant, zones, apps, requests, unreadable })
}
