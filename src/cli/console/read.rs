//! What a page reads, as the user (every call through the user's client):
//! the API server's refusals are kept, to be shown as they were given.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Node, Pod, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::ApiResource;
use kube::{Client, ResourceExt};

use super::pages::Refusal;
use super::pages::app::AppPage;
use super::pages::pods::{self, PodsIn};
use super::pages::sharing::SharingPage;
use crate::api::{CatalogueEntry, DepartmentApp, NetworkZone, ResourceRequest, SharedResource};
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
    let pods = pods(c, &[ns.to_string()], Some(&format!("{}={name}", labels::APP))).await;
    let zone_mn = zone_names_mn(c, std::slice::from_ref(&app.spec.zone)).await;
    Ok(AppPage { app, events, objects, pods, zone_mn })
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

/// The pods of `namespaces` (those labelled `selector`, when given) and the
/// zones of their nodes, as the user: a list or a node it may not read is
/// the API server's refusal, kept.
pub async fn pods(c: &Client, namespaces: &[String], selector: Option<&str>) -> Vec<PodsIn> {
    let mut lp = ListParams::default();
    if let Some(s) = selector {
        lp = lp.labels(s);
    }
    let mut listed = Vec::new();
    for ns in namespaces {
        let r = Api::<Pod>::namespaced(c.clone(), ns)
            .list(&lp)
            .await
            .map(|l| l.items)
            .map_err(|e| Refusal::of(format!("list pods in {ns}"), &e));
        listed.push((ns.clone(), r));
    }
    let nodes: BTreeSet<String> = listed
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .flatten()
        .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
        .collect();
    let mut zones = BTreeMap::new();
    for n in nodes {
        let z = Api::<Node>::all(c.clone())
            .get(&n)
            .await
            .map(|node| pods::node_zone(&node))
            .map_err(|e| Refusal::of(format!("get node {n}"), &e));
        zones.insert(n, z);
    }
    listed.into_iter().map(|(namespace, r)| PodsIn { namespace, rows: r.map(|p| pods::rows(&p, &zones)) }).collect()
}

/// The Mongolian names (`displayName.mn`) of the zones `names`, of those the
/// user may read by name (a tenant's owner reads its own zones; a name it may
/// not read is left without one: it is a name, not data).
pub async fn zone_names_mn(c: &Client, names: &[String]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for n in names {
        if let Ok(Some(z)) = Api::<NetworkZone>::all(c.clone()).get_opt(n).await
            && let Some(mn) = z.spec.display_name.mn
        {
            out.insert(n.clone(), mn);
        }
    }
    out
}

/// The sharing page as the user may read it: the catalogue (the operator's
/// SharedResources), the requests asked of its apps and those they made.
pub async fn sharing(c: &Client) -> Result<SharingPage, Refusal> {
    let mut reads = Vec::new();
    for t in crate::cli::mine::tenants(c).await.map_err(refusal)? {
        reads.push(crate::cli::mine::of_tenant(c, t).await.map_err(refusal)?);
    }
    let (asked, filed) = super::pages::sharing::model(&reads);
    let lp = ListParams::default().labels(labels::MANAGED_SELECTOR);
    let catalogue = Api::<SharedResource>::all(c.clone())
        .list(&lp)
        .await
        .map(|l| {
            let mut e: Vec<CatalogueEntry> = l.items.into_iter().map(|r| r.spec).collect();
            e.sort_by_key(CatalogueEntry::key);
            e
        })
        .map_err(|e| Refusal::of("list SharedResources (the catalogue)", &e));
    Ok(SharingPage { catalogue, asked, filed })
}

/// Writes the answer the form asks for on the provider's app, as the user:
/// the app's `spec.sharing.answers` with this answer in place
/// ([`crate::api::with_answer`]), by a merge patch at the version read (the
/// path `kubectl patch`/GitOps take). Who may is the API server's answer.
pub async fn answer(c: &Client, form: &HashMap<String, String>) -> Result<String, Refusal> {
    let (ns, name, answer) = super::pages::sharing::answer_of(form)?;
    let doing = format!("DepartmentApp {ns}/{name}");
    let api = Api::<DepartmentApp>::namespaced(c.clone(), &ns);
    let app = api.get(&name).await.map_err(|e| Refusal::of(doing.clone(), &e))?;
    let existing = app.spec.sharing.as_ref().map(|s| s.answers.clone()).unwrap_or_default();
    let (consumer, decision) = (answer.consumer.clone(), answer.decision);
    let answers = crate::api::with_answer(&existing, answer).map_err(|m| Refusal {
        doing: doing.clone(),
        code: 400,
        reason: "BadRequest".into(),
        message: m,
    })?;
    let patch = crate::api::answers_patch(&app.resource_version().unwrap_or_default(), &answers);
    api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch)).await.map_err(|e| Refusal::of(doing, &e))?;
    Ok(format!("{ns}/{name} → {consumer}: {decision:?}"))
}
