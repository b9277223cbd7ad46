//! The floor: one client server-side-applies what `govcloud render` produces.

use super::*;

pub(crate) fn resource_of(v: &Value) -> Result<(ApiResource, Option<String>, String), String> {
    let api_version = v["apiVersion"].as_str().ok_or("object without apiVersion")?;
    let kind = v["kind"].as_str().ok_or("object without kind")?;
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
    let ns = v["metadata"]["namespace"].as_str().map(str::to_string);
    let name = v["metadata"]["name"].as_str().ok_or("object without name")?.to_string();
    Ok((ar, ns, name))
}

pub(crate) fn dynamic_api(client: &Client, ar: &ApiResource, ns: Option<&str>) -> Api<DynamicObject> {
    match ns {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

/// Server-side applies one object, retrying transient failures.
pub(crate) async fn ssa(client: &Client, v: &Value, manager: &str) -> Result<(), String> {
    let (ar, ns, name) = resource_of(v)?;
    let api = dynamic_api(client, &ar, ns.as_deref());
    let mut last = String::new();
    for attempt in 0..10 {
        match api.patch(&name, &PatchParams::apply(manager).force(), &Patch::Apply(v)).await {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
    }
    Err(format!("applying {} {}: {last}", ar.kind, name))
}

pub(crate) fn rendered_values(rendered: &Rendered) -> Result<Vec<(usize, Value)>, String> {
    render::render_platform()
        .iter()
        .chain(rendered.objects.iter())
        .map(|o| serde_json::to_value(o).map(|v| (o.order(), v)).map_err(|e| format!("{}: {e}", o.id())))
        .collect()
}

pub(crate) async fn floor(
    plan: &Plan,
    args: &Args,
    dir: &Path,
    model: &Model,
    rendered: &Rendered,
    results: &mut Results,
) -> Result<(), String> {
    let cluster = up(plan, dir, args).await?;
    let c = cluster.client.clone();
    govcloud::operator::install_crds(&c, OPERATOR_NS).await.map_err(|e| format!("installing CRDs: {e}"))?;
    wait_quota_discovery(&c).await?;
    let deployments = watch(Api::<Deployment>::all(c.clone()), Some(&format!("{MANAGED_BY}={MANAGER}"))).await?;
    let expected = rendered.objects.iter().filter(|o| o.kind() == "Deployment").count();
    let objects = rendered_values(rendered)?;
    let api_cpu0 = cpu_seconds(cluster.pid("kube-apiserver"));
    eprintln!(
        "[bench] floor: applying {} zones and {} objects, {} at a time",
        model.zones.len(),
        objects.len(),
        args.floor_concurrency
    );
    let start = Instant::now();
    // The zones are the parameters of the zone admission policies.
    let zones_only = Model { zones: model.zones.clone(), ..Model::default() };
    govcloud::dev::apply_model(&c, &zones_only, &[], Duration::from_secs(60))
        .await
        .map_err(|e| format!("applying zones: {e}"))?;
    // Kind by kind, in the operator's apply order (namespaces before what lives in them).
    let mut by_order: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    for (order, v) in objects {
        by_order.entry(order).or_default().push(v);
    }
    for (_, batch) in by_order {
        futures::stream::iter(batch.iter().map(|v| ssa(&c, v, FLOOR_MANAGER)))
            .buffer_unordered(args.floor_concurrency.max(1))
            .try_collect::<Vec<()>>()
            .await?;
    }
    let applied = start.elapsed();
    eprintln!("[bench] floor: applied in {:.1} s; waiting for {expected} Deployments", applied.as_secs_f64());
    let mut last_print = Instant::now();
    let done = loop {
        let state = deployments.store.state();
        let available = state.iter().filter(|d| deployment_available(d)).count();
        if state.len() >= expected && available >= expected {
            break Some(start.elapsed());
        }
        if start.elapsed() > plan.timeout {
            eprintln!(
                "[bench] floor: {available}/{expected} Deployments available after {:.0} s; giving up",
                start.elapsed().as_secs_f64()
            );
            results.set("floor", "available_at_timeout", json!(available));
            break None;
        }
        if last_print.elapsed() > Duration::from_secs(15) {
            eprintln!(
                "[bench] floor: {available}/{expected} Deployments available after {:.0} s",
                start.elapsed().as_secs_f64()
            );
            last_print = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    results.set("floor", "objects", json!(rendered.objects.len() + render::render_platform().len()));
    results.set("floor", "deployments", json!(expected));
    results.set("floor", "concurrency", json!(args.floor_concurrency));
    results.set("floor", "apply_seconds", json!(applied.as_secs_f64()));
    results.set("floor", "seconds", json!(done.map(|d| d.as_secs_f64())));
    results.set(
        "floor",
        "apiserver_cpu_seconds",
        json!(cpu_seconds(cluster.pid("kube-apiserver")).zip(api_cpu0).map(|(a, b)| a - b)),
    );
    if let Some(d) = done {
        eprintln!("[bench] floor: every Deployment available after {:.1} s", d.as_secs_f64());
    }
    drop(deployments);
    drop(cluster);
    Ok(())
}

/// Waits until the quota controller counts DepartmentApps (it discovers a
/// new CRD's resources about every 30 s): until then a quota naming
/// `count/departmentapps.govcloud.io` refuses every DepartmentApp ("status
/// unknown for quota"). A cluster that has had govcloud for more than a minute
/// is past this; the clock starts after it, in both phases.
pub(crate) async fn wait_quota_discovery(c: &Client) -> Result<f64, String> {
    use k8s_openapi::api::core::v1::Namespace;
    let ns = "govcloud-bench-probe";
    let key = "count/departmentapps.govcloud.io";
    let n: Namespace = serde_json::from_value(json!({"metadata": {"name": ns}})).map_err(|e| e.to_string())?;
    Api::<Namespace>::all(c.clone())
        .patch(ns, &PatchParams::apply("govcloud-bench").force(), &Patch::Apply(&n))
        .await
        .map_err(|e| e.to_string())?;
    let q: ResourceQuota = serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "probe", "namespace": ns}, "spec": {"hard": {key: "1"}}}),
    )
    .map_err(|e| e.to_string())?;
    let quotas: Api<ResourceQuota> = Api::namespaced(c.clone(), ns);
    quotas
        .patch("probe", &PatchParams::apply("govcloud-bench").force(), &Patch::Apply(&q))
        .await
        .map_err(|e| e.to_string())?;
    let waited = time_until(Duration::from_secs(180), Duration::from_millis(500), || async {
        quotas.get_opt("probe").await.ok().flatten().and_then(|q| q.status?.used).is_some_and(|u| u.contains_key(key))
    })
    .await
    .ok_or("the quota controller did not count DepartmentApps within 180 s")?;
    let _ = Api::<Namespace>::all(c.clone()).delete(ns, &DeleteParams::default()).await;
    eprintln!("[bench] the quota controller counts DepartmentApps (waited {waited:.0} s)");
    Ok(waited)
}
