//! The topology picture of the audit page, made to read at city scale (300
//! tenants and more): one row per tenant, named by its display name in the
//! page's language; one column per zone, where a cell counts the tenant's
//! apps in that zone (its apps in the cell's tooltip); and the flows
//! between tenants as arcs in a gutter on the right, one arc per
//! consumer → provider pair with the number of flows on it by state
//! (granted, pending, refused), every flow with its reason in the arc's
//! tooltip. A row's height and the columns' widths do not depend on the
//! number of apps or flows, so the picture grows by one row per tenant.

use std::collections::{BTreeMap, BTreeSet};

use govcloud_core::api::FlowState;
use maud::{Markup, html as markup};

use super::{Lang, flow_state_name, pick, zone_kind_name};
use crate::Audit;

/// Height of a tenant's row, px.
pub const ROW_H: f64 = 20.0;
/// Size of every label, px.
pub const FONT: f64 = 12.0;
/// Width of a zone's column, px.
const ZONE_W: f64 = 120.0;
/// Widest name column, px (a longer name ends in `…`, whole in its tooltip).
const NAME_MAX_W: f64 = 260.0;
/// Widest arc, px: an arc bulges by the square root of the rows it spans.
const ARC_MAX: f64 = 360.0;
/// Where the rows start, below the zones' heads.
const TOP: f64 = 64.0;

const WORDS_APPS: (&str, &str) = ("个应用", "apps");
const WORDS_PICTURE: (&str, &str) =
    ("网络区、租户应用与租户间数据流", "zones, tenants' apps and flows between tenants");
const WORDS_TENANT: (&str, &str) = ("租户", "tenant");
const WORDS_FLOWS: (&str, &str) = ("租户间数据流（条数）", "flows between tenants (count)");
const WORDS_INTERNAL: (&str, &str) = ("租户内部数据流（未画出）", "flows within a tenant (not drawn)");

/// The width a label takes at [`FONT`]: a CJK (or other wide) character a
/// full em, an ASCII one about 0.6 em.
pub fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 0.6 } else { 1.0 }).sum::<f64>() * FONT
}

/// `s` cut to at most `max` px wide, ending in `…` when cut.
fn fit(s: &str, max: f64) -> String {
    if text_width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&out) + text_width(&c.to_string()) + FONT > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A name's sort key in natural order: its runs of digits compared as numbers.
fn natural(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let text_end = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let (text, tail) = rest.split_at(text_end);
        let digits_end = tail.find(|c: char| !c.is_ascii_digit()).unwrap_or(tail.len());
        let (digits, tail) = tail.split_at(digits_end);
        out.push((text.to_string(), digits.parse().unwrap_or(u64::MAX)));
        rest = tail;
    }
    out
}

/// The flows from one tenant to another: how many by state, and each one.
#[derive(Default)]
struct Pair<'a> {
    counts: [usize; 3],
    flows: Vec<&'a crate::FlowRow>,
}

fn state_index(s: FlowState) -> usize {
    match s {
        FlowState::Granted => 0,
        FlowState::Pending => 1,
        FlowState::Refused => 2,
    }
}

const STATES: [FlowState; 3] = [FlowState::Granted, FlowState::Pending, FlowState::Refused];

fn color(s: FlowState) -> &'static str {
    match s {
        FlowState::Granted => "#188038",
        FlowState::Pending => "#e37400",
        FlowState::Refused => "#d93025",
    }
}

fn dash(s: FlowState) -> &'static str {
    match s {
        FlowState::Granted => "",
        FlowState::Pending => "6,4",
        FlowState::Refused => "2,3",
    }
}

/// The zones, tenants and flows as an inline SVG (see the module's text).
pub fn svg(a: &Audit, lang: Lang) -> Markup {
    let zh = lang == Lang::Zh;
    // Rows: every tenant, and any tenant an app or flow names that the audit does not list.
    let mut names: BTreeMap<&str, &str> =
        a.tenants.iter().map(|(n, zh_n, en_n)| (n.as_str(), if zh { zh_n.as_str() } else { en_n.as_str() })).collect();
    let tenant_of = |s: &'_ str| s.split('/').next().unwrap_or_default().to_string();
    let mut cells: BTreeMap<(String, &str), Vec<&str>> = BTreeMap::new();
    for (app, zone) in &a.connectivity.apps {
        cells.entry((tenant_of(app), zone.as_str())).or_default().push(app.as_str());
    }
    let extra: BTreeSet<String> = cells.keys().map(|(t, _)| t.clone()).collect();
    for t in &extra {
        names.entry(t.as_str()).or_insert("");
    }
    // In natural order (t2 before t10): numbered tenants stay next to their neighbours.
    let mut labels: Vec<(&str, String)> =
        names.iter().map(|(n, shown)| (*n, if shown.is_empty() { n.to_string() } else { shown.to_string() })).collect();
    labels.sort_by_key(|a| natural(a.0));
    let rows: BTreeMap<&str, usize> = labels.iter().enumerate().map(|(i, (n, _))| (*n, i)).collect();
    let row_y = |i: usize| TOP + i as f64 * ROW_H;
    let name_w = labels.iter().map(|(_, l)| text_width(l)).fold(4.0 * FONT, f64::max).min(NAME_MAX_W).ceil() + 16.0;
    let zone_x = |j: usize| 10.0 + name_w + j as f64 * ZONE_W;
    // The pairs between tenants, and the flows within one.
    let mut pairs: BTreeMap<(usize, usize), Pair<'_>> = BTreeMap::new();
    let mut internal = 0usize;
    for f in &a.flows {
        let (from, to) = (tenant_of(&f.from), tenant_of(&f.to));
        if from == to {
            internal += 1;
            continue;
        }
        if let (Some(&i), Some(&j)) = (rows.get(from.as_str()), rows.get(to.as_str())) {
            let p = pairs.entry((i, j)).or_default();
            p.counts[state_index(f.state)] += 1;
            p.flows.push(f);
        }
    }
    let gutter = zone_x(a.zones.len()) + 16.0;
    let bulge = |i: usize, j: usize| {
        // A lane per distance, wide enough apart for their counts; upward
        // arcs between two lanes, so a pair's two directions do not overlap.
        let up = if j < i { 22.0 } else { 0.0 };
        (30.0 + 44.0 * (1.0 + i.abs_diff(j) as f64).log2() + up).min(ARC_MAX)
    };
    let widest = pairs.keys().map(|(i, j)| bulge(*i, *j)).fold(0.0, f64::max);
    let w = (gutter + widest + 90.0).max(gutter + text_width(pick(lang, WORDS_FLOWS)) + 20.0).ceil();
    let h = row_y(rows.len()) + 56.0;
    markup! {
        svg xmlns="http://www.w3.org/2000/svg" id="topology" width=(w) height=(h) viewBox=(format!("0 0 {w} {h}"))
            font-family="sans-serif" font-size=(FONT) aria-label=(pick(lang, WORDS_PICTURE)) {
            defs {
                @for s in STATES {
                    marker id=(format!("arrow-{}", s.as_str())) viewBox="0 0 10 10" refX="9" refY="5"
                        markerWidth="6" markerHeight="6" orient="auto" {
                        path d="M0,0 L10,5 L0,10 z" fill=(color(s)) {}
                    }
                }
            }
            text x="10" y=(TOP - 12.0) font-weight="bold" { (pick(lang, WORDS_TENANT)) }
            text x=(gutter) y=(TOP - 12.0) font-weight="bold" { (pick(lang, WORDS_FLOWS)) }
            @for (j, (zname, kind, level)) in a.zones.iter().enumerate() {
                @let fill = match kind.as_str() { "private" => "#fdecea", "internet" => "#e8f0fe", _ => "#e6f4ea" };
                rect class="zone" x=(zone_x(j) + 2.0) y="8" width=(ZONE_W - 4.0)
                    height=(row_y(rows.len()) - 4.0) rx="6" fill=(fill) stroke="#999" {}
                text class="zone" x=(zone_x(j) + 8.0) y="26" font-weight="bold" {
                    title { (zname) }
                    (fit(zname, ZONE_W - 12.0))
                }
                text x=(zone_x(j) + 8.0) y="42" fill="#555" {
                    (zone_kind_name(kind, lang)) " · " @if zh { "等保" (level) "级" } @else { "MLPS " (level) }
                }
            }
            @for (i, (n, label)) in labels.iter().enumerate() {
                @let y = row_y(i);
                @if i % 2 == 1 {
                    rect class="stripe" x="4" y=(y) width=(gutter - 8.0) height=(ROW_H) fill="#000" fill-opacity="0.04" {}
                }
                text class="tenant" x="10" y=(y + ROW_H - 6.0) {
                    title { (n) " " (label) }
                    (fit(label, NAME_MAX_W))
                }
                @for (j, (zname, ..)) in a.zones.iter().enumerate() {
                    @if let Some(apps) = cells.get(&(n.to_string(), zname.as_str())) {
                        rect class="cell" x=(zone_x(j) + 8.0) y=(y + 3.0) width=(ZONE_W - 16.0) height=(ROW_H - 6.0)
                            rx="3" fill="#fff" stroke="#888" {
                            title { (apps.join(", ")) }
                        }
                        text class="apps" x=(zone_x(j) + 14.0) y=(y + ROW_H - 6.0) fill="#333" {
                            (apps.len()) " " (if apps.len() == 1 && !zh { "app" } else { pick(lang, WORDS_APPS) })
                        }
                    }
                }
            }
            @for ((i, j), p) in &pairs {
                @let (y1, y2) = (row_y(*i) + ROW_H / 2.0, row_y(*j) + ROW_H / 2.0);
                @let r = bulge(*i, *j);
                @let worst = STATES.into_iter().rev().find(|s| p.counts[state_index(*s)] > 0).unwrap_or(FlowState::Granted);
                path class=(format!("flow {}", worst.as_str())) fill="none" stroke=(color(worst)) stroke-width="1.2"
                    stroke-dasharray=(dash(worst)) marker-end=(format!("url(#arrow-{})", worst.as_str()))
                    d=(format!("M{gutter},{y1} C{c:.1},{y1} {c:.1},{y2} {gutter},{y2}", c = gutter + r / 0.75)) {
                    title {
                        @for f in &p.flows {
                            (f.from) " → " (f.to) ": " (flow_state_name(f.state, lang))
                            // The reason in the page's language (the catalogue's).
                            " — " (f.why.text(lang))
                            "\n"
                        }
                    }
                }
            }
            // The counts over every arc, each with a white halo to stay legible.
            @for ((i, j), p) in &pairs {
                @let (y1, y2) = (row_y(*i) + ROW_H / 2.0, row_y(*j) + ROW_H / 2.0);
                @let r = bulge(*i, *j);
                text class="count" x=(format!("{:.1}", gutter + r + 4.0)) y=((y1 + y2) / 2.0 + 4.0) stroke="#fff"
                    stroke-width="3" paint-order="stroke" font-weight="bold" {
                    @for (k, s) in STATES.into_iter().filter(|s| p.counts[state_index(*s)] > 0).enumerate() {
                        @if k > 0 { "/" }
                        tspan fill=(color(s)) { (p.counts[state_index(s)]) }
                    }
                }
            }
            text x="10" y=(h - 30.0) {
                @for s in STATES {
                    tspan fill=(color(s)) { (if s == FlowState::Granted { "—— " } else if s == FlowState::Pending { "- - " } else { "··· " }) (flow_state_name(s, lang)) }
                    "    "
                }
                (pick(lang, WORDS_INTERNAL)) ": " (internal)
            }
        }
    }
}

#[cfg(test)]
mod tests;
