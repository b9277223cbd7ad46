//! The evaluation for the leadership group: a terminal table, JSON (read
//! back as a snapshot for trends) and a printable HTML page with inline SVG
//! charts; each page in one language, every figure with how it is computed.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Axis, Evaluation, FIGURES, FigureDef, Missing, OVERALL_FORMULA, TenantEvaluation, TenantKind, Unit};
use govcloud_audit::output::Lang;

mod domestic;
mod html;
mod sections;
pub use html::{axis_chart, body as html_body, html, trend_chart};

fn pick(lang: Lang, pair: (&'static str, &'static str)) -> &'static str {
    if lang == Lang::Zh { pair.0 } else { pair.1 }
}

/// A figure's value for people, or why there is none.
pub fn show(def: &FigureDef, t: &TenantEvaluation, lang: Lang) -> String {
    let m = t.figures.get(def.id);
    match (m.and_then(|m| m.value), m.and_then(|m| m.missing)) {
        (Some(v), _) => match def.unit {
            Unit::Ratio => format!("{:.1}%", v * 100.0),
            Unit::Count => format!("{v:.0}"),
            Unit::Days => format!("{v:.1}"),
        },
        (None, Some(why)) => format!("— ({})", pick(lang, why.text())),
        (None, None) => "—".into(),
    }
}

fn score(s: Option<f64>) -> String {
    s.map_or_else(|| "—".to_string(), |s| format!("{s:.1}"))
}

fn tenant_name(t: &TenantEvaluation, lang: Lang) -> &str {
    if lang == Lang::Zh { &t.name_zh } else { &t.name_en }
}

/// The tenants of one group, best overall first (unscored last), then by name.
fn ranked(e: &Evaluation, kind: TenantKind) -> Vec<&TenantEvaluation> {
    let mut v: Vec<&TenantEvaluation> = e.tenants.iter().filter(|t| t.kind == kind).collect();
    v.sort_by(|a, b| {
        (a.overall_rank.is_none(), a.overall_rank, &a.name).cmp(&(b.overall_rank.is_none(), b.overall_rank, &b.name))
    });
    v
}

/// The words of a page: (zh, en).
mod words {
    pub const TITLE: (&str, &str) = ("政务云绩效评估", "govcloud performance evaluation");
    pub const SCOPE_BASIS: (&str, &str) =
        ("评估范围的依据（API 服务器的答复）", "scope decided by the API server's answers");
    pub const AT: (&str, &str) = ("评估时间", "evaluated at");
    pub const RANK: (&str, &str) = ("名次", "rank");
    pub const TENANT: (&str, &str) = ("租户", "tenant");
    pub const NAME: (&str, &str) = ("名称", "name");
    pub const OVERALL: (&str, &str) = ("综合", "overall");
    pub const GROUP_MEAN: (&str, &str) = ("组内平均", "group mean");
    pub const FIGURES: (&str, &str) = ("各项指标", "Figures");
    pub const METHODS: (&str, &str) = ("计算方法", "How each figure is computed");
    pub const SCORES: (&str, &str) = ("得分公式", "Scores");
    pub const FIGURE: (&str, &str) = ("指标", "figure");
    pub const HOW: (&str, &str) = ("计算方法", "how");
    pub const MISSING: (&str, &str) = ("无数据的原因", "When a figure is missing");
    pub const TRENDS: (&str, &str) = ("综合得分趋势", "Overall score over time");
    pub const NO_TREND: (&str, &str) = (
        "只有本次评估：用 --snapshot 给出以往评估的 JSON 输出即可显示趋势。",
        "Only this evaluation: give earlier JSON outputs with --snapshot to see trends.",
    );
    pub const CHARTS: (&str, &str) = ("各项得分", "Scores by axis");
    pub const NO_SCORE: (&str, &str) = ("无得分", "no score");
    pub const RANKING: (&str, &str) = ("排名", "Ranking");
    pub const INTRO: (&str, &str) = (
        "五项评估（成本效益、应用效果、协同共享、安全保密、创新服务）均由平台已掌握的数据计算，每项 0–100 分；无法取得的数据不做估计，标注原因。另列成本金额、专项（按项目）评估与重复建设候选项。",
        "Five axes (cost-effectiveness, application effect, collaboration and sharing, security and confidentiality, innovation and service), each scored 0–100 from what the platform knows; what it cannot know is not estimated but marked, with why. Beside them: money, results per project and candidates of duplicated construction.",
    );
}

// === impl table ===

/// The terminal table.
pub fn table(e: &Evaluation, lang: Lang) -> String {
    let w = |p| pick(lang, p);
    let mut s = format!("{} — {} {}\n", w(words::TITLE), w(words::AT), e.generated_at);
    let _ = writeln!(s, "{}", e.scope.label(lang));
    if let Some(basis) = e.scope.basis() {
        let _ = writeln!(s, "  {}: {basis}", w(words::SCOPE_BASIS));
    }
    for g in &e.groups {
        let _ = writeln!(s, "\n{}", pick(lang, g.kind.title()));
        let _ = write!(s, "{:<5} {:<22} {:<28}", w(words::RANK), w(words::TENANT), w(words::NAME));
        for a in Axis::ALL {
            let _ = write!(s, " {:>12}", pick(lang, a.title()));
        }
        let _ = writeln!(s, " {:>10}", w(words::OVERALL));
        for t in ranked(e, g.kind) {
            let _ = write!(
                s,
                "{:<5} {:<22} {:<28}",
                t.overall_rank.map_or("—".to_string(), |r| r.to_string()),
                t.name,
                tenant_name(t, lang)
            );
            for a in Axis::ALL {
                let r = t.ranks.get(&a).map_or(String::new(), |r| format!(" ({r})"));
                let _ = write!(s, " {:>12}", format!("{}{r}", score(t.scores.get(&a).copied())));
            }
            let _ = writeln!(s, " {:>10}", score(t.overall));
        }
        let _ = write!(s, "{:<5} {:<22} {:<28}", "", w(words::GROUP_MEAN), "");
        for a in Axis::ALL {
            let _ = write!(s, " {:>12}", score(g.scores.get(&a).copied()));
        }
        let _ = writeln!(s, " {:>10}", score(g.overall));
    }
    let _ = writeln!(s, "\n{}", w(words::FIGURES));
    for t in &e.tenants {
        let _ = writeln!(s, "  {} {}", t.name, tenant_name(t, lang));
        for a in Axis::ALL {
            let figs: Vec<String> = FIGURES
                .iter()
                .filter(|f| f.axis == a)
                .map(|f| format!("{} {}", if lang == Lang::Zh { f.name_zh } else { f.name_en }, show(f, t, lang)))
                .collect();
            let _ = writeln!(s, "    {}: {}", pick(lang, a.title()), figs.join("; "));
        }
    }
    s.push_str(&sections::table(e, lang));
    let _ = writeln!(s, "\n{}", w(words::METHODS));
    for f in FIGURES {
        let _ = writeln!(
            s,
            "  {}: {}",
            if lang == Lang::Zh { f.name_zh } else { f.name_en },
            if lang == Lang::Zh { f.how_zh } else { f.how_en }
        );
    }
    let _ = writeln!(s, "{}", w(words::SCORES));
    for a in Axis::ALL {
        let _ = writeln!(s, "  {}: {}", pick(lang, a.title()), pick(lang, a.formula()));
    }
    let _ = writeln!(s, "  {}: {}", w(words::OVERALL), pick(lang, OVERALL_FORMULA));
    s
}

// === impl json ===

/// Every reason a figure can be missing.
const ALL_MISSING: [Missing; 14] = [
    Missing::NoStatus,
    Missing::NoUsage,
    Missing::UsageForbidden,
    Missing::UsageUnavailable,
    Missing::NoHistory,
    Missing::NotCounted,
    Missing::NoApps,
    Missing::NoQuota,
    Missing::NoFlows,
    Missing::NoChecks,
    Missing::NoPeriod,
    Missing::NoPublicServices,
    Missing::NoImportMarker,
    Missing::OutsideScope,
];

/// The JSON document: the evaluation (readable back as a `--snapshot`) and how every figure and score is computed.
pub fn json(e: &Evaluation) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    v["scopeLabel"] = json!({"zh": e.scope.label(Lang::Zh), "en": e.scope.label(Lang::En)});
    let missing: serde_json::Map<String, Value> = ALL_MISSING
        .iter()
        .map(|m| {
            (
                serde_json::to_value(m).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
                json!({"zh": m.text().0, "en": m.text().1}),
            )
        })
        .collect();
    let scores: serde_json::Map<String, Value> =
        Axis::ALL.iter().map(|a| (a.as_str().to_string(), json!({"zh": a.formula().0, "en": a.formula().1}))).collect();
    v["methods"] = json!({
        "figures": FIGURES,
        "scores": scores,
        "overall": {"zh": OVERALL_FORMULA.0, "en": OVERALL_FORMULA.1},
        "missing": missing,
        "money": {"zh": crate::money::MONEY_HOW.0, "en": crate::money::MONEY_HOW.1},
        "projects": {"zh": crate::projects::PROJECTS_HOW.0, "en": crate::projects::PROJECTS_HOW.1},
        "duplicates": {"zh": crate::CANDIDATES_NOTE.0, "en": crate::CANDIDATES_NOTE.1},
        "domestic": {"zh": crate::domestic::DOMESTIC_HOW.0, "en": crate::domestic::DOMESTIC_HOW.1},
    });
    v
}

#[cfg(test)]
mod tests;
