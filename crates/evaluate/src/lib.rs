//! 绩效评估, the performance evaluation the e-gov leadership group makes of
//! each department and district: five axes computed from what the cloud
//! already knows, every figure with how it is computed, a score per axis,
//! rankings, and trends over earlier evaluations; beside them, money (a
//! price table per zone), results per e-government project (专项评估) and
//! candidates of duplicated construction. Pure: no client here.
//!
//! ```text
//!   Model (tenants and apps, with their statuses)  ─┐
//!   Audit (findings per tenant, flows)              ├─► evaluate ─► Evaluation ─► table | json | html | metrics
//!   pod usage (metrics snapshot), drift repairs,    │     per tenant: figures, a score per axis, ranks
//!   pending requests, earlier evaluations,          │     per group (departments, districts): means
//!   a price table                                   ─┘     money, projects, duplicate candidates
//! ```
//!
//! A figure the input cannot give (no status offline, no metrics snapshot,
//! repairs not counted) is not guessed: it is reported missing, with why,
//! and the scores use what is there.
//!
//! The modules follow the data: `figures` (every figure's id, unit and how
//! it is computed, and [`Measured`]), `axes` (the five axes and the measures
//! per axis that give one tenant's figures; `innovation` the fifth, with the
//! inventory a later evaluation compares with), `score` (a score per axis,
//! ranks, group means, trends), `pending` (the requests waiting for an
//! answer), `shares` (what a tenant holds and shares, and the answers it
//! owes), `money` (the price table and the cost of quota), `projects`,
//! `duplicates`, then `usage`, `city` and `output`. Here: the inputs, the
//! evaluation they give, and [`evaluate`] as the sequence of those steps.

pub mod city;
pub mod domestic;
pub mod money;
pub mod narrow;
pub mod output;
pub mod scope;
pub mod usage;

mod availability;
mod axes;
mod duplicates;
mod figures;
mod innovation;
mod pending;
mod projects;
mod score;
mod shares;

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use serde::{Deserialize, Serialize};

use govcloud_audit::Audit;
use govcloud_core::meta::{labels, names};
use govcloud_core::model::Model;

pub use axes::{Axis, IDLE_CPU_CORES, OVERSIZED_BELOW};
pub use domestic::{Domestic, DomesticPlatforms, DomesticShare};
pub use duplicates::{CANDIDATES_NOTE, Candidate, CandidateKind};
pub use figures::{FIGURES, FigureDef, Measured, Missing, Unit, figure};
pub use innovation::{GROWTH_TARGET, Inventory, innovation_score};
pub use money::{Cost, Money, PriceTable, ZonePrice};
pub use pending::{PLATFORM, PendingRequest, pending_flow_requests, pending_resource_requests};
pub use projects::ProjectEvaluation;
pub use scope::Scope;
pub use score::{
    OVERALL_FORMULA, SECURITY_PENALTY, SharingCounts, UTILISATION_TARGET, cost_score, effect_score, ranks,
    security_score, sharing_score, trend_tenants,
};
pub use shares::Shares;
pub use usage::{PodApps, PodUsage};

/// A department (委办局) or a district, county or banner (旗县区).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TenantKind {
    /// 委办局: a tenant without the district label.
    #[default]
    Department,
    /// 旗县区: a Tenant labelled `govcloud.io/tenant-kind: district`.
    District,
}

impl TenantKind {
    /// The group's name for people: (zh, en).
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            TenantKind::Department => ("委办局（部门）", "Departments"),
            TenantKind::District => ("旗县区", "Districts"),
        }
    }
}

/// One tenant's evaluation.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantEvaluation {
    /// The Tenant's name.
    pub name: String,
    /// Its Chinese name.
    #[serde(default)]
    pub name_zh: String,
    /// Its English name.
    #[serde(default)]
    pub name_en: String,
    /// Its Mongolian name (traditional script), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_mn: Option<String>,
    /// Department or district.
    #[serde(default)]
    pub kind: TenantKind,
    /// Every figure of [`FIGURES`], by id.
    #[serde(default)]
    pub figures: BTreeMap<String, Measured>,
    /// Score 0–100 per axis; absent when no figure of the axis could be had.
    #[serde(default)]
    pub scores: BTreeMap<Axis, f64>,
    /// Mean of the axis scores.
    #[serde(default)]
    pub overall: Option<f64>,
    /// Rank within its group, per axis (1 = best).
    #[serde(default)]
    pub ranks: BTreeMap<Axis, usize>,
    /// Rank of the overall score within its group.
    #[serde(default)]
    pub overall_rank: Option<usize>,
    /// Axes without a score of its own that count in its overall at the
    /// group's mean (nothing to judge: neither a penalty nor an advantage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overall_at_group_mean: Vec<Axis>,
    /// What it runs and shares now, for a later evaluation's period figures.
    #[serde(default)]
    pub inventory: Inventory,
}

impl TenantEvaluation {
    /// The value of figure `id`, when there is one.
    pub fn value(&self, id: &str) -> Option<f64> {
        self.figures.get(id).and_then(|m| m.value)
    }
}

/// Means of one group (departments or districts).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSummary {
    /// Which group.
    pub kind: TenantKind,
    /// Tenants in it.
    pub tenants: usize,
    /// Mean score per axis over the tenants with one.
    pub scores: BTreeMap<Axis, f64>,
    /// Mean overall score.
    pub overall: Option<f64>,
}

/// The scores of one earlier (or this) evaluation, for trends.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    /// When that evaluation was made (RFC 3339).
    pub at: String,
    /// Tenant -> overall score.
    pub overall: BTreeMap<String, f64>,
    /// Tenant -> axis -> score.
    pub scores: BTreeMap<String, BTreeMap<Axis, f64>>,
}

/// The evaluation of every tenant.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// When it was made (RFC 3339).
    pub generated_at: String,
    /// Tenants, in name order.
    pub tenants: Vec<TenantEvaluation>,
    /// Departments, then districts.
    #[serde(default)]
    pub groups: Vec<GroupSummary>,
    /// Earlier evaluations given as snapshots, oldest first, then this one.
    #[serde(default)]
    pub trend: Vec<TrendPoint>,
    /// Quota in money (¥ per month); absent without a price table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<Money>,
    /// Results per e-government project (专项评估), in name order.
    #[serde(default)]
    pub projects: Vec<ProjectEvaluation>,
    /// Candidates of duplicated construction, each with its evidence: not verdicts.
    #[serde(default)]
    pub duplicates: Vec<Candidate>,
    /// 国产化: cores on domestic platforms, per zone and for the city;
    /// absent when no zone's status lists its nodes' platforms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domestic: Option<Domestic>,
    /// Whom it covers: the city, or a department's self-evaluation (an
    /// earlier snapshot without one was of the city).
    #[serde(default)]
    pub scope: Scope,
}

/// What an evaluation is computed from.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// Zones, tenants and apps, with their statuses when the input has them.
    pub model: &'a Model,
    /// The compliance audit of the same objects.
    pub audit: &'a Audit,
    /// Pod usage from a metrics snapshot or the metrics API, or why there is none.
    pub usage: Result<&'a [PodUsage], Missing>,
    /// Drift repairs per tenant; None when not counted.
    pub repairs: Option<&'a BTreeMap<String, u64>>,
    /// Requests waiting for an answer (see [`PendingRequest`]).
    pub pending: &'a [PendingRequest],
    /// Earlier evaluations (any order), for trends and the period figures.
    pub earlier: &'a [Evaluation],
    /// The price table per zone; None: no money.
    pub prices: Option<&'a PriceTable>,
    /// The ResourceRequests as filed (any decision), for the projects they name.
    pub requests: &'a [govcloud_core::api::ResourceRequest],
    /// Whom the evaluation covers, as the reader decided it.
    pub scope: &'a Scope,
    /// What counts as a domestic platform (国产化).
    pub domestic: &'a DomesticPlatforms,
    /// Now.
    pub now: Timestamp,
}

#[cfg(test)]
impl<'a> Inputs<'a> {
    /// The model alone: no audit findings, usage, repairs, pending requests,
    /// earlier evaluations, prices or requests, at the epoch. Tests set what
    /// they need on top (`Inputs { prices: Some(&p), ..Inputs::of(&m) }`).
    pub(crate) fn of(model: &'a Model) -> Inputs<'a> {
        static NO_AUDIT: std::sync::LazyLock<Audit> = std::sync::LazyLock::new(Audit::default);
        static CITY: Scope = Scope::City;
        static DOMESTIC: std::sync::LazyLock<DomesticPlatforms> = std::sync::LazyLock::new(DomesticPlatforms::default);
        Inputs {
            model,
            audit: &NO_AUDIT,
            usage: Err(Missing::NoUsage),
            repairs: None,
            pending: &[],
            earlier: &[],
            prices: None,
            requests: &[],
            scope: &CITY,
            domestic: &DOMESTIC,
            now: Timestamp::UNIX_EPOCH,
        }
    }
}

/// What the evaluation reads of a DepartmentApp's status (its Ready and
/// FlowsPending conditions, when they last turned, its ready replicas, the
/// answers overdue among its flows and its sharing requests, since when its
/// flows wait), as
/// one fingerprint: when it changes, the last evaluation is out of date.
pub fn app_status_read(a: &govcloud_core::api::DepartmentApp) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Some(s) = &a.status {
        s.ready_replicas.hash(&mut h);
        for c in s.conditions.iter().filter(|c| c.type_ == "Ready" || c.type_ == "FlowsPending") {
            (&c.type_, &c.status, c.last_transition_time.0.to_string()).hash(&mut h);
        }
        // The answers overdue, on either side, and since when a flow waits.
        for f in s.flows.iter().filter(|f| f.overdue || f.since.is_some()) {
            ("flow", &f.target, f.overdue, f.since.as_ref().map(|t| t.0.to_string())).hash(&mut h);
        }
        for r in s.sharing.iter().flat_map(|sh| &sh.requests).filter(|r| r.overdue) {
            ("request", &r.consumer).hash(&mut h);
        }
    }
    h.finish()
}

/// What the evaluation reads of a Tenant's status (the quota used and
/// granted in each zone), as one fingerprint.
pub fn tenant_status_read(t: &govcloud_core::api::Tenant) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Some(s) = &t.status {
        serde_json::to_string(&s.quota).unwrap_or_default().hash(&mut h);
    }
    h.finish()
}

/// Evaluates every tenant of the model.
pub fn evaluate(i: Inputs<'_>) -> Evaluation {
    let model = i.model;
    // Namespace -> tenant, from what the tenants declare.
    let ns_tenant: BTreeMap<String, String> = model
        .tenants
        .iter()
        .flat_map(|t| t.spec.zones.iter().map(move |z| (names::namespace_name(&t.name_any(), &z.name), t.name_any())))
        .collect();
    let mut tenants: Vec<TenantEvaluation> = model.tenants.iter().map(|t| tenant(t, &ns_tenant, &i)).collect();
    tenants.sort_by(|a, b| a.name.cmp(&b.name));
    // The overall counts an axis without a score at the group's mean, then ranks within each group.
    score::overall(&mut tenants);
    // A self-evaluation ranks no one: the tenant alone is no ranking.
    if !i.scope.is_self() {
        score::rank(&mut tenants);
    }
    let groups = score::groups(&tenants);
    let generated_at = i.now.to_string();
    let money = i.prices.map(|p| money::money(model, p));
    let projects = projects::projects(&i, &ns_tenant);
    let duplicates = duplicates::candidates(&i, &ns_tenant, &tenants);
    let scope = i.scope.clone();
    let trend = score::trend(i.earlier);
    // A self-evaluation reads no zone: no share of the city's platforms.
    let domestic = if i.scope.is_self() { None } else { domestic::domestic(model, i.domestic) };
    let mut e = Evaluation { generated_at, tenants, groups, trend, money, projects, duplicates, domestic, scope };
    e.trend.push(score::point(&e));
    e
}

/// One tenant's figures and scores, axis by axis; not ranked yet.
fn tenant(t: &govcloud_core::api::Tenant, ns_tenant: &BTreeMap<String, String>, i: &Inputs<'_>) -> TenantEvaluation {
    let name = t.name_any();
    let kind =
        if labels::tenant_kind(t.labels()) == "district" { TenantKind::District } else { TenantKind::Department };
    let subject = axes::Subject::new(t, &name, ns_tenant, i);
    let mut figures: BTreeMap<String, Measured> = BTreeMap::new();
    let mut scores = BTreeMap::new();
    for axis in Axis::ALL {
        if let Some(s) = subject.measure(axis, &mut figures) {
            scores.insert(axis, s);
        }
    }
    let inventory = innovation::inventory(&subject);
    TenantEvaluation {
        name,
        name_zh: t.spec.display_name.zh.clone(),
        name_en: t.spec.display_name.en.clone(),
        name_mn: t.spec.display_name.mn.clone(),
        kind,
        figures,
        scores,
        overall: None,
        ranks: BTreeMap::new(),
        overall_rank: None,
        overall_at_group_mean: Vec::new(),
        inventory,
    }
}

#[cfg(test)]
mod tests;
