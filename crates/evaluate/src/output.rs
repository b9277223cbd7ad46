//! The evaluation for the leadership group: a terminal table, JSON (read
//! back as a snapshot for trends) and a printable HTML page with inline SVG
//! charts; each page in one language, every figure with how it is computed.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Axis, Evaluation, FIGURES, FigureDef, Missing, OVERALL_FORMULA, TenantEvaluation, TenantKind, Unit};
use govcloud_audit::output::Lang;

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
        "四项评估（成本效益、应用效果、协同共享、安全保密）均由平台已掌握的数据计算，每项 0–100 分；无法取得的数据不做估计，标注原因。",
        "Four axes (cost-effectiveness, application effect, collaboration and sharing, security and confidentiality), each scored 0–100 from what the platform knows; what it cannot know is not estimated but marked, with why.",
    );
}

// === impl table ===

/// The terminal table.
pub fn table(e: &Evaluation, lang: Lang) -> String {
    let w = |p| pick(lang, p);
    let mut s = format!("{} — {} {}\n", w(words::TITLE), w(words::AT), e.generated_at);
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
const ALL_MISSING: [Missing; 7] = [
    Missing::NoStatus,
    Missing::NoUsage,
    Missing::NotCounted,
    Missing::NoApps,
    Missing::NoQuota,
    Missing::NoFlows,
    Missing::NoChecks,
];

/// The JSON document: the evaluation (readable back as a `--snapshot`) and how every figure and score is computed.
pub fn json(e: &Evaluation) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
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
    });
    v
}

// === impl html ===

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const PALETTE: &[&str] = &[
    "#1a73e8", "#d93025", "#188038", "#f29900", "#9334e6", "#12b5cb", "#e8710a", "#5f6368", "#b06000", "#c5221f",
    "#137333", "#a142f4",
];

/// Horizontal bars of one axis's scores, per tenant (best first).
pub fn axis_chart(e: &Evaluation, axis: Axis, lang: Lang) -> String {
    let mut rows: Vec<&TenantEvaluation> = e.tenants.iter().collect();
    rows.sort_by(|a, b| {
        let (x, y) = (a.scores.get(&axis).copied().unwrap_or(-1.0), b.scores.get(&axis).copied().unwrap_or(-1.0));
        y.total_cmp(&x).then(a.name.cmp(&b.name))
    });
    let (label_w, bar_w, row_h) = (200.0, 300.0, 20.0);
    let h = 30.0 + rows.len() as f64 * row_h + 10.0;
    let w = label_w + bar_w + 70.0;
    let mut body =
        format!(r#"<text x="0" y="16" font-weight="bold" font-size="13">{}</text>"#, esc(pick(lang, axis.title())));
    for (i, t) in rows.iter().enumerate() {
        let y = 30.0 + i as f64 * row_h;
        let label = format!("{} {}", t.name, tenant_name(t, lang));
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>"#,
            label_w - 6.0,
            y + 13.0,
            esc(&label)
        );
        let _ = write!(body, r##"<rect x="{label_w}" y="{}" width="{bar_w}" height="14" fill="#f1f3f4"/>"##, y + 2.0);
        match t.scores.get(&axis) {
            Some(s) => {
                let fill = if *s >= 80.0 {
                    "#188038"
                } else if *s >= 60.0 {
                    "#f29900"
                } else {
                    "#d93025"
                };
                let _ = write!(
                    body,
                    r#"<rect class="bar" x="{label_w}" y="{}" width="{:.1}" height="14" fill="{fill}"/><text x="{}" y="{}" font-size="11">{s:.1}</text>"#,
                    y + 2.0,
                    bar_w * s / 100.0,
                    label_w + bar_w + 6.0,
                    y + 13.0
                );
            }
            None => {
                let _ = write!(
                    body,
                    r##"<text x="{}" y="{}" font-size="11" fill="#888">{}</text>"##,
                    label_w + 6.0,
                    y + 13.0,
                    esc(pick(lang, words::NO_SCORE))
                );
            }
        }
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif">{body}</svg>"#
    )
}

/// The overall score of every tenant over the evaluations given, as lines.
pub fn trend_chart(e: &Evaluation, lang: Lang) -> String {
    let (left, top, pw, ph) = (50.0, 20.0, 640.0, 260.0);
    let n = e.trend.len();
    let x = |i: usize| if n <= 1 { left + pw / 2.0 } else { left + pw * i as f64 / (n - 1) as f64 };
    let y = |s: f64| top + ph * (1.0 - s / 100.0);
    let mut body = String::new();
    for s in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            body,
            r##"<line x1="{left}" x2="{}" y1="{yy}" y2="{yy}" stroke="#ddd"/><text x="{}" y="{}" font-size="10" text-anchor="end">{s:.0}</text>"##,
            left + pw,
            left - 4.0,
            y(s) + 3.0,
            yy = y(s)
        );
    }
    for (i, p) in e.trend.iter().enumerate() {
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
            x(i),
            top + ph + 16.0,
            esc(p.at.get(..10).unwrap_or(&p.at))
        );
    }
    let tenants = super::trend_tenants(e);
    let names: std::collections::BTreeMap<&str, &TenantEvaluation> =
        e.tenants.iter().map(|t| (t.name.as_str(), t)).collect();
    for (k, tenant) in tenants.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let pts: Vec<String> = e
            .trend
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some(format!("{:.1},{:.1}", x(i), y(*p.overall.get(*tenant)?))))
            .collect();
        let label =
            names.get(tenant).map_or_else(|| tenant.to_string(), |t| format!("{} {}", t.name, tenant_name(t, lang)));
        let _ = write!(
            body,
            r#"<polyline class="trend" points="{}" fill="none" stroke="{color}" stroke-width="2"><title>{}</title></polyline>"#,
            pts.join(" "),
            esc(&label)
        );
        for pt in &pts {
            if let Some((px, py)) = pt.split_once(',') {
                let _ = write!(body, r#"<circle cx="{px}" cy="{py}" r="3" fill="{color}"/>"#);
            }
        }
        let ly = top + 12.0 + k as f64 * 14.0;
        let _ = write!(
            body,
            r#"<rect x="{}" y="{}" width="10" height="10" fill="{color}"/><text x="{}" y="{}" font-size="11">{}</text>"#,
            left + pw + 14.0,
            ly - 9.0,
            left + pw + 28.0,
            ly,
            esc(&label)
        );
    }
    let w = left + pw + 260.0;
    let h = (top + ph + 30.0).max(top + 20.0 + tenants.len() as f64 * 14.0);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="trend" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif">{body}</svg>"#
    )
}

/// The self-contained, printable HTML page.
pub fn html(e: &Evaluation, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let w = |p| pick(lang, p);
    let mut s = format!(
        r#"<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title><style>
body{{font-family:sans-serif;margin:24px;color:#222}} table{{border-collapse:collapse;margin:8px 0 20px}} td,th{{border:1px solid #ccc;padding:3px 6px;font-size:12px}}
th{{background:#f3f3f3}} td.num{{text-align:right}} .muted{{color:#888}} sup{{color:#1a73e8}} .charts{{display:flex;flex-wrap:wrap;gap:16px}}
@media print{{section{{page-break-inside:avoid}} body{{margin:8mm}} .charts svg{{max-width:48%}}}}</style></head><body>"#,
        if zh { "zh" } else { "en" },
        w(words::TITLE)
    );
    let _ =
        write!(s, "<h1>{}</h1><p>{} {} · {}</p>", w(words::TITLE), w(words::AT), esc(&e.generated_at), w(words::INTRO));
    // Ranking per group.
    let _ = write!(s, r#"<section id="ranking"><h2>{}</h2>"#, w(words::RANKING));
    for g in &e.groups {
        let _ = write!(
            s,
            "<h3>{}</h3><table><tr><th>{}</th><th>{}</th><th>{}</th>",
            esc(pick(lang, g.kind.title())),
            w(words::RANK),
            w(words::TENANT),
            w(words::NAME)
        );
        for a in Axis::ALL {
            let _ = write!(s, "<th>{}</th>", pick(lang, a.title()));
        }
        let _ = write!(s, "<th>{}</th></tr>", w(words::OVERALL));
        for t in ranked(e, g.kind) {
            let _ = write!(
                s,
                r#"<tr><td class="num">{}</td><td>{}</td><td>{}</td>"#,
                t.overall_rank.map_or("—".into(), |r| r.to_string()),
                esc(&t.name),
                esc(tenant_name(t, lang))
            );
            for a in Axis::ALL {
                let r = t.ranks.get(&a).map_or(String::new(), |r| format!("<sup>{r}</sup>"));
                let _ = write!(s, r#"<td class="num">{}{r}</td>"#, score(t.scores.get(&a).copied()));
            }
            let _ = write!(s, r#"<td class="num"><b>{}</b></td></tr>"#, score(t.overall));
        }
        let _ = write!(s, r#"<tr><td></td><td colspan="2" class="muted">{}</td>"#, w(words::GROUP_MEAN));
        for a in Axis::ALL {
            let _ = write!(s, r#"<td class="num muted">{}</td>"#, score(g.scores.get(&a).copied()));
        }
        let _ = write!(s, r#"<td class="num muted">{}</td></tr></table>"#, score(g.overall));
    }
    s.push_str("</section>");
    // Charts.
    let _ = write!(s, r#"<section id="charts"><h2>{}</h2><div class="charts">"#, w(words::CHARTS));
    for a in Axis::ALL {
        s.push_str(&axis_chart(e, a, lang));
    }
    s.push_str("</div></section>");
    // Trends.
    let _ = write!(s, r#"<section id="trends"><h2>{}</h2>"#, w(words::TRENDS));
    if e.trend.len() > 1 {
        s.push_str(&trend_chart(e, lang));
    } else {
        let _ = write!(s, r#"<p class="muted">{}</p>"#, w(words::NO_TREND));
    }
    s.push_str("</section>");
    // Figures per axis, each column footnoted to its method.
    let _ = write!(s, r#"<section id="figures"><h2>{}</h2>"#, w(words::FIGURES));
    let note = |f: &FigureDef| FIGURES.iter().position(|g| g.id == f.id).map_or(0, |i| i + 1);
    for a in Axis::ALL {
        let _ = write!(s, "<h3>{}</h3><table><tr><th>{}</th>", pick(lang, a.title()), w(words::TENANT));
        for f in FIGURES.iter().filter(|f| f.axis == a) {
            let _ = write!(
                s,
                r##"<th>{}<sup><a href="#m{}">{}</a></sup></th>"##,
                if zh { f.name_zh } else { f.name_en },
                f.id,
                note(f)
            );
        }
        s.push_str("</tr>");
        for t in &e.tenants {
            let _ = write!(s, "<tr><td>{} {}</td>", esc(&t.name), esc(tenant_name(t, lang)));
            for f in FIGURES.iter().filter(|f| f.axis == a) {
                let _ = write!(s, r#"<td class="num">{}</td>"#, esc(&show(f, t, lang)));
            }
            s.push_str("</tr>");
        }
        s.push_str("</table>");
    }
    s.push_str("</section>");
    // Methods.
    let _ = write!(
        s,
        r#"<section id="methods"><h2>{}</h2><table><tr><th>#</th><th>{}</th><th>{}</th></tr>"#,
        w(words::METHODS),
        w(words::FIGURE),
        w(words::HOW)
    );
    for f in FIGURES {
        let _ = write!(
            s,
            r#"<tr id="m{}"><td>{}</td><td>{} · {}</td><td>{}</td></tr>"#,
            f.id,
            note(f),
            pick(lang, f.axis.title()),
            if zh { f.name_zh } else { f.name_en },
            esc(if zh { f.how_zh } else { f.how_en })
        );
    }
    let _ = write!(s, "</table><h3>{}</h3><table>", w(words::SCORES));
    for a in Axis::ALL {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td></tr>", pick(lang, a.title()), esc(pick(lang, a.formula())));
    }
    let _ = write!(
        s,
        "<tr><td>{}</td><td>{}</td></tr></table><h3>{}</h3><table>",
        w(words::OVERALL),
        esc(pick(lang, OVERALL_FORMULA)),
        w(words::MISSING)
    );
    for m in ALL_MISSING {
        let _ = write!(s, "<tr><td>— ({})</td></tr>", esc(pick(lang, m.text())));
    }
    s.push_str("</table></section></body></html>\n");
    s
}
