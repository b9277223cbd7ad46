//! Per DepartmentApp: hardened workload, Service, disruption budget, autoscaler, Ingress,
//! and the NetworkPolicies of its exposure and granted flows.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicySpec,
    ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::ResourceExt;

use super::flows::FlowDecision;
use super::index::{Index, Placement};
use super::objects::meta;
use super::tenant::{ip_block, match_labels, policy, port};
use super::{FlowState, Owned};
use govcloud_core::api::{AppPort, Exposure};
use govcloud_core::controls::admission::CLUSTER_ISSUER_ANNOTATION;
use govcloud_core::meta::labels::{self, app_labels};
use govcloud_core::meta::names;

pub(crate) mod autoscale;
mod pod;
pub(crate) mod resources;
mod workload;

pub use resources::pod_requests;

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

    // Workload
    let mut pod_labels = selector.clone();
    pod_labels.insert(labels::TENANT.into(), p.key.tenant.clone());
    pod_labels.insert(labels::ZONE.into(), zname.clone());
    pod_labels.insert(labels::CLASSIFICATION.into(), app.spec.data_classification.as_str().into());
    pod_labels.insert(govcloud_core::meta::labels::APP_NAME.into(), name.into());
    // The ReplicaSets and pods Kubernetes makes from the template carry it:
    // only their makers may change them (GC-MGD-001, the custody table).
    pod_labels.insert(labels::MANAGED_BY.into(), labels::MANAGER.into());
    let template = pod::template(index, p, &selector, pod_labels);
    out.extend(workload::render(p, &selector, template, &base));

    // Service
    if !app.spec.ports.is_empty() {
        out.push(Owned::Service(Box::new(Service {
            metadata: meta(name, Some(ns), base.clone()),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                selector: Some(selector.clone()),
                ports: Some(workload::service_ports(&app.spec.ports)),
                ..Default::default()
            }),
            ..Default::default()
        })));
    }

    // PodDisruptionBudget
    if autoscale::fewest_replicas(&app.spec) > 1 && app.spec.workload_kind().long_running() {
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

    out.extend(autoscale::render(app, name, ns, &base));

    // Ingress (the index places public apps only in internet zones that allow
    // them, and only with a host they may use and were first to claim)
    if app.spec.exposure == Exposure::Public {
        let host = p.host.clone().unwrap_or_default();
        let first = &app.spec.ports[0];
        let mut ingress_meta = meta(name, Some(ns), base.clone());
        // TLS (GC-SVC-005): the app's own Secret, or cert-manager's from an issuer the zone offers.
        let tls = app.spec.tls.as_ref().map(|t| {
            if let Some(issuer) = &t.issuer {
                ingress_meta
                    .annotations
                    .get_or_insert_default()
                    .insert(CLUSTER_ISSUER_ANNOTATION.into(), issuer.clone());
            }
            vec![IngressTLS {
                hosts: Some(vec![host.clone()]),
                secret_name: Some(t.secret_name.clone().unwrap_or_else(|| names::app_tls_secret(name))),
            }]
        });
        out.push(Owned::Ingress(Ingress {
            metadata: ingress_meta,
            spec: Some(IngressSpec {
                // The app's class, else the zone's first (GC-SVC-004); none when the zone lists none.
                ingress_class_name: app
                    .spec
                    .ingress_class
                    .clone()
                    .or_else(|| p.zone.spec.allowed_ingress_classes.first().cloned()),
                tls,
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
            NetworkPolicyPeer { ip_block: Some(ip_block(address, &index.egress_except([]))), ..Default::default() }
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

#[cfg(test)]
mod public_tests;
#[cfg(test)]
mod tests;
