//! An app's workload, by how it runs ([`WorkloadKind`]): a Deployment, a
//! StatefulSet with a claim template per storage volume and a headless
//! Service, or a CronJob whose runs are Jobs of one pod. The pod template
//! is the same hardened one for all three.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PodTemplateSpec, Service, ServicePort, ServiceSpec,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::super::Owned;
use super::super::index::Placement;
use super::super::objects::meta;
use govcloud_core::api::{AppPort, WorkloadKind};
use govcloud_core::meta::labels;
use govcloud_core::meta::names;

/// Finished runs of a scheduled app kept for its people to read (each
/// outcome), and how long a finished Job stays.
const RUNS_KEPT: i32 = 3;
const FINISHED_RUN_TTL_SECONDS: i32 = 7 * 24 * 3600;

/// The workload of a placed app (and a stateful app's headless Service):
/// `template` is its hardened pod template, `base` the app's labels.
pub(super) fn render(
    p: &Placement<'_>,
    selector: &BTreeMap<String, String>,
    template: PodTemplateSpec,
    base: &BTreeMap<String, String>,
) -> Vec<Owned> {
    let app = p.app;
    let name = p.key.app.as_str();
    let ns = p.namespace.as_str();
    let mut object_meta = meta(name, Some(ns), base.clone());
    object_meta
        .labels
        .get_or_insert_default()
        .insert(labels::CLASSIFICATION.into(), app.spec.data_classification.as_str().into());
    let selector_of = || LabelSelector { match_labels: Some(selector.clone()), match_expressions: None };
    match app.spec.workload_kind() {
        WorkloadKind::Deployment => vec![Owned::Deployment(Box::new(Deployment {
            metadata: object_meta,
            spec: Some(DeploymentSpec {
                replicas: super::autoscale::workload_replicas(&app.spec),
                selector: selector_of(),
                template,
                revision_history_limit: Some(5),
                ..Default::default()
            }),
            ..Default::default()
        }))],
        WorkloadKind::StatefulSet => {
            let claims = app
                .spec
                .storage
                .iter()
                .map(|s| PersistentVolumeClaim {
                    metadata: ObjectMeta {
                        name: Some(s.name.clone()),
                        labels: Some(BTreeMap::from([(labels::APP.to_string(), name.to_string())])),
                        ..Default::default()
                    },
                    spec: Some(PersistentVolumeClaimSpec {
                        access_modes: Some(vec!["ReadWriteOnce".into()]),
                        storage_class_name: s
                            .storage_class
                            .as_deref()
                            .or(p.zone.spec.storage_class_default())
                            .map(str::to_string),
                        resources: Some(VolumeResourceRequirements {
                            requests: Some(BTreeMap::from([("storage".to_string(), Quantity(s.size.clone()))])),
                            limits: None,
                        }),
                        ..Default::default()
                    }),
                    status: None,
                })
                .collect();
            vec![
                headless_service(p, selector, base),
                Owned::StatefulSet(Box::new(StatefulSet {
                    metadata: object_meta,
                    spec: Some(StatefulSetSpec {
                        replicas: super::autoscale::workload_replicas(&app.spec),
                        selector: selector_of(),
                        service_name: Some(names::app_pods_service(name)),
                        template,
                        volume_claim_templates: Some(claims),
                        // Scaling down or deleting the app keeps its data.
                        persistent_volume_claim_retention_policy: Some(
                            StatefulSetPersistentVolumeClaimRetentionPolicy {
                                when_deleted: Some("Retain".into()),
                                when_scaled: Some("Retain".into()),
                            },
                        ),
                        pod_management_policy: Some("OrderedReady".into()),
                        revision_history_limit: Some(5),
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
            ]
        }
        WorkloadKind::CronJob => {
            let Some(schedule) = app.spec.schedule.as_ref() else { return vec![] };
            let mut template = template;
            if let Some(spec) = template.spec.as_mut() {
                // A run ends when its container exits; a failure is retried in place.
                spec.restart_policy = Some("OnFailure".into());
            }
            // Each run's Job carries what its pods carry (as a Deployment's
            // ReplicaSets do), not the owner labels of what govcloud applies.
            let job_labels = template.metadata.as_ref().and_then(|m| m.labels.clone());
            vec![Owned::CronJob(Box::new(CronJob {
                metadata: object_meta,
                spec: Some(CronJobSpec {
                    schedule: schedule.cron.clone(),
                    time_zone: schedule.time_zone.clone(),
                    concurrency_policy: Some(schedule.concurrency_policy.as_str().into()),
                    starting_deadline_seconds: schedule.starting_deadline_seconds,
                    suspend: Some(app.spec.replicas == 0),
                    successful_jobs_history_limit: Some(RUNS_KEPT),
                    failed_jobs_history_limit: Some(RUNS_KEPT),
                    job_template: JobTemplateSpec {
                        metadata: Some(ObjectMeta { labels: job_labels, ..Default::default() }),
                        spec: Some(JobSpec {
                            active_deadline_seconds: schedule.active_deadline_seconds,
                            backoff_limit: schedule.backoff_limit,
                            ttl_seconds_after_finished: Some(FINISHED_RUN_TTL_SECONDS),
                            template,
                            ..Default::default()
                        }),
                    },
                }),
                ..Default::default()
            }))]
        }
    }
}

/// The headless Service that gives a stateful app's pods their stable DNS
/// names (`<app>-0.<service>.<namespace>.svc`); the app's own Service
/// (when it has ports) still balances over them.
fn headless_service(p: &Placement<'_>, selector: &BTreeMap<String, String>, base: &BTreeMap<String, String>) -> Owned {
    let ns = p.namespace.as_str();
    Owned::Service(Box::new(Service {
        metadata: meta(&names::app_pods_service(&p.key.app), Some(ns), base.clone()),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            cluster_ip: Some("None".into()),
            selector: Some(selector.clone()),
            ports: (!p.app.spec.ports.is_empty()).then(|| service_ports(&p.app.spec.ports)),
            ..Default::default()
        }),
        ..Default::default()
    }))
}

/// An app's ports as a Service lists them, each to the container port of its name.
pub(super) fn service_ports(ports: &[AppPort]) -> Vec<ServicePort> {
    ports
        .iter()
        .map(|q| ServicePort {
            name: Some(q.name.clone()),
            port: q.port,
            target_port: Some(IntOrString::String(q.name.clone())),
            protocol: Some(q.protocol.as_str().into()),
            ..Default::default()
        })
        .collect()
}
