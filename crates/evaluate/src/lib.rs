//! 绩效评估, the performance evaluation the e-gov leadership group makes of
//! each department and district: four axes computed from what the cloud
//! already knows, every figure with how it is computed, a score per axis,
//! rankings, and trends over earlier evaluations. Pure: no client here.
//!
//! ```text
//!   Model (tenants and apps, with their statuses)  ─┐
//!   Audit (findings per tenant, flows)              ├─► evaluate ─► Evaluation ─► table | json | html | metrics
//!   pod usage (metrics snapshot), drift repairs,    │     per tenant: figures, a score per axis, ranks
//!   pending requests, earlier evaluations           ─┘     per group (departments, districts): means
//! ```
//!
//! A figure the input cannot give (no status offline, no metrics snapshot,
//! repairs not counted) is not guessed: it is reported missing, with why,
//! and the scores use what is there.

pub mod city;
pub mod output;
pub mod usage;

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use serde::{Deserialize, Serialize};

use govcloud_audit::{Audit, Outcome};
use govcloud_core::api::FlowState;
use govcloud_core::controls::Severity;
use govcloud_core::meta::compare::parse_quantity;
use govcloud_core::meta::{labels, names};
use govcloud_core::model::Model;
pub use usage::PodUsage;

/// The four axes of the evaluation (实施方案 task 18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// 成本效益: is what was granted used, and used well?
    Cost,
    /// 应用效果: do the apps run and serve?
    Effect,
    /// 协同共享: does the tenant share data with other departments?
    Sharing,
    /// 安全保密: does it meet the security baseline?
    Security,
}

impl Axis {
    /// Every axis, in the order the issue names them.
    pub const ALL: [Axis; 4] = [Axis::Cost, Axis::Effect, Axis::Sharing, Axis::Security];

    /// The axis's name in JSON and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Axis::Cost => "cost",
            Axis::Effect => "effect",
            Axis::Sharing => "sharing",
            Axis::Security => "security",
        }
    }

    /// The axis's name for people: (zh, en).
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            Axis::Cost => ("成本效益", "Cost-effectiveness"),
            Axis::Effect => ("应用效果", "Application effect"),
            Axis::Sharing => ("协同共享", "Collaboration and sharing"),
            Axis::Security => ("安全保密", "Security and confidentiality"),
        }
    }

    /// How the axis's score is computed: (zh, en).
    pub fn formula(self) -> (&'static str, &'static str) {
        match self {
            Axis::Cost => (
                "100 × (利用率得分 + 应用精简度) ÷ 2。利用率得分 = min(1, U ÷ 0.7)，U 为实际用量占已批配额之比（CPU 与内存的平均；无用量快照时用已申请量占配额之比），用到配额的 70% 即为满分；应用精简度 = 1 − (闲置应用 + 过度配置应用) ÷ 应用数。缺一项时取另一项。",
                "100 × (utilisation score + app efficiency) ÷ 2. Utilisation score = min(1, U ÷ 0.7), where U is the share of the granted quota actually used (mean of CPU and memory; the share requested when no usage snapshot is given): using 70% of the quota earns the full score. App efficiency = 1 − (idle apps + oversized apps) ÷ apps. When one part is missing, the other alone.",
            ),
            Axis::Effect => (
                "100 × (就绪应用比例 + 可用率) ÷ 2；缺一项时取另一项。修复的配置漂移仅作参考，不计分。",
                "100 × (share of apps Ready + availability) ÷ 2; when one part is missing, the other alone. Drift repaired is shown, not scored.",
            ),
            Axis::Sharing => (
                "100 × 已生效的跨部门数据流 ÷ 该租户参与声明的全部跨部门数据流（提供与使用两侧，含等待授权和被拒绝的）；没有跨部门数据流时不计分。",
                "100 × cross-department flows in effect ÷ every cross-department flow the tenant takes part in (as provider or consumer, pending and refused ones included); no score without any cross-department flow.",
            ),
            Axis::Security => (
                "100 − 20 × 严重不通过项 − 10 × 高危不通过项 − 4 × 中危不通过项 − 1 × 低危不通过项，最低为 0；该租户没有任何检查项时不计分。",
                "100 − 20 × failed critical checks − 10 × failed high − 4 × failed medium − 1 × failed low, never below 0; no score when no check concerns the tenant.",
            ),
        }
    }
}

/// How the overall score is computed: (zh, en).
pub const OVERALL_FORMULA: (&str, &str) = (
    "综合得分为四项中有得分各项的算术平均；排名在部门与旗县区各自组内按得分从高到低，得分相同者名次相同。",
    "The overall score is the mean of the axes that have a score; ranks are within departments and within districts, highest score first, equal scores sharing a rank.",
);

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

/// What a figure counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A share, 0 to 1 (shown as a percentage).
    Ratio,
    /// A number of things.
    Count,
    /// Days.
    Days,
}

/// Why a figure has no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Missing {
    /// The input carries no status for it (offline manifests without status).
    NoStatus,
    /// No metrics snapshot was given, and the cluster serves no metrics API.
    NoUsage,
    /// Drift repairs are not counted here.
    NotCounted,
    /// The tenant has no app (or none meant to run).
    NoApps,
    /// The tenant has no quota with that resource.
    NoQuota,
    /// The tenant takes part in no such flow or request.
    NoFlows,
    /// No compliance check concerns the tenant.
    NoChecks,
}

impl Missing {
    /// Why, for people: (zh, en).
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            Missing::NoStatus => {
                ("输入中没有状态（离线清单未含 status）", "no status in the input (offline manifests without status)")
            }
            Missing::NoUsage => (
                "没有用量数据（未给出 --metrics 快照，集群也未提供 metrics API）",
                "no usage data (no --metrics snapshot, and the cluster serves no metrics API)",
            ),
            Missing::NotCounted => (
                "此模式下不统计（离线，或 API 服务器已不保留相应事件）",
                "not counted in this mode (offline, or the API server keeps no such Events)",
            ),
            Missing::NoApps => ("没有应运行的应用", "no app meant to run"),
            Missing::NoQuota => ("没有相应配额", "no such quota"),
            Missing::NoFlows => ("没有跨部门数据流或申请", "no cross-department flow or request"),
            Missing::NoChecks => ("没有相关检查项", "no check concerns it"),
        }
    }
}

/// One figure: what it is and how it is computed.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct FigureDef {
    /// Key in the JSON and in metrics labels.
    pub id: &'static str,
    /// The axis it belongs to.
    pub axis: Axis,
    /// What it counts in.
    pub unit: Unit,
    /// Name in Chinese.
    pub name_zh: &'static str,
    /// Name in English.
    pub name_en: &'static str,
    /// How it is computed, in Chinese.
    pub how_zh: &'static str,
    /// How it is computed, in English.
    pub how_en: &'static str,
}

/// Usage below this many CPU cores, all pods of an app together, is no usage (idle).
pub const IDLE_CPU_CORES: f64 = 0.001;
/// An app using less than this share of its CPU requests and of its memory requests is oversized.
pub const OVERSIZED_BELOW: f64 = 0.2;
/// Share of the granted quota in use that earns the full utilisation score.
pub const UTILISATION_TARGET: f64 = 0.7;
/// Points a failed check takes off the security score, by severity (critical, high, medium, low).
pub const SECURITY_PENALTY: [f64; 4] = [20.0, 10.0, 4.0, 1.0];

/// Every figure, by axis.
pub const FIGURES: &[FigureDef] = &[
    FigureDef {
        id: "quota_cpu_requested",
        axis: Axis::Cost,
        unit: Unit::Ratio,
        name_zh: "CPU 配额申请率",
        name_en: "CPU quota requested",
        how_zh: "各网络区 ResourceQuota 的 requests.cpu 已用量之和 ÷ 已批额度之和（取自 Tenant 状态 status.quota）",
        how_en: "sum of requests.cpu used ÷ sum granted, over the tenant's ResourceQuotas in every zone (from the Tenant's status.quota)",
    },
    FigureDef {
        id: "quota_memory_requested",
        axis: Axis::Cost,
        unit: Unit::Ratio,
        name_zh: "内存配额申请率",
        name_en: "Memory quota requested",
        how_zh: "各网络区 ResourceQuota 的 requests.memory 已用量之和 ÷ 已批额度之和（取自 Tenant 状态）",
        how_en: "sum of requests.memory used ÷ sum granted, over the tenant's ResourceQuotas (from the Tenant's status)",
    },
    FigureDef {
        id: "cpu_used",
        axis: Axis::Cost,
        unit: Unit::Ratio,
        name_zh: "CPU 实际使用率",
        name_en: "CPU actually used",
        how_zh: "用量快照中该租户各命名空间所有 Pod 的 CPU 用量之和 ÷ 已批 requests.cpu 额度之和",
        how_en: "CPU usage of every pod in the tenant's namespaces (metrics snapshot) ÷ sum of requests.cpu granted",
    },
    FigureDef {
        id: "memory_used",
        axis: Axis::Cost,
        unit: Unit::Ratio,
        name_zh: "内存实际使用率",
        name_en: "Memory actually used",
        how_zh: "用量快照中该租户所有 Pod 的内存用量之和 ÷ 已批 requests.memory 额度之和",
        how_en: "memory usage of every pod of the tenant (metrics snapshot) ÷ sum of requests.memory granted",
    },
    FigureDef {
        id: "apps",
        axis: Axis::Cost,
        unit: Unit::Count,
        name_zh: "应用数",
        name_en: "Apps",
        how_zh: "该租户声明的 DepartmentApp 数",
        how_en: "DepartmentApps the tenant declares",
    },
    FigureDef {
        id: "idle_apps",
        axis: Axis::Cost,
        unit: Unit::Count,
        name_zh: "闲置应用",
        name_en: "Idle apps",
        how_zh: "副本数为 0、没有就绪副本，或（有用量快照时）其 Pod 合计 CPU 用量低于 1 毫核（含快照中没有其 Pod）的应用",
        how_en: "apps with 0 replicas, no ready replica, or (with a usage snapshot) pods using under 1 millicore of CPU together (or none in the snapshot)",
    },
    FigureDef {
        id: "oversized_apps",
        axis: Axis::Cost,
        unit: Unit::Count,
        name_zh: "过度配置应用",
        name_en: "Oversized apps",
        how_zh: "非闲置、且 CPU 与内存用量均低于其 Pod 申请量（每 Pod 申请量 × 快照中的 Pod 数）20% 的应用；需要用量快照",
        how_en: "apps not idle that use under 20% of their requests (per-pod requests × pods in the snapshot) for both CPU and memory; needs a usage snapshot",
    },
    FigureDef {
        id: "apps_ready",
        axis: Axis::Effect,
        unit: Unit::Ratio,
        name_zh: "就绪应用比例",
        name_en: "Apps Ready",
        how_zh: "Ready 条件为 True 的应用 ÷ 有状态的应用（取自 DepartmentApp 状态）",
        how_en: "apps whose Ready condition is True ÷ apps with a status (from the DepartmentApps' status)",
    },
    FigureDef {
        id: "availability",
        axis: Axis::Effect,
        unit: Unit::Ratio,
        name_zh: "可用率",
        name_en: "Availability",
        how_zh: "各应用就绪副本数之和 ÷ 期望副本数之和（DepartmentApp 状态的 readyReplicas ÷ replicas）",
        how_en: "sum of ready replicas ÷ sum of desired replicas over the apps (DepartmentApp status readyReplicas ÷ replicas)",
    },
    FigureDef {
        id: "drift_repaired",
        axis: Axis::Effect,
        unit: Unit::Count,
        name_zh: "修复的配置漂移",
        name_en: "Drift repaired",
        how_zh: "平台恢复被手工修改或删除的受管对象的次数：API 服务器仍保留的、Tenant 及其应用上的 Repaired 事件（默认保留 1 小时，见 kube-apiserver --event-ttl）；离线评估不统计",
        how_en: "managed objects the platform restored after a hand edit or deletion: the Repaired Events on the Tenant and its apps that the API server still keeps (one hour by default, kube-apiserver --event-ttl); not counted offline",
    },
    FigureDef {
        id: "flows_given",
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "提供的数据流",
        name_en: "Flows given",
        how_zh: "其他部门的应用调用本租户应用、且已生效（双方确认）的数据流",
        how_en: "flows in effect (both sides declared) from other tenants' apps to this tenant's apps",
    },
    FigureDef {
        id: "flows_received",
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "获得的数据流",
        name_en: "Flows received",
        how_zh: "本租户应用调用其他部门应用、且已生效的数据流",
        how_en: "flows in effect from this tenant's apps to other tenants' apps",
    },
    FigureDef {
        id: "flows_pending",
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "等待授权的数据流",
        name_en: "Flows pending",
        how_zh: "本租户作为提供方或使用方、尚未获授权的跨部门数据流",
        how_en: "cross-department flows with this tenant on either side that are not granted yet",
    },
    FigureDef {
        id: "flows_refused",
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "被隔离规则拒绝的数据流",
        name_en: "Flows refused",
        how_zh: "本租户参与、因隔离规则（如专网与互联网区之间）不能建立的跨部门数据流",
        how_en: "cross-department flows with this tenant on either side that isolation forbids (for example between the private and internet zones)",
    },
    FigureDef {
        id: "requests_waiting",
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "待本租户答复的申请",
        name_en: "Requests waiting on it",
        how_zh: "其他部门向本租户提出、尚未获批准的申请（数据流申请等）",
        how_en: "requests other tenants made of this tenant that it has not granted (flow requests and others)",
    },
    FigureDef {
        id: "oldest_request_days",
        axis: Axis::Sharing,
        unit: Unit::Days,
        name_zh: "最久待答复天数",
        name_en: "Oldest request waiting (days)",
        how_zh: "待本租户答复的申请中最早者至今的天数（数据流申请：使用方应用 FlowsPending 条件转为 True 的时间）",
        how_en: "days since the oldest request waiting on this tenant was made (flow requests: when the consumer app's FlowsPending condition turned True)",
    },
    FigureDef {
        id: "requests_made",
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "本租户待批的申请",
        name_en: "Requests it waits on",
        how_zh: "本租户提出、尚无答复的申请：等待提供方授权的数据流，以及等待平台团队审批的资源申请（ResourceRequest）",
        how_en: "requests this tenant made that have no answer yet: data flows waiting for the provider's grant, and ResourceRequests waiting for the platform team",
    },
    FigureDef {
        id: "checks",
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "检查项",
        name_en: "Checks",
        how_zh: "合规审计中对象属于本租户命名空间的检查结果数（通过、警告、不通过；跳过的不计）",
        how_en: "results of the compliance audit on objects in the tenant's namespaces (pass, warn, fail; skipped ones not counted)",
    },
    FigureDef {
        id: "pass_ratio",
        axis: Axis::Security,
        unit: Unit::Ratio,
        name_zh: "通过率",
        name_en: "Checks passed",
        how_zh: "通过与警告的检查 ÷ 检查项",
        how_en: "checks that pass or warn ÷ checks",
    },
    FigureDef {
        id: "fail_critical",
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "严重不通过",
        name_en: "Failed, critical",
        how_zh: "严重级别控制项的不通过结果数",
        how_en: "failed checks of critical controls",
    },
    FigureDef {
        id: "fail_high",
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "高危不通过",
        name_en: "Failed, high",
        how_zh: "高危级别控制项的不通过结果数",
        how_en: "failed checks of high-severity controls",
    },
    FigureDef {
        id: "fail_medium",
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "中危不通过",
        name_en: "Failed, medium",
        how_zh: "中危级别控制项的不通过结果数",
        how_en: "failed checks of medium-severity controls",
    },
    FigureDef {
        id: "fail_low",
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "低危不通过",
        name_en: "Failed, low",
        how_zh: "低危级别控制项的不通过结果数",
        how_en: "failed checks of low-severity controls",
    },
];

/// The definition of figure `id`.
pub fn figure(id: &str) -> Option<&'static FigureDef> {
    FIGURES.iter().find(|f| f.id == id)
}

/// A figure's value, or why there is none.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Measured {
    /// The value (a ratio 0–1, a count or days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Why there is no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Missing>,
}

impl Measured {
    fn of(v: f64) -> Self {
        Measured { value: Some(v), missing: None }
    }
    fn none(why: Missing) -> Self {
        Measured { value: None, missing: Some(why) }
    }
    fn result(r: Result<f64, Missing>) -> Self {
        match r {
            Ok(v) => Measured::of(v),
            Err(m) => Measured::none(m),
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
}

/// A request one tenant made of another that has no answer yet: a data
/// flow waiting for the provider's grant (see [`pending_flow_requests`]),
/// and whatever other kinds of request the cloud has.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingRequest {
    /// The tenant that asks.
    pub from: String,
    /// The tenant asked.
    pub to: String,
    /// What is asked, for people (`flow songshan/extranet/services -> public-security/private/population-db`).
    pub what: String,
    /// When it was made, when known.
    pub since: Option<Timestamp>,
}

/// What an evaluation is computed from.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// Zones, tenants and apps, with their statuses when the input has them.
    pub model: &'a Model,
    /// The compliance audit of the same objects.
    pub audit: &'a Audit,
    /// Pod usage from a metrics snapshot or the metrics API; None when there is none.
    pub usage: Option<&'a [PodUsage]>,
    /// Drift repairs per tenant; None when not counted.
    pub repairs: Option<&'a BTreeMap<String, u64>>,
    /// Requests waiting for an answer (see [`PendingRequest`]).
    pub pending: &'a [PendingRequest],
    /// Earlier evaluations (any order), for trends.
    pub earlier: &'a [Evaluation],
    /// Now.
    pub now: Timestamp,
}

/// What the evaluation reads of a DepartmentApp's status (its Ready and
/// FlowsPending conditions, when they last turned, its ready replicas), as
/// one fingerprint: when it changes, the last evaluation is out of date.
pub fn app_status_read(a: &govcloud_core::api::DepartmentApp) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Some(s) = &a.status {
        s.ready_replicas.hash(&mut h);
        for c in s.conditions.iter().filter(|c| c.type_ == "Ready" || c.type_ == "FlowsPending") {
            (&c.type_, &c.status, c.last_transition_time.0.to_string()).hash(&mut h);
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

/// The pending flows as requests: the consumer's tenant asks the provider's;
/// made when the consumer app's `FlowsPending` condition last turned True,
/// when its status says.
pub fn pending_flow_requests(model: &Model, audit: &Audit) -> Vec<PendingRequest> {
    let since_of = |key: &str| -> Option<Timestamp> {
        let mut parts = key.splitn(3, '/');
        let (t, z, a) = (parts.next()?, parts.next()?, parts.next()?);
        let ns = names::namespace_name(t, z);
        let app = model.apps.iter().find(|x| x.namespace().as_deref() == Some(ns.as_str()) && x.name_any() == a)?;
        let c = app.status.as_ref()?.conditions.iter().find(|c| c.type_ == "FlowsPending" && c.status == "True")?;
        Some(c.last_transition_time.0)
    };
    audit
        .flows
        .iter()
        .filter(|f| f.state == FlowState::Pending)
        .filter_map(|f| {
            let (from, to) = (tenant_of(&f.from)?, tenant_of(&f.to)?);
            (from != to).then(|| PendingRequest {
                from: from.to_string(),
                to: to.to_string(),
                what: format!("flow {} -> {}", f.from, f.to),
                since: since_of(&f.from),
            })
        })
        .collect()
}

/// Who a [`PendingRequest`] for resources is asked of: the platform team.
pub const PLATFORM: &str = "platform";

/// The ResourceRequests no one has decided yet, as requests the tenant
/// whose namespace holds each makes of the platform team ([`PLATFORM`]),
/// since it was filed. Requests outside a tenant namespace, and those
/// already Invalid, wait on no one.
pub fn pending_resource_requests(requests: &[govcloud_core::api::ResourceRequest]) -> Vec<PendingRequest> {
    requests
        .iter()
        .filter(|r| r.metadata.deletion_timestamp.is_none())
        .filter(|r| {
            r.status.as_ref().is_none_or(|s| {
                s.decision.is_none() && s.phase.is_none_or(|p| p == govcloud_core::api::RequestPhase::Pending)
            })
        })
        .filter_map(|r| {
            Some(PendingRequest {
                from: govcloud_render::request_tenant(r)?,
                to: PLATFORM.to_string(),
                what: format!("{} {}/{}", r.spec.kind.as_str(), r.namespace().unwrap_or_default(), r.name_any()),
                since: r.metadata.creation_timestamp.as_ref().map(|t| t.0),
            })
        })
        .collect()
}

/// The tenant of an app key `tenant/zone/app`.
fn tenant_of(key: &str) -> Option<&str> {
    key.split('/').next().filter(|t| !t.is_empty())
}

// === impl the scores ===

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

/// The sharing score: flows in effect among all the tenant's cross-department flows.
pub fn sharing_score(in_effect: usize, declared: usize) -> Option<f64> {
    (declared > 0).then(|| 100.0 * in_effect as f64 / declared as f64)
}

/// The security score from failed checks by severity (critical, high,
/// medium, low) and the number of checks.
pub fn security_score(failed: [usize; 4], checks: usize) -> Option<f64> {
    (checks > 0)
        .then(|| (100.0 - failed.iter().zip(SECURITY_PENALTY).map(|(n, p)| *n as f64 * p).sum::<f64>()).max(0.0))
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Ranks (1 = highest score; equal scores share a rank, the next rank
/// skips: 1, 1, 3) of the `(key, score)` pairs.
pub fn ranks<K: Ord + Clone>(scores: &[(K, f64)]) -> BTreeMap<K, usize> {
    scores.iter().map(|(k, s)| (k.clone(), 1 + scores.iter().filter(|(_, o)| o > s).count())).collect()
}

// === impl the evaluation ===

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
    // Ranks within each group.
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
    let groups = [TenantKind::Department, TenantKind::District]
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
        .collect();
    let generated_at = i.now.to_string();
    let mut trend: Vec<TrendPoint> = i.earlier.iter().map(point).collect();
    trend.sort_by_key(|p| p.at.parse::<Timestamp>().ok());
    let mut e = Evaluation { generated_at, tenants, groups, trend };
    e.trend.push(point(&e));
    e
}

/// The scores of an evaluation, as one point of a trend.
fn point(e: &Evaluation) -> TrendPoint {
    TrendPoint {
        at: e.generated_at.clone(),
        overall: e.tenants.iter().filter_map(|t| Some((t.name.clone(), t.overall?))).collect(),
        scores: e.tenants.iter().map(|t| (t.name.clone(), t.scores.clone())).collect(),
    }
}

/// Sum of quota `key` over a tenant's zones, (used, granted); why not, when no zone grants it or its use is not in the status.
fn quota_sum(t: &govcloud_core::api::Tenant, key: &str) -> Result<(f64, f64), Missing> {
    if t.spec.zones.is_empty() {
        return Err(Missing::NoQuota);
    }
    let status = t.status.as_ref().filter(|s| !s.quota.is_empty()).ok_or(Missing::NoStatus)?;
    let (mut used, mut granted) = (0.0, 0.0);
    for z in &status.quota {
        let Some(g) = z.granted.get(key).and_then(|q| parse_quantity(q)) else { continue };
        granted += g;
        used += z.used.get(key).and_then(|q| parse_quantity(q)).ok_or(Missing::NoStatus)?;
    }
    if granted > 0.0 { Ok((used, granted)) } else { Err(Missing::NoQuota) }
}

fn tenant(t: &govcloud_core::api::Tenant, ns_tenant: &BTreeMap<String, String>, i: &Inputs<'_>) -> TenantEvaluation {
    let name = t.name_any();
    let kind = if t.labels().get(labels::TENANT_KIND).map(String::as_str) == Some("district") {
        TenantKind::District
    } else {
        TenantKind::Department
    };
    let mut figures: BTreeMap<String, Measured> = BTreeMap::new();
    let mut put = |id: &str, m: Measured| {
        figures.insert(id.to_string(), m);
    };

    // --- cost
    let cpu_quota = quota_sum(t, "requests.cpu");
    let mem_quota = quota_sum(t, "requests.memory");
    put("quota_cpu_requested", Measured::result(cpu_quota.map(|(u, g)| u / g)));
    put("quota_memory_requested", Measured::result(mem_quota.map(|(u, g)| u / g)));
    let pods: Option<Vec<&PodUsage>> =
        i.usage.map(|u| u.iter().filter(|p| ns_tenant.get(&p.namespace) == Some(&name)).collect());
    let used = |granted: Result<(f64, f64), Missing>, of: fn(&PodUsage) -> f64| -> Result<f64, Missing> {
        let (_, g) = granted?;
        let pods = pods.as_ref().ok_or(Missing::NoUsage)?;
        Ok(pods.iter().map(|p| of(p)).sum::<f64>() / g)
    };
    let cpu_used = used(cpu_quota, |p| p.cpu);
    let mem_used = used(mem_quota, |p| p.memory);
    put("cpu_used", Measured::result(cpu_used));
    put("memory_used", Measured::result(mem_used));
    // The apps that run in this cluster (another cluster's are only declared here).
    let apps: Vec<&govcloud_core::api::DepartmentApp> = i
        .model
        .apps
        .iter()
        .filter(|a| {
            a.namespace().and_then(|ns| ns_tenant.get(&ns)).is_some_and(|tn| *tn == name)
                && i.model.hosts_zone(&a.spec.zone)
        })
        .collect();
    put("apps", Measured::of(apps.len() as f64));
    // Idle and oversized, per app.
    let mut idle: Result<usize, Missing> = Ok(0);
    let mut oversized: Result<usize, Missing> = if pods.is_some() { Ok(0) } else { Err(Missing::NoUsage) };
    for a in &apps {
        let app_pods: Option<Vec<&&PodUsage>> = pods.as_ref().map(|ps| {
            ps.iter()
                .filter(|p| {
                    Some(p.namespace.as_str()) == a.namespace().as_deref() && p.app.as_deref() == Some(&*a.name_any())
                })
                .collect()
        });
        let cpu: Option<f64> = app_pods.as_ref().map(|ps| ps.iter().map(|p| p.cpu).sum());
        let not_ready = a.status.as_ref().map(|s| s.ready_replicas == 0);
        let is_idle = if a.spec.replicas == 0 || not_ready == Some(true) || cpu.is_some_and(|c| c < IDLE_CPU_CORES) {
            Some(true)
        } else if not_ready.is_some() || cpu.is_some() {
            Some(false)
        } else {
            None
        };
        idle = match (idle, is_idle) {
            (Ok(n), Some(b)) => Ok(n + usize::from(b)),
            (Ok(_), None) => Err(Missing::NoStatus),
            (e, _) => e,
        };
        if is_idle == Some(true) {
            continue;
        }
        if let (Ok(n), Some(ps)) = (&mut oversized, &app_pods) {
            let (req_cpu, req_mem) = govcloud_render::pod_requests(a, t);
            let (req_cpu, req_mem) = (parse_quantity(&req_cpu).unwrap_or(0.0), parse_quantity(&req_mem).unwrap_or(0.0));
            let count = ps.len() as f64;
            let (c, m): (f64, f64) = (ps.iter().map(|p| p.cpu).sum(), ps.iter().map(|p| p.memory).sum());
            if req_cpu > 0.0
                && req_mem > 0.0
                && c < OVERSIZED_BELOW * req_cpu * count
                && m < OVERSIZED_BELOW * req_mem * count
            {
                *n += 1;
            }
        }
    }
    put("idle_apps", Measured::result(idle.map(|n| n as f64)));
    put("oversized_apps", Measured::result(oversized.map(|n| n as f64)));
    let utilisation = match (&cpu_used, &mem_used) {
        (Ok(c), Ok(m)) => Some((c + m) / 2.0),
        // Without usage, what is requested of the quota.
        _ if i.usage.is_none() => mean(
            &[cpu_quota.ok().map(|(u, g)| u / g), mem_quota.ok().map(|(u, g)| u / g)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        ),
        _ => mean(&[cpu_used.ok(), mem_used.ok()].into_iter().flatten().collect::<Vec<_>>()),
    };
    let wasteful = match (idle, oversized) {
        (Ok(a), Ok(b)) => Some(a + b),
        (Ok(a), Err(_)) => Some(a),
        _ => None,
    };
    let mut scores = BTreeMap::new();
    if let Some(s) = cost_score(utilisation, wasteful.map(|w| (apps.len(), w))) {
        scores.insert(Axis::Cost, s);
    }

    // --- effect
    let with_status: Vec<&&govcloud_core::api::DepartmentApp> = apps.iter().filter(|a| a.status.is_some()).collect();
    let ready: Result<f64, Missing> = if apps.is_empty() {
        Err(Missing::NoApps)
    } else if with_status.is_empty() {
        Err(Missing::NoStatus)
    } else {
        let ready = with_status
            .iter()
            .filter(|a| {
                a.status.as_ref().is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            })
            .count();
        Ok(ready as f64 / with_status.len() as f64)
    };
    let desired: i64 = with_status.iter().map(|a| i64::from(a.spec.replicas.max(0))).sum();
    let available: i64 =
        with_status.iter().filter_map(|a| a.status.as_ref()).map(|s| i64::from(s.ready_replicas.max(0))).sum();
    let availability: Result<f64, Missing> = match ready {
        Err(m) => Err(m),
        Ok(_) if desired == 0 => Err(Missing::NoApps),
        Ok(_) => Ok((available as f64 / desired as f64).min(1.0)),
    };
    put("apps_ready", Measured::result(ready));
    put("availability", Measured::result(availability));
    put(
        "drift_repaired",
        match i.repairs {
            Some(r) => Measured::of(r.get(&name).copied().unwrap_or(0) as f64),
            None => Measured::none(Missing::NotCounted),
        },
    );
    if let Some(s) = effect_score(ready.ok(), availability.ok()) {
        scores.insert(Axis::Effect, s);
    }

    // --- sharing
    let cross: Vec<(&str, &str, FlowState)> = i
        .audit
        .flows
        .iter()
        .filter_map(|f| Some((tenant_of(&f.from)?, tenant_of(&f.to)?, f.state)))
        .filter(|(c, p, _)| c != p && (*c == name || *p == name))
        .collect();
    let count = |pred: &dyn Fn(&(&str, &str, FlowState)) -> bool| cross.iter().filter(|f| pred(f)).count();
    let given = count(&|(_, p, s)| *p == name && *s == FlowState::Granted);
    let received = count(&|(c, _, s)| *c == name && *s == FlowState::Granted);
    put("flows_given", Measured::of(given as f64));
    put("flows_received", Measured::of(received as f64));
    put("flows_pending", Measured::of(count(&|(_, _, s)| *s == FlowState::Pending) as f64));
    put("flows_refused", Measured::of(count(&|(_, _, s)| *s == FlowState::Refused) as f64));
    let waiting: Vec<&PendingRequest> = i.pending.iter().filter(|r| r.to == name && r.from != name).collect();
    put("requests_waiting", Measured::of(waiting.len() as f64));
    let oldest = waiting.iter().filter_map(|r| r.since).min();
    put(
        "oldest_request_days",
        match oldest {
            Some(t0) => Measured::of(((i.now.as_second() - t0.as_second()).max(0) as f64) / 86_400.0),
            None if waiting.is_empty() => Measured::none(Missing::NoFlows),
            None => Measured::none(Missing::NoStatus),
        },
    );
    put("requests_made", Measured::of(i.pending.iter().filter(|r| r.from == name && r.to != name).count() as f64));
    if let Some(s) = sharing_score(given + received, cross.len()) {
        scores.insert(Axis::Sharing, s);
    }

    // --- security
    let mut failed = [0usize; 4];
    let (mut checks, mut passed) = (0usize, 0usize);
    for f in i.audit.findings.iter().filter(|f| f.tenant.as_deref() == Some(name.as_str())) {
        match f.outcome {
            Outcome::Skip => continue,
            Outcome::Pass | Outcome::Warn => passed += 1,
            Outcome::Fail => {
                failed[match f.severity {
                    Severity::Critical => 0,
                    Severity::High => 1,
                    Severity::Medium => 2,
                    Severity::Low => 3,
                }] += 1
            }
        }
        checks += 1;
    }
    put("checks", Measured::of(checks as f64));
    put(
        "pass_ratio",
        if checks > 0 { Measured::of(passed as f64 / checks as f64) } else { Measured::none(Missing::NoChecks) },
    );
    for (id, n) in ["fail_critical", "fail_high", "fail_medium", "fail_low"].into_iter().zip(failed) {
        put(id, Measured::of(n as f64));
    }
    if let Some(s) = security_score(failed, checks) {
        scores.insert(Axis::Security, s);
    }

    let overall = mean(&scores.values().copied().collect::<Vec<_>>());
    TenantEvaluation {
        name,
        name_zh: t.spec.display_name.zh.clone(),
        name_en: t.spec.display_name.en.clone(),
        kind,
        figures,
        scores,
        overall,
        ranks: BTreeMap::new(),
        overall_rank: None,
    }
}

/// Every distinct tenant of an evaluation and its snapshots, in name order (for trend charts).
pub fn trend_tenants(e: &Evaluation) -> BTreeSet<&str> {
    e.trend.iter().flat_map(|p| p.overall.keys().map(String::as_str)).collect()
}

#[cfg(test)]
mod tests;
