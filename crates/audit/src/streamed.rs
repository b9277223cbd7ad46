//! The audit a few namespaces at a time: what a large cluster's audit holds
//! is the objects read across namespaces, one batch of namespaces and the
//! findings, never the whole inventory parsed at once.
//!
//! ```text
//!   Source (kind, namespace, name of each; an object parsed when asked)
//!     wide:      cluster-scoped objects and the kinds read across namespaces (WIDE);
//!                those one path alone reads (ONE_PATH) parsed when it runs, freed after
//!                ──► sharing, public hosts, privileges, endpoint ranges, zone nodes
//!     isolation: first, from a pass over the batches reading only the
//!                NetworkPolicies (what their semantics read) and what runs pods
//!                (the workloads), with the wide admin tier and API server; freed
//!     narrow:    namespaces in batches of about BATCH objects, each parsed, checked, freed
//!                ──► admission, running pods, app identity, policy ranges, namespace controls
//!     drift:     (after the batches) each rendered object's live one, read when its owner is checked
//! ```
//!
//! Every path gives the findings the whole-inventory audit gives
//! ([`crate::audit_whole`]): a namespace-local path sees all of a
//! namespace's objects and its Namespace; a path that reads across
//! namespaces sees every object of the kinds it reads. The equivalence test
//! (`tests/offline/audit_equivalence.rs`) checks it finding for finding.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::Instant;

use kube::ResourceExt;
use serde_json::Value;

use govcloud_core::controls::AuditBy;
use govcloud_core::meta::labels::TENANT;
use govcloud_core::model::Model;

use crate::admission::{admission_form, ingress_backends};
use crate::ctx::{Ctx, kind_of, label, name_of, ns_of};
use crate::drift::drift;
use crate::hosts::{public_hosts, tenant_hosts};
use crate::identity::app_identity;
use crate::isolation::{isolation, workloads_at};
use crate::namespaces::namespace_controls;
use crate::netpol::{Policy, Workload};
use crate::pods::running_pods;
use crate::privileges::{resource_requests, tenant_privileges};
use crate::sharing::sharing;
use crate::zones::{endpoint_ranges, policy_ranges, zone_nodes};
use crate::{Audit, Connectivity, Finding, MATRIX_LIMIT};

mod packed;

pub use packed::{Packed, Packer};

/// Where an audit reads objects: each one's kind, namespace (`""`:
/// cluster-scoped) and name without reading it, and the object itself,
/// as the checks read it, when asked. Order matters: where two objects
/// have one id, the later is the one judged, as in a list.
pub trait Source: Sync {
    /// How many objects.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Kind, namespace and name of object `i`.
    fn key(&self, i: usize) -> (&str, &str, &str);
    /// Object `i` (`None`: it cannot be read, and is not judged).
    fn object(&self, i: usize) -> Option<Cow<'_, Value>>;
}

/// Objects already parsed: an offline audit's.
pub struct Parsed<'o>(pub &'o [Value]);

impl Source for Parsed<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn key(&self, i: usize) -> (&str, &str, &str) {
        let o = &self.0[i];
        (kind_of(o), ns_of(o), name_of(o))
    }
    fn object(&self, i: usize) -> Option<Cow<'_, Value>> {
        Some(Cow::Borrowed(&self.0[i]))
    }
}

/// Objects kept as their compact JSON text, packed ([`Packed`], as the
/// operator's watches keep them), each unpacked and parsed when an audit
/// reads it.
#[derive(Default)]
pub struct Texts {
    objects: Vec<Text>,
    /// Packers of the objects given as values, by kind.
    packers: HashMap<Box<str>, Packer>,
}

/// One object of [`Texts`].
struct Text {
    kind: Box<str>,
    namespace: Box<str>,
    name: Box<str>,
    text: Packed,
}

impl Texts {
    /// Adds one object: its kind, namespace, name and packed JSON text
    /// (shared, not copied).
    pub fn push(&mut self, kind: &str, namespace: &str, name: &str, text: Packed) {
        self.objects.push(Text { kind: kind.into(), namespace: namespace.into(), name: name.into(), text });
    }

    /// Adds one object given as a value (kept as its text, packed against
    /// the dictionary of its kind).
    pub fn push_value(&mut self, v: &Value) {
        let kind = kind_of(v);
        let text = match self.packers.get_mut(kind) {
            Some(p) => p.pack(&v.to_string()),
            None => self.packers.entry(kind.into()).or_default().pack(&v.to_string()),
        };
        self.push(kind, ns_of(v), name_of(v), text);
    }

    /// Adds every object of `other`, in its order, after these.
    pub fn append(&mut self, mut other: Texts) {
        self.objects.append(&mut other.objects);
    }
}

impl Source for Texts {
    fn len(&self) -> usize {
        self.objects.len()
    }
    fn key(&self, i: usize) -> (&str, &str, &str) {
        let t = &self.objects[i];
        (&t.kind, &t.namespace, &t.name)
    }
    fn object(&self, i: usize) -> Option<Cow<'_, Value>> {
        serde_json::from_slice(&self.objects[i].text.unpack()?).ok().map(Cow::Owned)
    }
}

/// The kinds a path reads across namespaces: parsed for the whole audit,
/// wherever they are, with every other cluster-scoped object. Every path
/// reads the Namespaces; running pods and zone nodes the Nodes; sharing
/// the apps; public hosts the Ingresses; privileges the bindings, roles and
/// ResourceRequests; isolation the ClusterNetworkPolicies and the API
/// server's EndpointSlices. Everything else (workloads, pods, Services,
/// quotas, claims, ...) is read a batch of namespaces at a time; of the
/// NetworkPolicies, read there, isolation keeps what its semantics read
/// ([`Policy`]).
pub const WIDE: &[&str] = &[
    "Namespace",
    "Node",
    "DepartmentApp",
    "Ingress",
    "RoleBinding",
    "ClusterRoleBinding",
    "ClusterRole",
    "ResourceRequest",
    "ClusterNetworkPolicy",
    "EndpointSlice",
];

/// The kinds read across namespaces that one path alone reads: parsed when
/// that path runs, and freed after it, not held through the whole audit
/// (at a province's size the apps alone were tens of MiB, held through the
/// isolation pass and every batch; sharing reads them one at a time, each
/// into its typed form, never all parsed at once). Each path reads of its objects only
/// these kinds, and the kinds read by every path (Namespaces, Nodes).
const ONE_PATH: &[(AuditBy, &[&str])] = &[
    (AuditBy::Sharing, &["DepartmentApp"]),
    (AuditBy::PublicHosts, &["Ingress"]),
    (AuditBy::TenantPrivileges, &["RoleBinding", "ClusterRoleBinding", "ResourceRequest"]),
];

/// The kinds of [`ONE_PATH`] that `path` reads.
fn own_kinds(path: AuditBy) -> &'static [&'static str] {
    ONE_PATH.iter().find(|(p, _)| *p == path).map_or(&[], |(_, k)| k)
}

/// Whether a kind is read by one path alone ([`ONE_PATH`]).
fn one_path(kind: &str) -> bool {
    ONE_PATH.iter().any(|(_, kinds)| kinds.contains(&kind))
}

/// Objects parsed at once in a batch of namespaces (whole namespaces: a
/// batch holds at least one). Large enough that the admission checks still
/// spread over threads (they do from [`crate::admission::SPREAD`] objects),
/// small enough to be a small part of a province's inventory (about 12 MiB
/// parsed at x10).
pub const BATCH: usize = 1200;

/// A source and the declared apps it does not list (the declared apps are
/// objects too, judged against their zone), after it.
struct All<'s> {
    source: &'s dyn Source,
    extra: Vec<Value>,
}

impl All<'_> {
    fn len(&self) -> usize {
        self.source.len() + self.extra.len()
    }
    fn key(&self, i: usize) -> (&str, &str, &str) {
        match i.checked_sub(self.source.len()) {
            None => self.source.key(i),
            Some(j) => {
                let o = &self.extra[j];
                (kind_of(o), ns_of(o), name_of(o))
            }
        }
    }
    fn object(&self, i: usize) -> Option<Cow<'_, Value>> {
        match i.checked_sub(self.source.len()) {
            None => self.source.object(i),
            Some(j) => Some(Cow::Borrowed(&self.extra[j])),
        }
    }
}

/// `Kind/namespace/name` (`Kind/name` when cluster-scoped), as [`id_of`] gives it.
fn id((kind, ns, name): (&str, &str, &str)) -> String {
    if ns.is_empty() { format!("{kind}/{name}") } else { format!("{kind}/{ns}/{name}") }
}

/// Audits the objects of `source` against `model`, a few namespaces at a
/// time, with the apps' admission verdicts from (and kept in) `verdicts`.
pub fn audit_from(model: &Model, source: &dyn Source, verdicts: &govcloud_render::Verdicts) -> Audit {
    audit_batched(model, source, verdicts, BATCH)
}

/// [`audit_from`] with batches of about `batch` objects (the equivalence
/// test's: one namespace to a batch, a few, all).
#[doc(hidden)]
pub fn audit_batched(model: &Model, source: &dyn Source, verdicts: &govcloud_render::Verdicts, batch: usize) -> Audit {
    let start = Instant::now();
    let timed = |stage: &str, since: Instant| {
        tracing::debug!(stage, ms = since.elapsed().as_secs_f64() * 1000.0, "audit stage")
    };
    // The declared apps the source does not list, after its objects.
    let listed: HashSet<String> =
        (0..source.len()).map(|i| source.key(i)).filter(|(k, _, _)| *k == "DepartmentApp").map(id).collect();
    let all = All { source, extra: crate::declared_apps(model, listed) };
    let n = all.len();

    // The wide part, parsed for the whole audit (what one path alone reads: when it runs).
    let wide_at: Vec<usize> = (0..n)
        .filter(|i| {
            let (k, ns, _) = all.key(*i);
            ns.is_empty() || WIDE.contains(&k)
        })
        .collect();
    let wide_owned: Vec<Cow<'_, Value>> =
        wide_at.iter().filter(|i| !one_path(all.key(**i).0)).filter_map(|i| all.object(*i)).collect();
    let wide: Vec<&Value> = wide_owned.iter().map(|c| c.as_ref()).collect();
    let namespaces: BTreeMap<String, &Value> =
        wide.iter().filter(|o| kind_of(o) == "Namespace").map(|o| (name_of(o).to_string(), *o)).collect();
    let tenant_ns: BTreeSet<String> =
        namespaces.iter().filter(|(_, o)| label(o, TENANT).is_some()).map(|(n, _)| n.clone()).collect();
    let nodes: Vec<&Value> = wide.iter().filter(|o| kind_of(o) == "Node").copied().collect();
    let owners = govcloud_render::host_owners(&model.tenants);
    let zones: BTreeMap<String, Value> =
        model.zones.iter().map(|z| (z.name_any(), govcloud_render::zone_param(z, &owners))).collect();
    let remote = crate::hosted_elsewhere(model);

    // The namespaces in batches: every namespace named by a Namespace or an
    // object, in order, whole namespaces to a batch.
    let mut at: BTreeMap<&str, Vec<usize>> = namespaces.keys().map(|n| (n.as_str(), Vec::new())).collect();
    for i in 0..n {
        let (_, ns, _) = all.key(i);
        if !ns.is_empty() {
            at.entry(ns).or_default().push(i);
        }
    }
    let mut batches: Vec<Vec<&str>> = vec![Vec::new()];
    let mut size = 0;
    for (ns, members) in &at {
        if size > 0 && size + members.len() > batch {
            batches.push(Vec::new());
            size = 0;
        }
        size += members.len();
        batches.last_mut().into_iter().for_each(|b| b.push(ns));
    }
    timed("prepare", start);

    let paths = crate::plan();
    let runs = |path: AuditBy| paths.iter().any(|(p, _)| *p == path);
    let t = Instant::now();
    let planned = govcloud_render::plan(model, verdicts);
    timed("render", t);
    // Isolation first, from a pass over the policies and what runs pods
    // alone: what it holds is freed before the batches make their findings.
    let t = Instant::now();
    let mut isolated: Vec<Finding> = Vec::new();
    let connectivity = if runs(AuditBy::Isolation) {
        let (workloads, policies) = isolation_inputs(&all, &batches, &at, &tenant_ns);
        tracing::debug!(
            stage = "isolation inputs",
            workloads = workloads.len(),
            policies = policies.len(),
            "audit stage"
        );
        let mut ctx = Ctx::new(namespaces.clone()).on(AuditBy::Isolation);
        let ws = workloads.into_iter().map(|(_, w)| w).collect();
        let policies = policies.into_iter().map(|(_, p)| p).collect();
        let c = isolation(&mut ctx, model, &planned, &wide, policies, ws, &remote, MATRIX_LIMIT);
        isolated = ctx.findings;
        c
    } else {
        Connectivity::default()
    };
    tracing::debug!(stage = ?AuditBy::Isolation, ms = t.elapsed().as_secs_f64() * 1000.0, "audit path");
    let by_path: BTreeMap<AuditBy, Vec<Finding>>;
    let admission: Vec<Finding>;
    {
        // The namespace batches, then the wide paths, on the calling thread.
        // They ran on a thread of their own beside the wide paths until the
        // nineteenth session: the province's audit took 1,327 ms of wall
        // time for 1,370 ms of CPU so (the wide paths are short), and each
        // round's new thread cost its own allocator pages and stack while
        // it lived (about 3.5 MiB of resident size at Chifeng's size).
        let (narrow, mut wide_found, mut ctx) = {
            let narrow = narrow_paths(
                &all,
                &batches,
                &at,
                &namespaces,
                &tenant_ns,
                &nodes,
                &zones,
                &remote,
                model,
                &planned,
                &runs,
            );
            let mut ctx = Ctx::new(namespaces.clone());
            let mut found: BTreeMap<AuditBy, Vec<Finding>> = BTreeMap::new();
            for (path, _) in &paths {
                let t = Instant::now();
                ctx.path = Some(*path);
                // Its own kinds, in the inventory's order, after the rest of the wide part.
                let kinds = own_kinds(*path);
                let own_at = wide_at.iter().filter(|i| kinds.contains(&all.key(**i).0));
                // Sharing reads its apps (the largest of these kinds) one at a
                // time; the other paths, their few objects at once.
                let own: Vec<Cow<'_, Value>> = match path {
                    AuditBy::Sharing => Vec::new(),
                    _ => own_at.clone().filter_map(|i| all.object(*i)).collect(),
                };
                let wide: Vec<&Value> = wide.iter().copied().chain(own.iter().map(|o| o.as_ref())).collect();
                match path {
                    AuditBy::Sharing => {
                        let apps = own_at.filter_map(|i| all.object(*i));
                        sharing(&mut ctx, model, wide.iter().map(|o| Cow::Borrowed(*o)).chain(apps), &planned, &remote)
                    }
                    AuditBy::PublicHosts => {
                        tenant_hosts(&mut ctx, model);
                        public_hosts(&mut ctx, &wide, &tenant_ns)
                    }
                    AuditBy::TenantPrivileges => {
                        tenant_privileges(&mut ctx, model, &wide, &tenant_ns);
                        resource_requests(&mut ctx, &wide)
                    }
                    AuditBy::ZoneRanges => endpoint_ranges(&mut ctx, model, &planned.index, &remote),
                    AuditBy::ZoneNodes => zone_nodes(&mut ctx, model, &wide, &remote),
                    _ => continue,
                }
                append(found.entry(*path).or_default(), &mut ctx.findings);
                tracing::debug!(stage = ?path, ms = t.elapsed().as_secs_f64() * 1000.0, "audit path");
            }
            (narrow, found, ctx)
        };
        let Narrow { admission: mut adm, found } = narrow;
        // Without the room they grew into: held to the end of the round.
        adm.shrink_to_fit();
        for (path, mut fs) in found {
            fs.shrink_to_fit();
            append(wide_found.entry(path).or_default(), &mut fs);
        }
        tracing::debug!(stage = "batches", batches = batches.len(), "audit stage");
        wide_found.insert(AuditBy::Isolation, isolated);
        // Drift once the batches are done (not beside them: what it holds
        // would add to their peak): each rendered object's live one, read
        // when its owner is checked (the last of an id).
        if runs(AuditBy::Drift) {
            let t = Instant::now();
            let ids: HashMap<String, usize> = (0..n).map(|i| (id(all.key(i)), i)).collect();
            let live = |id: &str| ids.get(id).and_then(|i| all.object(*i));
            ctx.path = Some(AuditBy::Drift);
            drift(&mut ctx, &planned, &live);
            append(wide_found.entry(AuditBy::Drift).or_default(), &mut ctx.findings);
            tracing::debug!(stage = ?AuditBy::Drift, ms = t.elapsed().as_secs_f64() * 1000.0, "audit path");
        }
        by_path = wide_found;
        admission = adm;
    }
    let flows = crate::flow_rows(&planned, &remote);
    drop(planned);
    drop(wide);
    drop(wide_owned);
    // The admission checks' findings first, then each path's in the order
    // the paths run: grown once to its size (grown by doubling, the copy
    // and the one it grew from were, at a province's size, the round's peak).
    let mut by_path = by_path;
    let mut findings = admission;
    findings.reserve_exact(by_path.values().map(Vec::len).sum());
    for (path, _) in &paths {
        if let Some(mut fs) = by_path.remove(path) {
            findings.append(&mut fs);
        }
    }
    crate::finish(model, findings, connectivity, flows)
}

/// Moves `from`'s findings to the end of `to`, which grows by an eighth ([`crate::ctx::grow`]).
fn append(to: &mut Vec<Finding>, from: &mut Vec<Finding>) {
    crate::ctx::grow(to, from.len());
    to.append(from);
}

/// What the namespace batches found.
struct Narrow {
    admission: Vec<Finding>,
    found: BTreeMap<AuditBy, Vec<Finding>>,
}

/// What isolation reads of the namespaces, a batch at a time: the
/// workloads and the NetworkPolicies as their semantics read them
/// ([`Policy`]), each in the inventory's order.
type IsolationInputs = (Vec<(usize, Workload)>, Vec<(usize, Policy)>);

/// [`IsolationInputs`], parsing of each batch only its policies and what
/// runs pods.
fn isolation_inputs(
    all: &All<'_>,
    batches: &[Vec<&str>],
    at: &BTreeMap<&str, Vec<usize>>,
    tenant_ns: &BTreeSet<String>,
) -> IsolationInputs {
    let (mut workloads, mut policies) = (Vec::new(), Vec::new());
    for batch in batches {
        let mut members: Vec<usize> = batch
            .iter()
            .filter_map(|ns| at.get(ns))
            .flatten()
            .copied()
            .filter(|i| {
                let kind = all.key(*i).0;
                kind == "NetworkPolicy" || RUN_PODS.contains(&kind)
            })
            .collect();
        members.sort_unstable();
        let parsed: Vec<(usize, Cow<'_, Value>)> =
            members.into_iter().filter_map(|i| Some((i, all.object(i)?))).collect();
        let objects: Vec<&Value> = parsed.iter().map(|(_, o)| o.as_ref()).collect();
        let tenants: BTreeSet<String> =
            batch.iter().filter(|ns| tenant_ns.contains(**ns)).map(|ns| ns.to_string()).collect();
        workloads.extend(workloads_at(&objects, &tenants).into_iter().map(|(j, w)| (parsed[j].0, w)));
        policies
            .extend(parsed.iter().filter(|(_, o)| kind_of(o) == "NetworkPolicy").map(|(i, o)| (*i, Policy::read(o))));
    }
    workloads.sort_by_key(|(i, _)| *i);
    policies.sort_by_key(|(i, _)| *i);
    (workloads, policies)
}

/// The kinds that run pods ([`crate::ctx::pod_of`]): what a workload is made of.
const RUN_PODS: &[&str] =
    &["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController", "CronJob"];

/// The namespace-local paths over each batch of namespaces: its objects
/// parsed, checked and freed before the next.
// The audit's inputs, each read here; a struct of them would only rename them.
#[allow(clippy::too_many_arguments)]
fn narrow_paths(
    all: &All<'_>,
    batches: &[Vec<&str>],
    at: &BTreeMap<&str, Vec<usize>>,
    namespaces: &BTreeMap<String, &Value>,
    tenant_ns: &BTreeSet<String>,
    nodes: &[&Value],
    zones: &BTreeMap<String, Value>,
    remote: &BTreeMap<String, String>,
    model: &Model,
    planned: &govcloud_render::Planned<'_>,
    runs: &(dyn Fn(AuditBy) -> bool + Sync),
) -> Narrow {
    let mut adm = Ctx::new(BTreeMap::new()).on(AuditBy::Admission);
    let mut ctx = Ctx::new(BTreeMap::new());
    let mut found: BTreeMap<AuditBy, Vec<Finding>> = BTreeMap::new();
    for batch in batches {
        let mut members: Vec<usize> = batch.iter().filter_map(|ns| at.get(ns)).flatten().copied().collect();
        members.sort_unstable();
        let parsed: Vec<(usize, Cow<'_, Value>)> =
            members.into_iter().filter_map(|i| Some((i, all.object(i)?))).collect();
        let objects: Vec<&Value> = parsed.iter().map(|(_, o)| o.as_ref()).collect();
        let with_nodes: Vec<&Value> =
            nodes.iter().copied().chain(objects.iter().copied().filter(|o| kind_of(o) != "Node")).collect();
        let here: BTreeMap<String, &Value> =
            batch.iter().filter_map(|ns| Some((ns.to_string(), *namespaces.get(*ns)?))).collect();
        let tenants: BTreeSet<String> =
            batch.iter().filter(|ns| tenant_ns.contains(**ns)).map(|ns| ns.to_string()).collect();
        if runs(AuditBy::Admission) {
            adm.namespaces = here.clone();
            admission_form(&mut adm, &objects, &tenants, zones);
            ingress_backends(&mut adm, &objects, &tenants);
        }
        ctx.namespaces = here;
        for path in [AuditBy::RunningPods, AuditBy::AppIdentity, AuditBy::ZoneRanges, AuditBy::Namespaces] {
            if !runs(path) {
                continue;
            }
            ctx.path = Some(path);
            match path {
                AuditBy::RunningPods => running_pods(&mut ctx, model, &with_nodes, &tenants),
                AuditBy::AppIdentity => app_identity(&mut ctx, &objects, &tenants, planned),
                AuditBy::ZoneRanges => policy_ranges(&mut ctx, model, &objects, &tenants),
                _ => namespace_controls(&mut ctx, &objects, &tenants, remote),
            }
            append(found.entry(path).or_default(), &mut ctx.findings);
        }
    }
    Narrow { admission: adm.findings, found }
}
