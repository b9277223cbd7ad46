//! Pod-create latency with govcloud's admission policies bound and with their bindings removed.

use super::*;

/// One namespace with room in its quota, and a compliant pod spec for it: the
/// pod template of a Deployment govcloud rendered there.
pub(crate) fn pod_target(rendered: &Rendered) -> Option<(String, Value)> {
    let mut used: BTreeMap<&str, i64> = BTreeMap::new();
    for o in &rendered.objects {
        if let Owned::Deployment(d) = o {
            *used.entry(o.namespace()).or_default() += d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1) as i64;
        }
    }
    let headroom = |o: &Owned| {
        let Owned::ResourceQuota(q) = o else { return None };
        let hard = q.spec.as_ref()?.hard.as_ref()?.get("pods")?.0.parse::<i64>().ok()?;
        Some(hard - used.get(o.namespace()).copied().unwrap_or(0))
    };
    let ns = rendered
        .objects
        .iter()
        .filter(|o| used.contains_key(o.namespace()))
        .filter_map(|o| headroom(o).map(|h| (h, o.namespace().to_string())))
        .filter(|(h, _)| *h >= 2)
        .max_by_key(|(h, ns)| (*h, std::cmp::Reverse(ns.clone())))?
        .1;
    let d = rendered.objects.iter().find(|o| o.kind() == "Deployment" && o.namespace() == ns)?;
    let v = serde_json::to_value(d).ok()?;
    Some((ns, v["spec"]["template"]["spec"].clone()))
}

/// Creates (and deletes) pods named `prefix-<i>` one at a time: the create
/// call's round trip, per pod.
pub(crate) async fn create_pods(
    pods: &Api<DynamicObject>,
    ns: &str,
    spec: &Value,
    prefix: &str,
    n: usize,
) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for i in 0..n {
        let name = format!("{prefix}-{i}");
        let pod: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {"govcloud-bench": "pod-latency"}},
            "spec": spec
        }))
        .map_err(|e| e.to_string())?;
        // The quota admission may answer 409 when the namespace's quota
        // changed under it (the pods just deleted): the create is tried
        // again, and the attempt that succeeds is what is timed.
        let mut attempt = 0;
        loop {
            let start = Instant::now();
            match pods.create(&PostParams::default(), &pod).await {
                Ok(_) => {
                    out.push(start.elapsed().as_secs_f64());
                    break;
                }
                Err(kube::Error::Api(s)) if s.code == 409 && s.reason == "Conflict" && attempt < 5 => attempt += 1,
                Err(e) => return Err(format!("creating pod {ns}/{name}: {e}")),
            }
        }
        pods.delete(&name, &DeleteParams { grace_period_seconds: Some(0), ..DeleteParams::default() })
            .await
            .map_err(|e| format!("deleting pod {ns}/{name}: {e}"))?;
    }
    Ok(out)
}

/// Server-side dry-run creates of the compliant pod, one after another on
/// the client's one connection: what admission adds to a create, without
/// etcd, the quota or a delete between samples (issue 27's method).
pub(crate) async fn dry_run_pods(
    pods: &Api<DynamicObject>,
    ns: &str,
    spec: &Value,
    n: usize,
) -> Result<Vec<f64>, String> {
    let pod: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "bench-dry-run", "namespace": ns, "labels": {"govcloud-bench": "pod-latency"}},
        "spec": spec
    }))
    .map_err(|e| e.to_string())?;
    let pp = PostParams { dry_run: true, ..PostParams::default() };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        pods.create(&pp, &pod).await.map_err(|e| format!("dry-run create in {ns}: {e}"))?;
        out.push(start.elapsed().as_secs_f64());
    }
    Ok(out)
}

/// The API server's own time in validating admission policies, summed over
/// its CREATE requests so far (seconds, requests), from its `/metrics`:
/// what the policies cost, without the client's or the network's share.
pub(crate) async fn policy_time(c: &Client) -> Option<(f64, f64)> {
    let req = http::Request::get("/metrics").body(Vec::new()).ok()?;
    let text = c.request_text(req).await.ok()?;
    let (mut sum, mut count) = (0.0, 0.0);
    for line in text.lines() {
        let wanted = |metric: &str| {
            line.strip_prefix(metric).filter(|rest| {
                rest.contains("name=\"ValidatingAdmissionPolicy\"")
                    && rest.contains("operation=\"CREATE\"")
                    && rest.contains("type=\"validate\"")
            })
        };
        let value = |rest: &str| rest.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        if let Some(rest) = wanted("apiserver_admission_controller_admission_duration_seconds_sum{") {
            sum += value(rest);
        } else if let Some(rest) = wanted("apiserver_admission_controller_admission_duration_seconds_count{") {
            count += value(rest);
        }
    }
    Some((sum, count))
}

/// Dry-run creates per round of [`pod_rounds`] (four rounds: 400 with the
/// policies bound and 400 without).
pub(crate) const DRY_RUNS_PER_ROUND: usize = 200;

/// Whether govcloud's policies are in force: a dry-run pod from a registry
/// no zone allows is refused.
pub(crate) async fn policies_enforced(pods: &Api<DynamicObject>, spec: &Value) -> bool {
    let mut spec = spec.clone();
    if let Some(cs) = spec["containers"].as_array_mut() {
        for c in cs {
            c["image"] = json!("docker.io/library/busybox:1.36");
        }
    }
    let Ok(pod) = serde_json::from_value::<DynamicObject>(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bench-probe"}, "spec": spec}),
    ) else {
        return false;
    };
    pods.create(&PostParams { dry_run: true, ..PostParams::default() }, &pod).await.is_err()
}

/// Pod-create latency with govcloud's admission policies bound and with
/// their bindings removed, in rounds (on, off, off, on) so that a machine
/// busy with something else weighs on both sides alike. The operator is
/// stopped, so nothing restores the bindings behind the bench's back.
pub(crate) async fn pod_latency(c: &Client, rendered: &Rendered, n: usize, results: &mut Results) {
    let Some((ns, spec)) = pod_target(rendered) else {
        results.set("pods", "skipped", json!("no namespace with room for more pods"));
        return;
    };
    results.set("pods", "namespace", json!(ns));
    results.set("pods", "n", json!(n));
    let pods: Api<DynamicObject> =
        dynamic_api(c, &ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "Pod")), Some(&ns));
    let bindings = dynamic_api(
        c,
        &ApiResource::from_gvk(&GroupVersionKind::gvk(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingAdmissionPolicyBinding",
        )),
        None,
    );
    let lp = ListParams::default().labels(&format!("{MANAGED_BY}={MANAGER}"));
    let saved: Vec<Value> = match bindings.list(&lp).await {
        Ok(l) => l
            .items
            .iter()
            .filter_map(|b| {
                let mut v = serde_json::to_value(b).ok()?;
                v["apiVersion"] = json!("admissionregistration.k8s.io/v1");
                v["kind"] = json!("ValidatingAdmissionPolicyBinding");
                let m = v["metadata"].as_object_mut()?;
                for k in ["resourceVersion", "uid", "managedFields", "creationTimestamp", "generation"] {
                    m.remove(k);
                }
                Some(v)
            })
            .collect(),
        Err(e) => return results.set("pods", "error", json!(format!("listing the policy bindings: {e}"))),
    };
    // Each create counts against the namespace's quota until the quota
    // controller sees the pod gone, later than the delete: the quotas are
    // widened for the samples (the operator is stopped) and put back after.
    let quotas: Api<ResourceQuota> = Api::namespaced(c.clone(), &ns);
    let kept = match widen_quotas(&quotas).await {
        Ok(kept) => kept,
        Err(e) => return results.set("pods", "error", json!(e)),
    };
    pod_rounds(c, &ns, &spec, &pods, &bindings, &saved, n, results).await;
    if let Err(e) = restore_quotas(&quotas, kept).await {
        results.set("pods", "error", json!(e));
    }
}

/// Sets every count and resource in the namespace's quotas far above what
/// the samples use; returns each quota's hard limits as they were.
pub(crate) async fn widen_quotas(quotas: &Api<ResourceQuota>) -> Result<Vec<(String, Value)>, String> {
    let list = quotas.list(&ListParams::default()).await.map_err(|e| format!("listing the quotas: {e}"))?;
    let mut kept = Vec::new();
    for q in list.items {
        let name = q.name_any();
        let hard = q.spec.and_then(|s| s.hard).unwrap_or_default();
        let wide: serde_json::Map<String, Value> = hard
            .keys()
            .map(|k| {
                let v = if k.contains("memory") || k.contains("storage") { "1Pi" } else { "100000" };
                (k.clone(), json!(v))
            })
            .collect();
        kept.push((name.clone(), json!(hard)));
        quotas
            .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"hard": wide}})))
            .await
            .map_err(|e| format!("widening quota {name}: {e}"))?;
    }
    Ok(kept)
}

/// Puts back the hard limits [`widen_quotas`] kept.
pub(crate) async fn restore_quotas(quotas: &Api<ResourceQuota>, kept: Vec<(String, Value)>) -> Result<(), String> {
    for (name, hard) in kept {
        quotas
            .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"hard": hard}})))
            .await
            .map_err(|e| format!("restoring quota {name}: {e}"))?;
    }
    Ok(())
}

/// The sample rounds of [`pod_latency`].
#[allow(clippy::too_many_arguments)]
pub(crate) async fn pod_rounds(
    c: &Client,
    ns: &str,
    spec: &Value,
    pods: &Api<DynamicObject>,
    bindings: &Api<DynamicObject>,
    saved: &[Value],
    n: usize,
    results: &mut Results,
) {
    let mut with: Vec<f64> = Vec::new();
    let mut without: Vec<f64> = Vec::new();
    let (mut dry_with, mut dry_without): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    // The API server's time in the policies over the dry runs with them bound.
    let mut in_policies = (0.0, 0.0);
    // Warm connections and caches.
    if let Err(e) = create_pods(pods, ns, spec, "bench-warm", 3).await {
        return results.set("pods", "error", json!(e));
    }
    let per_round = n.div_ceil(4).max(1);
    for (round, on) in [true, false, false, true].into_iter().enumerate() {
        // Bind or unbind, then wait until the API server enforces accordingly.
        for b in saved {
            let name = b["metadata"]["name"].as_str().unwrap_or_default();
            let r = if on {
                ssa(c, b, "govcloud-bench").await
            } else {
                bindings.delete(name, &DeleteParams::default()).await.map(|_| ()).or_else(|e| {
                    if matches!(&e, kube::Error::Api(s) if s.code == 404) { Ok(()) } else { Err(e.to_string()) }
                })
            };
            if let Err(e) = r {
                return results.set(
                    "pods",
                    "error",
                    json!(format!("{} binding {name}: {e}", if on { "restoring" } else { "removing" })),
                );
            }
        }
        let switched = time_until(Duration::from_secs(30), Duration::from_millis(100), || async {
            policies_enforced(pods, spec).await == on
        })
        .await;
        if switched.is_none() {
            return results.set(
                "pods",
                "error",
                json!(format!("the policies were {} still after 30 s", if on { "not enforced" } else { "enforced" })),
            );
        }
        let before = policy_time(c).await;
        let dry = dry_run_pods(pods, ns, spec, DRY_RUNS_PER_ROUND).await;
        if let (true, Some((s0, n0)), Some((s1, n1))) = (on, before, policy_time(c).await) {
            in_policies.0 += s1 - s0;
            in_policies.1 += n1 - n0;
        }
        match dry {
            Ok(v) if on => dry_with.extend(v),
            Ok(v) => dry_without.extend(v),
            Err(e) => return results.set("pods", "error", json!(e)),
        }
        let prefix = format!("bench-{}-{round}", if on { "with" } else { "without" });
        match create_pods(pods, ns, spec, &prefix, per_round).await {
            Ok(v) if on => with.extend(v),
            Ok(v) => without.extend(v),
            Err(e) => return results.set("pods", "error", json!(e)),
        }
    }
    with.sort_by(f64::total_cmp);
    without.sort_by(f64::total_cmp);
    dry_with.sort_by(f64::total_cmp);
    dry_without.sort_by(f64::total_cmp);
    {
        let ms = |v: &[f64], p: f64| percentile(v, p).map(|s| s * 1000.0);
        let added = |p: f64| Some(ms(&dry_with, p)? - ms(&dry_without, p)?);
        results.set("pods", "dry_run_n", json!(dry_with.len()));
        results.set("pods", "dry_run_with_ms", json!({"p50": ms(&dry_with, 0.5), "p99": ms(&dry_with, 0.99)}));
        results.set("pods", "dry_run_without_ms", json!({"p50": ms(&dry_without, 0.5), "p99": ms(&dry_without, 0.99)}));
        results.set("pods", "dry_run_added_ms", json!({"p50": added(0.5), "p99": added(0.99)}));
        // Mean over every CREATE the API server admitted meanwhile (the
        // dry runs, and the few creates of others while they ran).
        let in_policies_ms = (in_policies.1 > 0.0).then(|| in_policies.0 / in_policies.1 * 1000.0);
        results.set("pods", "dry_run_in_policies_ms", json!(in_policies_ms));
        eprintln!(
            "[bench] pods (dry run): the API server's time in the validating policies {:.3} ms a create",
            in_policies_ms.unwrap_or(f64::NAN)
        );
        eprintln!(
            "[bench] pods (dry run): p50/p99 with {:.2}/{:.2} ms, without {:.2}/{:.2} ms",
            ms(&dry_with, 0.5).unwrap_or(f64::NAN),
            ms(&dry_with, 0.99).unwrap_or(f64::NAN),
            ms(&dry_without, 0.5).unwrap_or(f64::NAN),
            ms(&dry_without, 0.99).unwrap_or(f64::NAN),
        );
    }
    results.set("pods", "n", json!(with.len()));
    results.set("pods", "bindings", json!(saved.len()));
    let ms = |v: &[f64], p: f64| percentile(v, p).map(|s| s * 1000.0);
    results.set("pods", "with_policies_ms", json!({"p50": ms(&with, 0.5), "p99": ms(&with, 0.99)}));
    results.set("pods", "without_policies_ms", json!({"p50": ms(&without, 0.5), "p99": ms(&without, 0.99)}));
    let overhead = |p: f64| Some((percentile(&with, p)? / percentile(&without, p)? - 1.0) * 100.0);
    results.set("pods", "overhead_percent", json!({"p50": overhead(0.5), "p99": overhead(0.99)}));
    eprintln!(
        "[bench] pods: p50/p99 with {:.1}/{:.1} ms, without {:.1}/{:.1} ms ({} bindings toggled)",
        ms(&with, 0.5).unwrap_or(f64::NAN),
        ms(&with, 0.99).unwrap_or(f64::NAN),
        ms(&without, 0.5).unwrap_or(f64::NAN),
        ms(&without, 0.99).unwrap_or(f64::NAN),
        saved.len()
    );
}
