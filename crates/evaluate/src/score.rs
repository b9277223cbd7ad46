//! The scores: one per axis from its measures (and the constants the
//! formulas use), the overall score, ranks within departments and within
//! districts, the means of each group, and the trend over earlier
//! evaluations.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::jiff::Timestamp;

use crate::{Axis, Evaluation, GroupSummary, TenantEvaluation, TenantKind, TrendPoint};

/// Share of the granted quota in use that earns the full utilisation score.
pub const UTILISATION_TARGET: f64 = 0.7;
/// Points a failed check takes off the security score, by severity (critical, high, medium, low).
pub const SECURITY_PENALTY: [f64; 4] = [20.0, 10.0, 4.0, 1.0];

/// How the overall score is computed: (zh, en).
pub const OVERALL_FORMULA: (&str, &str) = (
    "综合得分为五项得分的算术平均：某项没有可评内容（无得分）时，按其所在组（部门或旗县区）该项的平均分计入，既不扣分也不因此排在他人之前；组内无人有该项得分时不计该项；没有任何一项得分的租户没有综合得分。排名在部门与旗县区各自组内按得分从高到低，得分相同者名次相同。",
    "The overall score is the mean of the five axis scores: an axis the tenant has nothing to be judged on (no score) counts at its group's (departments' or districts') mean on that axis, so it is neither a penalty nor a way to rank above others; an axis no one in the group has a score on is left out; a tenant with no axis scored has no overall. Ranks are within departments and within districts, highest score first, equal scores sharing a rank.",
);

/// The cost-effectiveness score from the utilisation `u` (0–1, the share
/// of the quota in use) and the apps, idle and oversized ones.
pub fn cost_score(u: Option<f64>, apps: Option<(usize, usize)>) -> Option<f64> {
    let parts: Vec<f64> = [
        u.map(|u| (u / UTILISATION_TARGET).min(1.0)),
        apps.filter(|(n, _)| *n > 0).map(|(n, wasteful)| 1.0 - wasteful.min(n) as f64 / n as f64),
    ]
    .into_iter()
    .flatten()
    .collect();
    mean(&parts).map(|m| 100.0 * m)
}

/// The application-effect score from the share of apps Ready and the availability.
pub fn effect_score(ready: Option<f64>, availability: Option<f64>) -> Option<f64> {
    mean(&[ready, availability].into_iter().flatten().collect::<Vec<_>>()).map(|m| 100.0 * m)
}

/// What the sharing score is computed from, for one tenant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SharingCounts {
    /// Cross-department flows it takes part in (either side, any state).
    pub flows: usize,
    /// Those in effect (Granted).
    pub in_effect: usize,
    /// Of those, the ones it provides (other tenants call it).
    pub given: usize,
    /// Its resources shared, unconditionally or conditionally.
    pub shared: usize,
    /// Its base databases that share nothing.
    pub unshared_base: usize,
    /// Answers it owes past their deadline.
    pub overdue: usize,
    /// Refusals it gave without a basis.
    pub unfounded: usize,
}

/// The sharing score: what counts for the tenant (flows in effect,
/// resources shared) less what counts against it (overdue answers,
/// refusals without basis), over what it is judged on (its cross-department
/// flows, its shared resources, its base databases). A base database that
/// shares nothing is judged, at 0: its holder has a score, and a holder
/// that shares nothing at all (no resource shared, no flow given) scores 0
/// whatever it receives. Nothing to judge: no score, unless something
/// counts against it (then 0). `flows` holds what the tenant answers for:
/// every flow it provides, and the flows in effect it consumes (a request
/// waiting on, or refused by, another department is not held against it).
pub fn sharing_score(c: SharingCounts) -> Option<f64> {
    let judged = c.flows + c.shared + c.unshared_base;
    let against = c.overdue + c.unfounded;
    if c.unshared_base > 0 && c.shared == 0 && c.given == 0 {
        return Some(0.0);
    }
    if judged == 0 {
        return (against > 0).then_some(0.0);
    }
    let earned = (c.in_effect + c.shared).saturating_sub(against);
    Some(100.0 * earned.min(judged) as f64 / judged as f64)
}

/// The security score from failed checks by severity (critical, high,
/// medium, low) and the number of checks.
pub fn security_score(failed: [usize; 4], checks: usize) -> Option<f64> {
    (checks > 0)
        .then(|| (100.0 - failed.iter().zip(SECURITY_PENALTY).map(|(n, p)| *n as f64 * p).sum::<f64>()).max(0.0))
}

/// The overall score of each tenant with an axis score: the mean over the
/// axes, an axis it has no score on counted at its group's mean (when the
/// group has one); the axes so counted are noted on the tenant.
pub(crate) fn overall(tenants: &mut [TenantEvaluation]) {
    for kind in [TenantKind::Department, TenantKind::District] {
        let means: BTreeMap<Axis, f64> = Axis::ALL
            .into_iter()
            .filter_map(|a| {
                let xs: Vec<f64> =
                    tenants.iter().filter(|t| t.kind == kind).filter_map(|t| t.scores.get(&a).copied()).collect();
                Some((a, mean(&xs)?))
            })
            .collect();
        for t in tenants.iter_mut().filter(|t| t.kind == kind) {
            if t.scores.is_empty() {
                t.overall = None;
                continue;
            }
            let mut xs = Vec::new();
            t.overall_at_group_mean.clear();
            for a in Axis::ALL {
                match (t.scores.get(&a), means.get(&a)) {
                    (Some(s), _) => xs.push(*s),
                    (None, Some(m)) => {
                        xs.push(*m);
                        t.overall_at_group_mean.push(a);
                    }
                    (None, None) => {}
                }
            }
            t.overall = mean(&xs);
        }
    }
}

/// The mean, when there is anything to take it of.
pub(crate) fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Ranks (1 = highest score; equal scores share a rank, the next rank
/// skips: 1, 1, 3) of the `(key, score)` pairs.
pub fn ranks<K: Ord + Clone>(scores: &[(K, f64)]) -> BTreeMap<K, usize> {
    scores.iter().map(|(k, s)| (k.clone(), 1 + scores.iter().filter(|(_, o)| o > s).count())).collect()
}

/// Ranks each tenant within its group (departments, districts): per axis
/// and overall, among the tenants of the group with that score.
pub(crate) fn rank(tenants: &mut [TenantEvaluation]) {
    for kind in [TenantKind::Department, TenantKind::District] {
        for axis in Axis::ALL {
            let scored: Vec<(String, f64)> = tenants
                .iter()
                .filter(|t| t.kind == kind)
                .filter_map(|t| Some((t.name.clone(), *t.scores.get(&axis)?)))
                .collect();
            let r = ranks(&scored);
            for t in tenants.iter_mut().filter(|t| t.kind == kind) {
                if let Some(n) = r.get(&t.name) {
                    t.ranks.insert(axis, *n);
                }
            }
        }
        let scored: Vec<(String, f64)> =
            tenants.iter().filter(|t| t.kind == kind).filter_map(|t| Some((t.name.clone(), t.overall?))).collect();
        let r = ranks(&scored);
        for t in tenants.iter_mut().filter(|t| t.kind == kind) {
            t.overall_rank = r.get(&t.name).copied();
        }
    }
}

/// The means of each group that has a tenant: departments, then districts.
pub(crate) fn groups(tenants: &[TenantEvaluation]) -> Vec<GroupSummary> {
    [TenantKind::Department, TenantKind::District]
        .into_iter()
        .filter_map(|kind| {
            let members: Vec<&TenantEvaluation> = tenants.iter().filter(|t| t.kind == kind).collect();
            if members.is_empty() {
                return None;
            }
            let scores = Axis::ALL
                .into_iter()
                .filter_map(|a| {
                    Some((a, mean(&members.iter().filter_map(|t| t.scores.get(&a).copied()).collect::<Vec<_>>())?))
                })
                .collect();
            let overall = mean(&members.iter().filter_map(|t| t.overall).collect::<Vec<_>>());
            Some(GroupSummary { kind, tenants: members.len(), scores, overall })
        })
        .collect()
}

/// The earlier evaluations as a trend, oldest first.
pub(crate) fn trend(earlier: &[Evaluation]) -> Vec<TrendPoint> {
    let mut trend: Vec<TrendPoint> = earlier.iter().map(point).collect();
    trend.sort_by_key(|p| p.at.parse::<Timestamp>().ok());
    trend
}

/// The scores of an evaluation, as one point of a trend.
pub(crate) fn point(e: &Evaluation) -> TrendPoint {
    TrendPoint {
        at: e.generated_at.clone(),
        overall: e.tenants.iter().filter_map(|t| Some((t.name.clone(), t.overall?))).collect(),
        scores: e.tenants.iter().map(|t| (t.name.clone(), t.scores.clone())).collect(),
    }
}

/// Every distinct tenant of an evaluation and its snapshots, in name order (for trend charts).
pub fn trend_tenants(e: &Evaluation) -> BTreeSet<&str> {
    e.trend.iter().flat_map(|p| p.overall.keys().map(String::as_str)).collect()
}

#[cfg(test)]
mod tests;
