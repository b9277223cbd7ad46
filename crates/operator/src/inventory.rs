//! What a live audit reads, and the copy of it the operator keeps: the
//! audited kinds, paged lists of them as the checks read objects, and the
//! [`Inventory`] the report loop's watches fill (so a compliance round
//! reads memory, not the cluster).

use std::collections::BTreeMap;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Client, ResourceExt};
use serde_json::Value;

use super::Result;
use govcloud_audit::{Packed, Packer};
use govcloud_core::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use govcloud_core::meta::labels::{LAST_APPLIED, MANAGED_SELECTOR as MANAGED};
use govcloud_core::model::Model;

/// Kinds read for a live audit: (group, version, kind, label selector).
pub const AUDITED: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "Namespace", ""),
    ("", "v1", "Node", ""),
    ("", "v1", "Pod", ""),
    ("", "v1", "Service", ""),
    ("", "v1", "ResourceQuota", ""),
    ("", "v1", "LimitRange", ""),
    ("apps", "v1", "Deployment", ""),
    ("apps", "v1", "StatefulSet", ""),
    ("apps", "v1", "DaemonSet", ""),
    ("apps", "v1", "ReplicaSet", ""),
    ("", "v1", "ReplicationController", ""),
    ("", "v1", "PersistentVolumeClaim", ""),
    ("batch", "v1", "Job", ""),
    ("batch", "v1", "CronJob", ""),
    ("networking.k8s.io", "v1", "NetworkPolicy", ""),
    ("networking.k8s.io", "v1", "Ingress", ""),
    ("policy", "v1", "PodDisruptionBudget", ""),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", ""),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", ""),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", MANAGED),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", MANAGED),
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", MANAGED),
    (govcloud_core::meta::GROUP, govcloud_core::meta::VERSION, "DepartmentApp", ""),
    (govcloud_core::meta::GROUP, govcloud_core::meta::VERSION, "SharedResource", MANAGED),
];

/// The audited kinds a compliance round reads from the operator's own
/// stores (its node watch, the model's apps) rather than from the report
/// loop's watches ([`watched`]).
pub(crate) const FROM_STORES: &[&str] = &["Node", "DepartmentApp"];

/// The audited kinds the report loop watches and keeps ([`Inventory`]):
/// every one a round does not read from the operator's own stores. A round
/// reads the kept inventory only once each of these is listed, so a kind
/// left out here made every round list the whole cluster instead.
pub(crate) fn watched() -> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
    AUDITED.iter().copied().filter(|(_, _, kind, _)| !FROM_STORES.contains(kind))
}

/// One page of a list, as JSON values.
#[derive(serde::Deserialize)]
struct Page {
    #[serde(default)]
    items: Vec<Value>,
    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta,
}

/// Objects per list request of a live audit: a large cluster is read in
/// pages, not in one response held whole.
pub(super) const LIST_PAGE: u32 = 500;

/// Where a live listing puts the objects it reads, each as soon as its page
/// is read: parsed values (what a one-shot command holds), or their compact
/// texts ([`govcloud_audit::Texts`]: what a compliance round audits, a few
/// namespaces parsed at a time). Listed as texts, the cluster is never held
/// parsed whole: at a province's size that was 400 MiB, the operator's
/// largest peak (its first round after a restart lists the cluster).
pub trait Listed: Default + Send {
    /// Adds one object, as the audit reads it ([`as_audited`]).
    fn add(&mut self, v: Value);
    /// Adds every object of `other`, in its order.
    fn append(&mut self, other: Self);
}

impl Listed for Vec<Value> {
    fn add(&mut self, v: Value) {
        self.push(v);
    }
    fn append(&mut self, mut other: Self) {
        Vec::append(self, &mut other);
    }
}

impl Listed for govcloud_audit::Texts {
    fn add(&mut self, v: Value) {
        self.push_value(&v);
    }
    fn append(&mut self, other: Self) {
        govcloud_audit::Texts::append(self, other);
    }
}

/// Reads the model (with the cluster's pod and service ranges as given) and
/// the audited objects from the cluster.
pub async fn live_inventory(
    client: &Client,
    selector: &str,
    cluster_cidrs: &[String],
    cluster: Option<&str>,
) -> Result<(Model, Vec<Value>)> {
    live_inventory_as(client, selector, cluster_cidrs, cluster).await
}

/// [`live_inventory`], the objects put in `L` page by page.
pub async fn live_inventory_as<L: Listed>(
    client: &Client,
    selector: &str,
    cluster_cidrs: &[String],
    cluster: Option<&str>,
) -> Result<(Model, L)> {
    use futures::StreamExt;
    let lp = if selector.is_empty() { ListParams::default() } else { ListParams::default().labels(selector) };
    let model = Model {
        zones: Api::<NetworkZone>::all(client.clone())
            .list(&lp)
            .await?
            .items
            .into_iter()
            .filter(|z| z.metadata.deletion_timestamp.is_none())
            .collect(),
        tenants: Api::<Tenant>::all(client.clone())
            .list(&lp)
            .await?
            .items
            .into_iter()
            .filter(|t| t.metadata.deletion_timestamp.is_none())
            .collect(),
        apps: Api::<DepartmentApp>::all(client.clone())
            .list(&lp)
            .await?
            .items
            .into_iter()
            .filter(|a| a.metadata.deletion_timestamp.is_none())
            .collect(),
        requests: Api::<ResourceRequest>::all(client.clone())
            .list(&lp)
            .await?
            .items
            .into_iter()
            .filter(|r| r.metadata.deletion_timestamp.is_none())
            .collect(),
        cluster_cidrs: cluster_cidrs.to_vec(),
        api_server: Vec::new(),
        cluster: cluster.map(String::from),
        config_map_digests: Default::default(),
        admin_tier: false,
    };
    let mut model = model;
    model.config_map_digests = read_config_map_digests(client, &model.apps).await?;
    // The requests as filed and decided are audited too (GC-REQ-001).
    let mut objects = L::default();
    model.requests.iter().filter_map(|r| serde_json::to_value(r).ok()).for_each(|v| objects.add(v));
    // Audited against what is granted now: an approved request's quota is no drift.
    govcloud_render::grant_requests(&mut model, k8s_openapi::jiff::Timestamp::now());
    // Several kinds at once (their pages in order): the reads wait on the
    // API server far more than on this process.
    let kinds = futures::stream::iter((0..AUDITED.len()).map(|i| list_audited::<L>(client, i)))
        .buffered(LISTS_AT_ONCE)
        .collect::<Vec<_>>()
        .await;
    for listed in kinds {
        objects.append(listed?);
    }
    // Where the API server listens, as a pod is shown it: a target of the
    // reachability matrix (govcloud_audit::api_server).
    match list_api_server_slices(client).await {
        Ok(slices) => {
            // The model's too: what the operator renders the egress with.
            model.api_server = govcloud_audit::api_server::addresses(&govcloud_audit::api_server::endpoints(&slices));
            slices.into_iter().for_each(|v| objects.add(v));
        }
        Err(super::Error::Kube(kube::Error::Api(s))) if s.code == 403 => {
            tracing::warn!(
                "cannot list the EndpointSlices of Service default/kubernetes (forbidden): the audit does not judge who reaches the API server; grant list on endpointslices.discovery.k8s.io in namespace default"
            );
        }
        Err(e) => return Err(e),
    }
    // ClusterNetworkPolicies, every one (others' may deny or accept too), where the cluster serves them.
    if super::admin_tier::served(client).await? {
        match list_cluster_policies(client).await {
            Ok(policies) => {
                model.admin_tier = true;
                policies.into_iter().for_each(|v| objects.add(v));
            }
            // An identity that may not read them (the cluster auditor role
            // predates the admin tier): judged by NetworkPolicies alone, as
            // on a cluster without the API.
            Err(super::Error::Kube(kube::Error::Api(s))) if s.code == 403 => {
                tracing::warn!(
                    "cannot list ClusterNetworkPolicies (forbidden): the audit judges isolation by NetworkPolicies alone; grant list on clusternetworkpolicies.policy.networking.k8s.io"
                );
            }
            Err(e) => return Err(e),
        }
    }
    Ok((model, objects))
}

/// The digests of the ConfigMaps the apps read (their pod templates carry
/// one of them), read namespace by namespace: only the namespaces of apps
/// that read any.
pub(super) async fn read_config_map_digests(
    client: &Client,
    apps: &[DepartmentApp],
) -> Result<BTreeMap<String, String>> {
    let mut wanted: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for a in apps {
        let names = a.spec.config_maps();
        if !names.is_empty() {
            wanted.entry(a.namespace().unwrap_or_default()).or_default().extend(names.into_iter().map(str::to_string));
        }
    }
    let mut out = BTreeMap::new();
    for (ns, names) in wanted {
        let api: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(client.clone(), &ns);
        let listed = match api.list(&ListParams::default()).await {
            Ok(l) => l.items,
            // An identity that may not read them: the apps' pod templates are
            // judged as if their ConfigMaps were absent (drift, if they exist).
            Err(kube::Error::Api(s)) if s.code == 403 => {
                tracing::warn!(namespace = %ns, "cannot list ConfigMaps (forbidden): the digests of the apps' ConfigMaps are unknown");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        for cm in listed {
            let name = cm.name_any();
            if names.contains(&name) {
                let json = serde_json::json!({"data": &cm.data, "binaryData": &cm.binary_data});
                out.insert(
                    govcloud_core::model::config_map_key(&ns, &name),
                    govcloud_core::model::config_map_digest(&json),
                );
            }
        }
    }
    Ok(out)
}

/// The API server's addresses read from the cluster, and those given
/// besides (`--api-server`), without repeats: what a model's `api_server`
/// holds in the operator and in a live audit alike.
pub fn with_given(read: &[String], given: &[String]) -> Vec<String> {
    let mut out: Vec<String> = read.iter().chain(given).cloned().collect();
    out.sort();
    out.dedup();
    out
}

/// The EndpointSlices of Service `default/kubernetes` (the API server's
/// addresses), as the audit reads objects.
pub(super) async fn list_api_server_slices(client: &Client) -> Result<Vec<Value>> {
    use k8s_openapi::api::discovery::v1::EndpointSlice;
    let lp = ListParams::default().labels("kubernetes.io/service-name=kubernetes");
    let list = Api::<EndpointSlice>::namespaced(client.clone(), "default").list(&lp).await?;
    let mut out = Vec::new();
    for o in list.items {
        let mut v = serde_json::to_value(&o)
            .map_err(|e| super::Error::serialize(format!("EndpointSlice/default/{}", o.name_any()), e))?;
        as_audited(&mut v, "discovery.k8s.io/v1", "EndpointSlice");
        out.push(v);
    }
    Ok(out)
}

/// Every ClusterNetworkPolicy, as the audit reads objects.
pub(super) async fn list_cluster_policies(client: &Client) -> Result<Vec<Value>> {
    use govcloud_core::meta::cluster_policy::ClusterNetworkPolicy;
    let ar = ApiResource::erase::<ClusterNetworkPolicy>(&());
    let list = Api::<DynamicObject>::all_with(client.clone(), &ar).list(&ListParams::default()).await?;
    let mut out = Vec::new();
    for o in list.items {
        let mut v = serde_json::to_value(&o)
            .map_err(|e| super::Error::serialize(format!("ClusterNetworkPolicy/{}", o.name_any()), e))?;
        as_audited(&mut v, &ar.api_version, &ar.kind);
        out.push(v);
    }
    Ok(out)
}

/// Kinds a live audit reads at once.
const LISTS_AT_ONCE: usize = 4;

/// Every object of one audited kind, page by page, as the checks read them.
/// (By position in [`AUDITED`]: a borrowed tuple trips the compiler's
/// lifetime inference for futures in a stream, rust-lang/rust#102211.)
async fn list_audited<L: Listed>(client: &Client, at: usize) -> Result<L> {
    list_audited_as(client, at, None).await
}

/// [`list_audited`] in one namespace (`None`: every namespace), as values.
pub(super) async fn list_audited_in(client: &Client, at: usize, namespace: Option<&str>) -> Result<Vec<Value>> {
    list_audited_as(client, at, namespace).await
}

/// [`list_audited_in`], each page's objects put in `L` before the next page is read.
async fn list_audited_as<L: Listed>(client: &Client, at: usize, namespace: Option<&str>) -> Result<L> {
    let (group, version, kind, sel) = AUDITED[at];
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
    let lp = if sel.is_empty() { ListParams::default() } else { ListParams::default().labels(sel) }.limit(LIST_PAGE);
    let path = <DynamicObject as kube::Resource>::url_path(&ar, namespace);
    let mut objects = L::default();
    let mut token: Option<String> = None;
    loop {
        let lp = if let Some(t) = &token { lp.clone().continue_token(t) } else { lp.clone() };
        // Straight into JSON values (what the checks read), not through typed objects.
        let req = kube::core::Request::new(&path).list(&lp).map_err(kube::Error::BuildRequest)?;
        let page: Page = client.request(req).await?;
        for mut v in page.items {
            as_audited(&mut v, &ar.api_version, kind);
            objects.add(v);
        }
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(objects);
        }
    }
}

/// An object as the audit reads it: without field ownership (often half an
/// object), status (a pod's is most of it; of a claim only its phase is
/// kept, which GC-VOL-002 reads, and of an app its flows and sharing
/// requests, which GC-SHR-002/003 read), resourceVersion (it changes with
/// every status update; no check reads it, and without it an object whose
/// status alone changed is judged the same as before) and the copy of the
/// object that `kubectl apply` keeps; with its type (items of a list carry
/// none).
pub fn as_audited(v: &mut Value, api_version: &str, kind: &str) {
    if let Some(o) = v.as_object_mut() {
        let status = o.remove("status");
        if kind == "PersistentVolumeClaim"
            && let Some(phase) = status.as_ref().and_then(|s| s.get("phase")).cloned()
        {
            o.insert("status".into(), serde_json::json!({ "phase": phase }));
        }
        // Of an app's status, what the sharing audit reads (GC-SHR-002/003):
        // its flows as decided and its requests with their deadlines, which
        // change only when a decision or a deadline does.
        if kind == "DepartmentApp"
            && let Some(status) = status.as_ref().and_then(Value::as_object)
        {
            let kept: serde_json::Map<String, Value> = ["flows", "sharing"]
                .into_iter()
                .filter_map(|k| Some((k.to_string(), status.get(k)?.clone())))
                .collect();
            if !kept.is_empty() {
                o.insert("status".into(), Value::Object(kept));
            }
        }
        if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
            meta.remove("resourceVersion");
            if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                a.remove(LAST_APPLIED);
            }
        }
        o.insert("apiVersion".into(), Value::String(api_version.to_string()));
        o.insert("kind".into(), Value::String(kind.to_string()));
    }
}

/// The audited objects as the report loop's watches keep them, so a round
/// reads them here rather than listing the cluster again (at a province's
/// size the lists took longer than the audit). Each object is kept as the
/// compact JSON text of what the audit reads ([`as_audited`]): a few
/// kilobytes, where parsed JSON would take ten times that. Per watched kind
/// of [`AUDITED`]; a kind is usable once its watch has listed it, and a
/// relist replaces it whole when it completes.
#[derive(Clone, Default)]
pub(crate) struct Inventory(std::sync::Arc<std::sync::Mutex<BTreeMap<&'static str, KindInventory>>>);

#[derive(Default)]
struct KindInventory {
    objects: BTreeMap<(String, String), Packed>,
    /// Filled during a relist, then swapped in.
    relist: Option<BTreeMap<(String, String), Packed>>,
    listed: bool,
    /// Packs the kind's texts against a dictionary of its first ones.
    packer: Packer,
}

impl Inventory {
    fn kinds(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, KindInventory>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts keeping `kind` (not usable until listed).
    pub(super) fn watch(&self, kind: &'static str) {
        self.kinds().entry(kind).or_default();
    }

    /// Records a watch event of `kind`.
    pub(super) fn event(
        &self,
        kind: &'static str,
        ev: &kube::runtime::watcher::Event<DynamicObject>,
        api_version: &str,
    ) {
        use kube::runtime::watcher::Event;
        let mut kinds = self.kinds();
        let k = kinds.entry(kind).or_default();
        let packer = &mut k.packer;
        let mut text = |o: &DynamicObject| -> Option<((String, String), Packed)> {
            let mut v = serde_json::to_value(o).ok()?;
            as_audited(&mut v, api_version, kind);
            let packed = packer.pack(&v.to_string());
            // What is kept, on the pages of what lasts (the text's JSON and
            // the packing's work are not).
            Some(govcloud_core::memory::lasting(|| {
                ((o.namespace().unwrap_or_default(), o.name_any()), packed.copied())
            }))
        };
        match ev {
            Event::Apply(o) => {
                if let Some((at, t)) = text(o) {
                    govcloud_core::memory::lasting(|| k.objects.insert(at, t));
                }
            }
            Event::Delete(o) => {
                k.objects.remove(&(o.namespace().unwrap_or_default(), o.name_any()));
            }
            Event::Init => k.relist = Some(BTreeMap::new()),
            Event::InitApply(o) => {
                if let Some((at, t)) = text(o) {
                    govcloud_core::memory::lasting(|| k.relist.get_or_insert_with(BTreeMap::new).insert(at, t));
                }
            }
            Event::InitDone => {
                if let Some(fresh) = k.relist.take() {
                    k.objects = fresh;
                }
                k.listed = true;
            }
        }
    }

    /// Whether every watched kind is listed (and some kind is watched): what
    /// a round reads from here rather than from a listing of its own.
    pub(super) fn listed(&self) -> bool {
        let kinds = self.kinds();
        !kinds.is_empty() && kinds.values().all(|k| k.listed)
    }

    /// The watch of `kind` failed: what is kept may miss changes, so it is not
    /// used until the watch has listed the kind again. The auditor must see
    /// what runs, never a copy that stopped following it.
    pub(super) fn unsure(&self, kind: &'static str) {
        if let Some(k) = self.kinds().get_mut(kind) {
            k.listed = false;
        }
    }

    /// Adds every kept object of `kind` to `texts` (its text shared, not
    /// copied, and not parsed: an audit parses a few namespaces at a time);
    /// `None` until the kind is listed.
    pub(super) fn texts(&self, kind: &str, texts: &mut govcloud_audit::Texts) -> Option<()> {
        let kinds = self.kinds();
        let k = kinds.get(kind).filter(|k| k.listed)?;
        for ((ns, name), text) in &k.objects {
            texts.push(kind, ns, name, text.clone());
        }
        Some(())
    }

    /// Every kept object of `kind`, parsed; `None` until the kind is listed.
    #[cfg(test)]
    pub(super) fn objects(&self, kind: &str) -> Option<Vec<Value>> {
        let kinds = self.kinds();
        let k = kinds.get(kind).filter(|k| k.listed)?;
        Some(k.objects.values().filter_map(|t| serde_json::from_slice(&t.unpack()?).ok()).collect())
    }
}

#[cfg(test)]
mod tests;
