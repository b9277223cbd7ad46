//! What the compliance, evaluation and city pages read, as the user: the
//! API server's refusals kept, to be shown as it gave them.

use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Client, ResourceExt};

use super::refusal;
use crate::api::{DepartmentApp, NetworkZone, Tenant};
use crate::audit::filter::Filter;
use crate::audit::output::ReportApi;
use crate::cli::console::pages::Refusal;
use crate::cli::console::pages::city::{City, LATEST, zone_rows};
use crate::cli::console::pages::compliance::{ReportRead, compliance};
use crate::meta::labels::MANAGED_SELECTOR;
use crate::meta::names::namespace_name;

/// The reports the user may read, the reads refused, and the tenants they were looked for in.
#[derive(Clone, Debug, Default)]
pub struct Reports {
    /// The reports read.
    pub reads: Vec<ReportRead>,
    /// The lists the API server refused.
    pub refused: Vec<Refusal>,
    /// The tenants the user may read.
    pub tenants: Vec<Tenant>,
}

/// Lists read at once, namespace by namespace.
const LISTS_AT_ONCE: usize = 8;

/// `list` of each namespace of `tenants`, [`LISTS_AT_ONCE`] at a time, in order.
async fn by_namespace<F, T>(tenants: &[Tenant], list: impl Fn(String) -> F) -> Vec<T>
where
    F: std::future::Future<Output = T>,
{
    use futures::StreamExt;
    let namespaces: Vec<String> =
        tenants.iter().flat_map(|t| t.spec.zones.iter().map(|z| namespace_name(&t.name_any(), &z.name))).collect();
    futures::stream::iter(namespaces.into_iter().map(list)).buffered(LISTS_AT_ONCE).collect().await
}

/// The report kinds of `api`: (namespaced, cluster).
fn kinds(api: ReportApi) -> (ApiResource, ApiResource) {
    let (api_version, kind, cluster) = api.kinds();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let ar = |k: &str| {
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, k), &format!("{}s", k.to_lowercase()))
    };
    (ar(kind), ar(cluster))
}

fn read_of(o: DynamicObject, tenants: &[Tenant]) -> Option<ReportRead> {
    let namespace = o.namespace();
    // The tenant and zone whose namespace it is.
    let owner = namespace.as_deref().and_then(|ns| {
        tenants.iter().find_map(|t| {
            t.spec
                .zones
                .iter()
                .find(|z| namespace_name(&t.name_any(), &z.name) == ns)
                .map(|z| (t.name_any(), z.name.clone()))
        })
    });
    Some(ReportRead {
        namespace,
        tenant: owner.as_ref().map(|o| o.0.clone()),
        zone: owner.map(|o| o.1),
        report: serde_json::to_value(o).ok()?,
    })
}

/// govcloud's compliance reports the user may read: every namespace's at
/// once when the API server allows it, else the namespaces of each tenant
/// it lets the user read, one by one; and the cluster report. OpenReports
/// (the operator's default); where that API is not served (404), the policy
/// working group's (`govcloud run --reports wgpolicy`).
pub async fn reports(c: &Client) -> Result<Reports, Refusal> {
    let tenants = crate::cli::mine::tenants(c).await.map_err(refusal)?;
    let mut out = reports_of(c, &tenants, ReportApi::Openreports).await;
    if out.refused.iter().any(|r| r.code == 404) {
        let other = reports_of(c, &tenants, ReportApi::Wgpolicy).await;
        if !other.refused.iter().any(|r| r.code == 404) {
            out = other;
        }
    }
    out.tenants = tenants;
    Ok(out)
}

/// [`reports`] of one report API.
async fn reports_of(c: &Client, tenants: &[Tenant], api: ReportApi) -> Reports {
    let (report, cluster_report) = kinds(api);
    let lp = ListParams::default().labels(MANAGED_SELECTOR);
    let mut out = Reports::default();
    match Api::<DynamicObject>::all_with(c.clone(), &report).list(&lp).await {
        Ok(l) => out.reads.extend(l.items.into_iter().filter_map(|o| read_of(o, tenants))),
        Err(kube::Error::Api(s)) if s.code == 403 => {
            let lists = by_namespace(tenants, |ns| {
                let (api, lp) = (Api::<DynamicObject>::namespaced_with(c.clone(), &ns, &report), lp.clone());
                async move { (ns, api.list(&lp).await) }
            })
            .await;
            for (ns, listed) in lists {
                match listed {
                    Ok(l) => out.reads.extend(l.items.into_iter().filter_map(|o| read_of(o, tenants))),
                    Err(e) => out.refused.push(Refusal::of(format!("list {}s in {ns}", report.kind), &e)),
                }
            }
        }
        Err(e) => out.refused.push(Refusal::of(format!("list {}s in all namespaces", report.kind), &e)),
    }
    match Api::<DynamicObject>::all_with(c.clone(), &cluster_report).list(&lp).await {
        Ok(l) => out.reads.extend(l.items.into_iter().filter_map(|o| read_of(o, tenants))),
        Err(e) => out.refused.push(Refusal::of(format!("list {}s", cluster_report.kind), &e)),
    }
    out
}

/// The city as the user may read it: the zones, tenants and nodes (any of
/// them refused: the page is that refusal), the apps of the namespaces it
/// may list, the latest failures of the reports it may read.
pub async fn city(c: &Client) -> Result<City, Refusal> {
    let lp = ListParams::default();
    let zones = Api::<NetworkZone>::all(c.clone()).list(&lp).await.map_err(|e| Refusal::of("list NetworkZones", &e))?;
    let tenants = Api::<Tenant>::all(c.clone()).list(&lp).await.map_err(|e| Refusal::of("list Tenants", &e))?;
    let nodes = Api::<Node>::all(c.clone()).list(&lp).await.map_err(|e| Refusal::of("list Nodes", &e))?;
    let (zones, tenants): (Vec<NetworkZone>, Vec<Tenant>) = (zones.items, tenants.items);
    let nodes: Vec<serde_json::Value> = nodes.items.iter().filter_map(|n| serde_json::to_value(n).ok()).collect();
    // The apps: all at once, or namespace by namespace where the API server allows.
    let mut unread = Vec::new();
    let apps = match Api::<DepartmentApp>::all(c.clone()).list(&lp).await {
        Ok(l) => l.items,
        Err(kube::Error::Api(s)) if s.code == 403 => {
            let lists = by_namespace(&tenants, |ns| {
                let (api, lp) = (Api::<DepartmentApp>::namespaced(c.clone(), &ns), lp.clone());
                async move { (ns, api.list(&lp).await) }
            })
            .await;
            let mut apps = Vec::new();
            for (ns, listed) in lists {
                match listed {
                    Ok(l) => apps.extend(l.items),
                    Err(e) => unread.push(Refusal::of(format!("list DepartmentApps in {ns}"), &e)),
                }
            }
            apps
        }
        Err(e) => return Err(Refusal::of("list DepartmentApps", &e)),
    };
    let rows = zone_rows(&zones, &nodes, &tenants);
    let model = crate::model::Model {
        zones,
        tenants,
        apps,
        requests: Vec::new(),
        cluster_cidrs: Vec::new(),
        cluster: None,
        config_map_digests: Default::default(),
        admin_tier: false,
        // The picture draws apps and zones, not reachability.
        api_server: Vec::new(),
    };
    let picture = crate::audit::picture(&model);
    let (failures, refused) = match reports(c).await {
        Ok(r) => {
            let mut m = compliance(&r.reads, &Filter { failures_only: true, ..Filter::default() });
            m.rows.truncate(LATEST);
            (m.rows, r.refused)
        }
        Err(r) => (Vec::new(), vec![r]),
    };
    Ok(City { zones: rows, picture, unread, failures, refused })
}

/// The live evaluation as the user may read it (`govcloud evaluate`'s).
pub async fn evaluation(c: &Client) -> Result<crate::evaluate::Evaluation, Refusal> {
    crate::cli::evaluate::live(c).await.map_err(refusal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_kinds_of_both_apis_and_their_plurals() {
        let (r, c) = kinds(ReportApi::Openreports);
        assert_eq!(
            (r.api_version.as_str(), r.plural.as_str(), c.plural.as_str()),
            ("openreports.io/v1alpha1", "reports", "clusterreports")
        );
        let (r, c) = kinds(ReportApi::Wgpolicy);
        assert_eq!(
            (r.group.as_str(), r.plural.as_str(), c.kind.as_str(), c.plural.as_str()),
            ("wgpolicyk8s.io", "policyreports", "ClusterPolicyReport", "clusterpolicyreports")
        );
    }
}
