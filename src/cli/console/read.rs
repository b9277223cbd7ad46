//! What a page reads, as the user (every call through the user's client):
//! the API server's refusals are kept, to be shown as they were given.

use std::collections::HashMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, DynamicObject, ListParams, PostParams};
use kube::core::ApiResource;
use kube::{Client, ResourceExt};

use super::pages::Refusal;
use super::pages::app::AppPage;
use crate::api::{DepartmentApp, NetworkZone, ResourceRequest};
use crate::cli::CliError;
use crate::cli::mine::view::{self, Mine, Read};
use crate::meta::labels;

pub mod pages;

/// A command error as a refusal (the API server's, when it was one).
fn refusal(e: CliError) -> Refusal {
    match e {
        CliError::Kube { doing, source } => Refusal::of(doing, &source),
        other => Refusal { doing: "read".into(), code: 0, reason: "Error".into(), message: other.to_string() },
    }
}

/// The department's view (`govcloud mine`'s) and what it was made from.
pub async fn mine(c: &Client) -> Result<(Mine, Vec<ResourceRequest>), Refusal> {
    let identity = crate::cli::mine::identity(c).await.map_err(refusal)?;
    let mut read: Vec<Read> = Vec::new();
    for t in crate::cli::mine::tenants(c).await.map_err(refusal)? {
        read.push(crate::cli::mine::of_tenant(c, t).await.map_err(refusal)?);
    }
    let requests = read.iter().flat_map(|r| r.requests.clone()).collect();
    Ok((view::view(identity, read), requests))
}

/// An app, its Events and the objects govcloud made for it.
pub async fn app(c: &Client, ns: &str, name: &str) -> Result<AppPage, Refusal> {
    let app = Api::<DepartmentApp>::namespaced(c.clone(), ns)
        .get(name)
        .await
        .map_err(|e| Refusal::of(format!("DepartmentApp {ns}/{name}"), &e))?;
    let lp = ListParams::default().fields(&format!("involvedObject.name={name}"));
    let events = match Api::<Event>::namespaced(c.clone(), ns).list(&lp).await {
        Ok(l) => {
            let mut e = l.items;
            e.sort_by_key(|e| std::cmp::Reverse(e.last_timestamp.clone().map(|t| t.0)));
            e.truncate(20);
            Ok(e)
        }
        Err(e) => Err(Refusal::of(format!("Events of {ns}/{name}"), &e)),
    };
    let owned = ListParams::default().labels(&format!(
        "{},{}={name},{}={ns}",
        labels::MANAGED_SELECTOR,
        labels::OWNER_NAME,
        labels::OWNER_NAMESPACE
    ));
    let mut objects = Vec::new();
    macro_rules! owned {
        ($kind:ty, $label:literal) => {
            match Api::<$kind>::namespaced(c.clone(), ns).list(&owned).await {
                Ok(l) => objects.extend(l.items.iter().map(|o| Ok(($label.to_string(), o.name_any())))),
                Err(e) => objects.push(Err(Refusal::of(format!("{} in {ns}", $label), &e))),
            }
        };
    }
    owned!(Deployment, "Deployment");
    owned!(Service, "Service");
    owned!(NetworkPolicy, "NetworkPolicy");
    Ok(AppPage { app, events, objects })
}

/// Files the request the form asks for; its name, or the API server's refusal.
pub async fn file(c: &Client, form: &HashMap<String, String>) -> Result<String, Refusal> {
    let (ns, obj) = super::pages::requests::from_form(form);
    let doing = format!("ResourceRequest in {ns}");
    let obj: DynamicObject = serde_json::from_value(obj).map_err(|e| Refusal {
        doing: doing.clone(),
        code: 0,
        reason: "Error".into(),
        message: e.to_string(),
    })?;
    let ar = ApiResource::erase::<ResourceRequest>(&());
    let made = Api::<DynamicObject>::namespaced_with(c.clone(), &ns, &ar)
        .create(&PostParams::default(), &obj)
        .await
        .map_err(|e| Refusal::of(doing, &e))?;
    Ok(format!("{ns}/{}", made.name_any()))
}

/// The zones the user may list, and the requests it may list still waiting for a decision.
pub async fn queue(c: &Client) -> (Result<Vec<NetworkZone>, Refusal>, Result<Vec<ResourceRequest>, Refusal>) {
    let lp = ListParams::default();
    let zones = Api::<NetworkZone>::all(c.clone())
        .list(&lp)
        .await
        .map(|l| l.items)
        .map_err(|e| Refusal::of("list NetworkZones", &e));
    let requests = Api::<ResourceRequest>::all(c.clone())
        .list(&lp)
        .await
        .map(|l| l.items.into_iter().filter(super::pages::requests::undecided).collect())
        .map_err(|e| Refusal::of("list ResourceRequests in all namespaces", &e));
    (zones, requests)
}

/// Writes the decision the form asks for, as the user (the path `govcloud request approve` takes).
pub async fn decide(c: &Client, form: &HashMap<String, String>) -> Result<String, Refusal> {
    let id = form.get("request").cloned().unwrap_or_default();
    let state = match form.get("state").map(String::as_str) {
        Some("Approved") => crate::api::DecisionState::Approved,
        Some("Rejected") => crate::api::DecisionState::Rejected,
        other => {
            return Err(Refusal {
                doing: format!("ResourceRequest {id}"),
                code: 400,
                reason: "BadRequest".into(),
                message: format!("state {other:?}: approve or reject"),
            });
        }
    };
    let (ns, name) = id.split_once('/').unwrap_or(("", id.as_str()));
    let reason = form.get("reason").map(String::as_str).unwrap_or_default();
    crate::cli::request::write_decision(c.clone(), ns, name, reason, state)
        .await
        .map_err(|e| Refusal::of(format!("ResourceRequest {id}"), &e))?;
    Ok(format!("{id}: {state:?}"))
}
