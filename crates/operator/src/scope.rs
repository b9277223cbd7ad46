//! Whom a live evaluation covers, as the API server answers for the
//! identity that asks, and what it reads for that scope: never more than
//! the API server lets that identity read, and nothing decided from a field
//! a department writes.
//!
//! ```text
//!   list Tenants (every one) ── allowed ──► city: every tenant (third-party evaluation)
//!        │ 403
//!        ▼
//!   SelfSubjectRulesReview ── get on tenants [names] ──► self-evaluation of those tenants
//! ```
//!
//! A city evaluation reads every kind cluster-wide where it may, and
//! otherwise (the cluster auditor role: namespaced reads are bound per
//! tenant namespace) namespace by namespace over the tenants' namespaces.
//! A self-evaluation reads its tenants (`get`, by name), their apps,
//! requests and pods in their namespaces; no audit (that needs objects only
//! the city's auditors may read) and no other department's anything.

use std::collections::BTreeSet;

use k8s_openapi::api::authorization::v1::{SelfSubjectRulesReview, SelfSubjectRulesReviewSpec};
use kube::api::{Api, ListParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::Value;

use super::inventory::{AUDITED, list_audited_in, list_cluster_policies, live_inventory, read_config_map_digests};
use super::{Error, Result};
use govcloud_core::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use govcloud_core::meta::names;
use govcloud_core::model::Model;
use govcloud_evaluate::Scope;

/// What a scoped live read gives: the model (requests granted), the objects
/// read (for the audit and the pods' apps) and the ResourceRequests as filed.
pub struct ScopedInventory {
    /// The model, approved requests folded in.
    pub model: Model,
    /// Objects as the audit reads them (a self-evaluation: its pods only).
    pub objects: Vec<Value>,
    /// The ResourceRequests as filed.
    pub requests: Vec<ResourceRequest>,
}

fn forbidden(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 403)
}

/// Whom this identity's live evaluation covers: the city when the API
/// server lets it list every Tenant; otherwise the tenants its
/// SelfSubjectRulesReview lets it `get` by name (a department's owners:
/// the ClusterRole `govcloud:tenant:<name>` the operator renders).
pub async fn evaluation_scope(client: &Client) -> Result<Scope> {
    match Api::<Tenant>::all(client.clone()).list(&ListParams::default().limit(1)).await {
        Ok(_) => return Ok(Scope::City),
        Err(e) if forbidden(&e) => {}
        Err(e) => return Err(e.into()),
    }
    // Rules bound cluster-wide (ClusterRoleBindings) are in every namespace's review.
    let review = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec { namespace: Some("default".into()) },
        ..Default::default()
    };
    let answer = Api::<SelfSubjectRulesReview>::all(client.clone()).create(&PostParams::default(), &review).await?;
    let status = answer.status.unwrap_or_default();
    // Named ones only: an identity that may get every Tenant but not list
    // them cannot be told which to read (and is told what to use instead).
    let named = match govcloud_core::meta::access::readable_tenants(&status.resource_rules) {
        govcloud_core::meta::access::Readable::Named(names) => names,
        govcloud_core::meta::access::Readable::All => Default::default(),
    };
    // Each named tenant read back: a name the rules give but the API server refuses is not this identity's.
    let mut tenants = Vec::new();
    for name in named {
        match Api::<Tenant>::all(client.clone()).get(&name).await {
            Ok(_) => tenants.push(name),
            Err(e) if forbidden(&e) || matches!(&e, kube::Error::Api(s) if s.code == 404) => {
                tracing::warn!(tenant = %name, error = %e, "the rules name this tenant but it cannot be read; left out");
            }
            Err(e) => return Err(e.into()),
        }
    }
    if tenants.is_empty() {
        return Err(Error::Scope(
            "the API server refuses this identity the list of Tenants, and its SelfSubjectRulesReview grants `get` on no Tenant by name: there is nothing it may evaluate. A department's owners read their own tenant (ClusterRole govcloud:tenant:<name>); the city's evaluators need the cluster auditor role (ClusterRole govcloud-auditor, through a tenant with auditScope: cluster); offline, evaluate exported manifests with -f".into(),
        ));
    }
    let incomplete = if status.incomplete {
        format!(" (the review says it is incomplete: {})", status.evaluation_error.unwrap_or_default())
    } else {
        String::new()
    };
    let basis = format!(
        "the API server refused this identity the list of Tenants (403 Forbidden); its SelfSubjectRulesReview grants get on tenants {}{incomplete}",
        tenants.join(", ")
    );
    Ok(Scope::SelfEvaluation { tenants, zones: Vec::new(), basis })
}

/// What the evaluation of `scope` reads: the city as a live audit reads it
/// (or, where this identity may read namespaced kinds only in tenant
/// namespaces, namespace by namespace), or the self-evaluated tenants and
/// what is theirs (then the scope's zones become those whose namespaces
/// it could read).
pub async fn scoped_inventory(
    client: &Client,
    scope: &mut Scope,
    cluster_cidrs: &[String],
    cluster: Option<&str>,
) -> Result<ScopedInventory> {
    match scope {
        Scope::City => {
            let whole = async {
                let (model, objects) = live_inventory(client, "", cluster_cidrs, cluster).await?;
                let requests = Api::<ResourceRequest>::all(client.clone()).list(&ListParams::default()).await?.items;
                Ok::<_, Error>(ScopedInventory { model, objects, requests })
            };
            match whole.await {
                Err(Error::Kube(e)) if forbidden(&e) => {
                    tracing::info!(error = %e, "cannot list every object cluster-wide; reading the tenant namespaces one by one");
                    let tenants = Api::<Tenant>::all(client.clone()).list(&ListParams::default()).await?.items;
                    let zones = Api::<NetworkZone>::all(client.clone()).list(&ListParams::default()).await?.items;
                    let (read, _) = by_namespace(client, tenants, zones, true, cluster_cidrs, cluster).await?;
                    Ok(read)
                }
                other => other,
            }
        }
        Scope::SelfEvaluation { tenants, zones, .. } => {
            let mut read = Vec::new();
            for name in tenants.iter() {
                read.push(Api::<Tenant>::all(client.clone()).get(name).await?);
            }
            // A department may get its own zones by name but not list them:
            // the model has none, and the zones the evaluation counts as
            // hosted here are those where its namespaces could be read.
            let (inventory, readable) = by_namespace(client, read, Vec::new(), false, cluster_cidrs, cluster).await?;
            *zones = readable;
            Ok(inventory)
        }
    }
}

/// The tenants' apps and requests, namespace by namespace (a namespace this
/// identity may not read is left out: not hosted here, or not its own);
/// with `audited`, every audited kind too (cluster-wide where allowed, else
/// in those namespaces), else their pods. `zones`: the NetworkZones read
/// (none for a department). Also gives the zones whose namespaces were read.
async fn by_namespace(
    client: &Client,
    tenants: Vec<Tenant>,
    zones: Vec<NetworkZone>,
    audited: bool,
    cluster_cidrs: &[String],
    cluster: Option<&str>,
) -> Result<(ScopedInventory, Vec<String>)> {
    let (mut apps, mut requests, mut readable, mut zones_read) = (Vec::new(), Vec::new(), Vec::new(), BTreeSet::new());
    for t in &tenants {
        for z in &t.spec.zones {
            let ns = names::namespace_name(&t.name_any(), &z.name);
            match Api::<DepartmentApp>::namespaced(client.clone(), &ns).list(&ListParams::default()).await {
                Ok(l) => apps.extend(l.items),
                Err(e) if forbidden(&e) => {
                    tracing::warn!(namespace = %ns, "cannot list DepartmentApps here (forbidden): the namespace is left out");
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
            match Api::<ResourceRequest>::namespaced(client.clone(), &ns).list(&ListParams::default()).await {
                Ok(l) => requests.extend(l.items),
                Err(e) if forbidden(&e) => {
                    tracing::warn!(namespace = %ns, "cannot list ResourceRequests here (forbidden): left uncounted")
                }
                Err(e) => return Err(e.into()),
            }
            zones_read.insert(z.name.clone());
            readable.push(ns);
        }
    }
    apps.retain(|a| a.metadata.deletion_timestamp.is_none());
    requests.retain(|r| r.metadata.deletion_timestamp.is_none());
    let mut model = Model {
        zones,
        tenants,
        apps,
        requests: requests.clone(),
        cluster_cidrs: cluster_cidrs.to_vec(),
        // Not read by a department's identity (no right on `default`).
        api_server: Vec::new(),
        cluster: cluster.map(String::from),
        config_map_digests: Default::default(),
        admin_tier: false,
    };
    let mut objects: Vec<Value> = requests.iter().filter_map(|r| serde_json::to_value(r).ok()).collect();
    if audited {
        model.config_map_digests = read_config_map_digests(client, &model.apps).await?;
        for at in 0..AUDITED.len() {
            objects.extend(list_where_allowed(client, at, &readable).await?);
        }
        if super::admin_tier::served(client).await? {
            match list_cluster_policies(client).await {
                Ok(policies) => {
                    model.admin_tier = true;
                    objects.extend(policies);
                }
                Err(Error::Kube(e)) if forbidden(&e) => {
                    tracing::warn!(
                        "cannot list ClusterNetworkPolicies (forbidden): isolation is judged by NetworkPolicies alone"
                    )
                }
                Err(e) => return Err(e),
            }
        }
    } else if let Some(pods) = AUDITED.iter().position(|k| k.2 == "Pod") {
        for ns in &readable {
            match list_audited_in(client, pods, Some(ns)).await {
                Ok(p) => objects.extend(p),
                Err(Error::Kube(e)) if forbidden(&e) => {}
                Err(e) => return Err(e),
            }
        }
    }
    govcloud_render::grant_requests(&mut model, k8s_openapi::jiff::Timestamp::now());
    Ok((ScopedInventory { model, objects, requests }, zones_read.into_iter().collect()))
}

/// Audited kind `at`, cluster-wide when allowed, else in each of `namespaces`
/// where allowed (a kind refused everywhere is left out, with a warning).
async fn list_where_allowed(client: &Client, at: usize, namespaces: &[String]) -> Result<Vec<Value>> {
    match list_audited_in(client, at, None).await {
        Err(Error::Kube(e)) if forbidden(&e) => {}
        other => return other,
    }
    let mut out = Vec::new();
    for ns in namespaces {
        match list_audited_in(client, at, Some(ns)).await {
            Ok(o) => out.extend(o),
            Err(Error::Kube(e)) if forbidden(&e) => {
                tracing::warn!(kind = AUDITED[at].2, namespace = %ns, "cannot list (forbidden): left out of the audit");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
