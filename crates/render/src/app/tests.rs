use super::super::*;
use govcloud_core::model::{Model, config_map_key, load_str};
use k8s_openapi::api::core::v1::PodSpec;

/// A zone, tenant `a` (with `limits`, YAML) and app `portal` with `spec` (YAML, indented by two).
fn model(limits: &str, spec: &str) -> Model {
    let text = format!(
        r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {{name: ext}}
spec:
  kind: extranet
  displayName: {{zh: 外网, en: Extranet}}
  nodePool: {{selector: {{govcloud.io/zone: extranet}}, taint: {{key: govcloud.io/zone, value: extranet}}}}
  cidrs: [10.10.0.0/16]
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: a}}
spec:
  displayName: {{zh: 甲, en: A}}
  zones: [{{name: ext}}]
{limits}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: portal, namespace: a-ext}}
spec:
  zone: ext
  image: harbor.egov.local/a/portal:1
  ports: [{{name: http, port: 8080}}]
{spec}"#
    );
    load_str("m.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}")).model
}

fn deployment(r: &Rendered) -> &k8s_openapi::api::apps::v1::Deployment {
    match r.object("Deployment", "a-ext", "portal") {
        Some(Owned::Deployment(d)) => d,
        other => panic!("no Deployment: {other:?}; problems {:?}", r.problems),
    }
}

fn pod(r: &Rendered) -> PodSpec {
    deployment(r).spec.clone().and_then(|s| s.template.spec).expect("pod spec")
}

fn digest(r: &Rendered) -> Option<String> {
    let meta = deployment(r).spec.clone()?.template.metadata?;
    meta.annotations?.get(labels::CONFIG_DIGEST).cloned()
}

const CONFIGURED: &str = r#"  command: [/app/portal]
  args: [--config, /etc/portal/portal.yaml]
  env:
  - {name: MODE, value: production}
  - {name: DB_HOST, valueFrom: {configMapKeyRef: {name: portal-config, key: db-host}}}
  - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: portal-db, key: password}}}
  configFiles:
  - {mountPath: /etc/portal, configMap: portal-config, items: [{key: portal.yaml, path: portal.yaml}]}
  - {mountPath: /etc/portal-tls, secret: portal-tls}
  readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 5}
  livenessProbe: {tcpSocket: {port: http}, failureThreshold: 3}
  startupProbe: {exec: {command: [/app/check]}}
"#;

#[test]
fn the_container_runs_with_its_command_environment_files_and_probes() {
    let r = render(&model("", CONFIGURED));
    let spec = pod(&r);
    let c = &spec.containers[0];
    assert_eq!(c.command.as_deref(), Some(&["/app/portal".to_string()][..]));
    assert_eq!(c.args.as_ref().map(Vec::len), Some(2));
    let env = serde_json::to_value(&c.env).expect("env");
    assert_eq!(
        env,
        serde_json::json!([
            {"name": "MODE", "value": "production"},
            {"name": "DB_HOST", "valueFrom": {"configMapKeyRef": {"name": "portal-config", "key": "db-host"}}},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "portal-db", "key": "password"}}}
        ])
    );
    // govcloud's /tmp, then each set of files, read-only, mode 0440.
    let mounts: Vec<(String, Option<bool>)> =
        c.volume_mounts.iter().flatten().map(|m| (m.mount_path.clone(), m.read_only)).collect();
    assert_eq!(
        mounts,
        [("/tmp".into(), None), ("/etc/portal".into(), Some(true)), ("/etc/portal-tls".into(), Some(true))]
    );
    let volumes = serde_json::to_value(&spec.volumes).expect("volumes");
    assert_eq!(volumes[1]["configMap"]["defaultMode"], 0o440);
    assert_eq!(volumes[1]["configMap"]["items"][0]["path"], "portal.yaml");
    assert_eq!(volumes[2]["secret"]["secretName"], "portal-tls");
    assert_eq!(volumes[2]["secret"]["defaultMode"], 0o440);
    let probes = serde_json::to_value((&c.readiness_probe, &c.liveness_probe, &c.startup_probe)).expect("probes");
    assert_eq!(probes[0]["httpGet"], serde_json::json!({"path": "/healthz", "port": "http"}));
    assert_eq!(probes[0]["periodSeconds"], 5);
    assert_eq!(probes[1]["tcpSocket"]["port"], "http");
    assert_eq!(probes[2]["exec"]["command"][0], "/app/check");
    // Still hardened.
    assert_eq!(spec.automount_service_account_token, Some(false));
    assert_eq!(c.security_context.as_ref().and_then(|s| s.read_only_root_filesystem), Some(true));
}

#[test]
fn the_pod_template_follows_the_data_of_the_config_maps_the_app_reads() {
    let plain = render(&model("", ""));
    assert_eq!(digest(&plain), None, "an app reading no ConfigMap has no digest");
    let mut m = model("", CONFIGURED);
    let absent = digest(&render(&m)).expect("a digest");
    let key = config_map_key("a-ext", "portal-config");
    m.config_map_digests.insert(key.clone(), "d1".into());
    let first = digest(&render(&m)).expect("a digest");
    assert_ne!(first, absent);
    m.config_map_digests.insert(key.clone(), "d2".into());
    let second = digest(&render(&m)).expect("a digest");
    assert_ne!(second, first);
    // Another namespace's ConfigMap of that name, or a Secret's name, counts for nothing.
    m.config_map_digests.insert(config_map_key("b-ext", "portal-config"), "x".into());
    m.config_map_digests.insert(config_map_key("a-ext", "portal-db"), "x".into());
    assert_eq!(digest(&render(&m)).as_deref(), Some(second.as_str()));
    m.config_map_digests.remove(&key);
    assert_eq!(digest(&render(&m)).as_deref(), Some(absent.as_str()));
}

#[test]
fn requests_above_the_limits_the_defaults_give_are_problems_before_rendering() {
    let problems = |limits: &str, spec: &str| -> Vec<(String, String, String)> {
        render(&model(limits, spec))
            .problems
            .into_iter()
            .filter(|p| p.object.name == "portal")
            .map(|p| (p.field, p.message, p.fix))
            .collect()
    };
    // Above the platform's default limit (500m).
    let p = problems("", "  resources: {requests: {cpu: '2'}}\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, "spec.resources.requests.cpu");
    assert!(
        p[0].1.contains("request 2 cpu") && p[0].1.contains("limited to 500m (the platform's default limits)"),
        "{p:?}"
    );
    assert!(p[0].2.contains("set spec.resources.limits.cpu (at least 2)"), "{p:?}");
    // Above the tenant's default limit; a declared limit below the tenant's default request.
    let defaults = "  limits: {defaultRequest: {cpu: 100m, memory: 512Mi}, defaultLimit: {cpu: 200m, memory: 1Gi}}";
    let p = problems(defaults, "  resources: {requests: {memory: 2Gi}}\n");
    assert_eq!(p[0].0, "spec.resources.requests.memory");
    assert!(p[0].1.contains("tenant a's spec.limits.defaultLimit.memory"), "{p:?}");
    let p = problems(defaults, "  resources: {limits: {memory: 256Mi}}\n");
    assert_eq!(p[0].0, "spec.resources.limits.memory");
    assert!(p[0].1.contains("tenant a's spec.limits.defaultRequest.memory"), "{p:?}");
    // Above the tenant's maximum: the LimitRange would refuse the pods.
    let p = problems("  limits: {max: {cpu: '1'}}", "  resources: {requests: {cpu: 500m}, limits: {cpu: '2'}}\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, "spec.resources.limits.cpu");
    assert!(p[0].1.contains("exceeds tenant a's maximum 1"), "{p:?}");
    // An app with a problem renders nothing.
    let r = render(&model("", "  resources: {requests: {cpu: '2'}}\n"));
    assert!(r.object("Deployment", "a-ext", "portal").is_none());
    // Within every bound: no problem.
    assert_eq!(problems(defaults, "  resources: {requests: {cpu: 200m}, limits: {cpu: '1'}}\n"), vec![]);
}

#[test]
fn the_pull_policy_is_the_apps_unless_the_zone_requires_always() {
    let spec = "  imagePullPolicy: Never\n  imagePullSecrets: [{name: harbor-pull}, {name: harbor-mirror}]\n";
    let r = render(&model("", spec));
    let pod_spec = pod(&r);
    assert_eq!(pod_spec.containers[0].image_pull_policy.as_deref(), Some("Never"));
    let secrets: Vec<String> = pod_spec.image_pull_secrets.iter().flatten().map(|s| s.name.clone()).collect();
    assert_eq!(secrets, ["harbor-pull", "harbor-mirror"]);
    // Unset: IfNotPresent, and no pull secrets.
    let plain = pod(&render(&model("", "")));
    assert_eq!(plain.containers[0].image_pull_policy.as_deref(), Some("IfNotPresent"));
    assert_eq!(plain.image_pull_secrets, None);
    // A zone that says so: Always, and an app asking for another is refused with the fix.
    let mut m = model("", "");
    m.zones[0].spec.always_pull_images = true;
    assert_eq!(pod(&render(&m)).containers[0].image_pull_policy.as_deref(), Some("Always"));
    let mut m = model("", spec);
    m.zones[0].spec.always_pull_images = true;
    let problems: Vec<_> = render(&m).problems.into_iter().filter(|p| p.object.name == "portal").collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "spec.imagePullPolicy");
    assert!(problems[0].message.contains("[GC-IMG-003]"), "{problems:?}");
    assert!(problems[0].fix.contains("remove spec.imagePullPolicy or set it to Always"), "{problems:?}");
}

fn with_storage(classes: &[&str], storage: &str) -> Model {
    let mut m = model("", &format!("  replicas: 2\n  storage: {storage}\n"));
    m.zones[0].spec.allowed_storage_classes = classes.iter().map(|c| c.to_string()).collect();
    m
}

#[test]
fn an_app_with_storage_runs_as_a_statefulset_with_claims_of_the_zones_class() {
    let m = with_storage(&["ext-ssd", "ext-hdd"], "[{name: data, size: 5Gi, mountPath: /var/lib/portal}]");
    let r = render(&m);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.object("Deployment", "a-ext", "portal").is_none(), "one workload per app");
    let Some(Owned::StatefulSet(s)) = r.object("StatefulSet", "a-ext", "portal") else { panic!("no StatefulSet") };
    let spec = s.spec.clone().expect("spec");
    assert_eq!(spec.replicas, Some(2));
    assert_eq!(spec.service_name.as_deref(), Some("govcloud-portal-pods"));
    let claims = spec.volume_claim_templates.clone().unwrap_or_default();
    let claim = claims[0].spec.clone().expect("claim spec");
    assert_eq!(claims[0].metadata.name.as_deref(), Some("data"));
    // The zone's default: its first class.
    assert_eq!(claim.storage_class_name.as_deref(), Some("ext-ssd"));
    assert_eq!(claim.resources.and_then(|r| r.requests).map(|r| r["storage"].0.clone()).as_deref(), Some("5Gi"));
    let retention = spec.persistent_volume_claim_retention_policy.expect("retention");
    assert_eq!((retention.when_deleted.as_deref(), retention.when_scaled.as_deref()), (Some("Retain"), Some("Retain")));
    // Mounted where declared, beside the scratch space, in the hardened pod.
    let pod = spec.template.spec.expect("pod");
    let mounts = pod.containers[0].volume_mounts.clone().unwrap_or_default();
    assert!(mounts.iter().any(|v| v.name == "data" && v.mount_path == "/var/lib/portal"), "{mounts:?}");
    assert_eq!(pod.automount_service_account_token, Some(false));
    // A headless Service for the pods' names, the app's own Service for clients, a budget.
    let Some(Owned::Service(h)) = r.object("Service", "a-ext", "govcloud-portal-pods") else { panic!("no headless") };
    assert_eq!(h.spec.clone().and_then(|s| s.cluster_ip).as_deref(), Some("None"));
    assert!(r.object("Service", "a-ext", "portal").is_some());
    assert!(r.object("PodDisruptionBudget", "a-ext", "portal").is_some());
    // A class of its own, when the zone allows it.
    let m = with_storage(&["ext-ssd", "ext-hdd"], "[{name: data, size: 5Gi, mountPath: /d, storageClass: ext-hdd}]");
    let Some(Owned::StatefulSet(s)) = render(&m).object("StatefulSet", "a-ext", "portal").cloned() else { panic!() };
    let claims = s.spec.and_then(|s| s.volume_claim_templates).unwrap_or_default();
    assert_eq!(claims[0].spec.as_ref().and_then(|s| s.storage_class_name.as_deref()), Some("ext-hdd"));
}

#[test]
fn storage_off_the_zones_classes_or_beyond_the_quota_is_refused_with_the_fix() {
    let problems = |m: &Model| -> Vec<(String, String, String)> {
        render(m)
            .problems
            .into_iter()
            .filter(|p| p.object.name == "portal")
            .map(|p| (p.field, p.message, p.fix))
            .collect()
    };
    // A class the zone does not list; a zone that lists none offers no storage.
    let found =
        problems(&with_storage(&["ext-ssd"], "[{name: data, size: 5Gi, mountPath: /d, storageClass: prv-ssd}]"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.starts_with("spec.storage") && found[0].1.contains("[GC-VOL-003]"), "{found:?}");
    let found = problems(&with_storage(&[], "[{name: data, size: 5Gi, mountPath: /d}]"));
    assert!(found.iter().any(|p| p.1.contains("[GC-VOL-003]")), "{found:?}");
    // 2 replicas × 60Gi > the default quota of 100Gi.
    let found = problems(&with_storage(&["ext-ssd"], "[{name: data, size: 60Gi, mountPath: /d}]"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "spec.storage");
    assert!(found[0].1.contains("120Gi") && found[0].1.contains("100Gi"), "{found:?}");
    assert!(found[0].2.contains("ResourceRequest"), "{found:?}");
    // 3 replicas × 8 volumes > 20 claims.
    let many: Vec<String> = (0..8).map(|i| format!("{{name: v{i}, size: 1Gi, mountPath: /v{i}}}")).collect();
    let mut m = model("", &format!("  replicas: 3\n  storage: [{}]\n", many.join(", ")));
    m.zones[0].spec.allowed_storage_classes = vec!["ext-ssd".into()];
    let found = problems(&m);
    assert!(found.iter().any(|p| p.1.contains("24 claims")), "{found:?}");
}

#[test]
fn a_scheduled_app_runs_as_a_cronjob_of_the_same_hardened_pod() {
    let mut m = model("", "");
    let app = &mut m.apps[0].spec;
    app.ports.clear();
    app.schedule = Some(
        serde_json::from_value(
            serde_json::json!({"cron": "30 2 * * *", "timeZone": "Asia/Shanghai", "backoffLimit": 1}),
        )
        .expect("schedule"),
    );
    let r = render(&m);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.object("Deployment", "a-ext", "portal").is_none());
    assert!(r.object("Service", "a-ext", "portal").is_none(), "it serves no port");
    let Some(Owned::CronJob(c)) = r.object("CronJob", "a-ext", "portal") else { panic!("no CronJob") };
    let spec = c.spec.clone().expect("spec");
    assert_eq!((spec.schedule.as_str(), spec.time_zone.as_deref()), ("30 2 * * *", Some("Asia/Shanghai")));
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Forbid"));
    assert_eq!(spec.suspend, Some(false));
    let job = spec.job_template.spec.expect("job");
    assert_eq!(job.backoff_limit, Some(1));
    let pod = job.template.spec.expect("pod");
    assert_eq!(pod.restart_policy.as_deref(), Some("OnFailure"));
    assert_eq!(pod.containers[0].security_context.as_ref().and_then(|s| s.read_only_root_filesystem), Some(true));
    // The runs' Jobs carry what the pods carry (the app identity), not the owner's labels.
    let job_labels = spec.job_template.metadata.and_then(|m| m.labels).unwrap_or_default();
    assert_eq!(job_labels.get(labels::APP).map(String::as_str), Some("portal"));
    assert!(!job_labels.contains_key(labels::OWNER_KIND), "{job_labels:?}");
    // replicas 0 suspends; a cron field out of range is refused with the field.
    m.apps[0].spec.replicas = 0;
    let Some(Owned::CronJob(c)) = render(&m).object("CronJob", "a-ext", "portal").cloned() else { panic!() };
    assert_eq!(c.spec.and_then(|s| s.suspend), Some(true));
    m.apps[0].spec.schedule.as_mut().expect("schedule").cron = "61 2 * * *".into();
    let found: Vec<_> = render(&m).problems.into_iter().filter(|p| p.object.name == "portal").collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].field, "spec.schedule.cron");
    assert!(found[0].message.contains("minute '61'"), "{found:?}");
}

#[test]
fn an_autoscaled_stateful_app_scales_its_statefulset() {
    let mut m = with_storage(&["ext-ssd"], "[{name: data, size: 1Gi, mountPath: /d}]");
    m.apps[0].spec.autoscaling = Some(
        serde_json::from_value(serde_json::json!({"minReplicas": 2, "maxReplicas": 4, "targetCPUUtilization": 70}))
            .expect("autoscaling"),
    );
    let r = render(&m);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let Some(Owned::HorizontalPodAutoscaler(h)) = r.object("HorizontalPodAutoscaler", "a-ext", "portal") else {
        panic!("no autoscaler")
    };
    let target = h.spec.clone().expect("spec").scale_target_ref;
    assert_eq!((target.kind.as_str(), target.name.as_str()), ("StatefulSet", "portal"));
    let Some(Owned::StatefulSet(s)) = r.object("StatefulSet", "a-ext", "portal") else { panic!("no StatefulSet") };
    assert_eq!(s.spec.as_ref().and_then(|s| s.replicas), None, "the count is the autoscaler's");
}
