//! The sections beside the axes: money (per department and per zone),
//! projects (专项评估) and the candidates of duplicated construction, for
//! the table and the HTML page.

use std::fmt::Write as _;

use govcloud_audit::output::Lang;
use maud::{Markup, html as markup};

use crate::money::MONEY_HOW;
use crate::output::pick;
use crate::projects::PROJECTS_HOW;
use crate::{CANDIDATES_NOTE, Cost, Evaluation, Measured, Missing};

/// The words of these sections: (zh, en).
mod words {
    pub const MONEY: (&str, &str) = ("成本（元/月）", "Money (¥ per month)");
    pub const NO_MONEY: (&str, &str) = (
        "未给出价格表（--prices FILE，格式见 examples/chifeng/prices.yaml），不计金额。",
        "No price table given (--prices FILE, format in examples/chifeng/prices.yaml): no money.",
    );
    pub const GRANTED: (&str, &str) = ("已批", "granted");
    pub const USED: (&str, &str) = ("已用", "in use");
    pub const RECLAIMABLE: (&str, &str) = ("可回收", "reclaimable");
    pub const TOTAL: (&str, &str) = ("合计", "total");
    pub const ZONES: (&str, &str) = ("按网络区", "By zone");
    pub const ZONE: (&str, &str) = ("网络区", "zone");
    pub const PROJECTS: (&str, &str) = ("专项评估（按项目）", "Projects");
    pub const NO_PROJECTS: (&str, &str) =
        ("没有应用或资源申请写明 spec.project。", "No app or resource request names a spec.project.");
    pub const PROJECT: (&str, &str) = ("项目", "project");
    pub const TENANTS: (&str, &str) = ("租户", "tenants");
    pub const APPS: (&str, &str) = ("应用", "apps");
    pub const REQUESTS: (&str, &str) = ("资源申请", "requests");
    pub const COST: (&str, &str) = ("月成本", "monthly cost");
    pub const REQUESTED_COST: (&str, &str) = ("申请成本", "requested cost");
    pub const CPU_USED: (&str, &str) = ("CPU 使用率", "CPU used");
    pub const READY: (&str, &str) = ("就绪比例", "apps Ready");
    pub const FLOWS: (&str, &str) = ("已生效数据流", "flows in effect");
    pub const SHARED: (&str, &str) = ("共享的资源", "resources shared");
    pub const DUPLICATES: (&str, &str) = ("重复建设候选项", "Duplicated construction: candidates");
    pub const NONE_FOUND: (&str, &str) = ("未发现候选项。", "No candidate found.");
}

fn yuan(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.2}"))
}

fn ratio(m: &Measured, lang: Lang) -> String {
    match (m.value, m.missing) {
        (Some(v), _) => format!("{:.1}%", v * 100.0),
        (None, Some(why)) => format!("— ({})", pick(lang, Missing::text(why))),
        (None, None) => "—".into(),
    }
}

fn cost_cells(c: &Cost) -> [String; 3] {
    [yuan(Some(c.granted)), yuan(c.used), yuan(c.reclaimable)]
}

/// The sections as text, for the terminal table.
pub(crate) fn table(e: &Evaluation, lang: Lang) -> String {
    let w = |p| pick(lang, p);
    let mut s = String::new();
    let _ = writeln!(s, "\n{}", w(words::MONEY));
    match &e.money {
        None => {
            let _ = writeln!(s, "  {}", w(words::NO_MONEY));
        }
        Some(m) => {
            let head = [w(words::GRANTED), w(words::USED), w(words::RECLAIMABLE)];
            let _ = writeln!(s, "  {:<22} {:>12} {:>12} {:>12}", w(words::TENANTS), head[0], head[1], head[2]);
            for (t, c) in &m.tenants {
                let [g, u, r] = cost_cells(c);
                let _ = writeln!(s, "  {t:<22} {g:>12} {u:>12} {r:>12}");
            }
            let [g, u, r] = cost_cells(&m.total);
            let _ = writeln!(s, "  {:<22} {g:>12} {u:>12} {r:>12}", w(words::TOTAL));
            let _ = writeln!(s, "  {}", w(words::ZONES));
            for (z, c) in &m.zones {
                let [g, u, r] = cost_cells(c);
                let _ = writeln!(s, "  {z:<22} {g:>12} {u:>12} {r:>12}");
            }
            let _ = writeln!(s, "  ({}: {})", m.currency, pick(lang, MONEY_HOW));
        }
    }
    let _ = writeln!(s, "\n{}", w(words::PROJECTS));
    if e.projects.is_empty() {
        let _ = writeln!(s, "  {}", w(words::NO_PROJECTS));
    }
    for p in &e.projects {
        let _ = writeln!(
            s,
            "  {}: {} {}; {} {}; {} {}; {} {}; {} {}; {} {}; {} {}; {} {}; {} {}",
            p.name,
            w(words::TENANTS),
            p.tenants.iter().cloned().collect::<Vec<_>>().join(", "),
            w(words::APPS),
            p.apps.len(),
            w(words::REQUESTS),
            p.requests,
            w(words::COST),
            yuan(p.monthly_cost),
            w(words::REQUESTED_COST),
            yuan(p.requested_cost),
            w(words::CPU_USED),
            ratio(&p.cpu_used, lang),
            w(words::READY),
            ratio(&p.apps_ready, lang),
            w(words::FLOWS),
            p.flows_in_effect,
            w(words::SHARED),
            p.resources_shared,
        );
    }
    if !e.projects.is_empty() {
        let _ = writeln!(s, "  ({})", pick(lang, PROJECTS_HOW));
    }
    let _ = writeln!(s, "\n{}", w(words::DUPLICATES));
    let _ = writeln!(s, "  {}", pick(lang, CANDIDATES_NOTE));
    if e.duplicates.is_empty() {
        let _ = writeln!(s, "  {}", w(words::NONE_FOUND));
    }
    for c in &e.duplicates {
        let ev = if lang == Lang::Zh { &c.evidence_zh } else { &c.evidence_en };
        let _ = writeln!(s, "  [{}] {ev}", pick(lang, c.kind.title()));
    }
    s.push_str(&super::domestic::table(e, lang));
    s
}

/// The sections of the HTML page.
pub(crate) fn html(e: &Evaluation, lang: Lang) -> Markup {
    let w = |p| pick(lang, p);
    let zh = lang == Lang::Zh;
    markup! {
        section id="money" {
            h2 { (w(words::MONEY)) }
            @match &e.money {
                None => p class="muted" { (w(words::NO_MONEY)) },
                Some(m) => {
                    table {
                        tr { th { (w(words::TENANTS)) } th { (w(words::GRANTED)) } th { (w(words::USED)) } th { (w(words::RECLAIMABLE)) } }
                        @for (t, c) in &m.tenants {
                            tr { td { (t) } @for v in cost_cells(c) { td class="num" { (v) } } }
                        }
                        tr { td { b { (w(words::TOTAL)) } } @for v in cost_cells(&m.total) { td class="num" { b { (v) } } } }
                    }
                    h3 { (w(words::ZONES)) }
                    table {
                        tr { th { (w(words::ZONE)) } th { (w(words::GRANTED)) } th { (w(words::USED)) } th { (w(words::RECLAIMABLE)) } }
                        @for (z, c) in &m.zones {
                            tr { td { (z) } @for v in cost_cells(c) { td class="num" { (v) } } }
                        }
                    }
                    p class="muted" { (m.currency) " · " (pick(lang, MONEY_HOW)) }
                }
            }
        }
        section id="projects" {
            h2 { (w(words::PROJECTS)) }
            @if e.projects.is_empty() { p class="muted" { (w(words::NO_PROJECTS)) } } @else {
                table {
                    tr {
                        @for h in [words::PROJECT, words::TENANTS, words::APPS, words::REQUESTS, words::COST, words::REQUESTED_COST, words::CPU_USED, words::READY, words::FLOWS, words::SHARED] {
                            th { (w(h)) }
                        }
                    }
                    @for p in &e.projects {
                        tr {
                            td { (p.name) }
                            td { (p.tenants.iter().cloned().collect::<Vec<_>>().join(", ")) }
                            td class="num" { (p.apps.len()) }
                            td class="num" { (p.requests) }
                            td class="num" { (yuan(p.monthly_cost)) }
                            td class="num" { (yuan(p.requested_cost)) }
                            td class="num" { (ratio(&p.cpu_used, lang)) }
                            td class="num" { (ratio(&p.apps_ready, lang)) }
                            td class="num" { (p.flows_in_effect) }
                            td class="num" { (p.resources_shared) }
                        }
                    }
                }
                p class="muted" { (pick(lang, PROJECTS_HOW)) }
            }
        }
        section id="duplicates" {
            h2 { (w(words::DUPLICATES)) }
            p { b { (pick(lang, CANDIDATES_NOTE)) } }
            @if e.duplicates.is_empty() { p class="muted" { (w(words::NONE_FOUND)) } } @else {
                table {
                    @for c in &e.duplicates {
                        tr { td { (pick(lang, c.kind.title())) } td { (if zh { &c.evidence_zh } else { &c.evidence_en }) } }
                    }
                }
            }
        }
        (super::domestic::html(e, lang))
    }
}
