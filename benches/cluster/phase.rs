//! The operator phase: the model applied, the clock stopped when everything is Ready, then idle.

use super::*;

/// The operator's Namespace, ServiceAccount, ClusterRole, Roles (its lease;
/// the API server's EndpointSlices in `default`) and their bindings (as
/// `govcloud manifests` installs them) and a kubeconfig with its token.
pub(crate) async fn operator_kubeconfig(cluster: &Cluster) -> Result<PathBuf, String> {
    use k8s_openapi::api::core::v1::ServiceAccount;
    let c = &cluster.client;
    for m in govcloud::operator::install::manifests("unused", OPERATOR_NS) {
        if matches!(
            m["kind"].as_str(),
            Some("Namespace" | "ServiceAccount" | "ClusterRole" | "ClusterRoleBinding" | "Role" | "RoleBinding")
        ) {
            ssa(c, &m, "govcloud-bench").await?;
        }
    }
    let tr = serde_json::from_value(json!({"spec": {"audiences": [], "expirationSeconds": 86400}}))
        .map_err(|e| e.to_string())?;
    let sas: Api<ServiceAccount> = Api::namespaced(c.clone(), OPERATOR_NS);
    let token = sas
        .create_token_request(govcloud::meta::names::OPERATOR, &PostParams::default(), &tr)
        .await
        .map_err(|e| format!("token for the operator: {e}"))?
        .status
        .ok_or("token request without status")?
        .token;
    let admin: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(cluster.dir.join("kubeconfig")).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let kc = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "bench", "cluster": serde_json::to_value(&admin["clusters"][0]["cluster"]).map_err(|e| e.to_string())?}],
        "users": [{"name": "operator", "user": {"token": token}}],
        "contexts": [{"name": "operator", "context": {"cluster": "bench", "user": "operator"}}],
        "current-context": "operator"
    });
    let path = cluster.dir.join("operator.kubeconfig");
    std::fs::write(&path, serde_norway::to_string(&kc).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    Ok(path)
}

pub(crate) type Count = (usize, usize);

pub(crate) struct Readiness {
    pub(crate) zones: Watched<NetworkZone>,
    pub(crate) tenants: Watched<Tenant>,
    pub(crate) apps: Watched<DepartmentApp>,
}

impl Readiness {
    pub(crate) fn counts(&self) -> (Count, Count, Count) {
        let z = self.zones.store.state();
        let t = self.tenants.store.state();
        let a = self.apps.store.state();
        (
            (z.iter().filter(|z| z.status.as_ref().is_some_and(|s| is_ready(&s.conditions))).count(), z.len()),
            (t.iter().filter(|t| t.status.as_ref().is_some_and(|s| is_ready(&s.conditions))).count(), t.len()),
            (a.iter().filter(|a| a.status.as_ref().is_some_and(|s| is_ready(&s.conditions))).count(), a.len()),
        )
    }
}

/// Seconds until `check` holds, polled every `every`; `None` after `timeout`.
pub(crate) async fn time_until<F, Fut>(timeout: Duration, every: Duration, mut check: F) -> Option<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if check().await {
            return Some(start.elapsed().as_secs_f64());
        }
        if start.elapsed() > timeout {
            return None;
        }
        tokio::time::sleep(every).await;
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn operator_phase(
    plan: &Plan,
    args: &Args,
    dir: &Path,
    model: &Model,
    rendered: &Rendered,
    results: &mut Results,
    out_json: &Path,
) -> Result<(), String> {
    let cluster = up(plan, dir, args).await?;
    let c = cluster.client.clone();
    govcloud::operator::install_crds(&c, OPERATOR_NS).await.map_err(|e| format!("installing CRDs: {e}"))?;
    let kubeconfig = operator_kubeconfig(&cluster).await?;
    wait_quota_discovery(&c).await?;
    let audit = AuditTail::start(cluster.audit_log());
    let log = dir.join("operator.log");
    let mut op = Operator::start(&kubeconfig, plan.resync, &log)?;
    let t_start = Timestamp::now();
    op.wait_ready(Duration::from_secs(120)).await?;
    eprintln!("[bench] operator: started (pid {}, log {}), caches synced", op.pid(), log.display());
    let readiness = Readiness {
        zones: watch(Api::all(c.clone()), None).await?,
        tenants: watch(Api::all(c.clone()), None).await?,
        apps: watch(Api::all(c.clone()), None).await?,
    };
    let m0 = op.metrics();
    let cpu0 = cpu_seconds(Some(op.pid())).unwrap_or(0.0);
    let api_cpu0 = cpu_seconds(cluster.pid("kube-apiserver"));
    let t0 = Timestamp::now();
    let start = Instant::now();
    eprintln!(
        "[bench] operator: applying {} zones, {} tenants, {} apps",
        model.zones.len(),
        model.tenants.len(),
        model.apps.len()
    );
    // Applying waits for the namespaces the operator creates; progress is shown meanwhile.
    let mut apply = Some(tokio::spawn({
        let (c, m, timeout) = (c.clone(), model.clone(), plan.timeout);
        async move { govcloud::dev::apply_model(&c, &m, &[], timeout).await.map_err(|e| format!("applying the model: {e}")) }
    }));
    let mut applied: Option<Duration> = None;
    let mut last_print = Instant::now();
    let (zn, tn, an) = (model.zones.len(), model.tenants.len(), model.apps.len());
    // What the resident size is made of while converging: `/proc` at every
    // turn, the heap every 2 s (a scrape of the metrics).
    let mut split = Split::default();
    let mut turn = 0u64;
    let converged = loop {
        split.sample(op.pid(), if turn.is_multiple_of(8) { op.heap_mib() } else { None });
        turn += 1;
        if apply.as_ref().is_some_and(|h| h.is_finished())
            && let Some(h) = apply.take()
        {
            h.await.map_err(|e| e.to_string())??;
            applied = Some(start.elapsed());
            eprintln!("[bench] operator: model applied after {:.1} s", start.elapsed().as_secs_f64());
        }
        let (z, t, a) = readiness.counts();
        if applied.is_some() && z.0 >= zn && t.0 >= tn && a.0 >= an {
            break Some(start.elapsed());
        }
        if let Ok(Some(status)) = op.child.try_wait() {
            return Err(format!("the operator exited ({status}); see {}", log.display()));
        }
        if start.elapsed() > plan.timeout || last_print.elapsed() > Duration::from_secs(30) {
            let rss = proc_kib(op.pid(), "VmRSS").unwrap_or(0) / 1024;
            eprintln!(
                "[bench] operator: after {:.0} s ready zones {}/{zn}, tenants {}/{tn}, apps {}/{an} ({} applied); RSS {rss} MiB, CPU {:.0} s",
                start.elapsed().as_secs_f64(),
                z.0,
                t.0,
                a.0,
                a.1,
                cpu_seconds(Some(op.pid())).unwrap_or(0.0) - cpu0
            );
            last_print = Instant::now();
            results.set(
                "operator",
                "progress",
                json!({"seconds": start.elapsed().as_secs_f64(), "zones": z.0, "tenants": t.0, "apps": a.0, "apps_applied": a.1, "rss_mib": rss}),
            );
            results.write(out_json);
        }
        if start.elapsed() > plan.timeout {
            if let Some(h) = apply.take() {
                h.abort();
            }
            break None;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let t1 = Timestamp::now();
    let m1 = op.metrics();
    let cpu1 = cpu_seconds(Some(op.pid())).unwrap_or(0.0);
    let hwm1 = proc_kib(op.pid(), "VmHWM").unwrap_or(0);
    let (z, t, a) = readiness.counts();
    results.set("operator", "apply_seconds", json!(applied.map(|d| d.as_secs_f64())));
    results.set("operator", "seconds", json!(converged.map(|d| d.as_secs_f64())));
    results.set("operator", "ready", json!({"zones": [z.0, zn], "tenants": [t.0, tn], "apps": [a.0, an]}));
    results.set("operator", "startup_seconds", json!((t0.as_microsecond() - t_start.as_microsecond()) as f64 / 1e6));
    results.set("operator", "resync_seconds", json!(plan.resync));
    results.set("operator", "cpu_seconds_convergence", json!(cpu1 - cpu0));
    results.set(
        "operator",
        "apiserver_cpu_seconds_convergence",
        json!(cpu_seconds(cluster.pid("kube-apiserver")).zip(api_cpu0).map(|(a, b)| a - b)),
    );
    results.set("operator", "peak_rss_mib_convergence", json!(hwm1 as f64 / 1024.0));
    results.set("operator", "split_convergence", split.json());
    match converged {
        Some(d) => eprintln!("[bench] operator: everything Ready after {:.1} s", d.as_secs_f64()),
        None => eprintln!(
            "[bench] operator: not converged after {:.0} s (zones {}/{zn}, tenants {}/{tn}, apps {}/{an})",
            start.elapsed().as_secs_f64(),
            z.0,
            t.0,
            a.0
        ),
    }
    tokio::time::sleep(Duration::from_secs(2)).await; // the audit log catches up
    let delta = metrics_delta(&m0, &m1);
    let (verbs, writes) = audit.window(t0, t1);
    results.set("convergence", "reconciles", json!(by_label(&delta, "govcloud_reconciliations_total", "kind")));
    results.set("convergence", "status_refreshes", json!(by_label(&delta, "govcloud_status_refreshes_total", "kind")));
    results.set("convergence", "reconcile_errors", json!(by_label(&delta, "govcloud_reconcile_errors_total", "kind")));
    results.set("convergence", "object_writes", json!(by_label(&delta, "govcloud_object_writes_total", "action")));
    results.set("convergence", "metrics", json!(delta));
    results.set("convergence", "requests", json!(verbs));
    results.set("convergence", "writes", json!(writes_in(&verbs)));
    results.set("convergence", "writes_by_resource", json!(writes));
    results.write(out_json);

    if converged.is_none() {
        eprintln!("[bench] operator: skipping idle, report and drift measurements (not converged)");
    } else {
        // Settle: the compliance reports catch up with the last pods of the
        // convergence; idle starts once a compliance audit has started and
        // ended after Ready (two more audits counted: the first may have
        // listed the cluster before it) and the operator has then written
        // nothing for 15 s (or after 5 minutes).
        let settle_start = Instant::now();
        let ts = Timestamp::now();
        let audits = |m: &BTreeMap<String, f64>| {
            m.iter().filter(|(k, _)| k.starts_with("govcloud_compliance_audits_total")).map(|(_, v)| *v).sum::<f64>()
        };
        let audits_at_ready = audits(&op.metrics());
        loop {
            let quiet_from = Timestamp::now();
            tokio::time::sleep(Duration::from_secs(15)).await;
            let (verbs, _) = audit.window(quiet_from, Timestamp::now());
            let caught_up = audits(&op.metrics()) >= audits_at_ready + 2.0;
            if (caught_up && writes_in(&verbs) == 0) || settle_start.elapsed() > Duration::from_secs(300) {
                break;
            }
        }
        let (verbs, writes) = audit.window(ts, Timestamp::now());
        results.set("settle", "seconds", json!(settle_start.elapsed().as_secs_f64()));
        results.set("settle", "writes", json!(writes_in(&verbs)));
        results.set("settle", "writes_by_resource", json!(writes));
        eprintln!(
            "[bench] settle: {:.0} s, {} writes (reports catching up)",
            settle_start.elapsed().as_secs_f64(),
            writes_in(&verbs)
        );
        // Idle: nothing changes; resyncs happen.
        eprintln!("[bench] idle: {} s (resync every {} s)", plan.idle.as_secs(), plan.resync);
        let ti = Timestamp::now();
        let (cpu_i, m_i) = (cpu_seconds(Some(op.pid())).unwrap_or(0.0), op.metrics());
        // The resident size at rest, sampled every 5 s through the window.
        let idle_end = Instant::now() + plan.idle;
        let mut rest = Vec::new();
        let (mut heap, mut anon, mut file) = (Vec::new(), Vec::new(), Vec::new());
        while Instant::now() < idle_end {
            rest.extend(proc_kib(op.pid(), "VmRSS").map(|k| k as f64 / 1024.0));
            heap.extend(op.heap_mib());
            anon.extend(proc_kib(op.pid(), "RssAnon").map(|k| k as f64 / 1024.0));
            file.extend(proc_kib(op.pid(), "RssFile").map(|k| k as f64 / 1024.0));
            tokio::time::sleep(Duration::from_secs(5).min(idle_end.saturating_duration_since(Instant::now()))).await;
        }
        let tj = Timestamp::now();
        let (cpu_j, m_j) = (cpu_seconds(Some(op.pid())).unwrap_or(0.0), op.metrics());
        tokio::time::sleep(Duration::from_secs(2)).await;
        let delta = metrics_delta(&m_i, &m_j);
        let (verbs, writes) = audit.window(ti, tj);
        results.set("idle", "seconds", json!(plan.idle.as_secs()));
        results.set("idle", "reconciles", json!(by_label(&delta, "govcloud_reconciliations_total", "kind")));
        results.set("idle", "metrics", json!(delta));
        results.set("idle", "requests", json!(verbs));
        results.set("idle", "writes", json!(writes_in(&verbs)));
        results.set("idle", "writes_by_resource", json!(writes));
        results.set("idle", "cpu_seconds", json!(cpu_j - cpu_i));
        if !rest.is_empty() {
            let (lo, hi) = rest.iter().fold((f64::MAX, 0.0f64), |(lo, hi), m| (lo.min(*m), hi.max(*m)));
            results.set("idle", "rss_mib", json!({"min": lo, "max": hi, "samples": rest}));
        }
        let range = |v: &[f64]| {
            (!v.is_empty()).then(|| {
                let (lo, hi) = v.iter().fold((f64::MAX, 0.0f64), |(lo, hi), m| (lo.min(*m), hi.max(*m)));
                json!({"min": lo, "max": hi})
            })
        };
        results.set("idle", "heap_mib", json!(range(&heap)));
        results.set("idle", "rss_anon_mib", json!(range(&anon)));
        results.set("idle", "rss_file_mib", json!(range(&file)));
        eprintln!("[bench] idle: {} writes, {} requests", writes_in(&verbs), verbs.values().sum::<u64>());
        results.write(out_json);

        report_latency(&c, model, plan, results).await;
        results.write(out_json);
        drift(&c, rendered, plan.drift, args.seed, results).await;
        results.write(out_json);
    }
    let hwm = proc_kib(op.pid(), "VmHWM").unwrap_or(hwm1);
    results.set("operator", "peak_rss_mib", json!(hwm as f64 / 1024.0));
    results.set("operator", "cpu_seconds_total", json!(cpu_seconds(Some(op.pid())).unwrap_or(0.0) - cpu0));
    let (verbs, _) = audit.window(t_start, Timestamp::now());
    results.set("operator", "requests_total", json!(verbs));
    op.stop();
    drop(readiness);
    eprintln!("[bench] operator stopped; pod-create latency with and without govcloud's admission policies");
    pod_latency(&c, rendered, plan.pods, results).await;
    results.write(out_json);
    drop(audit);
    drop(cluster);
    Ok(())
}
