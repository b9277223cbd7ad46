//! The five axes ([`Axis`]: what each is, how its score is computed) and
//! the measures per axis: what one tenant's figures are, from the inputs,
//! and the axis's score from them. Cost counts quota, usage and apps;
//! effect, apps Ready and replicas; sharing, cross-department flows,
//! resources shared, base databases not shared, answers overdue and
//! refusals without basis, pending requests; security, the audit's findings
//! on the tenant; innovation (in `innovation`), what is new in the period
//! and the public services in Mongolian.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use kube::ResourceExt;
use serde::{Deserialize, Serialize};

use govcloud_audit::Outcome;
use govcloud_core::api::{DepartmentApp, FlowState, Tenant};
use govcloud_core::controls::Severity;
use govcloud_core::meta::quantity::Quantity;

use crate::figures::id;
use crate::pending::tenant_of;
use crate::score::{SharingCounts, cost_score, effect_score, mean, security_score, sharing_score};
use crate::{Inputs, Measured, Missing, PendingRequest, PodUsage};

/// The five axes of the evaluation (实施方案 task 18).
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
    /// 创新服务: does it bring new services, in Mongolian too?
    Innovation,
}

impl Axis {
    /// Every axis, in the order the issue names them.
    pub const ALL: [Axis; 5] = [Axis::Cost, Axis::Effect, Axis::Sharing, Axis::Security, Axis::Innovation];

    /// The axis's name in JSON and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Axis::Cost => "cost",
            Axis::Effect => "effect",
            Axis::Sharing => "sharing",
            Axis::Security => "security",
            Axis::Innovation => "innovation",
        }
    }

    /// The axis's name for people: (zh, en).
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            Axis::Cost => ("成本效益", "Cost-effectiveness"),
            Axis::Effect => ("应用效果", "Application effect"),
            Axis::Sharing => ("协同共享", "Collaboration and sharing"),
            Axis::Security => ("安全保密", "Security and confidentiality"),
            Axis::Innovation => ("创新服务", "Innovation and service"),
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
                "100 × (就绪应用比例 + 可用率) ÷ 2；可用率取评估期可用率（需以往评估快照 --snapshot），没有时取当前可用率；缺一项时取另一项。修复的配置漂移仅作参考，不计分。",
                "100 × (share of apps Ready + availability) ÷ 2; availability is the availability over the period (which needs earlier evaluations, --snapshot), else availability now; when one part is missing, the other alone. Drift repaired is shown, not scored.",
            ),
            Axis::Sharing => (
                "100 × max(0, 已生效的跨部门数据流 + 共享的资源 − 逾期未答复的申请 − 无依据的拒绝) ÷ (该租户参与的全部跨部门数据流（提供与使用两侧，含等待答复和被拒绝的） + 共享的资源 + 未共享的基础信息库)。共享的资源：目录中无条件或有条件共享的应用；未共享的基础信息库计为 0 分而非不计分；没有任何可评项时不计分。",
                "100 × max(0, cross-department flows in effect + resources shared − answers overdue − refusals without basis) ÷ (every cross-department flow the tenant takes part in, as provider or consumer, waiting and refused ones included + resources shared + base databases not shared). Resources shared: apps in the catalogue shared unconditionally or conditionally; a base database not shared counts 0, it does not leave the tenant unscored; no score when there is nothing to judge.",
            ),
            Axis::Security => (
                "100 − 20 × 严重不通过项 − 10 × 高危不通过项 − 4 × 中危不通过项 − 1 × 低危不通过项，最低为 0；该租户没有任何检查项时不计分。",
                "100 − 20 × failed critical checks − 10 × failed high − 4 × failed medium − 1 × failed low, never below 0; no score when no check concerns the tenant.",
            ),
            Axis::Innovation => (
                "100 × (新增得分 + 蒙古文服务比例) ÷ 2。新增得分 = min(1, (本期新增应用 + 本期新增公共服务 + 本期新增已生效数据流) ÷ 2)，需以往评估快照（--snapshot）；蒙古文服务比例 = 有蒙古文名称的公共服务 ÷ 公共服务，需至少一项公共服务。缺一项时取另一项；两项皆无时不计分。迁移上云的应用无法得知，不计分。",
                "100 × (growth score + Mongolian share) ÷ 2. Growth score = min(1, (new apps + new public services + new flows in effect, in the period) ÷ 2), which needs an earlier evaluation (--snapshot); Mongolian share = public services with a Mongolian name ÷ public services, which needs one public service. When one part is missing, the other alone; neither: no score. Apps moved from a department's own workloads cannot be known and are not scored.",
            ),
        }
    }
}

/// CPU usage below this (1m: 0.001 cores), all pods of an app together, is no usage (idle).
pub const IDLE_CPU_CORES: Quantity = Quantity::from_nanos(1_000_000);
/// An app using less than this share of its CPU requests and of its memory requests is oversized.
pub const OVERSIZED_BELOW: f64 = 0.2;

/// One tenant, as the axes measure it.
pub(crate) struct Subject<'a> {
    /// The Tenant.
    pub(crate) tenant: &'a Tenant,
    /// Its name.
    pub(crate) name: &'a str,
    /// Namespace -> tenant, from what the tenants declare.
    pub(crate) ns_tenant: &'a BTreeMap<String, String>,
    /// The apps that run in this cluster (another cluster's are only declared here).
    pub(crate) apps: Vec<&'a DepartmentApp>,
    /// What the evaluation is computed from.
    pub(crate) i: &'a Inputs<'a>,
    /// The apps the cost axis found idle (`zone/app`), for the inventory.
    pub(crate) idle: RefCell<BTreeSet<String>>,
}

impl<'a> Subject<'a> {
    /// Tenant `t`, named `name`, among the namespaces of `ns_tenant`.
    pub(crate) fn new(
        t: &'a Tenant,
        name: &'a str,
        ns_tenant: &'a BTreeMap<String, String>,
        i: &'a Inputs<'a>,
    ) -> Self {
        let apps: Vec<&DepartmentApp> = i
            .model
            .apps
            .iter()
            .filter(|a| {
                a.namespace().and_then(|ns| ns_tenant.get(&ns)).is_some_and(|tn| *tn == name)
                    && i.scope.hosts_zone(i.model, &a.spec.zone)
            })
            .collect();
        Subject { tenant: t, name, ns_tenant, apps, i, idle: RefCell::new(BTreeSet::new()) }
    }

    /// Measures `axis`: puts its figures in `figures`, and gives its score when it has one.
    pub(crate) fn measure(&self, axis: Axis, figures: &mut BTreeMap<String, Measured>) -> Option<f64> {
        let put = |id: &str, m: Measured| {
            figures.insert(id.to_string(), m);
        };
        match axis {
            Axis::Cost => self.cost(put),
            Axis::Effect => self.effect(put),
            Axis::Sharing => self.sharing(put),
            Axis::Security => self.security(put),
            Axis::Innovation => self.innovation(put),
        }
    }

    /// 成本效益: quota requested and used, apps, idle and oversized ones.
    fn cost(&self, mut put: impl FnMut(&str, Measured)) -> Option<f64> {
        let (t, name, ns_tenant, apps, i) = (self.tenant, self.name, self.ns_tenant, &self.apps, self.i);
        let cpu_quota = quota_sum(t, "requests.cpu");
        let mem_quota = quota_sum(t, "requests.memory");
        put(id::QUOTA_CPU_REQUESTED, Measured::result(cpu_quota.map(|(u, g)| ratio(u, g))));
        put(id::QUOTA_MEMORY_REQUESTED, Measured::result(mem_quota.map(|(u, g)| ratio(u, g))));
        let pods: Result<Vec<&PodUsage>, Missing> = i
            .usage
            .map(|u| u.iter().filter(|p| ns_tenant.get(&p.namespace).map(String::as_str) == Some(name)).collect());
        let used = |granted: Result<(Quantity, Quantity), Missing>, of: fn(&PodUsage) -> Quantity| {
            let (_, g) = granted?;
            let pods = pods.as_ref().map_err(|m| *m)?;
            Ok(ratio(pods.iter().map(|p| of(p)).sum(), g))
        };
        let cpu_used = used(cpu_quota, |p| p.cpu);
        let mem_used = used(mem_quota, |p| p.memory);
        put(id::CPU_USED, Measured::result(cpu_used));
        put(id::MEMORY_USED, Measured::result(mem_used));
        put(id::APPS, Measured::of(apps.len() as f64));
        // Idle and oversized, per app.
        let mut idle: Result<usize, Missing> = Ok(0);
        let mut oversized: Result<usize, Missing> = pods.as_ref().map(|_| 0).map_err(|m| *m);
        // A scheduled app's pods run only during its runs: never idle, never oversized by a sample.
        for a in apps.iter().filter(|a| a.spec.schedule.is_none()) {
            let app_pods: Option<Vec<&&PodUsage>> = pods.as_ref().ok().map(|ps| {
                ps.iter()
                    .filter(|p| {
                        Some(p.namespace.as_str()) == a.namespace().as_deref()
                            && p.app.as_deref() == Some(&*a.name_any())
                    })
                    .collect()
            });
            let cpu: Option<Quantity> = app_pods.as_ref().map(|ps| ps.iter().map(|p| p.cpu).sum());
            let not_ready = a.status.as_ref().map(|s| s.ready_replicas == 0);
            let is_idle = if a.spec.replicas == 0 || not_ready == Some(true) || cpu.is_some_and(|c| c < IDLE_CPU_CORES)
            {
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
                self.idle.borrow_mut().insert(format!("{}/{}", a.spec.zone, a.name_any()));
                continue;
            }
            if let (Ok(n), Some(ps)) = (&mut oversized, &app_pods) {
                let (req_cpu, req_mem) = govcloud_render::pod_requests(a, t);
                let (req_cpu, req_mem) =
                    (Quantity::parse(&req_cpu).unwrap_or_default(), Quantity::parse(&req_mem).unwrap_or_default());
                let count = ps.len() as f64;
                let (c, m): (Quantity, Quantity) = (ps.iter().map(|p| p.cpu).sum(), ps.iter().map(|p| p.memory).sum());
                // The share is a ratio: compared as floats.
                if req_cpu > Quantity::ZERO
                    && req_mem > Quantity::ZERO
                    && c.to_f64() < OVERSIZED_BELOW * req_cpu.to_f64() * count
                    && m.to_f64() < OVERSIZED_BELOW * req_mem.to_f64() * count
                {
                    *n += 1;
                }
            }
        }
        put(id::IDLE_APPS, Measured::result(idle.map(|n| n as f64)));
        put(id::OVERSIZED_APPS, Measured::result(oversized.map(|n| n as f64)));
        let utilisation = match (&cpu_used, &mem_used) {
            (Ok(c), Ok(m)) => Some((c + m) / 2.0),
            // Without usage, what is requested of the quota.
            _ if i.usage.is_err() => mean(
                &[cpu_quota.ok().map(|(u, g)| ratio(u, g)), mem_quota.ok().map(|(u, g)| ratio(u, g))]
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
        cost_score(utilisation, wasteful.map(|w| (apps.len(), w)))
    }

    /// 应用效果: apps Ready, availability, drift repaired (shown, not scored).
    fn effect(&self, mut put: impl FnMut(&str, Measured)) -> Option<f64> {
        let (name, apps, i) = (self.name, &self.apps, self.i);
        let with_status: Vec<&&DepartmentApp> = apps.iter().filter(|a| a.status.is_some()).collect();
        let ready: Result<f64, Missing> = if apps.is_empty() {
            Err(Missing::NoApps)
        } else if with_status.is_empty() {
            Err(Missing::NoStatus)
        } else {
            let ready = with_status
                .iter()
                .filter(|a| {
                    a.status
                        .as_ref()
                        .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
                })
                .count();
            Ok(ready as f64 / with_status.len() as f64)
        };
        // An autoscaled app asks for what its status says the autoscaler set
        // (never below its minReplicas); its `replicas` are ignored.
        let asks = |a: &DepartmentApp| match &a.spec.autoscaling {
            Some(s) => a.status.as_ref().map_or(s.min_replicas, |st| st.replicas.max(s.min_replicas)),
            None => a.spec.replicas.max(0),
        };
        // Scheduled apps run pods only during their runs: availability is of long-running apps.
        let running: Vec<&&&DepartmentApp> = with_status.iter().filter(|a| a.spec.schedule.is_none()).collect();
        let desired: i64 = running.iter().map(|a| i64::from(asks(a))).sum();
        // Ready replicas (pods that pass their readiness probe), each app's
        // counted up to what it asks for: a rollout's surge pods do not make
        // up for another app's missing ones.
        let available: i64 = running
            .iter()
            .filter_map(|a| a.status.as_ref().map(|s| s.ready_replicas.clamp(0, asks(a))))
            .map(i64::from)
            .sum();
        let availability: Result<f64, Missing> = match ready {
            Err(m) => Err(m),
            Ok(_) if desired == 0 => Err(Missing::NoApps),
            Ok(_) => Ok((available as f64 / desired as f64).min(1.0)),
        };
        // Over the period, from the earlier evaluations; the score takes it when there is one.
        let over_period = match ready {
            Err(Missing::NoApps) => Err(Missing::NoApps),
            _ => crate::availability::over_period(i.earlier, name, i.now),
        };
        put(id::APPS_READY, Measured::result(ready));
        put(id::AVAILABILITY, Measured::result(availability));
        put(id::AVAILABILITY_PERIOD, Measured::result(over_period));
        put(
            id::DRIFT_REPAIRED,
            match i.repairs {
                Some(r) => Measured::of(r.get(name).copied().unwrap_or(0) as f64),
                None => Measured::none(Missing::NotCounted),
            },
        );
        effect_score(ready.ok(), over_period.ok().or(availability.ok()))
    }

    /// 协同共享: cross-department flows, resources shared and not, answers
    /// overdue, refusals without basis, and the requests waiting.
    fn sharing(&self, mut put: impl FnMut(&str, Measured)) -> Option<f64> {
        let (name, i) = (self.name, self.i);
        let held = crate::shares::shares(self.tenant, name, &self.apps, &i.model.apps, self.ns_tenant);
        put(id::RESOURCES_SHARED, Measured::of(held.shared as f64));
        put(id::BASE_NOT_SHARED, Measured::of(held.unshared_base as f64));
        put(id::ANSWERS_OVERDUE, Measured::result(held.overdue.map(|n| n as f64)));
        put(id::REFUSALS_WITHOUT_BASIS, Measured::of(held.unfounded as f64));
        // A self-evaluation reads no other department's apps and no audit of
        // the city: its flows and the requests between departments are not
        // known, and without them no score is fair.
        if i.scope.is_self() {
            for f in [
                id::FLOWS_GIVEN,
                id::FLOWS_RECEIVED,
                id::FLOWS_PENDING,
                id::FLOWS_REFUSED,
                id::REQUESTS_WAITING,
                id::OLDEST_REQUEST_DAYS,
                id::REQUESTS_MADE,
            ] {
                put(f, Measured::none(Missing::OutsideScope));
            }
            return None;
        }
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
        put(id::FLOWS_GIVEN, Measured::of(given as f64));
        put(id::FLOWS_RECEIVED, Measured::of(received as f64));
        put(id::FLOWS_PENDING, Measured::of(count(&|(_, _, s)| *s == FlowState::Pending) as f64));
        put(id::FLOWS_REFUSED, Measured::of(count(&|(_, _, s)| *s == FlowState::Refused) as f64));
        let waiting: Vec<&PendingRequest> = i.pending.iter().filter(|r| r.to == name && r.from != name).collect();
        put(id::REQUESTS_WAITING, Measured::of(waiting.len() as f64));
        let oldest = waiting.iter().filter_map(|r| r.since).min();
        put(
            id::OLDEST_REQUEST_DAYS,
            match oldest {
                Some(t0) => Measured::of(((i.now.as_second() - t0.as_second()).max(0) as f64) / 86_400.0),
                None if waiting.is_empty() => Measured::none(Missing::NoFlows),
                None => Measured::none(Missing::NoStatus),
            },
        );
        put(
            id::REQUESTS_MADE,
            Measured::of(i.pending.iter().filter(|r| r.from == name && r.to != name).count() as f64),
        );
        // What the tenant answers for: every flow it provides, and those it
        // consumes that are in effect (waiting on another is not its fault).
        let answerable = count(&|(c, _, s)| *c != name || *s == FlowState::Granted);
        sharing_score(SharingCounts {
            flows: answerable,
            in_effect: given + received,
            given,
            shared: held.shared,
            unshared_base: held.unshared_base,
            // Offline manifests say nothing of deadlines: none counted.
            overdue: held.overdue.unwrap_or(0),
            unfounded: held.unfounded,
        })
    }

    /// 安全保密: the audit's checks on the tenant, failed ones by severity.
    fn security(&self, mut put: impl FnMut(&str, Measured)) -> Option<f64> {
        let (name, i) = (self.name, self.i);
        // A self-evaluation has no audit of the city (its checks read
        // objects only the city's auditors may).
        if i.scope.is_self() {
            for f in [id::CHECKS, id::PASS_RATIO, id::FAIL_CRITICAL, id::FAIL_HIGH, id::FAIL_MEDIUM, id::FAIL_LOW] {
                put(f, Measured::none(Missing::OutsideScope));
            }
            return None;
        }
        let mut failed = [0usize; 4];
        let (mut checks, mut passed) = (0usize, 0usize);
        for f in i.audit.findings.iter().filter(|f| f.subject.tenant.as_deref() == Some(name)) {
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
        put(id::CHECKS, Measured::of(checks as f64));
        put(
            id::PASS_RATIO,
            if checks > 0 { Measured::of(passed as f64 / checks as f64) } else { Measured::none(Missing::NoChecks) },
        );
        for (figure, n) in [id::FAIL_CRITICAL, id::FAIL_HIGH, id::FAIL_MEDIUM, id::FAIL_LOW].into_iter().zip(failed) {
            put(figure, Measured::of(n as f64));
        }
        security_score(failed, checks)
    }
}

/// Sum of quota `key` over a tenant's zones, (used, granted); why not, when no zone grants it or its use is not in the status.
fn quota_sum(t: &Tenant, key: &str) -> Result<(Quantity, Quantity), Missing> {
    if t.spec.zones.is_empty() {
        return Err(Missing::NoQuota);
    }
    let status = t.status.as_ref().filter(|s| !s.quota.is_empty()).ok_or(Missing::NoStatus)?;
    let (mut used, mut granted) = (Quantity::ZERO, Quantity::ZERO);
    for z in &status.quota {
        let Some(g) = z.granted.get(key).and_then(|q| Quantity::parse(q).ok()) else { continue };
        granted += g;
        used += z.used.get(key).and_then(|q| Quantity::parse(q).ok()).ok_or(Missing::NoStatus)?;
    }
    if granted > Quantity::ZERO { Ok((used, granted)) } else { Err(Missing::NoQuota) }
}

/// `part` ÷ `whole`: the quantities summed exactly, the share a float.
fn ratio(part: Quantity, whole: Quantity) -> f64 {
    part.to_f64() / whole.to_f64()
}
