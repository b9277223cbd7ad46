//! An app's pod template: hardened to the restricted Pod Security profile,
//! pinned to its zone's nodes, with the container the app declares (image,
//! command, environment, config files, probes) and a digest of the
//! ConfigMaps it reads, so a change of their data rolls its pods.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapKeySelector, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource,
    EnvVar as KubeEnvVar, EnvVarSource, ExecAction, HTTPGetAction, KeyToPath, LocalObjectReference, PodSecurityContext,
    PodSpec, PodTemplateSpec, Probe, SeccompProfile, SecretKeySelector, SecretVolumeSource, SecurityContext,
    TCPSocketAction, Toleration, TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use sha2::{Digest, Sha256};

use super::super::index::{Index, Placement};
use super::resources::{Side, effective};
use govcloud_core::api::{AppProbe, CONFIG_FILE_MODE, ConfigFiles, EnvVar, PullPolicy, TMP_MOUNT};
use govcloud_core::meta::labels;
use govcloud_core::model::config_map_key;
use k8s_openapi::api::core::v1::ResourceRequirements;

/// UID and GID the app's containers run as.
pub const RUN_AS: i64 = 10001;

/// The name of the volume of the app's scratch space.
const TMP_VOLUME: &str = "tmp";

/// The pod template of a placed app, with `labels`.
pub(super) fn template(
    index: &Index<'_>,
    p: &Placement<'_>,
    selector: &BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
) -> PodTemplateSpec {
    let annotations = config_digest(index, p).map(|d| BTreeMap::from([(labels::CONFIG_DIGEST.to_string(), d)]));
    PodTemplateSpec {
        metadata: Some(ObjectMeta { labels: Some(labels), annotations, ..Default::default() }),
        spec: Some(pod_spec(p, selector)),
    }
}

/// A digest of the data of the ConfigMaps the app reads (a ConfigMap the
/// model does not know counts as absent); `None` when it reads none.
fn config_digest(index: &Index<'_>, p: &Placement<'_>) -> Option<String> {
    let names = p.app.spec.config_maps();
    if names.is_empty() {
        return None;
    }
    let mut h = Sha256::new();
    for name in names {
        let digest = index.config_map_digests.get(&config_map_key(&p.namespace, name));
        h.update(format!("{name}={}\n", digest.map(String::as_str).unwrap_or("absent")).as_bytes());
    }
    Some(h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect())
}

/// A pod spec hardened to the restricted Pod Security profile, pinned to the zone.
fn pod_spec(p: &Placement<'_>, selector: &BTreeMap<String, String>) -> PodSpec {
    let app = p.app;
    let pool = &p.zone.spec.node_pool;
    let runtime_default = Some(SeccompProfile { type_: "RuntimeDefault".into(), localhost_profile: None });
    let mut mounts = vec![VolumeMount { name: TMP_VOLUME.into(), mount_path: TMP_MOUNT.into(), ..Default::default() }];
    let mut volumes = vec![Volume {
        name: TMP_VOLUME.into(),
        empty_dir: Some(EmptyDirVolumeSource { size_limit: Some(Quantity("64Mi".into())), medium: None }),
        ..Default::default()
    }];
    for (i, files) in app.spec.config_files.iter().enumerate() {
        let name = format!("config-{i}");
        mounts.push(VolumeMount {
            name: name.clone(),
            mount_path: files.mount_path.clone(),
            read_only: Some(true),
            ..Default::default()
        });
        volumes.push(config_volume(name, files));
    }
    // A stateful app's volumes come from its claim templates, by name.
    mounts.extend(app.spec.storage.iter().map(|s| VolumeMount {
        name: s.name.clone(),
        mount_path: s.mount_path.clone(),
        ..Default::default()
    }));
    PodSpec {
        automount_service_account_token: Some(false),
        enable_service_links: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(RUN_AS),
            run_as_group: Some(RUN_AS),
            fs_group: Some(RUN_AS),
            seccomp_profile: runtime_default.clone(),
            ..Default::default()
        }),
        node_selector: Some(pool.selector.clone()),
        // The app's, else the zone's required one (GC-POD-003).
        runtime_class_name: app.spec.runtime_class.clone().or_else(|| p.zone.spec.required_runtime_class.clone()),
        tolerations: Some(vec![Toleration {
            key: Some(pool.taint.key.clone()),
            operator: Some("Equal".into()),
            value: Some(pool.taint.value.clone()),
            effect: Some(pool.taint.effect.as_str().into()),
            toleration_seconds: None,
        }]),
        topology_spread_constraints: (app.spec.replicas > 1).then(|| {
            vec![TopologySpreadConstraint {
                max_skew: 1,
                topology_key: "kubernetes.io/hostname".into(),
                when_unsatisfiable: "ScheduleAnyway".into(),
                label_selector: Some(LabelSelector { match_labels: Some(selector.clone()), match_expressions: None }),
                ..Default::default()
            }]
        }),
        containers: vec![Container {
            name: p.key.app.clone(),
            image: Some(app.spec.image.clone()),
            image_pull_policy: Some(pull_policy(p).as_str().into()),
            command: (!app.spec.command.is_empty()).then(|| app.spec.command.clone()),
            args: (!app.spec.args.is_empty()).then(|| app.spec.args.clone()),
            env: (!app.spec.env.is_empty()).then(|| app.spec.env.iter().map(env_var).collect()),
            ports: (!app.spec.ports.is_empty()).then(|| {
                app.spec
                    .ports
                    .iter()
                    .map(|q| ContainerPort {
                        name: Some(q.name.clone()),
                        container_port: q.port,
                        protocol: Some(q.protocol.as_str().into()),
                        ..Default::default()
                    })
                    .collect()
            }),
            readiness_probe: app.spec.readiness_probe.as_ref().map(probe),
            liveness_probe: app.spec.liveness_probe.as_ref().map(probe),
            startup_probe: app.spec.startup_probe.as_ref().map(probe),
            resources: Some(resources(p)),
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(false),
                privileged: Some(false),
                read_only_root_filesystem: Some(true),
                run_as_non_root: Some(true),
                capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), add: None }),
                seccomp_profile: runtime_default,
                ..Default::default()
            }),
            volume_mounts: Some(mounts),
            ..Default::default()
        }],
        volumes: Some(volumes),
        image_pull_secrets: (!app.spec.image_pull_secrets.is_empty()).then(|| {
            app.spec.image_pull_secrets.iter().map(|s| LocalObjectReference { name: s.name.clone() }).collect()
        }),
        ..Default::default()
    }
}

/// The image pull policy: `Always` where the zone requires it (an app asking
/// for another there is refused before rendering, GC-IMG-003), else the
/// app's, else `IfNotPresent`.
fn pull_policy(p: &Placement<'_>) -> PullPolicy {
    if p.zone.spec.requires_always_pull(p.mlps_level) {
        PullPolicy::Always
    } else {
        p.app.spec.image_pull_policy.unwrap_or(PullPolicy::IfNotPresent)
    }
}

/// An environment variable as Kubernetes spells it; references stay in the
/// pod's namespace (Kubernetes has no other).
fn env_var(e: &EnvVar) -> KubeEnvVar {
    let from = e.value_from.as_ref();
    KubeEnvVar {
        name: e.name.clone(),
        value: e.value.clone(),
        value_from: from.map(|f| EnvVarSource {
            config_map_key_ref: f.config_map_key_ref.as_ref().map(|r| ConfigMapKeySelector {
                name: r.name.clone(),
                key: r.key.clone(),
                optional: None,
            }),
            secret_key_ref: f.secret_key_ref.as_ref().map(|r| SecretKeySelector {
                name: r.name.clone(),
                key: r.key.clone(),
                optional: None,
            }),
            ..Default::default()
        }),
    }
}

/// The read-only volume of one set of config files.
fn config_volume(name: String, files: &ConfigFiles) -> Volume {
    let items = (!files.items.is_empty()).then(|| {
        files.items.iter().map(|i| KeyToPath { key: i.key.clone(), path: i.path.clone(), mode: None }).collect()
    });
    Volume {
        name,
        config_map: files.config_map.as_ref().map(|n| ConfigMapVolumeSource {
            name: n.clone(),
            items: items.clone(),
            default_mode: Some(CONFIG_FILE_MODE),
            optional: None,
        }),
        secret: files.secret.as_ref().map(|n| SecretVolumeSource {
            secret_name: Some(n.clone()),
            items,
            default_mode: Some(CONFIG_FILE_MODE),
            optional: None,
        }),
        ..Default::default()
    }
}

/// A probe as Kubernetes spells it: ports by name (the app's own, checked
/// by the CRD), timings as declared (unset: Kubernetes' defaults).
fn probe(p: &AppProbe) -> Probe {
    Probe {
        http_get: p.http_get.as_ref().map(|h| HTTPGetAction {
            path: Some(h.path.clone()),
            port: IntOrString::String(h.port.clone()),
            scheme: h.scheme.map(|s| s.as_str().to_string()),
            ..Default::default()
        }),
        tcp_socket: p
            .tcp_socket
            .as_ref()
            .map(|t| TCPSocketAction { port: IntOrString::String(t.port.clone()), host: None }),
        exec: p.exec.as_ref().map(|e| ExecAction { command: Some(e.command.clone()) }),
        initial_delay_seconds: p.initial_delay_seconds,
        period_seconds: p.period_seconds,
        timeout_seconds: p.timeout_seconds,
        failure_threshold: p.failure_threshold,
        ..Default::default()
    }
}

/// Requests and limits: the app's, else the tenant's defaults, else the platform's.
pub(super) fn resources(p: &Placement<'_>) -> ResourceRequirements {
    let side = |side| {
        BTreeMap::from(["cpu", "memory"].map(|r| (r.to_string(), Quantity(effective(p.app, p.tenant, side, r).value))))
    };
    ResourceRequirements {
        requests: Some(side(Side::Requests)),
        limits: Some(side(Side::Limits)),
        ..Default::default()
    }
}
