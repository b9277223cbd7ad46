//! 重复建设: candidates of duplicated construction, each with its evidence
//! (避免重复建设和盲目投资). Candidates, not verdicts: an evaluator checks
//! each. Five kinds: the same image repository run by two tenants; an app
//! whose name duplicates another tenant's base database; a public app
//! the platform has not recognised (the tenant's `publicApps`: part of the
//! city's unified website cluster, or a public service platform that is no
//! website; a department cannot write it); an app idle in this and every earlier evaluation
//! given (at least two); quota granted in a zone and never used.

use std::collections::{BTreeMap, BTreeSet};

use kube::ResourceExt;
use serde::{Deserialize, Serialize};

use govcloud_core::api::{DepartmentApp, Exposure};
use govcloud_core::meta::quantity::Quantity;

use crate::innovation::period_start;
use crate::{Inputs, TenantEvaluation};

/// What the section says of itself: (zh, en).
pub const CANDIDATES_NOTE: (&str, &str) = (
    "以下是可能的重复建设候选项及其证据，不是结论：每一项须由评估人员核实（例如同一镜像可能是统一采购的通用组件）。",
    "These are candidates of duplicated construction with their evidence, not verdicts: an evaluator checks each (the same image may, for example, be a component bought once for all).",
);

/// Kinds of candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CandidateKind {
    /// The same image repository run by two tenants or more.
    SameImage,
    /// An app named like another tenant's base database.
    BaseDatabase,
    /// A public app outside the city's unified website cluster.
    WebsiteOutsideCluster,
    /// An app idle in this evaluation and every earlier one given.
    IdleApp,
    /// Quota granted in a zone and never used.
    QuotaNeverUsed,
}

impl CandidateKind {
    /// The kind's name for people: (zh, en).
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            CandidateKind::SameImage => ("多个租户运行同一镜像仓库", "Same image repository run by several tenants"),
            CandidateKind::BaseDatabase => ("与其他部门基础信息库重名", "Duplicates another tenant's base database"),
            CandidateKind::WebsiteOutsideCluster => {
                ("统一网站群之外的公众网站", "Public website outside the unified website cluster")
            }
            CandidateKind::IdleApp => ("连续多次评估闲置的应用", "App idle across evaluations"),
            CandidateKind::QuotaNeverUsed => ("已批未用的配额", "Quota granted and never used"),
        }
    }
}

/// One candidate and its evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// What kind of duplicate it may be.
    pub kind: CandidateKind,
    /// The tenants concerned.
    pub tenants: BTreeSet<String>,
    /// The apps concerned, `tenant/zone/app` (or the zone, for quota).
    pub apps: BTreeSet<String>,
    /// The evidence, in Chinese.
    pub evidence_zh: String,
    /// The evidence, in English.
    pub evidence_en: String,
}

/// An image's repository: without its digest and tag.
pub(crate) fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    }
}

/// Every candidate, by kind then tenants then apps.
pub(crate) fn candidates(
    i: &Inputs<'_>,
    ns_tenant: &BTreeMap<String, String>,
    tenants: &[TenantEvaluation],
) -> Vec<Candidate> {
    let model = i.model;
    let apps: Vec<(String, &DepartmentApp)> = model
        .apps
        .iter()
        .filter(|a| i.scope.hosts_zone(model, &a.spec.zone))
        .filter_map(|a| Some((a.namespace().and_then(|ns| ns_tenant.get(&ns).cloned())?, a)))
        .collect();
    let key = |t: &str, a: &DepartmentApp| format!("{t}/{}/{}", a.spec.zone, a.name_any());
    let mut out = Vec::new();

    // The same image repository, two tenants or more.
    let mut by_repo: BTreeMap<&str, Vec<(&str, &DepartmentApp)>> = BTreeMap::new();
    for (t, a) in &apps {
        by_repo.entry(repository(&a.spec.image)).or_default().push((t, a));
    }
    for (repo, runs) in by_repo {
        let ts: BTreeSet<String> = runs.iter().map(|(t, _)| t.to_string()).collect();
        if ts.len() < 2 {
            continue;
        }
        let list = ts.iter().cloned().collect::<Vec<_>>().join(", ");
        out.push(Candidate {
            kind: CandidateKind::SameImage,
            tenants: ts,
            apps: runs.iter().map(|(t, a)| key(t, a)).collect(),
            evidence_zh: format!("镜像仓库 {repo} 由以下租户运行：{list}"),
            evidence_en: format!("image repository {repo} is run by {list}"),
        });
    }

    // Another tenant's app named like a base database.
    for holder in &model.tenants {
        let hn = holder.name_any();
        for base in &holder.spec.base_databases {
            let base_app = apps.iter().find(|(t, a)| *t == hn && a.name_any() == *base).map(|(_, a)| *a);
            let base_name = base_app.and_then(|a| a.spec.display_name.as_ref());
            for (t, a) in apps.iter().filter(|(t, _)| *t != hn) {
                let dn = a.spec.display_name.as_ref();
                let (zh_eq, en_eq) = match (dn, base_name) {
                    (Some(x), Some(y)) => (
                        !x.zh.trim().is_empty() && x.zh.trim() == y.zh.trim(),
                        !x.en.trim().is_empty() && x.en.trim().eq_ignore_ascii_case(y.en.trim()),
                    ),
                    _ => (false, false),
                };
                let name_eq = a.name_any() == *base;
                if !(name_eq || zh_eq || en_eq) {
                    continue;
                }
                let how = [(name_eq, "metadata.name"), (zh_eq, "displayName.zh"), (en_eq, "displayName.en")]
                    .iter()
                    .filter(|(b, _)| *b)
                    .map(|(_, f)| *f)
                    .collect::<Vec<_>>()
                    .join(", ");
                let class = |a: Option<&DepartmentApp>| {
                    a.map_or("?".to_string(), |a| format!("{:?}", a.spec.data_classification).to_lowercase())
                };
                out.push(Candidate {
                    kind: CandidateKind::BaseDatabase,
                    tenants: [hn.clone(), t.clone()].into(),
                    apps: [key(t, a)].into_iter().chain(base_app.map(|b| key(&hn, b))).collect(),
                    evidence_zh: format!(
                        "{t} 的应用 {} 与 {hn} 持有的基础信息库 {base} 同名（{how}）；数据分级：{} 与 {}",
                        a.name_any(),
                        class(Some(a)),
                        class(base_app)
                    ),
                    evidence_en: format!(
                        "{t}'s app {} has the same {how} as {base}, the base database {hn} holds; data classification {} and {}",
                        a.name_any(),
                        class(Some(a)),
                        class(base_app)
                    ),
                });
            }
        }
    }

    // Public apps the platform has not recognised (the tenant's
    // `publicApps`): a department's own labels or names prove nothing.
    for (t, a) in apps.iter().filter(|(_, a)| a.spec.exposure == Exposure::Public) {
        let recognised = model
            .tenants
            .iter()
            .find(|x| x.name_any() == *t)
            .is_some_and(|x| x.spec.public_apps.iter().any(|p| p.app == a.name_any()));
        if recognised {
            continue;
        }
        out.push(Candidate {
            kind: CandidateKind::WebsiteOutsideCluster,
            tenants: [t.clone()].into(),
            apps: [key(t, a)].into(),
            evidence_zh: format!(
                "{t} 的公开应用 {}（exposure: public）未被平台认定（租户 spec.publicApps）为统一网站群的一部分或公共服务平台",
                a.name_any()
            ),
            evidence_en: format!(
                "{t}'s public app {} (exposure: public) is not recognised by the platform (the tenant's spec.publicApps) as part of the unified website cluster or as a public service platform",
                a.name_any()
            ),
        });
    }

    // Idle in this evaluation and every earlier one that recorded inventories (two at least).
    let earlier: Vec<&crate::Evaluation> =
        i.earlier.iter().filter(|e| e.tenants.iter().any(|t| t.inventory.recorded)).collect();
    if period_start(i.earlier).is_some() {
        let n = earlier.len() + 1;
        for t in tenants {
            for app in &t.inventory.idle {
                let always = earlier.iter().all(|e| {
                    e.tenants.iter().find(|x| x.name == t.name).is_some_and(|x| x.inventory.idle.contains(app))
                });
                if always {
                    out.push(Candidate {
                        kind: CandidateKind::IdleApp,
                        tenants: [t.name.clone()].into(),
                        apps: [format!("{}/{app}", t.name)].into(),
                        evidence_zh: format!("{} 的应用 {app} 在全部 {n} 次评估中均闲置", t.name),
                        evidence_en: format!("{}'s app {app} is idle in all {n} evaluations", t.name),
                    });
                }
            }
        }
    }

    // Quota granted in a zone and never used.
    for t in &model.tenants {
        let tn = t.name_any();
        for z in t.spec.zones.iter().filter(|z| i.scope.hosts_zone(model, &z.name)) {
            let granted = |s: &str| Quantity::parse(s).map(|q| q > Quantity::ZERO).unwrap_or(false);
            if !granted(&z.quota.cpu) && !granted(&z.quota.memory) {
                continue;
            }
            let status = t.status.as_ref().and_then(|s| s.quota.iter().find(|u| u.zone == z.name));
            let (never, zh, en) = match status {
                Some(u) => {
                    let zero = |k: &str| u.used.get(k).is_none_or(|v| Quantity::parse(v).is_ok_and(|q| q.is_zero()));
                    (
                        zero("requests.cpu") && zero("requests.memory"),
                        "ResourceQuota 中 requests.cpu 与 requests.memory 的已用量均为 0",
                        "its ResourceQuota uses 0 of requests.cpu and of requests.memory",
                    )
                }
                None => (
                    !apps.iter().any(|(at, a)| *at == tn && a.spec.zone == z.name),
                    "该网络区没有声明任何应用（无状态，按声明判断）",
                    "no app is declared in the zone (no status: judged from the declarations)",
                ),
            };
            if never {
                out.push(Candidate {
                    kind: CandidateKind::QuotaNeverUsed,
                    tenants: [tn.clone()].into(),
                    apps: [format!("{tn}/{}", z.name)].into(),
                    evidence_zh: format!(
                        "{tn} 在网络区 {} 获批 cpu {}、内存 {}，{zh}",
                        z.name, z.quota.cpu, z.quota.memory
                    ),
                    evidence_en: format!(
                        "{tn} is granted cpu {} and memory {} in zone {}; {en}",
                        z.quota.cpu, z.quota.memory, z.name
                    ),
                });
            }
        }
    }
    out.sort_by(|a, b| (a.kind, &a.tenants, &a.apps).cmp(&(b.kind, &b.tenants, &b.apps)));
    out
}

#[cfg(test)]
mod tests;
