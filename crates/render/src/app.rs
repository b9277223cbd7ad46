//! Per DepartmentApp: hardened workload, Service, disruption budget, Ingress,
//! and the NetworkPolicies of its exposure and granted flows.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EmptyDirVolumeSource, PodSecurityContext, PodSpec, PodTemplateSpec,
    ResourceRequirements, SeccompProfile, SecurityContext, Service, ServicePort, ServiceSpec, Toleration,
    TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicySpec, ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::ResourceExt;

use super::flows::FlowDecision;
use super::index::{Index, Placement};
use super::objects::meta;
use super::tenant::{DEFAULT_LIMIT, DEFAULT_REQUEST, ip_block, match_labels, policy, port};
use super::{FlowState, Owned};
use govcloud_core::api::{AppPort, CpuMemory, Exposure};
use govcloud_core::meta::labels::{self, app_labels};
use govcloud_core::meta::names;

/// UID and GID the app's containers run as.
pub const RUN_AS: i64 = 10001;

/// Objects of one placed app.
/// `flows` holds at least every flow the app calls or receives (others are
/// ignored).
pub fn render(index: &Index<'_>, p: &Placement<'_>, flows: &[&FlowDecision]) -> Vec<Owned> {
    let app = p.app;
    let name = p.key.app.as_str();
    let ns = p.namespace.as_str();
    let zname = p.zone.name_any();
    let base = app_labels(&p.key.tenant, &zname, ns, name);
    let selector = BTreeMap::from([(labels::APP.to_string(), name.to_string())]);
    let mut out = Vec::new();

    // Deployment
    let mut pod_labels = selector.clone();
    pod_labels.insert(labels::TENANT.into(), p.key.tenant.clone());
    pod_labels.insert(labels::ZONE.into(), zname.clone());
    pod_labels.insert(labels::CLASSIFICATION.into(), app.spec.data_classification.as_str().into());
    pod_labels.insert(govcloud_core::meta::labels::APP_NAME.into(), name.into());
    // The ReplicaSets and pods Kubernetes makes from the template carry it:
    // only their makers may change them (GC-MGD-001, the custody table).
    pod_labels.insert(labels::MANAGED_BY.into(), labels::MANAGER.into());
    let mut dep_meta = meta(name, Some(ns), base.clone());
    dep_meta
        .labels
        .get_or_insert_default()
        .insert(labels::CLASSIFICATION.into(), app.spec.data_classification.as_str().into());
    out.push(Owned::Deployment(Deployment {
        metadata: dep_meta,
        spec: Some(DeploymentSpec {
            replicas: Some(app.spec.replicas),
            selector: LabelSelector { match_labels: Some(selector.clone()), match_expressions: None },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(pod_labels), ..Default::default() }),
                spec: Some(pod_spec(p, &selector)),
            },
            revision_history_limit: Some(5),
            ..Default::default()
        }),
        ..Default::default()
    }));

    // Service
    if !app.spec.ports.is_empty() {
        out.push(Owned::Service(Service {
            metadata: meta(name, Some(ns), base.clone()),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                selector: Some(selector.clone()),
                ports: Some(
                    app.spec
                        .ports
                        .iter()
                        .map(|q| ServicePort {
                            name: Some(q.name.clone()),
                            port: q.port,
                            target_port: Some(IntOrString::String(q.name.clone())),
                            protocol: Some(q.protocol.as_str().into()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        }));
    }

    // PodDisruptionBudget
    if app.spec.replicas > 1 {
        out.push(Owned::PodDisruptionBudget(PodDisruptionBudget {
            metadata: meta(name, Some(ns), base.clone()),
            spec: Some(PodDisruptionBudgetSpec {
                max_unavailable: Some(IntOrString::Int(1)),
                selector: Some(LabelSelector { match_labels: Some(selector.clone()), match_expressions: None }),
                ..Default::default()
            }),
            ..Default::default()
        }));
    }

    // Ingress (the index places public apps only in internet zones that allow
    // them, and only with a host they may use and were first to claim)
    if app.spec.exposure == Exposure::Public {
        let host = p.host.clone().unwrap_or_default();
        let first = &app.spec.ports[0];
        out.push(Owned::Ingress(Ingress {
            metadata: meta(name, Some(ns), base.clone()),
            spec: Some(IngressSpec {
                rules: Some(vec![IngressRule {
                    host: Some(host),
                    http: Some(HTTPIngressRuleValue {
                        paths: vec![HTTPIngressPath {
                            path: Some("/".into()),
                            path_type: "Prefix".into(),
                            backend: IngressBackend {
                                service: Some(IngressServiceBackend {
                                    name: name.into(),
                                    port: Some(ServiceBackendPort { name: Some(first.name.clone()), number: None }),
                                }),
                                resource: None,
                            },
                        }],
                    }),
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }));
    }

    // NetworkPolicies: who may call this app, and whom it may call.
    let app_pods = Some(LabelSelector { match_labels: Some(selector), match_expressions: None });
    let mut ingress: Vec<NetworkPolicyIngressRule> = Vec::new();
    for f in flows.iter().filter(|f| f.provider == p.key && f.state == FlowState::Granted) {
        let Some(c) = index.apps.get(&f.consumer) else { continue };
        let from = if index.hosts(c.zone) {
            vec![app_peer(&c.namespace, &c.key.app)]
        } else {
            // A consumer in another cluster arrives from its zone's network, through the exchange.
            c.zone
                .spec
                .cidrs
                .iter()
                .map(|r| NetworkPolicyPeer { ip_block: Some(ip_block(r, index.cluster_cidrs)), ..Default::default() })
                .collect()
        };
        let rule = NetworkPolicyIngressRule { from: Some(from), ports: Some(policy_ports(&f.ports)) };
        // Consumers of one zone in another cluster arrive from the same ranges: one rule.
        if !ingress.contains(&rule) {
            ingress.push(rule);
        }
    }
    let all_ports = Some(policy_ports(&app.spec.ports));
    match app.spec.exposure {
        Exposure::None => {}
        Exposure::Zone => {
            let from = p
                .zone
                .spec
                .cidrs
                .iter()
                .map(|c| NetworkPolicyPeer { ip_block: Some(ip_block(c, index.cluster_cidrs)), ..Default::default() })
                .collect();
            ingress.push(NetworkPolicyIngressRule { from: Some(from), ports: all_ports.clone() });
        }
        Exposure::Public => {
            // The internet, but never another zone's network, plus the platform's ingress controller.
            let others: Vec<String> = index
                .zones
                .values()
                .filter(|z| z.name_any() != zname)
                .flat_map(|z| z.spec.cidrs.iter().cloned())
                .collect();
            let mut from: Vec<NetworkPolicyPeer> = ["0.0.0.0/0", "::/0"]
                .iter()
                .map(|c| NetworkPolicyPeer {
                    ip_block: Some(ip_block(c, &[&others[..], index.cluster_cidrs].concat())),
                    ..Default::default()
                })
                .collect();
            from.push(NetworkPolicyPeer {
                namespace_selector: Some(match_labels(&[(labels::INGRESS_CONTROLLER_NS, "true")])),
                pod_selector: None,
                ip_block: None,
            });
            ingress.push(NetworkPolicyIngressRule { from: Some(from), ports: all_ports.clone() });
        }
    }
    if !ingress.is_empty() {
        out.push(policy(
            ns,
            &names::app_ingress_policy(name),
            &base,
            NetworkPolicySpec {
                pod_selector: app_pods.clone(),
                policy_types: Some(vec!["Ingress".into()]),
                ingress: Some(ingress),
                egress: None,
            },
        ));
    }
    let mut egress: Vec<NetworkPolicyEgressRule> = Vec::new();
    for f in flows.iter().filter(|f| f.consumer == p.key && f.state == FlowState::Granted) {
        let Some(prov) = index.apps.get(&f.provider) else { continue };
        let to = if index.hosts(prov.zone) {
            app_peer(&prov.namespace, &prov.key.app)
        } else {
            // A provider in another cluster is reached only at its exchange endpoint's address.
            let Some(address) = &f.address else { continue };
            NetworkPolicyPeer { ip_block: Some(ip_block(address, index.cluster_cidrs)), ..Default::default() }
        };
        egress.push(NetworkPolicyEgressRule { to: Some(vec![to]), ports: Some(policy_ports(&f.ports)) });
    }
    if !egress.is_empty() {
        out.push(policy(
            ns,
            &names::app_egress_policy(name),
            &base,
            NetworkPolicySpec {
                pod_selector: app_pods,
                policy_types: Some(vec!["Egress".into()]),
                egress: Some(egress),
                ingress: None,
            },
        ));
    }
    out
}

/// The pods of one app in one namespace, selected by labels tenants cannot forge
/// across namespaces.
fn app_peer(namespace: &str, app: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(match_labels(&[(labels::NAMESPACE_NAME, namespace)])),
        pod_selector: Some(match_labels(&[(labels::APP, app)])),
        ip_block: None,
    }
}

fn policy_ports(ports: &[AppPort]) -> Vec<k8s_openapi::api::networking::v1::NetworkPolicyPort> {
    ports.iter().map(|q| port(q.port, q.protocol.as_str())).collect()
}

/// A pod spec hardened to the restricted Pod Security profile, pinned to the zone.
fn pod_spec(p: &Placement<'_>, selector: &BTreeMap<String, String>) -> PodSpec {
    let app = p.app;
    let pool = &p.zone.spec.node_pool;
    let runtime_default = Some(SeccompProfile { type_: "RuntimeDefault".into(), localhost_profile: None });
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
            image_pull_policy: Some("IfNotPresent".into()),
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
            volume_mounts: Some(vec![VolumeMount {
                name: "tmp".into(),
                mount_path: "/tmp".into(),
                ..Default::default()
            }]),
            ..Default::default()
        }],
        volumes: Some(vec![Volume {
            name: "tmp".into(),
            empty_dir: Some(EmptyDirVolumeSource { size_limit: Some(Quantity("64Mi".into())), medium: None }),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

/// What one pod of `app` requests (cpu, memory): the app's requests, else its
/// tenant's default requests, else the platform's; what its Deployment is
/// rendered with (the evaluation compares usage with it).
pub fn pod_requests(app: &govcloud_core::api::DepartmentApp, tenant: &govcloud_core::api::Tenant) -> (String, String) {
    let declared = app.spec.resources.as_ref().and_then(|r| r.requests.clone()).unwrap_or_default();
    let defaults = tenant.spec.limits.as_ref().and_then(|l| l.default_request.clone()).unwrap_or_default();
    (
        declared.cpu.or(defaults.cpu).unwrap_or_else(|| DEFAULT_REQUEST.0.into()),
        declared.memory.or(defaults.memory).unwrap_or_else(|| DEFAULT_REQUEST.1.into()),
    )
}

/// Requests and limits: the app's, else the tenant's defaults, else the platform's.
fn resources(p: &Placement<'_>) -> ResourceRequirements {
    let declared = p.app.spec.resources.clone().unwrap_or_default();
    let defaults = p.tenant.spec.limits.clone().unwrap_or_default();
    let pick = |first: &Option<CpuMemory>, second: &Option<CpuMemory>, fallback: (&str, &str)| {
        let first = first.clone().unwrap_or_default();
        let second = second.clone().unwrap_or_default();
        BTreeMap::from([
            ("cpu".to_string(), Quantity(first.cpu.or(second.cpu).unwrap_or_else(|| fallback.0.into()))),
            ("memory".to_string(), Quantity(first.memory.or(second.memory).unwrap_or_else(|| fallback.1.into()))),
        ])
    };
    let (cpu, memory) = pod_requests(p.app, p.tenant);
    ResourceRequirements {
        requests: Some(BTreeMap::from([("cpu".to_string(), Quantity(cpu)), ("memory".to_string(), Quantity(memory))])),
        limits: Some(pick(&declared.limits, &defaults.default_limit, DEFAULT_LIMIT)),
        ..Default::default()
    }
}
