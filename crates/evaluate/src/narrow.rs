//! An evaluation narrowed to what an auditor asks for (`--tenant`, `--zone`,
//! `--control`, `--failures-only`): the tenants the audit's filter keeps
//! ([`Filter::keeps_tenant`], the one definition of what each flag keeps),
//! and of the rest what concerns them. Scores and ranks stay those of the
//! whole city (a rank is among every tenant of its group, not among the
//! ones shown); the group means, the zones' money and the domestic share
//! are the city's context and stay whole.

use std::collections::BTreeSet;

use kube::ResourceExt;

use govcloud_audit::Audit;
use govcloud_audit::filter::Filter;
use govcloud_core::model::Model;

use super::Evaluation;

/// `e` with only the tenants `filter` keeps (their zones from `model`,
/// their findings from `audit`), and the trend, money per tenant, projects
/// and duplicate candidates that concern them.
pub fn narrowed(mut e: Evaluation, filter: &Filter, model: &Model, audit: &Audit) -> Evaluation {
    if filter.is_empty() {
        return e;
    }
    let kept: BTreeSet<String> = model
        .tenants
        .iter()
        .map(|t| (t.name_any(), t))
        .filter(|(name, t)| filter.keeps_tenant(name, t.spec.zones.iter().map(|z| z.name.as_str()), audit))
        .map(|(name, _)| name)
        .collect();
    e.tenants.retain(|t| kept.contains(&t.name));
    for p in &mut e.trend {
        p.overall.retain(|t, _| kept.contains(t));
        p.scores.retain(|t, _| kept.contains(t));
    }
    if let Some(m) = &mut e.money {
        m.tenants.retain(|t, _| kept.contains(t));
        m.tenant_zones.retain(|t, _| kept.contains(t));
    }
    e.projects.retain(|p| p.tenants.iter().any(|t| kept.contains(t)));
    e.duplicates.retain(|c| c.tenants.iter().any(|t| kept.contains(t)));
    e
}

#[cfg(test)]
mod tests;
