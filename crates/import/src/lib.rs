//! Migration (`govcloud import`): the namespaces and workloads departments run
//! today in, draft Tenants and DepartmentApps and a migration report out.
//!
//! ```text
//!   objects (live or from files) ──┬─ namespaces ──► tenant + zone (--map, govcloud's labels, --default-zone)
//!                                  ├─ workloads  ──► DepartmentApp drafts (workload.rs), with what carries over
//!                                  ├─ Services, Ingresses, NetworkPolicies ──► ports, exposure, host, flows (network.rs)
//!                                  └─ every object ──► the admission policies' CEL, offline, in the target
//!                                                      namespace and zone: each failing check is a change
//!                                                      the department must make, with the control's id
//! ```
//!
//! Pure: nothing here reads a cluster or writes anything. The rules are the
//! catalogue's ([`govcloud_core::controls::eval`]); none is written here.

use std::collections::{BTreeMap, BTreeSet};

use kube::ResourceExt;
use serde::Serialize;
use serde_json::Value;

use govcloud_core::api::{AuditScope, DepartmentApp, DepartmentAppSpec, NetworkZone, Tenant, TenantZone};
use govcloud_core::controls::eval::{self, Evaluator};
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::meta::labels;
use govcloud_core::meta::names::{self, OPERATOR_NAMESPACE};
use govcloud_core::model::Model;
use govcloud_core::msg;

mod network;
pub mod output;
mod tenant;
mod workload;

pub use workload::WORKLOAD_KINDS;

/// Where the workloads of one namespace go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The tenant; the namespace's name (without a `-<zone>` suffix) when `None`.
    pub tenant: Option<String>,
    /// The zone.
    pub zone: String,
}

/// How namespaces map to tenants and zones.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Per namespace (`--map NAMESPACE=[TENANT/]ZONE`).
    pub map: BTreeMap<String, Target>,
    /// The zone of namespaces neither mapped nor labelled by govcloud.
    pub default_zone: Option<String>,
}

/// Whether the department has something to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Handling {
    /// The workload relies on it and govcloud will not run it that way: the
    /// department changes the app (or the draft) before migrating.
    MustChange,
    /// govcloud renders it compliantly from the draft (node pool, pull
    /// policy, disruption budget...): nothing to do, listed so nobody is surprised.
    Rendered,
}

/// One thing that does not carry over as it is. The reason and the fix are
/// catalogue messages ([`govcloud_core::messages`]); JSON gives each as its
/// English text (`reason`, `fix`) and as code and arguments beside it
/// (`reasonMessage`, `fixMessage`), as the audit gives its evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The control that would refuse it (the admission policies' check that fails), if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Must the department act?
    pub handling: Handling,
    /// The field of the imported object.
    pub field: String,
    /// What is wrong, and why: the English text of `reason_message`.
    pub reason: String,
    /// What to do: the English text of `fix_message`.
    pub fix: String,
    /// What is wrong, and why.
    pub reason_message: Message,
    /// What to do.
    pub fix_message: Message,
}

impl Change {
    /// A change of `field` handled so, for `reason`, with `fix`.
    pub(crate) fn new(handling: Handling, field: impl Into<String>, reason: Message, fix: Message) -> Change {
        Change {
            control: None,
            handling,
            field: field.into(),
            reason: reason.to_string(),
            fix: fix.to_string(),
            reason_message: reason,
            fix_message: fix,
        }
    }

    /// A change the department must make.
    pub(crate) fn must(field: impl Into<String>, reason: Message, fix: Message) -> Change {
        Change::new(Handling::MustChange, field, reason, fix)
    }
}

/// One imported object and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// `Kind namespace/name`.
    pub object: String,
    /// The draft it became, as `tenant/zone/app`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// What carries over into the draft: the English text of `carried_messages`.
    pub carried: Vec<String>,
    /// What carries over into the draft.
    pub carried_messages: Vec<Message>,
    /// What does not, and why.
    pub changes: Vec<Change>,
}

impl Entry {
    fn new(object: String) -> Self {
        Entry { object, app: None, carried: Vec::new(), carried_messages: Vec::new(), changes: Vec::new() }
    }

    /// Something that carries over into the draft.
    pub(crate) fn carry(&mut self, what: Message) {
        self.carried.push(what.to_string());
        self.carried_messages.push(what);
    }

    /// Changes the department must make.
    pub fn must_change(&self) -> usize {
        self.changes.iter().filter(|c| c.handling == Handling::MustChange).count()
    }
}

/// An object not imported, and why (JSON: the English text and, beside
/// it, the message as code and arguments).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// `Kind namespace/name` (or what is known of it).
    pub object: String,
    /// Why: the English text of `reason_message`.
    pub reason: String,
    /// Why.
    pub reason_message: Message,
}

impl Skipped {
    fn new(object: String, reason: Message) -> Skipped {
        Skipped { object, reason: reason.to_string(), reason_message: reason }
    }
}

/// The result: drafts and the report.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Import {
    /// Draft Tenants (those the model does not declare already).
    pub tenants: Vec<Tenant>,
    /// Draft DepartmentApps.
    pub apps: Vec<DepartmentApp>,
    /// Per workload (and per other object the policies would refuse).
    pub entries: Vec<Entry>,
    /// What was not imported.
    pub skipped: Vec<Skipped>,
}

pub(crate) fn kind_of(o: &Value) -> &str {
    o["kind"].as_str().unwrap_or_default()
}
pub(crate) fn name_of(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or_default()
}
pub(crate) fn ns_of(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or_default()
}
pub(crate) fn label<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    o["metadata"]["labels"][key].as_str()
}
pub(crate) fn describe(o: &Value) -> String {
    match ns_of(o) {
        "" => format!("{} {}", kind_of(o), name_of(o)),
        ns => format!("{} {ns}/{}", kind_of(o), name_of(o)),
    }
}

/// Kinds read for what they say about workloads (ports, exposure, flows,
/// autoscaling), or rendered by govcloud from the drafts (quota, defaults,
/// RBAC), or configuration the apps keep using as they are.
const CONTEXT_KINDS: &[&str] = &[
    "Service",
    "Ingress",
    "NetworkPolicy",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "ResourceQuota",
    "LimitRange",
    "RoleBinding",
    "Role",
    "ServiceAccount",
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "Endpoints",
    "EndpointSlice",
    "Event",
];

/// Namespaces of the platform, never a department's.
fn platform_namespace(ns: &str) -> bool {
    ns == OPERATOR_NAMESPACE || ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease"
}

/// A DNS label of at most 40 characters that is not reserved: a tenant name.
fn tenant_name_ok(t: &str) -> bool {
    let label = !t.is_empty()
        && t.len() <= 40
        && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !t.starts_with('-')
        && !t.ends_with('-');
    let reserved = ["kube", "govcloud", "default", "openshift", "system"]
        .iter()
        .any(|r| t == *r || t.starts_with(&format!("{r}-")));
    label && !reserved
}

/// A DepartmentApp's name: the CRD's rules (a DNS label starting with a
/// letter, at most 40 characters, not govcloud's prefix).
fn app_name_ok(n: &str) -> bool {
    n.len() <= 40
        && n.starts_with(|c: char| c.is_ascii_lowercase())
        && !n.ends_with('-')
        && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        // govcloud names the objects it makes beside an app `govcloud-...`.
        && !n.starts_with(&format!("{}-", labels::MANAGER))
}

/// The tenant and zone of a namespace, or why there is none.
fn resolve(
    ns: &str,
    ns_obj: Option<&Value>,
    members: &[&Value],
    options: &Options,
) -> Result<(String, String), Message> {
    // `<tenant>-<zone>` (govcloud's own spelling) gives back the tenant.
    let derived = |zone: &str| ns.strip_suffix(&format!("-{zone}")).filter(|t| !t.is_empty()).unwrap_or(ns).to_string();
    let (tenant, zone) = if let Some(t) = options.map.get(ns) {
        (t.tenant.clone().unwrap_or_else(|| derived(&t.zone)), t.zone.clone())
    } else if let Some((t, z)) = ns_obj
        .into_iter()
        .chain(members.iter().copied())
        .find_map(|o| Some((label(o, labels::TENANT)?, label(o, labels::ZONE)?)))
    {
        (t.to_string(), z.to_string())
    } else if let Some(z) = &options.default_zone {
        (derived(z), z.clone())
    } else {
        return Err(msg!(Code::ImportNoZone, ns));
    };
    if !tenant_name_ok(&tenant) {
        return Err(msg!(Code::ImportNotTenantName, ns, format!("{tenant:?}"), zone));
    }
    if zone.is_empty() || zone.len() > 15 || !zone.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return Err(msg!(Code::ImportNotZoneName, ns, format!("{zone:?}")));
    }
    Ok((tenant, zone))
}

/// One namespace to import into a tenant's zone.
pub(crate) struct Place<'a> {
    pub(crate) source_ns: String,
    pub(crate) tenant: String,
    pub(crate) zone: String,
    /// The NetworkZone, when the model declares it.
    pub(crate) zone_obj: Option<&'a NetworkZone>,
    /// The namespace as govcloud renders it (what the policies judge in).
    pub(crate) namespace: Value,
    pub(crate) target_ns: String,
}

/// Imports `objects` (JSON, as listed or read from files) into drafts, with
/// the model's zones (and tenants) to judge them by.
pub fn import(objects: &[Value], model: &Model, options: &Options) -> Import {
    let mut out = Import::default();
    let mut govcloud_own = 0;
    // Tenants whose auditors read every tenant (their cluster-wide binding).
    let mut cluster_auditors: BTreeMap<String, &Value> = BTreeMap::new();
    let auditor_prefix = names::cluster_auditor_binding("");
    let mut namespaces: BTreeMap<String, Option<&Value>> = BTreeMap::new();
    let mut members: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for o in objects {
        let kind = kind_of(o);
        if kind.is_empty() || name_of(o).is_empty() {
            out.skipped.push(Skipped::new(describe(o), msg!(Code::ImportNotAnObject)));
        } else if label(o, labels::MANAGED_BY) == Some(labels::MANAGER)
            && kind != "Namespace"
            && !WORKLOAD_KINDS.contains(&kind)
            && (ns_of(o).is_empty() || !CONTEXT_KINDS.contains(&kind))
        {
            // The platform's and the tenants' objects govcloud renders (the drafts render them again).
            govcloud_own += 1;
            if let Some(t) = name_of(o).strip_prefix(&auditor_prefix).filter(|_| kind == "ClusterRoleBinding") {
                cluster_auditors.insert(t.to_string(), o);
            }
        } else if kind == "Namespace" {
            namespaces.insert(name_of(o).to_string(), Some(o));
        } else if ns_of(o).is_empty() {
            let reason = if WORKLOAD_KINDS.contains(&kind) || CONTEXT_KINDS.contains(&kind) {
                msg!(Code::ImportNoNamespace, kind)
            } else {
                msg!(Code::ImportClusterScoped, kind)
            };
            out.skipped.push(Skipped::new(describe(o), reason));
        } else {
            namespaces.entry(ns_of(o).to_string()).or_insert(None);
            members.entry(ns_of(o).to_string()).or_default().push(o);
        }
    }
    let zones = model.zones_by_name();
    let declared = model.tenants_by_name();
    let mut drafts: BTreeMap<String, Tenant> = BTreeMap::new();
    let mut places: Vec<(Place<'_>, Vec<&Value>)> = Vec::new();
    for (ns, ns_obj) in &namespaces {
        let here = members.remove(ns).unwrap_or_default();
        if platform_namespace(ns) {
            for o in &here {
                out.skipped.push(Skipped::new(describe(o), msg!(Code::ImportPlatformNamespace, ns)));
            }
            continue;
        }
        let (tenant, zone) = match resolve(ns, *ns_obj, &here, options) {
            Ok(r) => r,
            Err(reason) => {
                out.skipped.push(Skipped::new(format!("Namespace {ns}"), reason));
                for o in &here {
                    out.skipped.push(Skipped::new(describe(o), msg!(Code::ImportNotMapped, ns)));
                }
                continue;
            }
        };
        let zone_obj = zones.get(&zone).copied();
        let draft = drafts.entry(tenant.clone()).or_insert_with(|| tenant::draft(&tenant, *ns_obj));
        if !draft.spec.zones.iter().any(|z| z.name == zone) {
            draft.spec.zones.push(TenantZone { name: zone.clone(), quota: tenant::quota(&here) });
        }
        tenant::merge(draft, *ns_obj, zone_obj, &here);
        let judged_by = declared.get(&tenant).copied().unwrap_or(draft);
        let target_ns = names::namespace_name(&tenant, &zone);
        let namespace = match zone_obj {
            Some(z) => serde_json::to_value(govcloud_render::namespace(judged_by, z)).unwrap_or_default(),
            None => serde_json::json!({
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": target_ns, "labels": {(labels::TENANT): tenant, (labels::ZONE): zone, (labels::NAMESPACE_NAME): target_ns}},
            }),
        };
        let place = Place { source_ns: ns.clone(), tenant, zone, zone_obj, namespace, target_ns };
        places.push((place, here));
    }
    if govcloud_own > 0 {
        out.skipped.push(Skipped::new(
            format!("{govcloud_own} objects"),
            msg!(Code::ImportGovcloudOwn, labels::MANAGED_BY, labels::MANAGER),
        ));
    }
    // A tenant whose auditors read every tenant (the audit bureau) may have no namespace at all.
    for (name, binding) in cluster_auditors {
        let t = drafts.entry(name.clone()).or_insert_with(|| tenant::draft(&name, None));
        t.spec.audit_scope = AuditScope::Cluster;
        tenant::auditors(t, binding);
    }
    for t in drafts.keys().filter(|t| declared.contains_key(*t)) {
        out.skipped.push(Skipped::new(format!("Tenant {t}"), msg!(Code::ImportTenantDeclared)));
    }
    out.tenants = drafts.into_iter().filter(|(t, _)| !declared.contains_key(t)).map(|(_, t)| t).collect();

    let owners = govcloud_render::host_owners(model.tenants.iter().chain(out.tenants.iter()));
    let evaluator = Evaluator::new();
    let everything: Vec<(&Place<'_>, &Value)> =
        places.iter().flat_map(|(p, here)| here.iter().map(move |o| (p, *o))).collect();
    let net = network::Network::new(&everything, &namespaces);
    let mut taken: BTreeSet<(String, String)> = BTreeSet::new();
    for (place, here) in &places {
        let zone_param = place.zone_obj.map(|z| govcloud_render::zone_param(z, &owners));
        for o in here {
            let kind = kind_of(o);
            let mut entry = Entry::new(describe(o));
            if WORKLOAD_KINDS.contains(&kind) {
                if let Some(owner) = o["metadata"]["ownerReferences"][0]["kind"].as_str() {
                    out.skipped.push(Skipped::new(describe(o), msg!(Code::ImportMadeBy, owner)));
                    continue;
                }
                if model.apps.iter().any(|a| {
                    a.metadata.namespace.as_deref() == Some(place.target_ns.as_str())
                        && a.metadata.name.as_deref() == Some(name_of(o))
                }) {
                    out.skipped
                        .push(Skipped::new(describe(o), msg!(Code::ImportAppDeclared, &place.target_ns, name_of(o))));
                    continue;
                }
                if let Some(spec) = workload::draft(o, place, &mut entry) {
                    let mut spec: DepartmentAppSpec = spec;
                    net.complete(o, place, &mut spec, &mut entry);
                    let name = name_of(o).to_string();
                    if !app_name_ok(&name) {
                        entry.changes.push(Change::must(
                            "metadata.name",
                            msg!(Code::ImportNotAppName, format!("{name:?}")),
                            msg!(Code::ImportFixRename),
                        ));
                    }
                    if taken.insert((place.target_ns.clone(), name.clone())) {
                        entry.app = Some(format!("{}/{}/{name}", place.tenant, place.zone));
                        let mut app = DepartmentApp::new(&name, spec);
                        app.metadata.namespace = Some(place.target_ns.clone());
                        out.apps.push(app);
                    } else {
                        entry.changes.push(Change::must(
                            "metadata.name",
                            msg!(Code::ImportNameTaken, &place.source_ns, &name),
                            msg!(Code::ImportFixRenameOne),
                        ));
                    }
                }
            } else if !CONTEXT_KINDS.contains(&kind) {
                out.skipped.push(Skipped::new(describe(o), msg!(Code::ImportKindNotImported, kind)));
                continue;
            }
            judge(&evaluator, o, place, zone_param.as_ref(), &mut entry);
            // What the department must do first, what a control refuses before what cannot be said.
            entry.changes.sort_by_key(|c| (c.handling == Handling::Rendered, c.control.is_none()));
            if WORKLOAD_KINDS.contains(&kind) || !entry.changes.is_empty() {
                out.entries.push(entry);
            }
        }
    }
    for t in out.tenants.iter().filter(|t| t.spec.owners.is_empty()) {
        let mut entry = Entry::new(format!("Tenant {} (draft)", t.name_any()));
        let zones: Vec<&str> = t.spec.zones.iter().map(|z| z.name.as_str()).collect();
        entry.carry(msg!(Code::ImportCarriedZones, zones.join(", ")));
        entry.changes.push(Change::must("spec.owners", msg!(Code::ImportNoOwner), msg!(Code::ImportFixOwners)));
        out.entries.push(entry);
    }
    out.apps.sort_by_key(|a| (a.namespace(), a.name_any()));
    out
}

/// The admission policies' checks `o` fails in its target namespace and
/// zone, each a change with the control that would refuse it.
fn judge(evaluator: &Evaluator, o: &Value, place: &Place<'_>, zone: Option<&Value>, entry: &mut Entry) {
    if eval::resource_of(kind_of(o)).is_none() {
        return;
    }
    let mut moved = eval::judged(o.clone());
    moved["metadata"]["namespace"] = Value::String(place.target_ns.clone());
    for f in eval::failures(evaluator, &moved, Some(&place.namespace), zone) {
        let field = f.check.field().to_string();
        let (handling, fix) = workload::handling(f.check.control);
        let control = f.check.control;
        let seen = eval::evidence_said(&field, &moved);
        let reason = msg!(Code::ImportAdmission, &f.check.message, seen, Arg::Title(control));
        entry.changes.push(Change { control: Some(control.to_string()), ..Change::new(handling, field, reason, fix) });
    }
    if zone.is_none() && WORKLOAD_KINDS.contains(&kind_of(o)) {
        entry.changes.push(Change::must(
            "metadata.namespace",
            msg!(Code::ImportZoneUndeclared, &place.zone),
            msg!(Code::ImportFixGiveZone, &place.zone),
        ));
    }
}

#[cfg(test)]
mod tests;
