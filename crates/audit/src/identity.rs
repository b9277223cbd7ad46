//! App identity (`AuditBy::AppIdentity`): a workload is an app's by its owner chain up to what govcloud renders (custody), never by its labels.

use govcloud_core::controls;
use govcloud_core::messages::{Code, Message};
use govcloud_core::meta::labels;
use govcloud_core::msg;

use serde_json::Value;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, kind_of, label, name_of, ns_of, pod_of};
use std::collections::{BTreeSet, HashMap};

/// GC-NET-006 for what exists, judged by custody and never by labels (anyone
/// who may write an object may write its labels): a pod or template carrying
/// the app identity label passes only when its controller owner chain, in its
/// namespace and among the listed objects (Pod -> ReplicaSet -> Deployment,
/// Pod -> StatefulSet, Pod -> Job -> CronJob), ends at a workload govcloud renders for that very app
/// ([`AppWorkloads`]), made by govcloud: labelled as managed, and, when it
/// names a controller, controlled by the app's DepartmentApp. A fake owner
/// reference leads nowhere and does not count.
pub(crate) fn app_identity(
    ctx: &mut Ctx<'_>,
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
    planned: &govcloud_render::Planned<'_>,
) {
    let listed: HashMap<(&str, &str, &str), &Value> =
        objects.iter().map(|o| ((ns_of(o), kind_of(o), name_of(o)), *o)).collect();
    let mut ours = AppWorkloads::new(planned);
    for o in objects.iter().filter(|o| tenant_ns.contains(ns_of(o))) {
        let Some((pod_metadata, _)) = pod_of(o) else { continue };
        let Some(app) = pod_metadata["labels"][labels::APP].as_str() else { continue };
        let (outcome, evidence) = match custody(o, app, &listed, &mut ours) {
            Ok(top) => (Outcome::Pass, msg!(Code::EvidenceRunBy, format!("{}={app}", labels::APP), top)),
            Err(forged) => (Outcome::Fail, forged),
        };
        let field = if kind_of(o) == "Pod" {
            "metadata.labels".to_string()
        } else {
            format!("{}.metadata.labels", template_path(o))
        };
        ctx.add(
            controls::APP_IDENTITY,
            outcome,
            &id_of(o),
            Some(ns_of(o)),
            &field,
            evidence,
            msg!(Code::AppLabelOwned),
        );
    }
}

/// Where a workload object keeps its pod template.
pub(crate) fn template_path(o: &Value) -> &'static str {
    if kind_of(o) == "CronJob" { "spec.jobTemplate.spec.template" } else { "spec.template" }
}

/// The kinds whose controller makes objects of `kind` for govcloud's apps,
/// and how a finding names them: a Deployment's ReplicaSets make its pods, a
/// Deployment makes its ReplicaSets, a CronJob its Jobs (each run), a Job or
/// a StatefulSet its pods. Nothing else is on the way to govcloud's
/// workload (a bare Job, a DaemonSet, a pod claiming a Deployment directly).
pub(crate) fn made_by(kind: &str) -> Option<(&'static [&'static str], Code)> {
    match kind {
        "Pod" => Some((&["ReplicaSet", "StatefulSet", "Job"], Code::EvidenceMakerOfPod)),
        "ReplicaSet" => Some((&["Deployment"], Code::EvidenceMakerOfReplicaSet)),
        "Job" => Some((&["CronJob"], Code::EvidenceMakerOfJob)),
        _ => None,
    }
}

/// The group of an `apiVersion` (`""` for the core group).
pub(crate) fn group_of(api_version: &str) -> &str {
    api_version.split_once('/').map_or("", |(g, _)| g)
}

/// The controller owner reference of `o`, if it names one.
pub(crate) fn controller_of(o: &Value) -> Option<&Value> {
    o["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == true)
}

/// Whether owner reference `r` is to the listed object `owner`: the same
/// group and, where both are known (objects read from a cluster), the same
/// uid; a reference to a deleted object of the same name is not.
pub(crate) fn refers_to(r: &Value, owner: &Value) -> bool {
    let same_group = group_of(r["apiVersion"].as_str().unwrap_or_default())
        == group_of(owner["apiVersion"].as_str().unwrap_or_default());
    let same_uid = match (r["uid"].as_str(), owner["metadata"]["uid"].as_str()) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    same_group && same_uid
}

/// Follows the controller owner chain of `o`, which carries app label
/// `app`, to the top workload and judges it: `Ok(the workload, as the
/// evidence names it)` when it is govcloud's, for this app; else `Err(the
/// evidence: the label and what forged it)`.
pub(crate) fn custody(
    o: &Value,
    app: &str,
    listed: &HashMap<(&str, &str, &str), &Value>,
    ours: &mut AppWorkloads<'_>,
) -> Result<Message, Message> {
    let ns = ns_of(o);
    let shown = format!("{}={app}", labels::APP);
    let mut cur = o;
    // How the chain reads so far ("app=x owned by ReplicaSet y of Deployment z"); none at `o` itself.
    let mut chain: Option<Message> = None;
    while !matches!(kind_of(cur), "Deployment" | "StatefulSet" | "CronJob") {
        let here = chain.clone().unwrap_or_else(|| label_on(&shown, cur));
        let Some((owners, expected)) = made_by(kind_of(cur)) else {
            return Err(msg!(Code::EvidenceKindsOnly, here));
        };
        let Some(r) = controller_of(cur) else {
            return Err(match kind_of(cur) {
                "Pod" if chain.is_none() => msg!(Code::EvidenceNoOwnerChain, here),
                _ => msg!(Code::EvidenceNoController, here),
            });
        };
        let (kind, name) = (r["kind"].as_str().unwrap_or_default(), r["name"].as_str().unwrap_or_default());
        let step = match chain.take() {
            None => msg!(Code::EvidenceLabelOwnedBy, shown.as_str(), kind, name),
            Some(c) => msg!(Code::EvidenceChainOf, c, kind, name),
        };
        if !owners.contains(&kind) {
            return Err(msg!(Code::EvidenceNotOwnedBy, step, expected));
        }
        let Some(owner) = listed.get(&(ns, kind, name)).copied() else {
            return Err(msg!(Code::EvidenceOwnerUnlisted, step));
        };
        if !refers_to(r, owner) {
            return Err(msg!(Code::EvidenceOtherReference, step, kind));
        }
        let carried = pod_of(owner).and_then(|(m, _)| m["labels"][labels::APP].as_str());
        if carried != Some(app) {
            return Err(msg!(Code::EvidenceTemplateCarries, step, shown_app(carried)));
        }
        chain = Some(step);
        cur = owner;
    }
    // Said of the top workload: where the chain led, or the object itself.
    let (kind, name) = (kind_of(cur), name_of(cur));
    let top = match chain {
        None => msg!(Code::EvidenceLabelOnObject, shown.as_str(), kind, name),
        Some(c) => msg!(Code::EvidenceNotFromWorkload, c),
    };
    let Some(rendered) = ours.get(ns, kind, name) else {
        return Err(msg!(Code::EvidenceNotRendered, top, kind, name, ns));
    };
    if rendered.template_app.as_deref() != Some(app) {
        return Err(msg!(Code::EvidenceRunsOther, top, kind, name, shown_app(rendered.template_app.as_deref())));
    }
    // The name is govcloud's; whether govcloud made the object holding it is another matter (GC-MGD-002).
    if label(cur, labels::MANAGED_BY) != Some(labels::MANAGER) {
        return Err(msg!(
            Code::EvidenceNameNotMade,
            top,
            kind,
            name,
            format!("{}={}", labels::MANAGED_BY, labels::MANAGER)
        ));
    }
    if let Some(r) = controller_of(cur) {
        let is_app = r["kind"] == "DepartmentApp"
            && group_of(r["apiVersion"].as_str().unwrap_or_default()) == govcloud_core::meta::GROUP
            && r["name"].as_str() == Some(rendered.app.as_str());
        let app_object = listed.get(&(ns, "DepartmentApp", rendered.app.as_str())).copied();
        if !is_app || app_object.is_some_and(|a| !refers_to(r, a)) {
            return Err(msg!(
                Code::EvidenceControlledBy,
                top,
                kind,
                name,
                r["kind"].as_str().unwrap_or_default(),
                r["name"].as_str().unwrap_or_default(),
                &rendered.app
            ));
        }
    }
    Ok(msg!(Code::EvidenceGovcloudsFor, id_of(cur), &rendered.app))
}

/// `app=x on a bare pod`, `app=x on a ReplicaSet`: the label `shown` on
/// object `o`, named by its kind alone.
pub(crate) fn label_on(shown: &str, o: &Value) -> Message {
    match kind_of(o) {
        "Pod" => msg!(Code::EvidenceLabelOnBarePod, shown),
        k if k.starts_with(['A', 'E', 'I', 'O', 'U']) => msg!(Code::EvidenceLabelOnAn, shown, k),
        k => msg!(Code::EvidenceLabelOnA, shown, k),
    }
}

/// An app label as a finding shows it: a value, or words.
pub(crate) fn shown_app(app: Option<&str>) -> govcloud_core::messages::Arg {
    match app {
        Some(a) => format!("{}={a}", labels::APP).into(),
        None => msg!(Code::EvidenceNoLabel, labels::APP).into(),
    }
}

/// A pod-bearing workload govcloud renders.
pub(crate) struct AppWorkload {
    /// The DepartmentApp it is rendered for.
    pub(crate) app: String,
    /// The `govcloud.io/app` label of its pod template.
    pub(crate) template_app: Option<String>,
}

/// The workloads govcloud renders for the apps of the plan, by namespace,
/// kind and name: what the owner chain of a labelled pod must end at. A
/// namespace's apps are rendered when the audit first asks about it, so a
/// namespace without labelled pods costs nothing.
pub(crate) struct AppWorkloads<'p> {
    pub(crate) planned: &'p govcloud_render::Planned<'p>,
    /// The planned apps of each namespace.
    pub(crate) apps: HashMap<&'p str, Vec<&'p str>>,
    /// What the apps of a namespace render, once asked.
    pub(crate) rendered: HashMap<String, HashMap<(String, String), AppWorkload>>,
}

impl<'p> AppWorkloads<'p> {
    pub(crate) fn new(planned: &'p govcloud_render::Planned<'p>) -> Self {
        let mut apps: HashMap<&str, Vec<&str>> = HashMap::new();
        for (_, ns, name) in
            planned.owners().filter(|(kind, _, _)| *kind == govcloud_core::meta::kinds::OwnerKind::DepartmentApp)
        {
            apps.entry(ns).or_default().push(name);
        }
        AppWorkloads { planned, apps, rendered: HashMap::new() }
    }

    /// The workload `kind` `namespace/name` as govcloud renders it, if it does.
    pub(crate) fn get(&mut self, namespace: &str, kind: &str, name: &str) -> Option<&AppWorkload> {
        if !self.rendered.contains_key(namespace) {
            let mut workloads = HashMap::new();
            for app in self.apps.get(namespace).into_iter().flatten() {
                for o in
                    self.planned.owner(govcloud_core::meta::kinds::OwnerKind::DepartmentApp, namespace, app).objects
                {
                    if !matches!(o.kind(), "Deployment" | "StatefulSet" | "CronJob") {
                        continue;
                    }
                    let Ok(v) = serde_json::to_value(&o) else { continue };
                    let template_app =
                        pod_of(&v).and_then(|(m, _)| m["labels"][labels::APP].as_str()).map(str::to_string);
                    workloads.insert(
                        (o.kind().to_string(), name_of(&v).to_string()),
                        AppWorkload { app: app.to_string(), template_app },
                    );
                }
            }
            self.rendered.insert(namespace.to_string(), workloads);
        }
        self.rendered.get(namespace)?.get(&(kind.to_string(), name.to_string()))
    }
}
