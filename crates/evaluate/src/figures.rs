//! The figures of the evaluation: what each counts in, why one can be
//! missing, its id, name and how it is computed (zh, en), every one of them
//! by axis ([`FIGURES`]), and a figure's value or why there is none
//! ([`Measured`]). The measures that give the values are in `axes`.

use serde::{Deserialize, Serialize};

use crate::Axis;

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
    /// The cluster serves the metrics API, but refused this identity (403
    /// Forbidden: its RBAC grants no `list` on `pods.metrics.k8s.io`).
    UsageForbidden,
    /// The cluster has a metrics API, but it failed to answer (unavailable,
    /// or not a PodMetricsList).
    UsageUnavailable,
    /// No earlier evaluation given with --snapshot records the figure for
    /// the tenant, so the period has no history of it.
    NoHistory,
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
    /// One evaluation has no period: no earlier one with an inventory was given.
    NoPeriod,
    /// The tenant offers no public service.
    NoPublicServices,
    /// `govcloud import` records no marker on the apps it drafts.
    NoImportMarker,
    /// A self-evaluation: the figure needs what the identity may not read
    /// (the compliance audit of the city, other departments' flows).
    OutsideScope,
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
            Missing::UsageForbidden => (
                "没有用量数据：集群提供 metrics API，但拒绝了本身份（403 Forbidden，其 RBAC 未授予 metrics.k8s.io 的 pods 的 list 权限）",
                "no usage data: the cluster serves the metrics API but refused this identity (403 Forbidden: its RBAC grants no list on pods in metrics.k8s.io)",
            ),
            Missing::UsageUnavailable => (
                "没有用量数据：集群的 metrics API 未能应答（不可用，或返回的不是 PodMetricsList）",
                "no usage data: the cluster's metrics API did not answer (unavailable, or not a PodMetricsList)",
            ),
            Missing::NoHistory => (
                "以往评估（--snapshot）中没有该租户此项的记录，评估期内没有历史",
                "no earlier evaluation given with --snapshot records this figure for the tenant: no history over the period",
            ),
            Missing::NotCounted => (
                "此模式下不统计（离线，或 API 服务器已不保留相应事件）",
                "not counted in this mode (offline, or the API server keeps no such Events)",
            ),
            Missing::NoApps => ("没有应运行的应用", "no app meant to run"),
            Missing::NoQuota => ("没有相应配额", "no such quota"),
            Missing::NoFlows => ("没有跨部门数据流或申请", "no cross-department flow or request"),
            Missing::NoChecks => ("没有相关检查项", "no check concerns it"),
            Missing::NoPeriod => (
                "只有一次评估，没有评估期：用 --snapshot 给出以往评估的 JSON 输出（须由含清单的版本生成）",
                "a single evaluation has no period: give an earlier JSON output with --snapshot (one written by a version that records the inventory)",
            ),
            Missing::NoPublicServices => {
                ("没有公共服务（exposure: public 的应用）", "no public service (app with exposure: public)")
            }
            Missing::NoImportMarker => (
                "govcloud import 生成的应用草稿不带任何标记，无法区分由部门自建系统迁移上云的应用",
                "govcloud import puts no marker on the apps it drafts, so apps moved from a department's own workloads cannot be told apart",
            ),
            Missing::OutsideScope => (
                "自评估：本身份无权读取此项所需的全市数据（全市合规审计、其他部门的数据流），由全市评估（集群审计员角色）给出",
                "self-evaluation: this identity may not read the city-wide data it needs (the city's compliance audit, other departments' flows); the city evaluation (cluster auditor role) gives it",
            ),
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

/// The id of every figure (its key in the JSON and in metrics labels), written
/// once for the definitions below and the measures in `axes`.
pub(crate) mod id {
    pub const QUOTA_CPU_REQUESTED: &str = "quota_cpu_requested";
    pub const QUOTA_MEMORY_REQUESTED: &str = "quota_memory_requested";
    pub const CPU_USED: &str = "cpu_used";
    pub const MEMORY_USED: &str = "memory_used";
    pub const APPS: &str = "apps";
    pub const IDLE_APPS: &str = "idle_apps";
    pub const OVERSIZED_APPS: &str = "oversized_apps";
    pub const APPS_READY: &str = "apps_ready";
    pub const AVAILABILITY: &str = "availability";
    pub const AVAILABILITY_PERIOD: &str = "availability_period";
    pub const DRIFT_REPAIRED: &str = "drift_repaired";
    pub const FLOWS_GIVEN: &str = "flows_given";
    pub const FLOWS_RECEIVED: &str = "flows_received";
    pub const FLOWS_PENDING: &str = "flows_pending";
    pub const FLOWS_REFUSED: &str = "flows_refused";
    pub const REQUESTS_WAITING: &str = "requests_waiting";
    pub const OLDEST_REQUEST_DAYS: &str = "oldest_request_days";
    pub const REQUESTS_MADE: &str = "requests_made";
    pub const RESOURCES_SHARED: &str = "resources_shared";
    pub const BASE_NOT_SHARED: &str = "base_databases_not_shared";
    pub const ANSWERS_OVERDUE: &str = "answers_overdue";
    pub const REFUSALS_WITHOUT_BASIS: &str = "refusals_without_basis";
    pub const CHECKS: &str = "checks";
    pub const PASS_RATIO: &str = "pass_ratio";
    pub const FAIL_CRITICAL: &str = "fail_critical";
    pub const FAIL_HIGH: &str = "fail_high";
    pub const FAIL_MEDIUM: &str = "fail_medium";
    pub const FAIL_LOW: &str = "fail_low";
    pub const NEW_APPS: &str = "new_apps";
    pub const NEW_PUBLIC_SERVICES: &str = "new_public_services";
    pub const NEW_FLOWS: &str = "new_flows_granted";
    pub const PUBLIC_SERVICES: &str = "public_services";
    pub const MONGOLIAN_SERVICES: &str = "mongolian_public_services";
    pub const APPS_MIGRATED: &str = "apps_migrated";
}

/// Every figure, by axis.
pub const FIGURES: &[FigureDef] = &[
    FigureDef {
        id: id::QUOTA_CPU_REQUESTED,
        axis: Axis::Cost,
        unit: Unit::Ratio,
        name_zh: "CPU 配额申请率",
        name_en: "CPU quota requested",
        how_zh: "各网络区 ResourceQuota 的 requests.cpu 已用量之和 ÷ 已批额度之和（取自 Tenant 状态 status.quota）",
        how_en: "sum of requests.cpu used ÷ sum granted, over the tenant's ResourceQuotas in every zone (from the Tenant's status.quota)",
    },
    FigureDef {
        id: id::QUOTA_MEMORY_REQUESTED,
        axis: Axis::Cost,
        unit: Unit::Ratio,
        name_zh: "内存配额申请率",
        name_en: "Memory quota requested",
        how_zh: "各网络区 ResourceQuota 的 requests.memory 已用量之和 ÷ 已批额度之和（取自 Tenant 状态）",
        how_en: "sum of requests.memory used ÷ sum granted, over the tenant's ResourceQuotas (from the Tenant's status)",
    },
    FigureDef {
        id: id::CPU_USED,
        axis: Axis::Cost,
        unit: Unit::Ratio,
        name_zh: "CPU 实际使用率",
        name_en: "CPU actually used",
        how_zh: "用量快照中该租户各命名空间所有 Pod 的 CPU 用量之和 ÷ 已批 requests.cpu 额度之和",
        how_en: "CPU usage of every pod in the tenant's namespaces (metrics snapshot) ÷ sum of requests.cpu granted",
    },
    FigureDef {
        id: id::MEMORY_USED,
        axis: Axis::Cost,
        unit: Unit::Ratio,
        name_zh: "内存实际使用率",
        name_en: "Memory actually used",
        how_zh: "用量快照中该租户所有 Pod 的内存用量之和 ÷ 已批 requests.memory 额度之和",
        how_en: "memory usage of every pod of the tenant (metrics snapshot) ÷ sum of requests.memory granted",
    },
    FigureDef {
        id: id::APPS,
        axis: Axis::Cost,
        unit: Unit::Count,
        name_zh: "应用数",
        name_en: "Apps",
        how_zh: "该租户声明的 DepartmentApp 数",
        how_en: "DepartmentApps the tenant declares",
    },
    FigureDef {
        id: id::IDLE_APPS,
        axis: Axis::Cost,
        unit: Unit::Count,
        name_zh: "闲置应用",
        name_en: "Idle apps",
        how_zh: "副本数为 0、没有就绪副本，或（有用量快照时）其 Pod 合计 CPU 用量低于 1 毫核（含快照中没有其 Pod）的应用",
        how_en: "apps with 0 replicas, no ready replica, or (with a usage snapshot) pods using under 1 millicore of CPU together (or none in the snapshot)",
    },
    FigureDef {
        id: id::OVERSIZED_APPS,
        axis: Axis::Cost,
        unit: Unit::Count,
        name_zh: "过度配置应用",
        name_en: "Oversized apps",
        how_zh: "非闲置、且 CPU 与内存用量均低于其 Pod 申请量（每 Pod 申请量 × 快照中的 Pod 数）20% 的应用；需要用量快照",
        how_en: "apps not idle that use under 20% of their requests (per-pod requests × pods in the snapshot) for both CPU and memory; needs a usage snapshot",
    },
    FigureDef {
        id: id::APPS_READY,
        axis: Axis::Effect,
        unit: Unit::Ratio,
        name_zh: "就绪应用比例",
        name_en: "Apps Ready",
        how_zh: "Ready 条件为 True 的应用 ÷ 有状态的应用（取自 DepartmentApp 状态）",
        how_en: "apps whose Ready condition is True ÷ apps with a status (from the DepartmentApps' status)",
    },
    FigureDef {
        id: id::AVAILABILITY,
        axis: Axis::Effect,
        unit: Unit::Ratio,
        name_zh: "可用率（当前）",
        name_en: "Availability now",
        how_zh: "评估时刻各应用就绪副本数之和 ÷ 期望副本数之和（DepartmentApp 状态的 readyReplicas ÷ replicas）",
        how_en: "at the moment of the evaluation: sum of ready replicas ÷ sum of desired replicas over the apps (DepartmentApp status readyReplicas ÷ replicas)",
    },
    FigureDef {
        id: id::AVAILABILITY_PERIOD,
        axis: Axis::Effect,
        unit: Unit::Ratio,
        name_zh: "评估期可用率",
        name_en: "Availability over the period",
        how_zh: "评估期（最早一次以往评估 --snapshot 至今）内按时间加权的可用率：每次评估记录的当前可用率保持到下一次评估，各段按时长加权平均；某次评估未记录该租户可用率的时段不计入（分子分母均不计）。有此值时应用效果得分用它代替当前可用率",
        how_en: "availability weighted by time over the period (from the oldest earlier evaluation given with --snapshot to now): the availability each evaluation recorded holds until the next one, and the spans are averaged by their length; a span whose evaluation recorded none for the tenant is left out (of both sides). When it has a value, the effect score uses it instead of availability now",
    },
    FigureDef {
        id: id::DRIFT_REPAIRED,
        axis: Axis::Effect,
        unit: Unit::Count,
        name_zh: "修复的配置漂移",
        name_en: "Drift repaired",
        how_zh: "平台恢复被手工修改或删除的受管对象的次数：API 服务器仍保留的、Tenant 及其应用上的 Repaired 事件（默认保留 1 小时，见 kube-apiserver --event-ttl）；离线评估不统计",
        how_en: "managed objects the platform restored after a hand edit or deletion: the Repaired Events on the Tenant and its apps that the API server still keeps (one hour by default, kube-apiserver --event-ttl); not counted offline",
    },
    FigureDef {
        id: id::FLOWS_GIVEN,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "提供的数据流",
        name_en: "Flows given",
        how_zh: "其他部门的应用调用本租户应用、且已生效的数据流（使用方声明调用，提供方同意：授权、答复批准或无条件共享）",
        how_en: "flows in effect from other tenants' apps to this tenant's apps (the consumer calls, the provider consents: a grant, an answer granting it, or unconditional sharing)",
    },
    FigureDef {
        id: id::FLOWS_RECEIVED,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "获得的数据流",
        name_en: "Flows received",
        how_zh: "本租户应用调用其他部门应用、且已生效的数据流",
        how_en: "flows in effect from this tenant's apps to other tenants' apps",
    },
    FigureDef {
        id: id::FLOWS_PENDING,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "等待授权的数据流",
        name_en: "Flows pending",
        how_zh: "本租户作为提供方或使用方、尚未获授权的跨部门数据流",
        how_en: "cross-department flows with this tenant on either side that are not granted yet",
    },
    FigureDef {
        id: id::FLOWS_REFUSED,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "被拒绝的数据流",
        name_en: "Flows refused",
        how_zh: "本租户参与、被拒绝的跨部门数据流：隔离规则（如专网与互联网区之间）、数据分级、不予共享（附依据）或提供方附理由的拒绝",
        how_en: "cross-department flows with this tenant on either side that are refused: by isolation (for example between the private and internet zones), by the data's classification, by a resource not shared (with its basis) or by the provider's answer (with its reason)",
    },
    FigureDef {
        id: id::REQUESTS_WAITING,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "待本租户答复的申请",
        name_en: "Requests waiting on it",
        how_zh: "其他部门向本租户提出、尚未获批准的申请（数据流申请等）",
        how_en: "requests other tenants made of this tenant that it has not granted (flow requests and others)",
    },
    FigureDef {
        id: id::OLDEST_REQUEST_DAYS,
        axis: Axis::Sharing,
        unit: Unit::Days,
        name_zh: "最久待答复天数",
        name_en: "Oldest request waiting (days)",
        how_zh: "待本租户答复的申请中最早者至今的天数（数据流申请：使用方状态 status.flows[].since，即平台首次看到该申请等待答复的时间；没有时取使用方应用 FlowsPending 条件转为 True 的时间）",
        how_en: "days since the oldest request waiting on this tenant was made (flow requests: the consumer's status.flows[].since, when govcloud first saw it waiting for an answer; else when the consumer app's FlowsPending condition turned True)",
    },
    FigureDef {
        id: id::REQUESTS_MADE,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "本租户待批的申请",
        name_en: "Requests it waits on",
        how_zh: "本租户提出、尚无答复的申请：等待提供方授权的数据流，以及等待平台团队审批的资源申请（ResourceRequest）",
        how_en: "requests this tenant made that have no answer yet: data flows waiting for the provider's grant, and ResourceRequests waiting for the platform team",
    },
    FigureDef {
        id: id::RESOURCES_SHARED,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "共享的资源",
        name_en: "Resources shared",
        how_zh: "本租户在目录中声明无条件共享或有条件共享的应用（spec.sharing.class 为 unconditional 或 conditional）",
        how_en: "the tenant's apps the catalogue lists as shared unconditionally or conditionally (spec.sharing.class unconditional or conditional)",
    },
    FigureDef {
        id: id::BASE_NOT_SHARED,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "未共享的基础信息库",
        name_en: "Base databases not shared",
        how_zh: "平台在租户 spec.baseDatabases 中指定由本租户持有、但无同名应用声明无条件或有条件共享的基础信息库；计入评分的分母，记 0 分",
        how_en: "base databases the platform designates in the tenant's spec.baseDatabases with no app of that name sharing unconditionally or conditionally; judged, at 0",
    },
    FigureDef {
        id: id::ANSWERS_OVERDUE,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "逾期未答复的申请",
        name_en: "Answers overdue",
        how_zh: "向本租户有条件共享资源提出、10 个工作日内未答复的申请：提供方状态 status.sharing.requests[].overdue 或使用方状态 status.flows[].overdue（运营者写入），每个申请计一次；离线清单无状态时缺失",
        how_en: "requests to the tenant's conditionally shared resources not answered within 10 working days: the provider's status.sharing.requests[].overdue or the consumer's status.flows[].overdue (written by the operator), each request once; missing for offline manifests without status",
    },
    FigureDef {
        id: id::REFUSALS_WITHOUT_BASIS,
        axis: Axis::Sharing,
        unit: Unit::Count,
        name_zh: "无依据的拒绝",
        name_en: "Refusals without basis",
        how_zh: "本租户没有写明理由的拒绝答复（spec.sharing.answers[].reason 为空），以及没有写明依据的不予共享声明（spec.sharing.basis 为空）",
        how_en: "the tenant's refusals without a reason (spec.sharing.answers[].reason blank) and resources not shared without a basis (spec.sharing.basis blank)",
    },
    FigureDef {
        id: id::CHECKS,
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "检查项",
        name_en: "Checks",
        how_zh: "合规审计中对象属于本租户命名空间的检查结果数（通过、警告、不通过；跳过的不计）",
        how_en: "results of the compliance audit on objects in the tenant's namespaces (pass, warn, fail; skipped ones not counted)",
    },
    FigureDef {
        id: id::PASS_RATIO,
        axis: Axis::Security,
        unit: Unit::Ratio,
        name_zh: "通过率",
        name_en: "Checks passed",
        how_zh: "通过与警告的检查 ÷ 检查项",
        how_en: "checks that pass or warn ÷ checks",
    },
    FigureDef {
        id: id::FAIL_CRITICAL,
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "严重不通过",
        name_en: "Failed, critical",
        how_zh: "严重级别控制项的不通过结果数",
        how_en: "failed checks of critical controls",
    },
    FigureDef {
        id: id::FAIL_HIGH,
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "高危不通过",
        name_en: "Failed, high",
        how_zh: "高危级别控制项的不通过结果数",
        how_en: "failed checks of high-severity controls",
    },
    FigureDef {
        id: id::FAIL_MEDIUM,
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "中危不通过",
        name_en: "Failed, medium",
        how_zh: "中危级别控制项的不通过结果数",
        how_en: "failed checks of medium-severity controls",
    },
    FigureDef {
        id: id::FAIL_LOW,
        axis: Axis::Security,
        unit: Unit::Count,
        name_zh: "低危不通过",
        name_en: "Failed, low",
        how_zh: "低危级别控制项的不通过结果数",
        how_en: "failed checks of low-severity controls",
    },
    FigureDef {
        id: id::NEW_APPS,
        axis: Axis::Innovation,
        unit: Unit::Count,
        name_zh: "本期新增应用",
        name_en: "New apps in the period",
        how_zh: "本次评估中该租户的应用（网络区/应用名）不在最早一次以往评估（--snapshot）清单中的个数",
        how_en: "the tenant's apps (zone/app) now that are not in the inventory of the oldest earlier evaluation given with --snapshot",
    },
    FigureDef {
        id: id::NEW_PUBLIC_SERVICES,
        axis: Axis::Innovation,
        unit: Unit::Count,
        name_zh: "本期新增公共服务",
        name_en: "New public services in the period",
        how_zh: "exposure 为 public 的应用中，不在最早一次以往评估中作为公共服务出现的个数",
        how_en: "apps with exposure public now that were no public service in the oldest earlier evaluation",
    },
    FigureDef {
        id: id::NEW_FLOWS,
        axis: Axis::Innovation,
        unit: Unit::Count,
        name_zh: "本期新增已生效数据流",
        name_en: "New flows in effect in the period",
        how_zh: "本租户作为提供方或使用方、现已生效而最早一次以往评估中未生效的跨部门数据流",
        how_en: "cross-department flows in effect now, with the tenant on either side, that were not in effect in the oldest earlier evaluation",
    },
    FigureDef {
        id: id::PUBLIC_SERVICES,
        axis: Axis::Innovation,
        unit: Unit::Count,
        name_zh: "公共服务",
        name_en: "Public services",
        how_zh: "该租户 exposure 为 public 的应用数",
        how_en: "the tenant's apps with exposure public",
    },
    FigureDef {
        id: id::MONGOLIAN_SERVICES,
        axis: Axis::Innovation,
        unit: Unit::Count,
        name_zh: "有蒙古文名称的公共服务",
        name_en: "Public services with a Mongolian name",
        how_zh: "exposure 为 public、且 spec.displayName.mn 不为空的应用数",
        how_en: "apps with exposure public whose spec.displayName.mn is set and not blank",
    },
    FigureDef {
        id: id::APPS_MIGRATED,
        axis: Axis::Innovation,
        unit: Unit::Count,
        name_zh: "迁移上云的应用",
        name_en: "Apps moved to the cloud",
        how_zh: "由部门自建系统迁移而来的应用；govcloud import 目前不在生成的应用上留下标记，故始终缺失",
        how_en: "apps moved from a department's own workloads; govcloud import leaves no marker on the apps it drafts yet, so always missing",
    },
];

/// The definition of figure `id`.
pub fn figure(id: &str) -> Option<&'static FigureDef> {
    FIGURES.iter().find(|f| f.id == id)
}

/// A figure's value, or why there is none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    pub(crate) fn of(v: f64) -> Self {
        Measured { value: Some(v), missing: None }
    }
    pub(crate) fn none(why: Missing) -> Self {
        Measured { value: None, missing: Some(why) }
    }
    pub(crate) fn result(r: Result<f64, Missing>) -> Self {
        match r {
            Ok(v) => Measured::of(v),
            Err(m) => Measured::none(m),
        }
    }
}

#[cfg(test)]
mod tests;
