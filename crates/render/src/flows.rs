//! Deciding each declared flow. A flow between tenants exists only when the
//! provider grants it and the consumer requests it; a flow across zones only
//! through registered exchange endpoints; nothing between a private zone and an
//! internet zone. Apps are named by tenant, zone and name. Until a provider of
//! another tenant grants the consumer, the reason is the same whether the
//! provider exists or not.

use kube::ResourceExt;

pub(crate) mod consent;
use consent::Consent;

use super::index::{Index, Placement, cluster_message};
use govcloud_core::api::{AppKey, AppPort, AppRef, ExchangeEndpoint, FlowState, NetworkZone, ZoneKind};
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::meta::names::namespace_name;
use govcloud_core::msg;
use govcloud_core::problem::{ObjectRef, Problem};

/// What became of one call an app declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowDecision {
    /// The calling app.
    pub consumer: AppKey,
    /// Index of the call in the consumer's `spec.flows.calls`.
    pub call: usize,
    /// The called app.
    pub provider: AppKey,
    /// Granted, Pending or Refused.
    pub state: FlowState,
    /// Why, in words a person understands: a message of the catalogue
    /// (status and Events carry its English text, pages their language's).
    pub reason: Message,
    /// Ports the flow may use (empty unless granted).
    pub ports: Vec<AppPort>,
    /// Where a granted flow between clusters goes: the address of the
    /// provider zone's exchange endpoint (`None` within one cluster).
    pub address: Option<String>,
    /// Whether the call waits for a conditional provider's answer (and would
    /// be granted on it): a request with a deadline.
    pub awaiting: bool,
    /// The purpose the call states.
    pub purpose: Option<String>,
}

/// Decides every call of every placed app.
pub fn decide_all(index: &Index<'_>, problems: &mut Vec<Problem>) -> Vec<FlowDecision> {
    let mut out = Vec::new();
    for consumer in index.apps.values() {
        for (i, call) in consumer.app.spec.flows.calls.iter().enumerate() {
            let provider = AppKey {
                tenant: call.tenant.clone().unwrap_or_else(|| consumer.key.tenant.clone()),
                zone: call.zone.clone().unwrap_or_else(|| consumer.key.zone.clone()),
                app: call.app.clone(),
            };
            let mut awaiting = false;
            let (state, reason, ports, address) = match decide(index, consumer, i, &provider, problems) {
                Decided::Granted { reason, ports, address } => (FlowState::Granted, reason, ports, address),
                Decided::Awaiting(reason) => {
                    awaiting = true;
                    (FlowState::Pending, reason, vec![], None)
                }
                Decided::Not(state, reason) => (state, reason, vec![], None),
            };
            out.push(FlowDecision {
                consumer: consumer.key.clone(),
                call: i,
                provider,
                state,
                reason,
                ports,
                address,
                awaiting,
                purpose: call.purpose.clone(),
            });
        }
    }
    out
}

/// Whether zones of these kinds may never exchange traffic, whatever is
/// registered or granted: a private zone and an internet zone.
pub(crate) fn never_connected(a: ZoneKind, b: ZoneKind) -> bool {
    let kinds = [a, b];
    kinds.contains(&ZoneKind::Private) && kinds.contains(&ZoneKind::Internet)
}

/// Whether an app of a zone of this kind may call into another zone only when
/// its own zone registers it as an exchange endpoint for that zone (a
/// private zone: nothing leaves it except through its endpoints); apps of
/// other zones need only the provider's endpoint.
pub(crate) fn leaves_only_through_endpoints(kind: ZoneKind) -> bool {
    kind == ZoneKind::Private
}

/// What the exchange endpoints of `zone` open: each app registered (once,
/// in order of first registration) with the zones it is registered for,
/// less any zone it may never reach ([`never_connected`]). Such an app may
/// be called from those zones and, in a zone that
/// [`leaves_only_through_endpoints`], call into them; [`decide`] settles the
/// ports through [`endpoint`].
pub(crate) fn exchange_apps<'z>(
    zone: &'z NetworkZone,
    zones: &std::collections::BTreeMap<String, &NetworkZone>,
) -> Vec<(&'z AppRef, Vec<String>)> {
    let mut out: Vec<(&AppRef, Vec<String>)> = Vec::new();
    for ep in &zone.spec.exchange_endpoints {
        let Some(app) = &ep.app else { continue };
        let peers = ep
            .peer_zones
            .iter()
            .filter(|p| {
                **p != zone.name_any() && zones.get(*p).is_some_and(|pz| !never_connected(zone.spec.kind, pz.spec.kind))
            })
            .cloned();
        match out.iter_mut().find(|(a, _)| *a == app) {
            Some((_, ps)) => ps.extend(peers),
            None => out.push((app, peers.collect())),
        }
    }
    for (_, ps) in &mut out {
        ps.sort();
        ps.dedup();
    }
    out.retain(|(_, ps)| !ps.is_empty());
    out
}

/// What became of one call.
enum Decided {
    Granted {
        reason: Message,
        ports: Vec<AppPort>,
        address: Option<String>,
    },
    /// Pending on a conditional provider's answer, and nothing else.
    Awaiting(Message),
    Not(FlowState, Message),
}

/// The exchange endpoint of `zone` that registers `app` for `peer` (not one
/// rendering refused).
pub(crate) fn endpoint<'z>(
    index: &Index<'_>,
    zone: &'z NetworkZone,
    app: &AppKey,
    peer: &str,
) -> Option<&'z ExchangeEndpoint> {
    let zname = zone.name_any();
    if zname != app.zone {
        return None;
    }
    zone.spec
        .exchange_endpoints
        .iter()
        .enumerate()
        .filter(|(i, _)| !index.rejected_endpoints.contains(&(zname.clone(), *i)))
        .find(|(_, e)| {
            e.app.as_ref().is_some_and(|r| r.tenant == app.tenant && r.app == app.app)
                && e.peer_zones.iter().any(|p| p == peer)
        })
        .map(|(_, e)| e)
}

/// Whether one of the provider's grants covers the consumer: its tenant, its
/// zone (listed, or the provider's own when none is), and its name (when apps
/// are listed).
pub(crate) fn grant_covers(provider: &Placement<'_>, consumer: &AppKey) -> bool {
    provider.app.spec.flows.allow_from.iter().any(|g| {
        g.tenant == consumer.tenant
            && if g.zones.is_empty() { consumer.zone == provider.key.zone } else { g.zones.contains(&consumer.zone) }
            && (g.apps.is_empty() || g.apps.contains(&consumer.app))
    })
}

/// The one reason given for another tenant's app that has not granted the
/// consumer, whether it exists or not.
pub(crate) fn not_granted(provider: &AppKey, consumer: &AppKey) -> Message {
    msg!(Code::NoGrantCovers, provider.to_string(), consumer.to_string())
}

fn decide(
    index: &Index<'_>,
    consumer: &Placement<'_>,
    i: usize,
    provider: &AppKey,
    problems: &mut Vec<Problem>,
) -> Decided {
    let obj = ObjectRef::namespaced("DepartmentApp", &consumer.namespace, &consumer.key.app);
    let field = format!("spec.flows.calls[{i}]");
    if !index.zones.contains_key(&provider.zone) {
        problems.push(Problem::unresolved(
            obj,
            format!("{field}.zone"),
            msg!(Code::ZoneNotDeclared, format!("{:?}", provider.zone)).to_string(),
            msg!(Code::FixUseOneOf, index.zones.keys().cloned().collect::<Vec<_>>().join(", ")).to_string(),
        ));
        return Decided::Not(FlowState::Pending, msg!(Code::ZoneNotDeclared, format!("{:?}", provider.zone)));
    }
    let same_tenant = provider.tenant == consumer.key.tenant;
    let call = &consumer.app.spec.flows.calls[i];
    let mut consented = None;
    let p = match index.apps.get(provider) {
        Some(p) if same_tenant => p,
        Some(p) => match consent::consent(p, &consumer.key, call, &field) {
            Consent::Given(who) => {
                consented = Some((who, false));
                p
            }
            Consent::Awaiting(why) => {
                consented = Some((why, true));
                p
            }
            Consent::Not(state, why) => return Decided::Not(state, why),
        },
        // Nothing about another tenant's apps until it grants this one.
        _ if !same_tenant => return Decided::Not(FlowState::Pending, not_granted(provider, &consumer.key)),
        _ if index.misplaced.contains(provider) => {
            return Decided::Not(FlowState::Pending, msg!(Code::ProviderNotPlaced, provider.to_string()));
        }
        _ => {
            let elsewhere: Vec<&str> = index
                .apps
                .keys()
                .filter(|k| k.tenant == provider.tenant && k.app == provider.app)
                .map(|k| k.zone.as_str())
                .collect();
            problems.push(Problem::unresolved(
                obj,
                format!("{field}.app"),
                msg!(Code::ProblemAppMissing, provider.to_string()).to_string(),
                if elsewhere.is_empty() {
                    msg!(Code::FixCorrectApp, &provider.app, namespace_name(&provider.tenant, &provider.zone))
                } else {
                    msg!(Code::FixCallZone, &provider.app, elsewhere.join(", "), i.to_string())
                }
                .to_string(),
            ));
            return Decided::Not(FlowState::Pending, msg!(Code::ProviderMissing, provider.to_string()));
        }
    };

    // Ports: the ones named, or all the provider serves.
    let mut ports: Vec<AppPort> = Vec::new();
    for (j, name) in call.ports.iter().enumerate() {
        match p.app.spec.ports.iter().find(|q| &q.name == name) {
            Some(q) => ports.push(q.clone()),
            None => {
                problems.push(Problem::unresolved(
                    obj.clone(),
                    format!("{field}.ports[{j}]"),
                    msg!(
                        Code::ProblemNoSuchPort,
                        provider.to_string(),
                        format!("{name:?}"),
                        p.app.spec.ports.iter().map(|q| q.name.as_str()).collect::<Vec<_>>().join(", ")
                    )
                    .to_string(),
                    msg!(Code::FixNamePort).to_string(),
                ));
                return Decided::Not(
                    FlowState::Refused,
                    msg!(Code::NoSuchPort, provider.to_string(), format!("{name:?}")),
                );
            }
        }
    }
    if call.ports.is_empty() {
        ports = p.app.spec.ports.clone();
    }
    if ports.is_empty() {
        return Decided::Not(FlowState::Refused, msg!(Code::NoPorts, provider.to_string()));
    }

    // Zones: no grant lifts isolation.
    let (cz, pz) = (consumer.zone, p.zone);
    let (czn, pzn) = (cz.name_any(), pz.name_any());
    let mut address = None;
    let mut through = None;
    if czn != pzn {
        if never_connected(cz.spec.kind, pz.spec.kind) {
            return Decided::Not(FlowState::Refused, msg!(Code::PrivateInternet, &czn, &pzn));
        }
        let Some(inbound) = endpoint(index, pz, provider, &czn) else {
            return Decided::Not(FlowState::Refused, msg!(Code::NoInboundEndpoint, &czn, &pzn, provider.to_string()));
        };
        let (from, to) = (cz.spec.cluster.as_deref(), pz.spec.cluster.as_deref());
        if from != to {
            // Between clusters the consumer reaches the provider only at the endpoint's address.
            let Some(at) = &inbound.address else {
                return Decided::Not(
                    FlowState::Refused,
                    msg!(
                        Code::NoEndpointAddress,
                        &pzn,
                        cluster_message(to),
                        &czn,
                        cluster_message(from),
                        &inbound.name,
                        provider.to_string()
                    ),
                );
            };
            address = Some(at.clone());
            through = Some(Arg::from(msg!(
                Code::EndpointAcross,
                &inbound.name,
                cluster_message(from),
                cluster_message(to),
                at
            )));
        }
        let mut allowed: Vec<i32> = inbound.ports.clone();
        if leaves_only_through_endpoints(cz.spec.kind) {
            let Some(outbound) = endpoint(index, cz, &consumer.key, &pzn) else {
                return Decided::Not(
                    FlowState::Refused,
                    msg!(Code::NoOutboundEndpoint, &czn, consumer.key.to_string(), &pzn),
                );
            };
            if !outbound.ports.is_empty() {
                allowed = if allowed.is_empty() {
                    outbound.ports.clone()
                } else {
                    allowed.into_iter().filter(|p| outbound.ports.contains(p)).collect()
                };
                if allowed.is_empty() {
                    return Decided::Not(FlowState::Refused, msg!(Code::EndpointsNoCommonPort, &czn, &pzn));
                }
            }
        }
        if !allowed.is_empty() {
            ports.retain(|q| allowed.contains(&q.port));
            if ports.is_empty() {
                return Decided::Not(FlowState::Refused, msg!(Code::EndpointNoRequestedPort, provider.to_string()));
            }
        }
        // The endpoint, and between clusters the way it goes.
        through = Some(through.unwrap_or_else(|| Arg::from(&inbound.name)));
    }

    // Consent was checked above: a grant covers this consumer, or it is one tenant talking to itself.
    let how = match through {
        Some(through) if czn != pzn => msg!(Code::ThroughEndpoint, &czn, &pzn, through),
        _ => msg!(Code::WithinZone, &czn),
    };
    // Between departments, the data's classification: no consent lifts it
    // (after the zones, whose isolation is the first reason).
    if !same_tenant
        && let Some(why) = consent::classification_refusal(
            provider,
            p.app.spec.data_classification,
            &consumer.key,
            consumer.zone.spec.kind,
        )
    {
        return Decided::Not(FlowState::Refused, why);
    }
    match consented {
        // Everything but the provider's answer allows it: the call waits for it.
        Some((why, true)) => Decided::Awaiting(msg!(Code::AwaitingOnceGranted, why, how)),
        Some((who, false)) => Decided::Granted { reason: msg!(Code::GrantedHow, who, how), ports, address },
        None => Decided::Granted { reason: msg!(Code::SameTenant, how), ports, address },
    }
}
