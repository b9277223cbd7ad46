//! Pure rendering of desired state: declared resources in, the complete and
//! deterministic set of Kubernetes objects govcloud owns out. No client here.
//!
//! ```text
//!   Model ─► index (placements, problems) ─► flows (granted / pending / refused)
//!                    │                                 │
//!                    ├─► render_zone     (admission bindings; admin::render where the
//!                    │                    cluster serves ClusterNetworkPolicy: Admin-tier isolation)
//!                    ├─► tenant::render  (namespace, quota, limits, bindings, zone policies;
//!                    │                    catalogue::render: its SharedResources, from the flows)
//!                    └─► app::render     (deployment, service, pdb, ingress, flow policies)
//! ```
//!
//! Tenants are rendered as granted: [`grant_requests`] folds departments'
//! approved ResourceRequests into them first (`requests`).
//!
//! Whatever breaks a rule is left out of the output and reported as a
//! [`Problem`]; nothing half-valid is rendered.

mod admin;
mod app;
pub mod capacity;
mod catalogue;
mod defaults;
mod flows;
mod index;
mod namespaces;
mod objects;
mod platform;
mod requests;
mod tenant;
mod verdicts;

pub use admin::{EXCHANGE_PRIORITY, ISOLATION_PRIORITY, ZONE_PRIORITY};
pub use app::pod_requests;
pub use catalogue::catalogue;
pub use flows::FlowDecision;
pub use flows::consent::{classification_refusal, data_message};
pub use index::{Index, Placement, api_server_cidrs, cluster_label, cluster_message};
pub use namespaces::namespace;
pub use objects::Owned;
pub use platform::render_platform;
pub use requests::{
    Verdict, effective_tenant, format_quantity, grant_requests, judge, request_namespace, request_tenant, surge_end,
};
pub use tenant::DECLARATIONS_ONLY;
pub use verdicts::{Setting, Verdicts, host_owners, zone_param};

use std::collections::BTreeMap;

use govcloud_core::api::FlowState;
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels;
use govcloud_core::model::Model;
use govcloud_core::problem::Problem;

/// Everything rendering decided.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// Objects govcloud owns, sorted by kind order, namespace and name.
    pub objects: Vec<Owned>,
    /// Every declared call and what became of it.
    pub flows: Vec<FlowDecision>,
    /// What could not be rendered, and why.
    pub problems: Vec<Problem>,
    /// Objects by owner and by id, built on first use (the operator looks up
    /// one owner's objects per reconcile; a scan would make that O(model)).
    index: std::sync::OnceLock<ObjectIndex>,
}

#[derive(Clone, Debug, Default)]
struct ObjectIndex {
    /// (owner kind, owner namespace or "", owner name) -> positions in `objects`.
    by_owner: std::collections::HashMap<(String, String, String), Vec<usize>>,
    /// (kind, namespace, name) -> position in `objects`.
    by_id: std::collections::HashMap<(String, String, String), usize>,
}

impl Rendered {
    fn index(&self) -> &ObjectIndex {
        self.index.get_or_init(|| {
            let mut ix = ObjectIndex::default();
            for (i, o) in self.objects.iter().enumerate() {
                ix.by_id.insert((o.kind().to_string(), o.namespace().to_string(), o.name().to_string()), i);
                if let Some(l) = o.meta().labels.as_ref()
                    && let (Some(k), Some(n)) = (l.get(labels::OWNER_KIND), l.get(labels::OWNER_NAME))
                {
                    let ns = l.get(labels::OWNER_NAMESPACE).cloned().unwrap_or_default();
                    ix.by_owner.entry((k.clone(), ns, n.clone())).or_default().push(i);
                }
            }
            ix
        })
    }

    /// The objects owned by the govcloud resource `kind` `namespace/name`
    /// (`namespace` empty for cluster-scoped owners), in apply order.
    pub fn owned_by(&self, kind: OwnerKind, namespace: &str, name: &str) -> Vec<&Owned> {
        self.index()
            .by_owner
            .get(&(kind.as_str().to_string(), namespace.to_string(), name.to_string()))
            .map(|ix| ix.iter().map(|i| &self.objects[*i]).collect())
            .unwrap_or_default()
    }

    /// The rendered object of `kind` at `namespace/name`.
    pub fn object(&self, kind: &str, namespace: &str, name: &str) -> Option<&Owned> {
        self.index().by_id.get(&(kind.to_string(), namespace.to_string(), name.to_string())).map(|i| &self.objects[*i])
    }

    /// What one owner's reconcile reads of the rendering: the objects the
    /// govcloud resource `kind` `namespace/name` owns, the flows where it
    /// (an app) or its apps (a tenant) call or are called, and the problems
    /// found on it. Small, so a reconcile need not keep the whole rendering
    /// of the model alive while it talks to the API server.
    pub fn slice(&self, kind: OwnerKind, namespace: &str, name: &str) -> Rendered {
        let (flows, problems) = concerning(&self.flows, &self.problems, kind, namespace, name);
        Rendered {
            objects: self.owned_by(kind, namespace, name).into_iter().cloned().collect(),
            flows,
            problems,
            index: Default::default(),
        }
    }

    /// Number of objects per kind, in kind order.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts: BTreeMap<(usize, &'static str), usize> = BTreeMap::new();
        for o in &self.objects {
            *counts.entry((o.order(), o.kind())).or_default() += 1;
        }
        counts.into_iter().map(|((_, k), n)| (k, n)).collect()
    }

    /// Number of flows in a state.
    pub fn flows_in(&self, state: FlowState) -> usize {
        self.flows.iter().filter(|f| f.state == state).count()
    }
}

/// The flows where the govcloud resource `kind` `namespace/name` (an app)
/// or its apps (a tenant) call or are called, and the problems found on it.
fn concerning(
    flows: &[FlowDecision],
    problems: &[Problem],
    kind: OwnerKind,
    namespace: &str,
    name: &str,
) -> (Vec<FlowDecision>, Vec<Problem>) {
    let flows = flows.iter().filter(|f| concerns(f, kind, namespace, name)).cloned().collect();
    let problems = problems
        .iter()
        .filter(|p| {
            p.object.kind == kind.as_str()
                && p.object.name == name
                && p.object.namespace.as_deref().unwrap_or_default() == namespace
        })
        .cloned()
        .collect();
    (flows, problems)
}

/// Whether flow `f` concerns the govcloud resource `kind` `namespace/name`:
/// an app that calls or is called (the app of that name in that namespace,
/// not a namesake in another tenant's), or a tenant whose app does.
fn concerns(f: &FlowDecision, kind: OwnerKind, namespace: &str, name: &str) -> bool {
    let app = |k: &govcloud_core::api::AppKey| {
        k.app == name && govcloud_core::meta::names::namespace_name(&k.tenant, &k.zone) == namespace
    };
    match kind {
        OwnerKind::DepartmentApp => app(&f.consumer) || app(&f.provider),
        OwnerKind::Tenant => f.consumer.tenant == name || f.provider.tenant == name,
        _ => false,
    }
}

/// Positions of the flows and problems by what they concern, so an owner's
/// share is found without scanning every flow (a province has thousands).
#[derive(Default)]
struct Concerning {
    /// (namespace, app) -> flows it calls or receives, in order.
    by_app: std::collections::HashMap<(String, String), Vec<usize>>,
    /// tenant -> flows its apps call or receive, in order.
    by_tenant: std::collections::HashMap<String, Vec<usize>>,
    /// (kind, namespace or "", name) -> problems found on it, in order.
    problems: std::collections::HashMap<(String, String, String), Vec<usize>>,
}

/// Adds position `i` unless it was just added (a flow within one app or tenant).
fn once(positions: &mut Vec<usize>, i: usize) {
    if positions.last() != Some(&i) {
        positions.push(i);
    }
}

impl Concerning {
    fn build(flows: &[FlowDecision], problems: &[Problem]) -> Self {
        let mut c = Concerning::default();
        for (i, f) in flows.iter().enumerate() {
            let ns = |k: &govcloud_core::api::AppKey| govcloud_core::meta::names::namespace_name(&k.tenant, &k.zone);
            for key in [(ns(&f.consumer), f.consumer.app.clone()), (ns(&f.provider), f.provider.app.clone())] {
                once(c.by_app.entry(key).or_default(), i);
            }
            for key in [f.consumer.tenant.clone(), f.provider.tenant.clone()] {
                once(c.by_tenant.entry(key).or_default(), i);
            }
        }
        for (i, p) in problems.iter().enumerate() {
            c.problems
                .entry((p.object.kind.clone(), p.object.namespace.clone().unwrap_or_default(), p.object.name.clone()))
                .or_default()
                .push(i);
        }
        c
    }

    /// Positions of the flows that concern `kind` `namespace/name`.
    fn flows(&self, kind: OwnerKind, namespace: &str, name: &str) -> &[usize] {
        let found = match kind {
            OwnerKind::DepartmentApp => self.by_app.get(&(namespace.to_string(), name.to_string())),
            OwnerKind::Tenant => self.by_tenant.get(name),
            _ => None,
        };
        found.map(Vec::as_slice).unwrap_or_default()
    }
}

/// Objects owned by a zone: the bindings that apply the zone-parameter
/// admission policies to the zone's namespaces.
pub fn render_zone(zone: &str) -> Vec<Owned> {
    use k8s_openapi::api::admissionregistration::v1::{
        ParamRef, ValidatingAdmissionPolicyBinding, ValidatingAdmissionPolicyBindingSpec,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
    // The zone's tenant namespaces: labelled with the zone and a tenant.
    let namespaces = LabelSelector {
        match_labels: Some([(labels::ZONE.to_string(), zone.to_string())].into()),
        match_expressions: Some(vec![LabelSelectorRequirement {
            key: labels::TENANT.into(),
            operator: "Exists".into(),
            values: None,
        }]),
    };
    govcloud_core::controls::admission::policies()
        .iter()
        .filter(|p| p.zone_param)
        .map(|p| {
            Owned::ValidatingAdmissionPolicyBinding(ValidatingAdmissionPolicyBinding {
                metadata: objects::meta(
                    &govcloud_core::meta::names::zone_binding(p.name, zone),
                    None,
                    labels::owned_by(OwnerKind::NetworkZone, zone),
                ),
                spec: Some(ValidatingAdmissionPolicyBindingSpec {
                    // A pod spec shape's zone policy reaches the API server in its bundle.
                    policy_name: Some(govcloud_core::controls::admission::shipped_as(p.name)),
                    validation_actions: Some(vec!["Deny".into()]),
                    match_resources: Some(k8s_openapi::api::admissionregistration::v1::MatchResources {
                        namespace_selector: Some(namespaces.clone()),
                        ..Default::default()
                    }),
                    // No zone object, no admission: a missing parameter denies.
                    param_ref: Some(ParamRef {
                        name: Some(zone.to_string()),
                        parameter_not_found_action: Some("Deny".into()),
                        ..Default::default()
                    }),
                }),
            })
        })
        .collect()
}

/// Objects owned by a zone: its admission bindings and, where the cluster
/// serves the network-policy API, its Admin-tier isolation.
fn zone_objects(index: &Index<'_>, zone: &str) -> Vec<Owned> {
    let mut out = render_zone(zone);
    if index.admin_tier {
        out.extend(admin::render(index, zone));
    }
    out
}

/// What a model decides before any object is rendered: who is where, what
/// becomes of every declared call, and what does not fit. Each owner's
/// objects are rendered from it on demand ([`Planned::owner`]), so a change
/// costs one plan and the renders of the owners it reaches, and the objects
/// of the whole model are never held at once.
#[derive(yoke::Yokeable)]
pub struct Planned<'a> {
    /// The resolved model.
    pub index: Index<'a>,
    /// Every declared call and what became of it.
    pub flows: Vec<FlowDecision>,
    /// What could not be rendered, and why (sorted, without duplicates).
    pub problems: Vec<Problem>,
    /// Placed apps by (namespace, name).
    by_namespace: std::collections::HashMap<(String, String), AppKeyRef>,
    /// Flows and problems by what they concern.
    concerning: Concerning,
    /// The catalogue's entries of the apps in zones this cluster hosts
    /// (each cluster lists the resources it serves).
    catalogue: Vec<govcloud_core::api::CatalogueEntry>,
}

/// Key of a placed app in [`Index::apps`].
type AppKeyRef = govcloud_core::api::AppKey;

/// Plans a model: index, flows and problems; no object rendered yet.
pub fn plan<'m>(model: &'m Model, verdicts: &Verdicts) -> Planned<'m> {
    let index = Index::build(model, verdicts);
    let mut problems = index.problems.clone();
    let flows = flows::decide_all(&index, &mut problems);
    problems.sort_by(|a, b| (&a.object, &a.field).cmp(&(&b.object, &b.field)));
    problems.dedup();
    let by_namespace = index.apps.iter().map(|(k, p)| ((p.namespace.clone(), k.app.clone()), k.clone())).collect();
    let concerning = Concerning::build(&flows, &problems);
    let mut catalogue = catalogue::catalogue(&index, &flows);
    catalogue.retain(|e| index.hosts_zone(&e.zone));
    Planned { index, flows, problems, by_namespace, concerning, catalogue }
}

impl Planned<'_> {
    /// The objects the govcloud resource `kind` `namespace/name` owns, in
    /// apply order, with the flows and problems its reconcile reads: the same
    /// as [`Rendered::slice`] of the whole rendering.
    pub fn owner(&self, kind: OwnerKind, namespace: &str, name: &str) -> Rendered {
        let mut objects = match kind {
            OwnerKind::NetworkZone if self.index.hosts_zone(name) => zone_objects(&self.index, name),
            OwnerKind::Tenant => self
                .index
                .tenants
                .get(name)
                .map(|t| {
                    let mut objects = tenant::render(&self.index, t);
                    objects.extend(catalogue::render(&self.catalogue, name));
                    objects
                })
                .unwrap_or_default(),
            OwnerKind::DepartmentApp => self
                .by_namespace
                .get(&(namespace.to_string(), name.to_string()))
                .and_then(|k| self.index.apps.get(k))
                .filter(|p| self.index.hosts(p.zone))
                .map(|p| app::render(&self.index, p, &self.flows_of(kind, namespace, name).collect::<Vec<_>>()))
                .unwrap_or_default(),
            _ => vec![],
        };
        objects.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let flows = self.flows_of(kind, namespace, name).cloned().collect();
        let key = (kind.as_str().to_string(), namespace.to_string(), name.to_string());
        let problems =
            self.concerning.problems.get(&key).into_iter().flatten().map(|i| self.problems[*i].clone()).collect();
        Rendered { objects, flows, problems, index: Default::default() }
    }

    /// Whether the plan holds the zone or tenant `name`, or the placed app
    /// `namespace/name`: what it renders for anything else is nothing.
    pub fn knows(&self, kind: OwnerKind, namespace: &str, name: &str) -> bool {
        match kind {
            OwnerKind::NetworkZone => self.index.zones.contains_key(name),
            OwnerKind::Tenant => self.index.tenants.contains_key(name),
            OwnerKind::DepartmentApp => self.by_namespace.contains_key(&(namespace.to_string(), name.to_string())),
            _ => false,
        }
    }

    /// The flows that concern the govcloud resource `kind` `namespace/name`
    /// (see [`Rendered::slice`]), in order.
    fn flows_of(&self, kind: OwnerKind, namespace: &str, name: &str) -> impl Iterator<Item = &FlowDecision> {
        self.concerning.flows(kind, namespace, name).iter().map(|i| &self.flows[*i])
    }

    /// Every owner that renders objects, as (kind, namespace, name): the
    /// zones, the tenants and the placed apps, in that order.
    pub fn owners(&self) -> impl Iterator<Item = (OwnerKind, &str, &str)> + '_ {
        let zones = self.index.zones.keys().map(|z| (OwnerKind::NetworkZone, "", z.as_str()));
        let tenants = self.index.tenants.keys().map(|t| (OwnerKind::Tenant, "", t.as_str()));
        let apps =
            self.index.apps.values().map(|p| (OwnerKind::DepartmentApp, p.namespace.as_str(), p.key.app.as_str()));
        zones.chain(tenants).chain(apps)
    }

    /// Number of apps placed (so rendered, with a Deployment) in `zone`.
    pub fn apps_in_zone(&self, zone: &str) -> usize {
        self.index.apps.keys().filter(|k| k.zone == zone).count()
    }

    /// Whether this cluster hosts `zone` (see [`Index::hosts`]).
    pub fn hosts_zone(&self, zone: &str) -> bool {
        self.index.hosts_zone(zone)
    }

    /// Renders every zone's, tenant's and app's objects.
    pub fn render_all(&self) -> Rendered {
        let mut objects = Vec::new();
        for name in self.index.zones.keys().filter(|z| self.index.hosts_zone(z)) {
            objects.extend(zone_objects(&self.index, name));
        }
        for (name, tenant) in &self.index.tenants {
            objects.extend(tenant::render(&self.index, tenant));
            objects.extend(catalogue::render(&self.catalogue, name));
        }
        for placement in self.index.apps.values().filter(|p| self.index.hosts(p.zone)) {
            let flows: Vec<&FlowDecision> =
                self.flows_of(OwnerKind::DepartmentApp, &placement.namespace, &placement.key.app).collect();
            objects.extend(app::render(&self.index, placement, &flows));
        }
        objects.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Rendered { objects, flows: self.flows.clone(), problems: self.problems.clone(), index: Default::default() }
    }
}

/// Renders the per-zone, per-tenant and per-app objects of a model (not the
/// platform-wide ones; see [`render_platform`]).
pub fn render(model: &Model) -> Rendered {
    plan(model, &Verdicts::default()).render_all()
}

#[cfg(test)]
mod tests;
