//! 专项评估: results per e-government project, beside those per department.
//! A project is named by its apps (`DepartmentApp.spec.project`) and its
//! resource requests (`ResourceRequest.spec.project`, as filed); its figures are the
//! money, usage, effect and sharing of those apps, whichever tenants run them.

use std::collections::{BTreeMap, BTreeSet};

use kube::ResourceExt;
use serde::{Deserialize, Serialize};

use govcloud_core::api::{DepartmentApp, FlowState, SharingClass};
use govcloud_core::meta::quantity::Quantity;

use crate::{Inputs, Measured, Missing};

/// One project's results.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectEvaluation {
    /// The project's name, as the apps and requests write it.
    pub name: String,
    /// The tenants that run its apps or filed its requests.
    pub tenants: BTreeSet<String>,
    /// Its apps, `tenant/zone/app`.
    pub apps: BTreeSet<String>,
    /// ResourceRequests filed for it.
    pub requests: usize,
    /// CPU its apps request (cores: per pod × replicas).
    pub cpu_requested: f64,
    /// Memory its apps request (bytes: per pod × replicas).
    pub memory_requested: f64,
    /// Storage its apps claim (bytes: per claim × replicas).
    pub storage_requested: f64,
    /// Its apps' requests at the zones' prices, ¥ per month; absent without a price table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_cost: Option<f64>,
    /// What its requests filed ask for (cpu, memory, storage) at the zones' prices, ¥ per month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_cost: Option<f64>,
    /// CPU used by its pods ÷ CPU its apps request (usage snapshot).
    pub cpu_used: Measured,
    /// Its apps Ready ÷ its apps with a status.
    pub apps_ready: Measured,
    /// Cross-department flows in effect to or from its apps.
    pub flows_in_effect: usize,
    /// Its apps shared in the catalogue (unconditionally or conditionally).
    pub resources_shared: usize,
}

/// How the project figures are computed: (zh, en).
pub const PROJECTS_HOW: (&str, &str) = (
    "项目由 DepartmentApp 与 ResourceRequest 的 spec.project 指定。申请量 = 每 Pod 的 CPU、内存申请 × 副本数，存储 = 每个存储卷大小 × 副本数；月成本 = 申请量按应用所在网络区价格计（元/月）；申请成本 = 该项目资源申请（ResourceRequest）所要增加的 cpu、memory、storage 按其网络区价格计；CPU 使用率 = 用量快照中其 Pod 的 CPU 用量 ÷ CPU 申请量；就绪比例 = Ready 的应用 ÷ 有状态的应用；已生效数据流 = 涉及其应用的跨部门已生效数据流；共享的资源 = 其中无条件或有条件共享的应用。",
    "A project is named by the spec.project of DepartmentApps and ResourceRequests. Requested = per-pod CPU and memory requests × replicas, storage = each volume's size × replicas; monthly cost = what is requested at the prices of the app's zone (¥ per month); requested cost = what the project's ResourceRequests ask to add (cpu, memory, storage) at their zone's prices; CPU used = its pods' CPU in the usage snapshot ÷ CPU requested; apps Ready = apps Ready ÷ apps with a status; flows in effect = cross-department flows in effect to or from its apps; resources shared = its apps shared unconditionally or conditionally.",
);

fn q(s: &str) -> f64 {
    Quantity::parse(s).map(Quantity::to_f64).unwrap_or(0.0)
}

/// Every project of the model, in name order.
pub(crate) fn projects(i: &Inputs<'_>, ns_tenant: &BTreeMap<String, String>) -> Vec<ProjectEvaluation> {
    let model = i.model;
    let tenant_of = |a: &DepartmentApp| a.namespace().and_then(|ns| ns_tenant.get(&ns).cloned());
    let mut out: BTreeMap<String, ProjectEvaluation> = BTreeMap::new();
    let mut used_cpu: BTreeMap<String, Option<f64>> = BTreeMap::new();
    let mut ready: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for a in model.apps.iter().filter(|a| i.scope.hosts_zone(model, &a.spec.zone)) {
        let (Some(project), Some(tn)) = (a.spec.project.as_deref().map(str::trim), tenant_of(a)) else { continue };
        if project.is_empty() {
            continue;
        }
        let Some(t) = model.tenants.iter().find(|t| t.name_any() == tn) else { continue };
        let p = out.entry(project.to_string()).or_insert_with(|| ProjectEvaluation {
            name: project.to_string(),
            monthly_cost: i.prices.map(|_| 0.0),
            requested_cost: i.prices.map(|_| 0.0),
            ..ProjectEvaluation::default()
        });
        p.tenants.insert(tn.clone());
        p.apps.insert(format!("{tn}/{}/{}", a.spec.zone, a.name_any()));
        let replicas = f64::from(a.spec.autoscaling.as_ref().map_or(a.spec.replicas, |s| s.min_replicas).max(0));
        let (cpu, mem) = govcloud_render::pod_requests(a, t);
        let (cpu, mem) = (q(&cpu) * replicas, q(&mem) * replicas);
        let storage: f64 = a.spec.storage.iter().map(|s| q(&s.size)).sum::<f64>() * replicas;
        p.cpu_requested += cpu;
        p.memory_requested += mem;
        p.storage_requested += storage;
        if let (Some(total), Some(prices)) = (&mut p.monthly_cost, i.prices) {
            match prices.price(&a.spec.zone, cpu, mem, storage) {
                Some(c) => *total += c,
                None => p.monthly_cost = None,
            }
        }
        let used = used_cpu.entry(project.to_string()).or_insert(Some(0.0));
        *used = match (i.usage, *used) {
            (Ok(pods), Some(u)) => Some(
                u + pods
                    .iter()
                    .filter(|p| {
                        Some(p.namespace.as_str()) == a.namespace().as_deref()
                            && p.app.as_deref() == Some(&*a.name_any())
                    })
                    .map(|p| p.cpu.to_f64())
                    .sum::<f64>(),
            ),
            _ => None,
        };
        if let Some(s) = &a.status {
            let r = ready.entry(project.to_string()).or_default();
            r.1 += 1;
            r.0 += usize::from(s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        }
        if a.spec.sharing.as_ref().is_some_and(|s| s.class != SharingClass::None) {
            p.resources_shared += 1;
        }
        let key = format!("{tn}/{}/{}", a.spec.zone, a.name_any());
        p.flows_in_effect += i
            .audit
            .flows
            .iter()
            .filter(|f| f.state == FlowState::Granted && (f.from == key || f.to == key))
            .filter(|f| crate::pending::tenant_of(&f.from) != crate::pending::tenant_of(&f.to))
            .count();
    }
    for r in i.requests {
        let project = r.spec.project.trim();
        if project.is_empty() {
            continue;
        }
        let p = out.entry(project.to_string()).or_insert_with(|| ProjectEvaluation {
            name: project.to_string(),
            monthly_cost: i.prices.map(|_| 0.0),
            requested_cost: i.prices.map(|_| 0.0),
            ..ProjectEvaluation::default()
        });
        p.requests += 1;
        if let Some(tn) = r.namespace().and_then(|ns| ns_tenant.get(&ns).cloned()) {
            p.tenants.insert(tn);
        }
        if let (Some(total), Some(prices), Some(res), Some(zone)) =
            (&mut p.requested_cost, i.prices, &r.spec.resources, &r.spec.zone)
        {
            let v = |s: &Option<String>| s.as_deref().map_or(0.0, q);
            if let Some(c) = prices.price(zone, v(&res.cpu), v(&res.memory), v(&res.storage)) {
                *total += c;
            }
        }
    }
    for (name, p) in &mut out {
        p.cpu_used = match used_cpu.get(name).copied().flatten() {
            Some(u) if p.cpu_requested > 0.0 => Measured::of(u / p.cpu_requested),
            Some(_) => Measured::none(Missing::NoApps),
            None => Measured::none(i.usage.err().unwrap_or(Missing::NoUsage)),
        };
        p.apps_ready = match ready.get(name) {
            Some((r, n)) if *n > 0 => Measured::of(*r as f64 / *n as f64),
            _ => Measured::none(Missing::NoStatus),
        };
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests;
