//! One-shot reads of the live cluster: its audit, pod usage, drift repairs
//! and evaluation (`govcloud audit`, `govcloud evaluate` against a cluster,
//! and each compliance round), and the report CRDs.

use std::collections::BTreeMap;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};
use tracing::{info, warn};

use super::Result;
use super::inventory::{LIST_PAGE, live_inventory_as};
use govcloud_audit::output::ReportApi;
use govcloud_audit::{self as audit, Audit};
use govcloud_core::meta::labels::{MANAGED_BY, MANAGER};
use govcloud_core::model::Model;

/// Audits the live cluster, whose pod and service ranges are
/// `cluster_cidrs`; the API server's addresses are those its EndpointSlices
/// give, and `api_server` besides (the operator's `--api-server`).
pub async fn live_audit(
    client: &Client,
    cluster_cidrs: &[String],
    api_server: &[String],
    cluster: Option<&str>,
) -> Result<Audit> {
    // Kept as text page by page and parsed a few namespaces at a time, as a
    // compliance round audits: never the whole cluster parsed at once.
    let (mut model, objects) = live_inventory_as::<audit::Texts>(client, "", cluster_cidrs, cluster).await?;
    model.api_server = super::inventory::with_given(&model.api_server, api_server);
    Ok(audit::audit_from(&model, &objects, &govcloud_render::Verdicts::default()))
}

/// Pod usage from the cluster's metrics API (`metrics.k8s.io/v1beta1`,
/// served by metrics-server), or why there is none (the API not served,
/// this identity refused, or a failure): the evaluation then says so, never
/// guesses it. Every pod at once where this identity may list them
/// cluster-wide; otherwise (403) namespace by namespace over the tenants'
/// namespaces of `model`, as a self-evaluation or the cluster auditor role
/// may. `pods` say which app a pod runs when an item has no labels.
pub async fn live_usage(
    client: &Client,
    model: &Model,
    pods: &govcloud_evaluate::PodApps,
) -> std::result::Result<Vec<govcloud_evaluate::PodUsage>, govcloud_evaluate::Missing> {
    match usage_at(client, METRICS_API_PODS, pods).await {
        Err(govcloud_evaluate::Missing::UsageForbidden) => {
            let mut all = Vec::new();
            for t in &model.tenants {
                for z in &t.spec.zones {
                    let ns = govcloud_core::meta::names::namespace_name(&t.name_any(), &z.name);
                    let path = format!("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods");
                    all.extend(usage_at(client, &path, pods).await?);
                }
            }
            Ok(all)
        }
        other => other,
    }
}

/// The PodMetricsList at `path`, or why there is none.
async fn usage_at(
    client: &Client,
    path: &str,
    pods: &govcloud_evaluate::PodApps,
) -> std::result::Result<Vec<govcloud_evaluate::PodUsage>, govcloud_evaluate::Missing> {
    use govcloud_evaluate::usage::missing_for_status;
    let req = http::Request::get(path).body(Vec::new()).map_err(|_| missing_for_status(None))?;
    match client.request::<Value>(req).await {
        Ok(list) => govcloud_evaluate::usage::from_list(path, &list, pods).map_err(|e| {
            warn!(error = %e, "the metrics API answered with something else than a PodMetricsList; usage left unknown");
            missing_for_status(None)
        }),
        Err(e) => {
            let status = match &e {
                kube::Error::Api(s) => Some(s.code),
                _ => None,
            };
            tracing::debug!(error = %e, path, "no usage from the metrics API; usage left unknown");
            Err(missing_for_status(status))
        }
    }
}

/// Where the metrics API lists every pod's usage.
const METRICS_API_PODS: &str = "/apis/metrics.k8s.io/v1beta1/pods";

/// Drift repairs per tenant: the `Repaired` Events the API server still
/// keeps (one hour by default, kube-apiserver `--event-ttl`) on Tenants and
/// on DepartmentApps (counted for the app's tenant), each with its count.
pub async fn live_repairs(client: &Client, model: &Model) -> Result<BTreeMap<String, u64>> {
    use k8s_openapi::api::core::v1::Event;
    let ns_tenant: BTreeMap<String, String> = model
        .tenants
        .iter()
        .flat_map(|t| {
            t.spec
                .zones
                .iter()
                .map(move |z| (govcloud_core::meta::names::namespace_name(&t.name_any(), &z.name), t.name_any()))
        })
        .collect();
    let mut out: BTreeMap<String, u64> = model.tenants.iter().map(|t| (t.name_any(), 0)).collect();
    let lp = ListParams::default().fields("reason=Repaired").limit(LIST_PAGE);
    let events: Api<Event> = Api::all(client.clone());
    let mut token: Option<String> = None;
    loop {
        let page = events.list(&if let Some(t) = &token { lp.clone().continue_token(t) } else { lp.clone() }).await?;
        for e in &page.items {
            let o = &e.involved_object;
            let tenant = match o.kind.as_deref() {
                Some("Tenant") => o.name.clone(),
                Some("DepartmentApp") => o.namespace.as_ref().and_then(|ns| ns_tenant.get(ns).cloned()),
                _ => None,
            };
            if let Some(t) = tenant.filter(|t| out.contains_key(t)) {
                let n = e.series.as_ref().and_then(|s| s.count).or(e.count).unwrap_or(1).max(1);
                *out.entry(t).or_default() += n as u64;
            }
        }
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// Evaluates the tenants (绩效评估) from what a compliance round read and
/// the live usage and repairs; no snapshot, so no trend.
/// `requests`: the ResourceRequests as filed (the model has them folded in).
pub async fn live_evaluation(
    client: &Client,
    model: &Model,
    pods: &govcloud_evaluate::PodApps,
    audit: &Audit,
    requests: &[govcloud_core::api::ResourceRequest],
) -> govcloud_evaluate::Evaluation {
    let usage = live_usage(client, model, pods).await;
    let repairs = match live_repairs(client, model).await {
        Ok(r) => Some(r),
        Err(e) => {
            warn!(error = %e, "cannot read the Repaired Events; drift repairs left uncounted");
            None
        }
    };
    let mut pending = govcloud_evaluate::pending_flow_requests(model, audit);
    pending.extend(govcloud_evaluate::pending_resource_requests(requests));
    govcloud_evaluate::evaluate(govcloud_evaluate::Inputs {
        model,
        audit,
        usage: usage.as_deref().map_err(|m| *m),
        repairs: repairs.as_ref(),
        pending: &pending,
        earlier: &[],
        prices: None,
        requests,
        // The operator reads every tenant.
        scope: &govcloud_evaluate::Scope::City,
        domestic: &govcloud_evaluate::DomesticPlatforms::default(),
        now: k8s_openapi::jiff::Timestamp::now(),
    })
}

/// CRDs of the report APIs, installed when the cluster has none: a permissive
/// schema with the fields govcloud writes (the upstream CRDs replace them).
pub fn report_crds(api: ReportApi) -> Vec<Value> {
    // One definition of each API's group, version and kinds: the report's own.
    let (api_version, namespaced, cluster) = api.kinds();
    let (group, version) = api_version.split_once('/').unwrap_or((api_version, ""));
    let kinds = [namespaced, cluster].map(|kind| {
        let scope = if kind == namespaced { "Namespaced" } else { "Cluster" };
        (kind, format!("{}s", kind.to_lowercase()), scope)
    });
    kinds
        .iter()
        .map(|(kind, plural, scope)| {
            json!({
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": format!("{plural}.{group}"), "labels": {MANAGED_BY: MANAGER}},
                "spec": {
                    "group": group, "scope": scope,
                    "names": {"kind": kind, "plural": plural, "singular": kind.to_lowercase(), "listKind": format!("{kind}List")},
                    "versions": [{
                        "name": version, "served": true, "storage": true,
                        "additionalPrinterColumns": [
                            {"name": "Pass", "type": "integer", "jsonPath": ".summary.pass"},
                            {"name": "Fail", "type": "integer", "jsonPath": ".summary.fail"},
                            {"name": "Warn", "type": "integer", "jsonPath": ".summary.warn"},
                            {"name": "Skip", "type": "integer", "jsonPath": ".summary.skip"},
                            {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
                        ],
                        "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                            "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                            "scope": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                            "summary": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                            "results": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
                        }}}
                    }]
                }
            })
        })
        .collect()
}

/// Creates the report CRDs when missing (never replaces installed ones).
pub async fn ensure_report_crds(client: &Client, api: ReportApi) -> Result<()> {
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"));
    let crds: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    for crd in report_crds(api) {
        let name = crd["metadata"]["name"].as_str().unwrap_or_default().to_string();
        if crds.get_opt(&name).await?.is_none() {
            let o: DynamicObject = serde_json::from_value(crd).map_err(|e| super::Error::serialize(name.clone(), e))?;
            match crds.create(&Default::default(), &o).await {
                Ok(_) => info!(crd = %name, "installed report CRD"),
                // Another replica or operator installed it meanwhile.
                Err(kube::Error::Api(s)) if s.code == 409 => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
