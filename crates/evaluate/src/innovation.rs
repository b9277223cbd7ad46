//! 创新服务, the fifth axis: what is new in the period (apps, public
//! services, flows in effect), the public services offered in Mongolian, and
//! apps moved from a department's own workloads (not knowable yet). The
//! period runs from the oldest earlier evaluation given (`--snapshot`) to
//! now: each evaluation records an [`Inventory`] per tenant for that.

use std::collections::BTreeSet;

use kube::ResourceExt;
use serde::{Deserialize, Serialize};

use govcloud_core::api::{Exposure, FlowState};

use crate::axes::Subject;
use crate::figures::id;
use crate::pending::tenant_of;
use crate::score::mean;
use crate::{Evaluation, Measured, Missing};

/// New things in the period (apps, public services, flows in effect) that earn the full growth score.
pub const GROWTH_TARGET: f64 = 2.0;

/// What a tenant runs and shares at one evaluation, kept in its JSON so a
/// later evaluation can tell what is new.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// False in evaluations written before inventories were recorded.
    #[serde(default)]
    pub recorded: bool,
    /// Its apps, `zone/app`.
    #[serde(default)]
    pub apps: BTreeSet<String>,
    /// Its apps with exposure public, `zone/app`.
    #[serde(default)]
    pub public_services: BTreeSet<String>,
    /// Cross-department flows in effect with it on either side, `from -> to`.
    #[serde(default)]
    pub flows_granted: BTreeSet<String>,
    /// Its apps found idle, `zone/app` (empty when idleness was not known).
    #[serde(default)]
    pub idle: BTreeSet<String>,
}

/// The innovation score from the things new in the period (None: no
/// period) and the public services, (with a Mongolian name, all).
pub fn innovation_score(new: Option<usize>, mongolian: Option<(usize, usize)>) -> Option<f64> {
    let parts: Vec<f64> = [
        new.map(|n| (n as f64 / GROWTH_TARGET).min(1.0)),
        mongolian.filter(|(_, all)| *all > 0).map(|(mn, all)| mn.min(all) as f64 / all as f64),
    ]
    .into_iter()
    .flatten()
    .collect();
    mean(&parts).map(|m| 100.0 * m)
}

/// The tenant's inventory now.
pub(crate) fn inventory(s: &Subject<'_>) -> Inventory {
    let key = |a: &&&govcloud_core::api::DepartmentApp| format!("{}/{}", a.spec.zone, a.name_any());
    Inventory {
        recorded: true,
        apps: s.apps.iter().map(|a| key(&a)).collect(),
        public_services: s.apps.iter().filter(|a| a.spec.exposure == Exposure::Public).map(|a| key(&a)).collect(),
        flows_granted: s
            .i
            .audit
            .flows
            .iter()
            .filter(|f| f.state == FlowState::Granted)
            .filter_map(|f| {
                let (c, p) = (tenant_of(&f.from)?, tenant_of(&f.to)?);
                (c != p && (c == s.name || p == s.name)).then(|| format!("{} -> {}", f.from, f.to))
            })
            .collect(),
        idle: s.idle.borrow().clone(),
    }
}

/// The oldest earlier evaluation that recorded inventories: the start of the period.
pub(crate) fn period_start(earlier: &[Evaluation]) -> Option<&Evaluation> {
    earlier
        .iter()
        .filter(|e| e.tenants.iter().any(|t| t.inventory.recorded))
        .min_by(|a, b| a.generated_at.parse::<k8s_openapi::jiff::Timestamp>().ok().cmp(&b.generated_at.parse().ok()))
}

impl Subject<'_> {
    /// 创新服务: new apps, public services and flows in the period, public
    /// services in Mongolian, apps moved to the cloud (missing).
    pub(crate) fn innovation(&self, mut put: impl FnMut(&str, Measured)) -> Option<f64> {
        let now = inventory(self);
        // A tenant absent from the period's start is new: all it has is new.
        let start = period_start(self.i.earlier)
            .map(|e| e.tenants.iter().find(|t| t.name == self.name).map(|t| t.inventory.clone()).unwrap_or_default());
        let new = |of: fn(&Inventory) -> &BTreeSet<String>| -> Result<usize, Missing> {
            let start = start.as_ref().ok_or(Missing::NoPeriod)?;
            Ok(of(&now).difference(of(start)).count())
        };
        let (apps, public) = (new(|v| &v.apps), new(|v| &v.public_services));
        // A self-evaluation knows no flow between departments (no audit of the city).
        let flows = if self.i.scope.is_self() { Err(Missing::OutsideScope) } else { new(|v| &v.flows_granted) };
        put(id::NEW_APPS, Measured::result(apps.map(|n| n as f64)));
        put(id::NEW_PUBLIC_SERVICES, Measured::result(public.map(|n| n as f64)));
        put(id::NEW_FLOWS, Measured::result(flows.map(|n| n as f64)));
        let services: Vec<_> = self.apps.iter().filter(|a| a.spec.exposure == Exposure::Public).collect();
        let mongolian = services
            .iter()
            .filter(|a| {
                a.spec.display_name.as_ref().and_then(|d| d.mn.as_deref()).is_some_and(|m| !m.trim().is_empty())
            })
            .count();
        put(id::PUBLIC_SERVICES, Measured::of(services.len() as f64));
        put(
            id::MONGOLIAN_SERVICES,
            if services.is_empty() {
                Measured::none(Missing::NoPublicServices)
            } else {
                Measured::of(mongolian as f64)
            },
        );
        put(id::APPS_MIGRATED, Measured::none(Missing::NoImportMarker));
        let grown = match (apps, public, flows) {
            (Ok(a), Ok(p), Ok(f)) => Some(a + p + f),
            _ => None,
        };
        innovation_score(grown, Some((mongolian, services.len())))
    }
}

#[cfg(test)]
mod tests;
