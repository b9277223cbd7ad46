//! Pod usage: what the pods really use, from a `metrics.k8s.io/v1beta1`
//! PodMetricsList (`kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods`
//! prints one; the operator and `govcloud evaluate` read the same API live).

use std::collections::BTreeMap;

use serde_json::Value;

use govcloud_core::meta::labels;
use govcloud_core::meta::quantity::Quantity;

/// One pod's usage, all containers together.
#[derive(Clone, Debug, PartialEq)]
pub struct PodUsage {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub name: String,
    /// The DepartmentApp it runs, from its `govcloud.io/app` label.
    pub app: Option<String>,
    /// CPU (cores).
    pub cpu: Quantity,
    /// Memory (bytes).
    pub memory: Quantity,
}

/// Why the metrics API gave no usage, from the HTTP status of its answer
/// (None: no answer at all): 404, the cluster serves no such API; 403, it
/// does but refuses this identity (RBAC); anything else, it failed.
pub fn missing_for_status(status: Option<u16>) -> crate::Missing {
    match status {
        Some(404) => crate::Missing::NoUsage,
        Some(403) => crate::Missing::UsageForbidden,
        _ => crate::Missing::UsageUnavailable,
    }
}

/// Which app each pod runs, from its `govcloud.io/app` label: (namespace,
/// name) -> app, of the pods that have one. What the evaluation reads of
/// the pods, kept instead of the pods themselves (a compliance round at a
/// province's size keeps it for thousands of pods while the reports are
/// written).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodApps(BTreeMap<(Box<str>, Box<str>), Box<str>>);

impl PodApps {
    /// The apps of the Pods among `objects` (other kinds are passed over).
    pub fn of<'a>(objects: impl IntoIterator<Item = &'a Value>) -> PodApps {
        let mut apps = PodApps::default();
        objects.into_iter().for_each(|o| apps.add(o));
        apps
    }

    /// Adds `object`'s app if it is a Pod with the label.
    pub fn add(&mut self, object: &Value) {
        if object["kind"] != "Pod" {
            return;
        }
        let m = &object["metadata"];
        if let (Some(ns), Some(name), Some(app)) =
            (m["namespace"].as_str(), m["name"].as_str(), m["labels"][labels::APP].as_str())
        {
            self.0.insert((ns.into(), name.into()), app.into());
        }
    }

    /// The app the pod `name` in `namespace` runs, if it is known.
    pub fn get(&self, namespace: &str, name: &str) -> Option<&str> {
        self.0.get(&(Box::from(namespace), Box::from(name))).map(|app| &**app)
    }

    /// How many pods' apps it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Reads a PodMetricsList (JSON or YAML). `source` names it in errors; `pods`
/// say which app a pod runs when the metrics item carries no labels. An
/// error names the field and the fix.
pub fn parse_pod_metrics(source: &str, text: &str, pods: &PodApps) -> Result<Vec<PodUsage>, String> {
    let doc: Value = serde_norway::from_str::<serde_norway::Value>(text)
        .map_err(|e| format!("{source}: not JSON or YAML: {e}; give the output of `kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods`"))
        .and_then(|v| serde_json::to_value(v).map_err(|e| format!("{source}: {e}")))?;
    from_list(source, &doc, pods)
}

/// Reads a PodMetricsList already parsed as JSON.
pub fn from_list(source: &str, doc: &Value, pods: &PodApps) -> Result<Vec<PodUsage>, String> {
    let fix = "give the output of `kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods` (a PodMetricsList)";
    if doc["kind"].as_str() != Some("PodMetricsList") {
        return Err(format!("{source}: kind: expected PodMetricsList, found {}; {fix}", doc["kind"]));
    }
    let items = doc["items"].as_array().ok_or_else(|| format!("{source}: items: missing or not a list; {fix}"))?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let meta = &item["metadata"];
        let (Some(ns), Some(name)) = (meta["namespace"].as_str(), meta["name"].as_str()) else {
            return Err(format!("{source}: items[{i}].metadata: namespace and name are required; {fix}"));
        };
        let containers = item["containers"]
            .as_array()
            .ok_or_else(|| format!("{source}: items[{i}].containers: missing or not a list; {fix}"))?;
        let (mut cpu, mut memory) = (Quantity::ZERO, Quantity::ZERO);
        for (j, c) in containers.iter().enumerate() {
            for (key, sum) in [("cpu", &mut cpu), ("memory", &mut memory)] {
                let q = c["usage"][key]
                    .as_str()
                    .ok_or_else(|| format!("{source}: items[{i}].containers[{j}].usage.{key}: missing; {fix}"))?;
                *sum += Quantity::parse(q).map_err(|_| {
                    format!("{source}: items[{i}].containers[{j}].usage.{key}: {q:?} is not a Kubernetes quantity (such as 250m, 12345n or 128Mi)")
                })?;
            }
        }
        let app = meta["labels"][labels::APP].as_str().or_else(|| pods.get(ns, name)).map(str::to_string);
        out.push(PodUsage { namespace: ns.to_string(), name: name.to_string(), app, cpu, memory });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
