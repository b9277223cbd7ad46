//! The evaluation as one printable HTML page with inline SVG charts,
//! written with maud (every value escaped) in the shell the audit's page
//! has too ([`govcloud_audit::output::page`]).

use govcloud_audit::output::Lang;

use crate::output::{ALL_MISSING, pick, ranked, score, show, tenant_name, words};
use crate::{Axis, Evaluation, FIGURES, FigureDef, OVERALL_FORMULA, TenantEvaluation};

use maud::{Markup, html as markup};

use govcloud_audit::output::page::{Style, mongolian, page};

/// The evaluation page's own rules: figures, muted means, the charts side by side.
const STYLE: Style = Style {
    screen: concat!(
        "td.num{text-align:right} .muted{color:#888} sup{color:#1a73e8} ",
        ".charts{display:flex;flex-wrap:wrap;gap:16px}"
    ),
    print: " body{margin:8mm} .charts svg{max-width:48%}",
};

/// The trend's line colours, a tenant each in turn.
const PALETTE: &[&str] = &[
    "#1a73e8", "#d93025", "#188038", "#f29900", "#9334e6", "#12b5cb", "#e8710a", "#5f6368", "#b06000", "#c5221f",
    "#137333", "#a142f4",
];

/// Horizontal bars of one axis's scores, per tenant (best first).
pub fn axis_chart(e: &Evaluation, axis: Axis, lang: Lang) -> Markup {
    let mut rows: Vec<&TenantEvaluation> = e.tenants.iter().collect();
    rows.sort_by(|a, b| {
        let (x, y) = (a.scores.get(&axis).copied().unwrap_or(-1.0), b.scores.get(&axis).copied().unwrap_or(-1.0));
        y.total_cmp(&x).then(a.name.cmp(&b.name))
    });
    let (label_w, bar_w, row_h) = (200.0, 300.0, 20.0);
    let h = 30.0 + rows.len() as f64 * row_h + 10.0;
    let w = label_w + bar_w + 70.0;
    let fill = |s: f64| {
        if s >= 80.0 {
            "#188038"
        } else if s >= 60.0 {
            "#f29900"
        } else {
            "#d93025"
        }
    };
    markup! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" width=(w) height=(h) viewBox=(format!("0 0 {w} {h}"))
            font-family="sans-serif" {
            text x="0" y="16" font-weight="bold" font-size="13" { (pick(lang, axis.title())) }
            @for (i, t) in rows.iter().enumerate() {
                @let y = 30.0 + i as f64 * row_h;
                text x=(label_w - 6.0) y=(y + 13.0) font-size="11" text-anchor="end" {
                    (t.name) " " (tenant_name(t, lang))
                }
                rect x=(label_w) y=(y + 2.0) width=(bar_w) height="14" fill="#f1f3f4" {}
                @match t.scores.get(&axis) {
                    Some(s) => {
                        rect class="bar" x=(label_w) y=(y + 2.0) width=(format!("{:.1}", bar_w * s / 100.0)) height="14"
                            fill=(fill(*s)) {}
                        text x=(label_w + bar_w + 6.0) y=(y + 13.0) font-size="11" { (format!("{s:.1}")) }
                    }
                    None => {
                        text x=(label_w + 6.0) y=(y + 13.0) font-size="11" fill="#888" { (pick(lang, words::NO_SCORE)) }
                    }
                }
            }
        }
    }
}

/// One tenant's line of the trend: its colour, its name for people, and
/// its points (`x`, `y`, as drawn: to 0.1).
struct Line {
    color: &'static str,
    label: String,
    points: Vec<(String, String)>,
}

/// The overall score of every tenant over the evaluations given, as lines.
pub fn trend_chart(e: &Evaluation, lang: Lang) -> Markup {
    let (left, top, pw, ph) = (50.0, 20.0, 640.0, 260.0);
    let n = e.trend.len();
    let x = |i: usize| if n <= 1 { left + pw / 2.0 } else { left + pw * i as f64 / (n - 1) as f64 };
    let y = |s: f64| top + ph * (1.0 - s / 100.0);
    let tenants = crate::trend_tenants(e);
    let names: std::collections::BTreeMap<&str, &TenantEvaluation> =
        e.tenants.iter().map(|t| (t.name.as_str(), t)).collect();
    let lines: Vec<Line> = tenants
        .iter()
        .enumerate()
        .map(|(k, tenant)| {
            let points = e
                .trend
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((format!("{:.1}", x(i)), format!("{:.1}", y(*p.overall.get(*tenant)?)))))
                .collect();
            let label = names
                .get(tenant)
                .map_or_else(|| tenant.to_string(), |t| format!("{} {}", t.name, tenant_name(t, lang)));
            Line { color: PALETTE[k % PALETTE.len()], label, points }
        })
        .collect();
    let w = left + pw + 260.0;
    let h = (top + ph + 30.0).max(top + 20.0 + tenants.len() as f64 * 14.0);
    markup! {
        svg xmlns="http://www.w3.org/2000/svg" id="trend" width=(w) height=(h) viewBox=(format!("0 0 {w} {h}"))
            font-family="sans-serif" {
            @for s in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(left) x2=(left + pw) y1=(y(s)) y2=(y(s)) stroke="#ddd" {}
                text x=(left - 4.0) y=(y(s) + 3.0) font-size="10" text-anchor="end" { (format!("{s:.0}")) }
            }
            @for (i, p) in e.trend.iter().enumerate() {
                text x=(x(i)) y=(top + ph + 16.0) font-size="10" text-anchor="middle" {
                    (p.at.get(..10).unwrap_or(&p.at))
                }
            }
            @for (k, Line { color, label, points }) in lines.iter().enumerate() {
                @let ly = top + 12.0 + k as f64 * 14.0;
                @let coords: Vec<String> = points.iter().map(|(px, py)| format!("{px},{py}")).collect();
                polyline class="trend" points=(coords.join(" ")) fill="none" stroke=(color) stroke-width="2" {
                    title { (label) }
                }
                @for (px, py) in points { circle cx=(px) cy=(py) r="3" fill=(color) {} }
                rect x=(left + pw + 14.0) y=(ly - 9.0) width="10" height="10" fill=(color) {}
                text x=(left + pw + 28.0) y=(ly) font-size="11" { (label) }
            }
        }
    }
}

/// The self-contained, printable HTML page: the title, then [`body`].
pub fn html(e: &Evaluation, lang: Lang) -> String {
    let w = |p| pick(lang, p);
    let all = markup! { h1 { (w(words::TITLE)) } (body(e, lang)) };
    page(lang, w(words::TITLE), STYLE, &all)
}

/// The evaluation under its title: scope, ranking, charts, trend, sections,
/// figures and methods. The printable page and the console's evaluation page
/// both show it.
pub fn body(e: &Evaluation, lang: Lang) -> Markup {
    let zh = lang == Lang::Zh;
    let w = |p| pick(lang, p);
    let name = |f: &FigureDef| if zh { f.name_zh } else { f.name_en };
    // Each figure's column is footnoted to its method.
    let note = |f: &FigureDef| FIGURES.iter().position(|g| g.id == f.id).map_or(0, |i| i + 1);
    markup! {
        p class="scope" { b { (e.scope.label(lang)) } @if let Some(basis) = e.scope.basis() { br; (w(words::SCOPE_BASIS)) ": " (basis) } }
        p { (w(words::AT)) " " (e.generated_at) " · " (w(words::INTRO)) }
        section id="ranking" {
            h2 { (w(words::RANKING)) }
            @for g in &e.groups {
                h3 { (pick(lang, g.kind.title())) }
                table {
                    tr {
                        th { (w(words::RANK)) } th { (w(words::TENANT)) } th { (w(words::NAME)) }
                        @for a in Axis::ALL { th { (pick(lang, a.title())) } }
                        th { (w(words::OVERALL)) }
                    }
                    @for t in ranked(e, g.kind) {
                        tr {
                            td class="num" { (t.overall_rank.map_or("—".into(), |r| r.to_string())) }
                            td { (t.name) }
                            td { (tenant_name(t, lang)) @if let Some(mn) = &t.name_mn { " " (mongolian(mn)) } }
                            @for a in Axis::ALL {
                                td class="num" {
                                    (score(t.scores.get(&a).copied()))
                                    @if let Some(r) = t.ranks.get(&a) { sup { (r) } }
                                }
                            }
                            td class="num" { b { (score(t.overall)) } }
                        }
                    }
                    tr {
                        td {}
                        td colspan="2" class="muted" { (w(words::GROUP_MEAN)) }
                        @for a in Axis::ALL { td class="num muted" { (score(g.scores.get(&a).copied())) } }
                        td class="num muted" { (score(g.overall)) }
                    }
                }
            }
        }
        section id="charts" {
            h2 { (w(words::CHARTS)) }
            div class="charts" { @for a in Axis::ALL { (axis_chart(e, a, lang)) } }
        }
        section id="trends" {
            h2 { (w(words::TRENDS)) }
            @if e.trend.len() > 1 { (trend_chart(e, lang)) } @else { p class="muted" { (w(words::NO_TREND)) } }
        }
        (super::sections::html(e, lang))
        section id="figures" {
            h2 { (w(words::FIGURES)) }
            @for a in Axis::ALL {
                h3 { (pick(lang, a.title())) }
                table {
                    tr {
                        th { (w(words::TENANT)) }
                        @for f in FIGURES.iter().filter(|f| f.axis == a) {
                            th { (name(f)) sup { a href=(format!("#m{}", f.id)) { (note(f)) } } }
                        }
                    }
                    @for t in &e.tenants {
                        tr {
                            td { (t.name) " " (tenant_name(t, lang)) }
                            @for f in FIGURES.iter().filter(|f| f.axis == a) { td class="num" { (show(f, t, lang)) } }
                        }
                    }
                }
            }
        }
        section id="methods" {
            h2 { (w(words::METHODS)) }
            table {
                tr { th { "#" } th { (w(words::FIGURE)) } th { (w(words::HOW)) } }
                @for f in FIGURES {
                    tr id=(format!("m{}", f.id)) {
                        td { (note(f)) }
                        td { (pick(lang, f.axis.title())) " · " (name(f)) }
                        td { (if zh { f.how_zh } else { f.how_en }) }
                    }
                }
            }
            h3 { (w(words::SCORES)) }
            table {
                @for a in Axis::ALL { tr { td { (pick(lang, a.title())) } td { (pick(lang, a.formula())) } } }
                tr { td { (w(words::OVERALL)) } td { (pick(lang, OVERALL_FORMULA)) } }
            }
            h3 { (w(words::MISSING)) }
            table {
                @for m in ALL_MISSING { tr { td { "— (" (pick(lang, m.text())) ")" } } }
            }
        }
    }
}
