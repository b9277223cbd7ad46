//! Deciding each declared flow. A flow between tenants exists only when the
//! provider grants it and the consumer requests it; a flow across zones only
//! through registered exchange endpoints; nothing between a private zone and an
//! internet zone.

use kube::ResourceExt;

use super::index::{Index, Placement};
use crate::api::{AppPort, AppRef, FlowState, NetworkZone, ZoneKind};
use crate::problem::{ObjectRef, Problem};

/// What became of one call an app declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowDecision {
    /// The calling app.
    pub consumer: AppRef,
    /// Index of the call in the consumer's `spec.flows.calls`.
    pub call: usize,
    /// The called app.
    pub provider: AppRef,
    /// Granted, Pending or Refused.
    pub state: FlowState,
    /// Why, in words a person understands.
    pub reason: String,
    /// Ports the flow may use (empty unless granted).
    pub ports: Vec<AppPort>,
}

/// Decides every call of every placed app.
pub fn decide_all(index: &Index<'_>, problems: &mut Vec<Problem>) -> Vec<FlowDecision> {
    let mut out = Vec::new();
    for consumer in index.apps.values() {
        for (i, call) in consumer.app.spec.flows.calls.iter().enumerate() {
            let provider = AppRef { tenant: call.tenant.clone().unwrap_or_else(|| consumer.key.tenant.clone()), app: call.app.clone() };
            let (state, reason, ports) = decide(index, consumer, i, &provider, problems);
            out.push(FlowDecision { consumer: consumer.key.clone(), call: i, provider, state, reason, ports });
        }
    }
    out
}

fn endpoint_ports<'z>(zone: &'z NetworkZone, app: &AppRef, peer: &str) -> Option<&'z [i32]> {
    zone.spec.exchange_endpoints.iter().find(|e| e.app.as_ref() == Some(app) && e.peer_zones.iter().any(|p| p == peer)).map(|e| e.ports.as_slice())
}

fn decide(index: &Index<'_>, consumer: &Placement<'_>, i: usize, provider: &AppRef, problems: &mut Vec<Problem>) -> (FlowState, String, Vec<AppPort>) {
    let obj = ObjectRef::namespaced("DepartmentApp", &consumer.namespace, &consumer.key.app);
    let field = format!("spec.flows.calls[{i}]");
    let Some(p) = index.apps.get(provider) else {
        if index.misplaced.contains(provider) {
            return (FlowState::Pending, format!("provider {provider} is declared but not placed; see its status"), vec![]);
        }
        let exists_tenant = index.tenants.contains_key(&provider.tenant);
        problems.push(Problem::unresolved(
            obj,
            format!("{field}.app"),
            format!("app {provider} does not exist"),
            if exists_tenant {
                format!("correct the app name, or create DepartmentApp {} in one of tenant {}'s namespaces", provider.app, provider.tenant)
            } else {
                format!("tenant {} is not declared; correct spec.flows.calls[{i}].tenant", provider.tenant)
            },
        ));
        return (FlowState::Pending, format!("provider {provider} does not exist"), vec![]);
    };

    // Ports: the ones named, or all the provider serves.
    let call = &consumer.app.spec.flows.calls[i];
    let mut ports: Vec<AppPort> = Vec::new();
    for (j, name) in call.ports.iter().enumerate() {
        match p.app.spec.ports.iter().find(|q| &q.name == name) {
            Some(q) => ports.push(q.clone()),
            None => {
                problems.push(Problem::unresolved(
                    obj.clone(),
                    format!("{field}.ports[{j}]"),
                    format!(
                        "provider {provider} has no port named {name:?} (it serves: {})",
                        p.app.spec.ports.iter().map(|q| q.name.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    "name one of the provider's ports, or leave ports empty to use all of them",
                ));
                return (FlowState::Refused, format!("provider {provider} has no port named {name:?}"), vec![]);
            }
        }
    }
    if call.ports.is_empty() {
        ports = p.app.spec.ports.clone();
    }
    if ports.is_empty() {
        return (FlowState::Refused, format!("provider {provider} serves no ports"), vec![]);
    }

    // Zones: isolation first, since no grant can lift it.
    let (cz, pz) = (consumer.zone, p.zone);
    let (czn, pzn) = (cz.name_any(), pz.name_any());
    if czn != pzn {
        let kinds = [cz.spec.kind, pz.spec.kind];
        if kinds.contains(&ZoneKind::Private) && kinds.contains(&ZoneKind::Internet) {
            return (FlowState::Refused, format!("no path exists between a private zone and an internet zone ({czn} -> {pzn})"), vec![]);
        }
        let Some(inbound) = endpoint_ports(pz, provider, &czn) else {
            return (
                FlowState::Refused,
                format!("cross-zone flow {czn} -> {pzn}: zone {pzn} has no exchange endpoint registering {provider} for zone {czn}"),
                vec![],
            );
        };
        let mut allowed: Vec<i32> = inbound.to_vec();
        if cz.spec.kind == ZoneKind::Private {
            let Some(outbound) = endpoint_ports(cz, &consumer.key, &pzn) else {
                return (
                    FlowState::Refused,
                    format!(
                        "private zone {czn} has no exchange endpoint registering {} for zone {pzn}; nothing leaves a private zone except through its exchange endpoints",
                        consumer.key
                    ),
                    vec![],
                );
            };
            if !outbound.is_empty() {
                allowed = if allowed.is_empty() { outbound.to_vec() } else { allowed.into_iter().filter(|p| outbound.contains(p)).collect() };
                if allowed.is_empty() {
                    return (FlowState::Refused, format!("the exchange endpoints of {czn} and {pzn} share no port"), vec![]);
                }
            }
        }
        if !allowed.is_empty() {
            ports.retain(|q| allowed.contains(&q.port));
            if ports.is_empty() {
                return (FlowState::Refused, format!("the exchange endpoint for {provider} opens none of the requested ports"), vec![]);
            }
        }
    }

    // Consent: both sides, unless it is one tenant talking to itself.
    if provider.tenant != consumer.key.tenant {
        let grant = p.app.spec.flows.allow_from.iter().find(|g| g.tenant == consumer.key.tenant);
        match grant {
            None => return (FlowState::Pending, format!("provider {provider} has not granted tenant {}", consumer.key.tenant), vec![]),
            Some(g) if !g.apps.is_empty() && !g.apps.contains(&consumer.key.app) => {
                return (
                    FlowState::Pending,
                    format!("provider {provider} has granted tenant {} only for apps {}", consumer.key.tenant, g.apps.join(", ")),
                    vec![],
                );
            }
            Some(_) => {}
        }
    }
    let how = if czn == pzn { format!("within zone {czn}") } else { format!("{czn} -> {pzn} through a registered exchange endpoint") };
    let who = if provider.tenant == consumer.key.tenant { "same tenant".to_string() } else { format!("granted by {provider}") };
    (FlowState::Granted, format!("{who}, {how}"), ports)
}
