//! A workload's pod template as a DepartmentApp's fields: the first container
//! is the app; what a DepartmentApp cannot say is a change, with why.
//!
//! Each field is a few lines here: a field added to the API (storage,
//! schedule, autoscaling) is mapped where it is read today as a change.

use serde_json::Value;

use govcloud_core::api::{
    AppPort, AppProbe, AppResources, ConfigFileItem, ConfigFiles, CpuMemory, DataClassification, DepartmentAppSpec,
    EnvSource, EnvVar, ExecProbe, Exposure, Flows, HttpGetProbe, KeyRef, PortProtocol, ProbeScheme, PullPolicy,
    PullSecret, RESERVED_MOUNT_PATHS, TMP_MOUNT, TcpSocketProbe,
};
use govcloud_core::controls;
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::meta::labels;
use govcloud_core::msg;

use super::{Change, Entry, Handling, Place, kind_of, label};

mod kinds;

/// The kinds that run pods, imported as apps (a Job is reported, not drafted).
pub const WORKLOAD_KINDS: &[&str] =
    &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod"];

/// Where the pod spec sits in an object of `kind`, as a field path.
pub(crate) fn pod_path(kind: &str) -> &'static str {
    match kind {
        "Pod" => "spec",
        "CronJob" => "spec.jobTemplate.spec.template.spec",
        _ => "spec.template.spec",
    }
}

/// The pod spec of a workload.
pub(crate) fn pod_spec(o: &Value) -> &Value {
    match kind_of(o) {
        "Pod" => &o["spec"],
        "CronJob" => &o["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &o["spec"]["template"]["spec"],
    }
}

/// The labels of a workload's pods.
pub(crate) fn pod_labels(o: &Value) -> &Value {
    match kind_of(o) {
        "Pod" => &o["metadata"]["labels"],
        "CronJob" => &o["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"],
        _ => &o["spec"]["template"]["metadata"]["labels"],
    }
}

/// How a failed check of `control` is handled, and the fix.
pub(crate) fn handling(control: &str) -> (Handling, Message) {
    let rendered = |what: Code| (Handling::Rendered, msg!(Code::ImportRenders, what));
    let must = |fix: Code| (Handling::MustChange, msg!(fix));
    match control {
        c if c == controls::ZONE_NODES => rendered(Code::ImportWhatNodeSelector),
        c if c == controls::ZONE_TOLERATIONS => rendered(Code::ImportWhatToleration),
        c if c == controls::IMAGE_PULL => rendered(Code::ImportWhatPullAlways),
        c if c == controls::NO_NODE_NAME => rendered(Code::ImportWhatNoNodeName),
        c if c == controls::IMAGE_REGISTRY => must(Code::ImportFixRegistry),
        c if c == controls::IMAGE_DIGEST => must(Code::ImportFixDigest),
        c if c == controls::NO_PRIVILEGED => must(Code::ImportFixUnprivileged),
        c if c == controls::HOST_NAMESPACES => must(Code::ImportFixHostNamespaces),
        c if c == controls::HOST_PATH => must(Code::ImportFixHostPath),
        c if c == controls::HOST_PORTS => must(Code::ImportFixHostPorts),
        c if c == controls::RESOURCES => must(Code::ImportFixResources),
        c if c == controls::STORAGE_CLASSES => must(Code::ImportFixStorageClass),
        c if c == controls::RUNTIME_CLASSES => must(Code::ImportFixRuntimeClass),
        c if c == controls::INGRESS_CLASSES => must(Code::ImportFixIngressClass),
        c if c == controls::TLS_ISSUERS => must(Code::ImportFixTls),
        c if c == controls::VOLUME_SOURCES => must(Code::ImportFixVolumes),
        c if [controls::EXTERNAL_SERVICES, controls::INGRESS_ZONE, controls::PUBLIC_HOSTS].contains(&c) => {
            must(Code::ImportFixServiceAddress)
        }
        _ => must(Code::ImportFixAsControlSays),
    }
}

pub(crate) fn must(field: String, reason: Message, fix: Message) -> Change {
    Change::must(field, reason, fix)
}

/// A quantity as written (YAML may give a number).
pub(crate) fn quantity(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(String::from)).collect()
}

/// The draft spec of a workload (without exposure, host and flows, which
/// take the namespace's other objects), or `None` when it cannot be one.
pub(crate) fn draft(o: &Value, place: &Place<'_>, entry: &mut Entry) -> Option<DepartmentAppSpec> {
    let kind = kind_of(o);
    let at = pod_path(kind);
    let pod = pod_spec(o);
    match kind {
        "Job" => {
            entry.changes.push(must("spec".into(), msg!(Code::ImportJob), msg!(Code::ImportFixJob)));
            return None;
        }
        "DaemonSet" => {
            entry.changes.push(must("kind".into(), msg!(Code::ImportDaemonSet), msg!(Code::ImportFixDaemonSet)))
        }
        "StatefulSet" if o["spec"]["volumeClaimTemplates"].as_array().is_none_or(Vec::is_empty) => {
            entry.changes.push(must("kind".into(), msg!(Code::ImportStatefulSet), msg!(Code::ImportFixStatefulSet)))
        }
        _ => {}
    }
    let containers = pod["containers"].as_array().map(Vec::as_slice).unwrap_or_default();
    let Some(c) = containers.first() else {
        entry.changes.push(must(
            format!("{at}.containers"),
            msg!(Code::ImportNoContainer),
            msg!(Code::ImportFixNothing),
        ));
        return None;
    };
    let Some(image) = c["image"].as_str().filter(|i| !i.is_empty()) else {
        entry.changes.push(must(
            format!("{at}.containers[0].image"),
            msg!(Code::ImportNoImage),
            msg!(Code::ImportFixSetImage),
        ));
        return None;
    };
    for (i, other) in containers.iter().enumerate().skip(1) {
        entry.changes.push(must(
            format!("{at}.containers[{i}]"),
            msg!(
                Code::ImportSecondContainer,
                other["name"].as_str().unwrap_or_default(),
                other["image"].as_str().unwrap_or_default()
            ),
            msg!(Code::ImportFixSecondContainer),
        ));
    }
    for (i, init) in pod["initContainers"].as_array().into_iter().flatten().enumerate() {
        entry.changes.push(must(
            format!("{at}.initContainers[{i}]"),
            msg!(Code::ImportInitContainer, init["name"].as_str().unwrap_or_default()),
            msg!(Code::ImportFixInitContainer),
        ));
    }
    let cpath = format!("{at}.containers[0]");
    let mut spec = DepartmentAppSpec {
        zone: place.zone.clone(),
        display_name: None,
        image: image.to_string(),
        image_pull_policy: match c["imagePullPolicy"].as_str() {
            Some("Always") => Some(PullPolicy::Always),
            Some("IfNotPresent") => Some(PullPolicy::IfNotPresent),
            Some("Never") => Some(PullPolicy::Never),
            _ => None,
        },
        image_pull_secrets: pod["imagePullSecrets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| Some(PullSecret { name: s["name"].as_str()?.to_string() }))
            .collect(),
        replicas: if kind == "CronJob" {
            // A suspended schedule is an app of no replicas.
            if o["spec"]["suspend"] == true { 0 } else { 1 }
        } else {
            o["spec"]["replicas"].as_i64().and_then(|r| i32::try_from(r).ok()).unwrap_or(1)
        },
        // An autoscaler targeting the workload fills it in (network.rs).
        autoscaling: None,
        sharing: None,
        project: None,
        resources: resources(&c["resources"], &cpath, entry),
        ports: ports(&c["ports"]),
        command: strings(&c["command"]),
        args: strings(&c["args"]),
        env: env(c, &cpath, entry),
        config_files: Vec::new(),
        readiness_probe: None,
        liveness_probe: None,
        startup_probe: None,
        storage: Vec::new(),
        schedule: None,
        exposure: Exposure::None,
        host: None,
        tls: None,
        ingress_class: None,
        runtime_class: pod["runtimeClassName"].as_str().filter(|c| !c.is_empty()).map(String::from),
        data_classification: data_classification(o),
        flows: Flows::default(),
    };
    spec.config_files = config_files(pod, c, at, entry);
    spec.readiness_probe = probe(&c["readinessProbe"], &spec.ports, &format!("{cpath}.readinessProbe"), entry);
    spec.liveness_probe = probe(&c["livenessProbe"], &spec.ports, &format!("{cpath}.livenessProbe"), entry);
    spec.startup_probe = probe(&c["startupProbe"], &spec.ports, &format!("{cpath}.startupProbe"), entry);
    spec.storage = kinds::storage(o, c, entry);
    if kind == "CronJob" {
        kinds::scheduled(o, &mut spec, &cpath, entry);
    }
    security(pod, c, at, &cpath, entry);
    carried(&spec, entry);
    Some(spec)
}

fn data_classification(o: &Value) -> DataClassification {
    let l = label(o, labels::CLASSIFICATION).or_else(|| pod_labels(o)[labels::CLASSIFICATION].as_str());
    match l {
        Some("public") => DataClassification::Public,
        Some("sensitive") => DataClassification::Sensitive,
        Some("secret") => DataClassification::Secret,
        _ => DataClassification::Internal,
    }
}

fn resources(r: &Value, cpath: &str, entry: &mut Entry) -> Option<AppResources> {
    let side = |s: &Value| {
        let cm = CpuMemory { cpu: quantity(&s["cpu"]), memory: quantity(&s["memory"]) };
        (cm.cpu.is_some() || cm.memory.is_some()).then_some(cm)
    };
    for which in ["requests", "limits"] {
        for (name, _) in r[which].as_object().into_iter().flatten().filter(|(k, _)| *k != "cpu" && *k != "memory") {
            entry.changes.push(must(
                format!("{cpath}.resources.{which}.{name}"),
                msg!(Code::ImportOtherResource, name),
                msg!(Code::ImportFixAskPlatform),
            ));
        }
    }
    let out = AppResources { requests: side(&r["requests"]), limits: side(&r["limits"]) };
    (out.requests.is_some() || out.limits.is_some()).then_some(out)
}

fn ports(p: &Value) -> Vec<AppPort> {
    p.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let port = i32::try_from(p["containerPort"].as_i64()?).ok()?;
            let protocol = if p["protocol"] == "UDP" { PortProtocol::UDP } else { PortProtocol::TCP };
            let name = p["name"]
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| format!("{}-{port}", if protocol == PortProtocol::UDP { "udp" } else { "tcp" }));
            Some(AppPort { name, port, protocol })
        })
        .collect()
}

fn key_ref(r: &Value) -> Option<KeyRef> {
    Some(KeyRef { name: r["name"].as_str()?.to_string(), key: r["key"].as_str()?.to_string() })
}

fn env(c: &Value, cpath: &str, entry: &mut Entry) -> Vec<EnvVar> {
    let mut out = Vec::new();
    for (i, e) in c["env"].as_array().into_iter().flatten().enumerate() {
        let Some(name) = e["name"].as_str() else { continue };
        let from = &e["valueFrom"];
        let value_from = if from.is_null() {
            None
        } else if let Some(r) = key_ref(&from["configMapKeyRef"]) {
            Some(EnvSource { config_map_key_ref: Some(r), secret_key_ref: None })
        } else if let Some(r) = key_ref(&from["secretKeyRef"]) {
            Some(EnvSource { config_map_key_ref: None, secret_key_ref: Some(r) })
        } else {
            let what = from.as_object().and_then(|m| m.keys().next().cloned()).unwrap_or_default();
            entry.changes.push(must(
                format!("{cpath}.env[{i}].valueFrom.{what}"),
                msg!(Code::ImportEnvFrom, name, &what),
                msg!(Code::ImportFixEnvValue),
            ));
            continue;
        };
        out.push(EnvVar { name: name.to_string(), value: e["value"].as_str().map(String::from), value_from });
    }
    for (i, f) in c["envFrom"].as_array().into_iter().flatten().enumerate() {
        let source = f["configMapRef"]["name"].as_str().or(f["secretRef"]["name"].as_str()).unwrap_or_default();
        entry.changes.push(must(
            format!("{cpath}.envFrom[{i}]"),
            msg!(Code::ImportEnvFromAll, source),
            msg!(Code::ImportFixEnvKeys),
        ));
    }
    out
}

fn config_files(pod: &Value, c: &Value, at: &str, entry: &mut Entry) -> Vec<ConfigFiles> {
    let volumes = pod["volumes"].as_array().map(Vec::as_slice).unwrap_or_default();
    let mut out = Vec::new();
    for (i, m) in c["volumeMounts"].as_array().into_iter().flatten().enumerate() {
        let field = format!("{at}.containers[0].volumeMounts[{i}]");
        let (Some(name), Some(path)) = (m["name"].as_str(), m["mountPath"].as_str()) else { continue };
        let Some(v) = volumes.iter().find(|v| v["name"] == name) else { continue };
        let items = || -> Vec<ConfigFileItem> {
            let src = if v["configMap"].is_object() { &v["configMap"] } else { &v["secret"] };
            src["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| {
                    Some(ConfigFileItem { key: i["key"].as_str()?.to_string(), path: i["path"].as_str()?.to_string() })
                })
                .collect()
        };
        let config = v["configMap"]["name"].as_str();
        let secret = v["secret"]["secretName"].as_str();
        if v["emptyDir"].is_object() && path == TMP_MOUNT {
            continue; // govcloud gives every app its scratch space there
        }
        if v["hostPath"].is_object() {
            continue; // GC-HOST-002's (the admission check says it once)
        }
        let reserved = RESERVED_MOUNT_PATHS.iter().any(|r| path == *r || path.starts_with(&format!("{r}/")));
        if (config.is_some() || secret.is_some()) && m["subPath"].is_null() && !reserved {
            out.push(ConfigFiles {
                mount_path: path.to_string(),
                config_map: config.map(String::from),
                secret: secret.map(String::from),
                items: items(),
            });
            continue;
        }
        let what = v.as_object().and_then(|o| o.keys().find(|k| *k != "name").cloned()).unwrap_or_default();
        let (reason, fix) = if !m["subPath"].is_null() {
            (msg!(Code::ImportSubPath, name, path), Code::ImportFixSubPath)
        } else if reserved {
            (msg!(Code::ImportReservedPath, name, path), Code::ImportFixMountElsewhere)
        } else if v["projected"]["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["serviceAccountToken"].is_object())
        {
            (msg!(Code::ImportTokenProjected, name, path), Code::ImportFixToken)
        } else if v["persistentVolumeClaim"].is_object() {
            let claim = v["persistentVolumeClaim"]["claimName"].to_string();
            (msg!(Code::ImportSharedClaim, name, claim, path), Code::ImportFixSharedClaim)
        } else {
            (msg!(Code::ImportOtherVolume, name, what, path), Code::ImportFixOtherVolume)
        };
        entry.changes.push(must(field, reason, msg!(fix)));
    }
    out
}

/// A probe, its port by name (a number is looked up among the app's ports).
fn probe(p: &Value, ports: &[AppPort], field: &str, entry: &mut Entry) -> Option<AppProbe> {
    if !p.is_object() {
        return None;
    }
    let port = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => ports.iter().find(|q| &q.name == s).map(|q| q.name.clone()),
            Value::Number(n) => ports.iter().find(|q| Some(i64::from(q.port)) == n.as_i64()).map(|q| q.name.clone()),
            _ => None,
        }
    };
    let mut out = AppProbe {
        http_get: None,
        tcp_socket: None,
        exec: None,
        initial_delay_seconds: p["initialDelaySeconds"].as_i64().and_then(|v| i32::try_from(v).ok()),
        period_seconds: p["periodSeconds"].as_i64().and_then(|v| i32::try_from(v).ok()),
        timeout_seconds: p["timeoutSeconds"].as_i64().and_then(|v| i32::try_from(v).ok()),
        failure_threshold: p["failureThreshold"].as_i64().and_then(|v| i32::try_from(v).ok()),
    };
    let unmapped = |why: Message| must(field.to_string(), why, msg!(Code::ImportFixProbePort));
    if p["httpGet"].is_object() {
        let Some(port) = port(&p["httpGet"]["port"]) else {
            entry.changes.push(unmapped(msg!(Code::ImportProbePort, p["httpGet"]["port"].to_string())));
            return None;
        };
        let scheme = match p["httpGet"]["scheme"].as_str() {
            Some("HTTPS") => Some(ProbeScheme::HTTPS),
            Some("HTTP") => Some(ProbeScheme::HTTP),
            _ => None,
        };
        let path = p["httpGet"]["path"].as_str().unwrap_or("/").to_string();
        out.http_get = Some(HttpGetProbe { path, port, scheme });
    } else if p["tcpSocket"].is_object() {
        let Some(port) = port(&p["tcpSocket"]["port"]) else {
            entry.changes.push(unmapped(msg!(Code::ImportProbePort, p["tcpSocket"]["port"].to_string())));
            return None;
        };
        out.tcp_socket = Some(TcpSocketProbe { port });
    } else if p["exec"].is_object() {
        out.exec = Some(ExecProbe { command: strings(&p["exec"]["command"]) });
    } else {
        entry.changes.push(unmapped(msg!(Code::ImportGrpcProbe)));
        return None;
    }
    Some(out)
}

/// What the workload gets from its pod's identity that govcloud's rendering changes.
fn security(pod: &Value, c: &Value, at: &str, cpath: &str, entry: &mut Entry) {
    let user = c["securityContext"]["runAsUser"].as_i64().or(pod["securityContext"]["runAsUser"].as_i64());
    if user == Some(0) || c["securityContext"]["readOnlyRootFilesystem"] != true {
        entry.changes.push(must(
            format!("{cpath}.securityContext"),
            msg!(Code::ImportRunsAs, if user == Some(0) { Code::ImportAsRoot } else { Code::ImportWritableRoot }),
            msg!(Code::ImportFixNonRoot),
        ));
    }
    if let Some(sa) = pod["serviceAccountName"].as_str().filter(|s| !s.is_empty() && *s != "default") {
        entry.changes.push(must(
            format!("{at}.serviceAccountName"),
            msg!(Code::ImportServiceAccount, sa),
            msg!(Code::ImportFixServiceAccount),
        ));
    }
}

/// The fields that carry over, in words.
fn carried(spec: &DepartmentAppSpec, entry: &mut Entry) {
    entry.carry(msg!(Code::ImportCarriedImage, &spec.image));
    entry.carry(msg!(Code::ImportCarriedReplicas, spec.replicas.to_string()));
    if let Some(p) = spec.image_pull_policy {
        entry.carry(msg!(Code::ImportCarriedPullPolicy, p.as_str()));
    }
    if !spec.image_pull_secrets.is_empty() {
        entry.carry(msg!(Code::ImportCarriedPullSecrets, spec.image_pull_secrets.len().to_string()));
    }
    if spec.resources.is_some() {
        entry.carry(msg!(Code::ImportCarriedResources));
    }
    if !spec.ports.is_empty() {
        let ports: Vec<String> = spec.ports.iter().map(|p| format!("{}/{}", p.name, p.port)).collect();
        entry.carry(msg!(Code::ImportCarriedPorts, ports.join(", ")));
    }
    if !spec.command.is_empty() || !spec.args.is_empty() {
        entry.carry(msg!(Code::ImportCarriedCommand));
    }
    if !spec.env.is_empty() {
        entry.carry(msg!(Code::ImportCarriedEnv, spec.env.len().to_string()));
    }
    if !spec.config_files.is_empty() {
        entry.carry(msg!(Code::ImportCarriedConfigFiles, spec.config_files.len().to_string()));
    }
    let probes = [
        (Code::ImportProbeReadiness, &spec.readiness_probe),
        (Code::ImportProbeLiveness, &spec.liveness_probe),
        (Code::ImportProbeStartup, &spec.startup_probe),
    ];
    let probes: Vec<Code> = probes.iter().filter(|(_, p)| p.is_some()).map(|(n, _)| *n).collect();
    if !probes.is_empty() {
        entry.carry(msg!(Code::ImportCarriedProbes, Arg::list(probes)));
    }
    if let Some(r) = &spec.runtime_class {
        entry.carry(msg!(Code::ImportCarriedRuntimeClass, r));
    }
    let classification = match spec.data_classification {
        DataClassification::Public => Code::DataPublic,
        DataClassification::Internal => Code::DataInternal,
        DataClassification::Sensitive => Code::DataSensitive,
        DataClassification::Secret => Code::DataSecret,
    };
    entry.carry(msg!(Code::ImportCarriedClassification, classification));
}

/// The first container's ports of a workload (the app's, as a flow's peer).
pub(crate) fn container_ports(o: &Value) -> Vec<AppPort> {
    ports(&pod_spec(o)["containers"][0]["ports"])
}
