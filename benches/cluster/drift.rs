//! Compliance report latency and drift repair latency.

use super::*;

pub(crate) async fn report_latency(c: &Client, model: &Model, plan: &Plan, results: &mut Results) {
    // An exec binding in an MLPS 3 namespace (GC-RBAC-004), by a cluster admin.
    let ns = model.tenants.iter().find_map(|t| {
        t.spec.zones.iter().find_map(|tz| {
            let z = model.zones.iter().find(|z| z.name_any() == tz.name)?;
            let level = t.spec.mlps_level.unwrap_or(0).max(z.spec.mlps_level);
            (z.spec.kind == ZoneKind::Private && level >= 3 && !z.spec.allow_exec)
                .then(|| govcloud::meta::names::namespace_name(&t.name_any(), &tz.name))
        })
    });
    let Some(ns) = ns else {
        results.set("report", "skipped", json!("no MLPS 3 tenant namespace"));
        return;
    };
    let name = "bench-exec";
    let rb = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": ns},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": govcloud::meta::names::EXEC_ROLE},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "bench-intruders"}]
    });
    let rbs = dynamic_api(
        c,
        &ApiResource::from_gvk(&GroupVersionKind::gvk("rbac.authorization.k8s.io", "v1", "RoleBinding")),
        Some(&ns),
    );
    let obj: DynamicObject = match serde_json::from_value(rb) {
        Ok(o) => o,
        Err(e) => return results.set("report", "error", json!(e.to_string())),
    };
    if let Err(e) = rbs.create(&PostParams::default(), &obj).await {
        results.set("report", "error", json!(format!("creating RoleBinding {ns}/{name}: {e}")));
        return;
    }
    eprintln!(
        "[bench] report: RoleBinding {ns}/{name} binds {} at MLPS 3; waiting for Report {ns}/govcloud to show it",
        govcloud::meta::names::EXEC_ROLE
    );
    let reports = dynamic_api(
        c,
        &ApiResource::from_gvk(&GroupVersionKind::gvk("openreports.io", "v1alpha1", "Report")),
        Some(&ns),
    );
    let timeout = Duration::from_secs(plan.resync * 2 + 120);
    let shows_it = || async {
        let Ok(Some(r)) = reports.get_opt("govcloud").await else { return false };
        r.data["results"].as_array().into_iter().flatten().any(|x| {
            x["result"] == "fail"
                && x["resources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|res| res["name"] == name && res["kind"] == "RoleBinding")
        })
    };
    let appeared = time_until(timeout, Duration::from_millis(250), &shows_it).await;
    results.set(
        "report",
        "change",
        json!(format!(
            "RoleBinding {ns}/{name} to {} at MLPS 3 (GC-RBAC-004), then its deletion",
            govcloud::meta::names::EXEC_ROLE
        )),
    );
    results.set("report", "seconds", json!(appeared));
    results.set("report", "timeout_seconds", json!(timeout.as_secs()));
    let _ = rbs.delete(name, &DeleteParams::default()).await;
    // The second sample: the deletion, until the Report no longer shows it.
    let cleared = if appeared.is_some() {
        time_until(timeout, Duration::from_millis(250), || async { !shows_it().await }).await
    } else {
        None
    };
    results.set("report", "cleared_seconds", json!(cleared));
    let show = |v: Option<f64>| v.map_or(format!("not within {} s", timeout.as_secs()), |s| format!("{s:.1} s"));
    eprintln!(
        "[bench] report: shows the binding after {}, no longer after its deletion after {}",
        show(appeared),
        show(cleared)
    );
}

// === drift repair ===

pub(crate) const DRIFT: &[(&str, &str)] = &[
    ("NetworkPolicy", "delete"),
    ("ResourceQuota", "edit spec.hard.pods"),
    ("Deployment", "scale (spec.replicas + 1)"),
    ("Service", "delete"),
    ("RoleBinding", "delete"),
];

pub(crate) fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[i])
}

pub(crate) async fn drift(c: &Client, rendered: &Rendered, n: usize, seed: u64, results: &mut Results) {
    let mut rng = Rng(seed);
    let by_kind: Vec<Vec<&Owned>> =
        DRIFT.iter().map(|(k, _)| rendered.objects.iter().filter(|o| o.kind() == *k).collect()).collect();
    let timeout = Duration::from_secs(60);
    let mut samples: Vec<f64> = Vec::new();
    let mut per_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut timeouts = Vec::new();
    eprintln!("[bench] drift: {n} edits and deletions of managed objects, one at a time");
    for i in 0..n {
        let k = i % DRIFT.len();
        let (kind, action) = DRIFT[k];
        if by_kind[k].is_empty() {
            continue;
        }
        let o = by_kind[k][rng.below(by_kind[k].len())];
        let Ok(desired) = serde_json::to_value(o) else { continue };
        let Ok((ar, ns, name)) = resource_of(&desired) else { continue };
        let api = dynamic_api(c, &ar, ns.as_deref());
        let edit = match kind {
            "ResourceQuota" => api
                .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"hard": {"pods": "999"}}})))
                .await
                .map(|_| ()),
            "Deployment" => {
                let r = desired["spec"]["replicas"].as_i64().unwrap_or(1);
                api.patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": r + 1}})))
                    .await
                    .map(|_| ())
            }
            _ => api.delete(&name, &DeleteParams::default()).await.map(|_| ()),
        };
        if let Err(e) = edit {
            eprintln!("[bench] drift: {action} {}: {e}", o.id());
            continue;
        }
        let repaired = time_until(timeout, Duration::from_millis(20), || async {
            let Ok(Some(actual)) = api.get_opt(&name).await else { return false };
            let Ok(actual) = serde_json::to_value(&actual) else { return false };
            actual["metadata"]["deletionTimestamp"].is_null() && object_contains(&actual, &desired)
        })
        .await;
        match repaired {
            Some(s) => {
                samples.push(s);
                per_kind.entry(kind).or_default().push(s);
            }
            None => {
                samples.push(timeout.as_secs_f64());
                timeouts.push(o.id());
            }
        }
    }
    samples.sort_by(f64::total_cmp);
    let mut kinds = serde_json::Map::new();
    for (kind, mut v) in per_kind {
        v.sort_by(f64::total_cmp);
        kinds.insert(kind.to_string(), json!({"n": v.len(), "p50": percentile(&v, 0.5), "max": v.last()}));
    }
    results.set("drift", "n", json!(samples.len()));
    results.set("drift", "actions", json!(DRIFT.iter().map(|(k, a)| format!("{k}: {a}")).collect::<Vec<_>>()));
    results.set("drift", "p50_seconds", json!(percentile(&samples, 0.5)));
    results.set("drift", "p99_seconds", json!(percentile(&samples, 0.99)));
    results.set("drift", "max_seconds", json!(samples.last()));
    results.set("drift", "by_kind", Value::Object(kinds));
    results.set("drift", "timeouts", json!(timeouts));
    eprintln!(
        "[bench] drift: p50 {:.3} s, p99 {:.3} s, {} not repaired within {} s",
        percentile(&samples, 0.5).unwrap_or(f64::NAN),
        percentile(&samples, 0.99).unwrap_or(f64::NAN),
        timeouts.len(),
        timeout.as_secs()
    );
}
