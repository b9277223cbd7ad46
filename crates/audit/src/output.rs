//! The audit in the formats auditors' tools read: a terminal table (zh/en),
//! JSON, OpenReports (`openreports.io/v1alpha1` Report and ClusterReport, or
//! `wgpolicyk8s.io/v1alpha2` PolicyReport), and a printable HTML page with an
//! inline SVG of zones, tenants, apps and flows.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Audit, Finding, Outcome, mlps};
use govcloud_core::api::FlowState;
use govcloud_core::controls::{self, CATALOGUE};

/// Report language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// 中文
    Zh,
    /// English
    En,
}

/// The words of a page: (zh, en). A page is in one language throughout;
/// only what the cluster says (names, fields, evidence) is left as it is.
pub mod words {
    pub const TENANT: (&str, &str) = ("租户", "tenant");
    pub const NAME: (&str, &str) = ("名称", "name");
    pub const ZONE: (&str, &str) = ("网络区", "zone");
    pub const ID: (&str, &str) = ("编号", "id");
    pub const CONTROL: (&str, &str) = ("控制项", "control");
    pub const SEVERITY: (&str, &str) = ("严重性", "severity");
    pub const MLPS: (&str, &str) = ("等保条款", "MLPS");
    pub const RESULT: (&str, &str) = ("结果", "result");
    pub const OBJECT: (&str, &str) = ("对象", "object");
    pub const FIELD: (&str, &str) = ("字段", "field");
    pub const EVIDENCE: (&str, &str) = ("证据", "evidence");
    pub const LEVEL3: (&str, &str) = ("三级条款", "L3");
    pub const LEVEL2: (&str, &str) = ("二级条款", "L2");
}

fn pick(lang: Lang, pair: (&'static str, &'static str)) -> &'static str {
    if lang == Lang::Zh { pair.0 } else { pair.1 }
}

/// A severity's name.
pub fn severity_name(s: controls::Severity, lang: Lang) -> &'static str {
    use controls::Severity::*;
    pick(
        lang,
        match s {
            Critical => ("严重", "Critical"),
            High => ("高危", "High"),
            Medium => ("中危", "Medium"),
            Low => ("低危", "Low"),
        },
    )
}

/// An outcome's name.
pub fn outcome_name(o: Outcome, lang: Lang) -> &'static str {
    pick(
        lang,
        match o {
            Outcome::Pass => ("通过", "pass"),
            Outcome::Fail => ("不通过", "fail"),
            Outcome::Warn => ("警告", "warn"),
            Outcome::Skip => ("跳过", "skip"),
        },
    )
}

/// A zone kind's name (`extranet`, `private`, `internet`).
pub fn zone_kind_name(kind: &str, lang: Lang) -> String {
    match (lang, kind) {
        (Lang::Zh, "extranet") => "政务外网".into(),
        (Lang::Zh, "private") => "政务专网".into(),
        (Lang::Zh, "internet") => "互联网区".into(),
        _ => kind.to_string(),
    }
}

/// A flow state's name.
pub fn flow_state_name(s: FlowState, lang: Lang) -> &'static str {
    pick(
        lang,
        match s {
            FlowState::Granted => ("已授权", "granted"),
            FlowState::Pending => ("待授权", "pending"),
            FlowState::Refused => ("已拒绝", "refused"),
        },
    )
}

fn title(id: &str, lang: Lang) -> &'static str {
    controls::control(id).map(|c| if lang == Lang::Zh { c.title_zh } else { c.title_en }).unwrap_or("")
}

/// Per control: pass, fail, warn, skip counts.
pub fn by_control(a: &Audit) -> BTreeMap<&'static str, [usize; 4]> {
    let mut m: BTreeMap<&'static str, [usize; 4]> = CATALOGUE.iter().map(|c| (c.id, [0; 4])).collect();
    for f in &a.findings {
        let e = m.entry(f.control).or_default();
        e[f.outcome as usize] += 1;
    }
    m
}

/// The clusters of a city report (or of an audit of one named cluster),
/// with their pass, fail, warn and skip counts; `None` holds the checks only
/// the view over the whole city makes. Nothing when no finding names a cluster.
pub fn by_cluster(a: &Audit) -> BTreeMap<Option<&str>, [usize; 4]> {
    let mut m: BTreeMap<Option<&str>, [usize; 4]> = BTreeMap::new();
    if a.findings.iter().all(|f| f.cluster.is_none()) {
        return m;
    }
    for f in &a.findings {
        m.entry(f.cluster.as_deref()).or_default()[f.outcome as usize] += 1;
    }
    m
}

/// How a page names a finding's cluster in a city report.
pub fn cluster_name(c: Option<&str>, lang: Lang) -> String {
    match c {
        None => pick(lang, ("全市", "city")).to_string(),
        Some("") => pick(lang, ("未命名集群", "cluster without a name")).to_string(),
        Some(c) => c.to_string(),
    }
}

/// The terminal table.
pub fn table(a: &Audit, lang: Lang) -> String {
    let (h, fail) = if lang == Lang::Zh {
        (["控制项", "名称", "严重性", "通过", "不通过", "警告", "跳过", "等保条款"], "不通过")
    } else {
        (["control", "title", "severity", "pass", "fail", "warn", "skip", "MLPS"], "FAIL")
    };
    let mut s =
        format!("{:<12} {:<34} {:<9} {:>5} {:>5} {:>5} {:>5}  {}\n", h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
    for (id, n) in by_control(a) {
        let sev = controls::control(id).map(|c| severity_name(c.severity, lang)).unwrap_or_default();
        s.push_str(&format!(
            "{:<12} {:<34} {:<9} {:>5} {:>5} {:>5} {:>5}  {}\n",
            id,
            title(id, lang),
            sev,
            n[0],
            n[1],
            n[2],
            n[3],
            mlps::clauses_of(id).join(",")
        ));
    }
    let c = a.counts();
    let n = |o: Outcome| format!("{} {}", c.get(&o).unwrap_or(&0), outcome_name(o, lang).to_uppercase());
    s.push_str(&format!(
        "\n{}: {}, {}, {}, {}\n",
        if lang == Lang::Zh { "合计" } else { "total" },
        n(Outcome::Pass),
        n(Outcome::Fail),
        n(Outcome::Warn),
        n(Outcome::Skip)
    ));
    let clusters = by_cluster(a);
    for (c, n) in &clusters {
        s.push_str(&format!(
            "  {}: {} {}, {} {}, {} {}, {} {}\n",
            match c {
                Some(name) if !name.is_empty() => format!("{} {name}", pick(lang, ("集群", "cluster"))),
                _ => cluster_name(*c, lang),
            },
            n[0],
            outcome_name(Outcome::Pass, lang).to_uppercase(),
            n[1],
            outcome_name(Outcome::Fail, lang).to_uppercase(),
            n[2],
            outcome_name(Outcome::Warn, lang).to_uppercase(),
            n[3],
            outcome_name(Outcome::Skip, lang).to_uppercase()
        ));
    }
    for f in a.findings.iter().filter(|f| f.outcome == Outcome::Fail) {
        let at = if clusters.is_empty() {
            String::new()
        } else {
            format!("[{}] ", cluster_name(f.cluster.as_deref(), lang))
        };
        // The findings' messages are English; a Chinese page gives the control's Chinese title.
        if lang == Lang::Zh {
            s.push_str(&format!(
                "{fail} {at}{} {} {}：{}（证据：{}）\n",
                f.control,
                f.object,
                f.field,
                title(f.control, lang),
                f.evidence
            ));
        } else {
            s.push_str(&format!("{fail} {at}{} {} {}: {} ({})\n", f.control, f.object, f.field, f.message, f.evidence));
        }
    }
    s
}

/// The JSON document.
pub fn json(a: &Audit) -> Value {
    let clusters: Vec<Value> = by_cluster(a)
        .into_iter()
        .map(|(c, n)| json!({"cluster": c, "pass": n[0], "fail": n[1], "warn": n[2], "skip": n[3]}))
        .collect();
    let mut doc = json!({
        "summary": a.counts().iter().map(|(k, v)| (k.as_str().to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "controls": CATALOGUE.iter().map(|c| json!({"id": c.id, "title_zh": c.title_zh, "title_en": c.title_en, "severity": c.severity, "mlps": mlps::clauses_of(c.id), "results": by_control(a).get(c.id)})).collect::<Vec<_>>(),
        "mlps": mlps::REQUIREMENTS,
        "findings": a.findings,
        "connectivity": a.connectivity,
        "flows": a.flows,
    });
    // A city report: per cluster (null: the checks over the whole city).
    if !clusters.is_empty() {
        doc["clusters"] = json!(clusters);
    }
    doc
}

fn result(f: &Finding) -> Value {
    let c = controls::control(f.control);
    let resource = match f.object.split('/').collect::<Vec<_>>().as_slice() {
        [kind, ns, name] => json!([{"kind": kind, "namespace": ns, "name": name}]),
        [kind, name] => json!([{"kind": kind, "name": name}]),
        _ => json!([]),
    };
    json!({
        "source": "govcloud",
        "policy": govcloud_core::meta::names::control_policy(f.control),
        "rule": f.control,
        "result": f.outcome.as_str(),
        "severity": match f.severity { controls::Severity::Critical => "critical", controls::Severity::High => "high", controls::Severity::Medium => "medium", controls::Severity::Low => "low" },
        "category": c.map(|c| c.title_en).unwrap_or(""),
        "message": f.message,
        "resources": resource,
        "properties": properties(f, c),
    })
}

/// A result's properties: the MLPS clauses and levels, the field, the
/// evidence and, in a city report, the cluster.
fn properties(f: &Finding, c: Option<&controls::Control>) -> Value {
    let mut p = json!({"mlps": mlps::clauses_of(f.control).join(","), "levels": c.map(|c| c.levels.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(",")).unwrap_or_default(), "field": f.field, "evidence": f.evidence});
    if let Some(cluster) = &f.cluster {
        p["cluster"] = json!(cluster);
    }
    p
}

fn summary(findings: &[&Finding]) -> Value {
    let n = |o: Outcome| findings.iter().filter(|f| f.outcome == o).count();
    json!({"pass": n(Outcome::Pass), "fail": n(Outcome::Fail), "warn": n(Outcome::Warn), "skip": n(Outcome::Skip), "error": 0})
}

/// Which report API to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportApi {
    /// `openreports.io/v1alpha1` Report and ClusterReport.
    Openreports,
    /// `wgpolicyk8s.io/v1alpha2` PolicyReport and ClusterPolicyReport.
    Wgpolicy,
}

impl ReportApi {
    /// `apiVersion`, the namespaced report kind and the cluster report kind.
    pub fn kinds(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ReportApi::Openreports => ("openreports.io/v1alpha1", "Report", "ClusterReport"),
            ReportApi::Wgpolicy => ("wgpolicyk8s.io/v1alpha2", "PolicyReport", "ClusterPolicyReport"),
        }
    }
}

/// One report per tenant namespace and one cluster report for the rest.
pub fn reports(a: &Audit, api: ReportApi, labels: &BTreeMap<String, String>) -> Vec<Value> {
    report_groups(a).into_iter().map(|(ns, fs)| report(api, labels, ns, &fs)).collect()
}

/// The findings of each report: per tenant namespace (in order), then the
/// cluster report's (namespace `None`) last.
pub fn report_groups(a: &Audit) -> Vec<(Option<&str>, Vec<&Finding>)> {
    let mut by_ns: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut cluster = Vec::new();
    for f in &a.findings {
        match &f.namespace {
            Some(ns) if f.tenant.is_some() => by_ns.entry(&**ns).or_default().push(f),
            _ => cluster.push(f),
        }
    }
    by_ns.into_iter().map(|(ns, fs)| (Some(ns), fs)).chain([(None, cluster)]).collect()
}

/// The report of findings `fs`: namespaced in `ns`, or the cluster report.
pub fn report(api: ReportApi, labels: &BTreeMap<String, String>, ns: Option<&str>, fs: &[&Finding]) -> Value {
    let (version, kind, cluster_kind) = api.kinds();
    let (results, (omitted_others, omitted_passes)) = bounded_results(fs, REPORT_RESULTS_BYTES);
    let mut metadata = json!({"name": govcloud_core::meta::names::REPORT, "labels": labels});
    if let Some(ns) = ns {
        metadata["namespace"] = json!(ns);
    }
    if omitted_others + omitted_passes > 0 {
        metadata["annotations"] = json!({OMITTED: omitted_note(omitted_others, omitted_passes)});
    }
    json!({"apiVersion": version, "kind": if ns.is_some() { kind } else { cluster_kind }, "metadata": metadata, "summary": summary(fs), "results": results})
}

/// Bytes of results one report may carry: a report is one object in etcd,
/// whose requests are limited to 1.5–2 MiB (and the API server's to 3 MiB).
pub const REPORT_RESULTS_BYTES: usize = 1024 * 1024;

/// Annotation saying how many passing results a report left out.
pub use govcloud_core::meta::labels::OMITTED_RESULTS as OMITTED;

/// The results of `fs` within `budget` bytes: failures, warnings and skips
/// first, by severity (critical first), then passes while they fit; and how
/// many (failures, warnings and skips; passes) were left out. Nothing that
/// is not a pass is left out for a pass. The results keep `fs`'s order.
pub fn bounded_results(fs: &[&Finding], budget: usize) -> (Vec<Value>, (usize, usize)) {
    let mut keep = vec![false; fs.len()];
    let mut used = 0;
    let (mut omitted_others, mut omitted_passes) = (0, 0);
    let mut others: Vec<usize> = (0..fs.len()).filter(|i| fs[*i].outcome != Outcome::Pass).collect();
    // Stable: equal severities keep their order.
    others.sort_by_key(|i| std::cmp::Reverse(fs[*i].severity));
    let passes = (0..fs.len()).filter(|i| fs[*i].outcome == Outcome::Pass);
    for i in others.into_iter().chain(passes) {
        let size = result(fs[i]).to_string().len();
        if used + size <= budget {
            used += size;
            keep[i] = true;
        } else if fs[i].outcome == Outcome::Pass {
            omitted_passes += 1;
        } else {
            omitted_others += 1;
        }
    }
    (fs.iter().zip(keep).filter(|(_, k)| *k).map(|(f, _)| result(f)).collect(), (omitted_others, omitted_passes))
}

/// What the [`OMITTED`] annotation says of the results a report left out.
pub fn omitted_note(others: usize, passes: usize) -> String {
    let what = match (others, passes) {
        (0, p) => format!("{p} passing results"),
        (o, 0) => format!("{o} failing, warning or skipped results (the least severe)"),
        (o, p) => format!("{o} failing, warning or skipped results (the least severe) and {p} passing results"),
    };
    format!(
        "{what} left out to keep the report under the API server's size limit; the summary counts them, and `govcloud audit` lists them"
    )
}

/// The four result cells (pass, fail, warn, skip) of a summary row.
fn count_cells(n: &[usize; 4]) -> String {
    format!(
        r#"<td class="pass">{}</td><td class="{}">{}</td><td>{}</td><td>{}</td>"#,
        n[0],
        if n[1] > 0 { "fail" } else { "" },
        n[1],
        n[2],
        n[3]
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The zones, tenants, apps and flows as an inline SVG.
pub fn svg(a: &Audit, lang: Lang) -> String {
    let zones: Vec<&(String, String, u8)> = a.zones.iter().collect();
    let (col_w, row_h, top) = (360.0, 26.0, 60.0);
    let mut pos: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut body = String::new();
    let mut max_rows = 0usize;
    for (i, (zname, kind, level)) in zones.iter().enumerate() {
        let x = 20.0 + i as f64 * (col_w + 40.0);
        let apps: Vec<&(String, String)> = a.connectivity.apps.iter().filter(|(_, z)| z == zname).collect();
        max_rows = max_rows.max(apps.len());
        let fill = match kind.as_str() {
            "private" => "#fdecea",
            "internet" => "#e8f0fe",
            _ => "#e6f4ea",
        };
        body.push_str(&format!(r##"<rect class="zone" x="{x}" y="20" width="{col_w}" height="{h}" rx="8" fill="{fill}" stroke="#555"/><text x="{}" y="44" font-weight="bold">{} ({}, {})</text>"##, x + 10.0, esc(zname), zone_kind_name(kind, lang), if lang == Lang::Zh { format!("等保 {level} 级") } else { format!("MLPS {level}") }, h = top + apps.len() as f64 * row_h + 20.0));
        for (j, (app, _)) in apps.iter().enumerate() {
            let y = top + j as f64 * row_h;
            body.push_str(&format!(
                r##"<rect class="app" x="{}" y="{y}" width="{}" height="20" rx="4" fill="#fff" stroke="#888"/><text x="{}" y="{}" font-size="12">{}</text>"##,
                x + 10.0,
                col_w - 20.0,
                x + 16.0,
                y + 14.0,
                esc(app)
            ));
            // Flows name apps tenant/zone/app.
            pos.insert(
                app.split_once('/').map_or_else(|| app.to_string(), |(t, n)| format!("{t}/{zname}/{n}")),
                (x, y + 10.0),
            );
        }
    }
    for f in &a.flows {
        let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(&f.from), pos.get(&f.to)) else { continue };
        let (color, dash) = match f.state {
            FlowState::Granted => ("#188038", ""),
            FlowState::Pending => ("#f29900", "6,4"),
            FlowState::Refused => ("#d93025", "2,3"),
        };
        let (sx, ex) = if x1 <= x2 { (x1 + col_w - 10.0, x2 + 10.0) } else { (x1 + 10.0, x2 + col_w - 10.0) };
        let (sx, ex) = if (x1 - x2).abs() < 1.0 { (x1 + col_w - 10.0, x2 + col_w - 10.0) } else { (sx, ex) };
        body.push_str(&format!(
            r#"<path class="flow {state}" d="M{sx},{y1} C{c1},{y1} {c2},{y2} {ex},{y2}" fill="none" stroke="{color}" stroke-width="1.5" stroke-dasharray="{dash}" marker-end="url(#arrow)"><title>{from} → {to}: {shown}{reason}</title></path>"#,
            c1 = sx + if (x1 - x2).abs() < 1.0 { 40.0 } else { (ex - sx) / 2.0 },
            c2 = ex + if (x1 - x2).abs() < 1.0 { 40.0 } else { -(ex - sx) / 2.0 },
            state = f.state.as_str(),
            shown = flow_state_name(f.state, lang),
            from = esc(&f.from),
            to = esc(&f.to),
            // The reasons are English sentences: only an English page gives them.
            reason = if lang == Lang::Zh { String::new() } else { format!(" — {}", esc(&f.reason)) },
        ));
    }
    let w = 40.0 + zones.len() as f64 * (col_w + 40.0);
    let h = top + max_rows as f64 * row_h + 80.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="topology" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>{body}<text x="20" y="{ly}" font-size="12"><tspan fill="#188038">— {g}</tspan>  <tspan fill="#f29900">- - {p}</tspan>  <tspan fill="#d93025">··· {r}</tspan></text></svg>"##,
        ly = h - 16.0,
        g = flow_state_name(FlowState::Granted, lang),
        p = flow_state_name(FlowState::Pending, lang),
        r = flow_state_name(FlowState::Refused, lang)
    )
}

/// The self-contained HTML report.
pub fn html(a: &Audit, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let t = |zh_s: &'static str, en_s: &'static str| if zh { zh_s } else { en_s };
    let c = a.counts();
    let mut s = String::new();
    s.push_str(&format!(
        r#"<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title><style>
body{{font-family:sans-serif;margin:24px;color:#222}} table{{border-collapse:collapse;margin:8px 0 20px}} td,th{{border:1px solid #ccc;padding:3px 6px;font-size:12px}}
th{{background:#f3f3f3}} .fail{{color:#d93025;font-weight:bold}} .pass{{color:#188038}} .skip{{color:#888}} .matrix td{{text-align:center;width:14px}} .yes{{background:#fbd3cf}} .ok{{background:#d7f0dc}}
@media print{{section{{page-break-inside:avoid}}}}</style></head><body>"#,
        if zh { "zh" } else { "en" },
        t("政务云合规报告", "govcloud compliance report")
    ));
    s.push_str(&format!(
        r#"<h1>{}</h1><section id="summary"><h2>{}</h2><p><span class="pass">{} {}</span> · <span class="fail">{} {}</span> · {} {} · <span class="skip">{} {}</span></p>"#,
        t("政务云合规报告（等保2.0）", "govcloud compliance report (MLPS 2.0)"),
        t("总览", "Summary"),
        c.get(&Outcome::Pass).unwrap_or(&0),
        outcome_name(Outcome::Pass, lang),
        c.get(&Outcome::Fail).unwrap_or(&0),
        outcome_name(Outcome::Fail, lang),
        c.get(&Outcome::Warn).unwrap_or(&0),
        outcome_name(Outcome::Warn, lang),
        c.get(&Outcome::Skip).unwrap_or(&0),
        outcome_name(Outcome::Skip, lang)
    ));
    let w = |p| pick(lang, p);
    let outcome_heads = [Outcome::Pass, Outcome::Fail, Outcome::Warn, Outcome::Skip]
        .map(|o| format!("<th>{}</th>", outcome_name(o, lang)))
        .concat();
    // per tenant and per zone
    let mut by_tenant: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut by_zone: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for f in &a.findings {
        if let Some(tn) = &f.tenant {
            by_tenant.entry(tn.to_string()).or_default()[f.outcome as usize] += 1;
        }
        if let Some(z) = &f.zone {
            by_zone.entry(z.to_string()).or_default()[f.outcome as usize] += 1;
        }
    }
    let clusters = by_cluster(a);
    if !clusters.is_empty() {
        s.push_str(&format!(
            r#"</section><section id="clusters"><h2>{}</h2><table><tr><th>{}</th>{outcome_heads}</tr>"#,
            t("按集群", "By cluster"),
            t("集群", "cluster")
        ));
        for (c, n) in &clusters {
            s.push_str(&format!("<tr><td>{}</td>{}</tr>", esc(&cluster_name(*c, lang)), count_cells(n)));
        }
        s.push_str("</table>");
    }
    let names: BTreeMap<&str, (&str, &str)> =
        a.tenants.iter().map(|(n, zh_n, en_n)| (n.as_str(), (zh_n.as_str(), en_n.as_str()))).collect();
    s.push_str(&format!(
        r#"</section><section id="tenants"><h2>{}</h2><table><tr><th>{}</th><th>{}</th>{outcome_heads}</tr>"#,
        t("按租户", "By tenant"),
        w(words::TENANT),
        w(words::NAME)
    ));
    for (tn, n) in &by_tenant {
        let (zh_n, en_n) = names.get(tn.as_str()).copied().unwrap_or(("", ""));
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td>{}</tr>",
            esc(tn),
            esc(if zh { zh_n } else { en_n }),
            count_cells(n)
        ));
    }
    s.push_str(&format!(
        r#"</table></section><section id="zones"><h2>{}</h2><table><tr><th>{}</th>{outcome_heads}</tr>"#,
        t("按网络区", "By zone"),
        w(words::ZONE)
    ));
    for (z, n) in &by_zone {
        s.push_str(&format!("<tr><td>{}</td>{}</tr>", esc(z), count_cells(n)));
    }
    s.push_str(&format!(
        r#"</table></section><section id="controls"><h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>{outcome_heads}</tr>"#,
        t("按控制项", "By control"),
        w(words::ID),
        w(words::CONTROL),
        w(words::SEVERITY),
        w(words::MLPS)
    ));
    for (id, n) in by_control(a) {
        let sev = controls::control(id).map(|c| severity_name(c.severity, lang)).unwrap_or_default();
        s.push_str(&format!(
            "<tr><td>{id}</td><td>{}</td><td>{sev}</td><td>{}</td>{}</tr>",
            esc(title(id, lang)),
            mlps::clauses_of(id).join(", "),
            count_cells(&n)
        ));
    }
    s.push_str(&format!(
        r#"</table></section><section id="mlps"><h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"#,
        t("等保2.0 云计算扩展要求映射", "MLPS 2.0 cloud extension mapping"),
        w(words::LEVEL3),
        w(words::LEVEL2),
        t("类别", "category"),
        t("要求", "requirement"),
        t("控制项 / 人工核查", "controls / manual check")
    ));
    for r in mlps::REQUIREMENTS {
        let manual = if zh { r.manual_zh } else { r.manual };
        let how = if r.controls.is_empty() {
            format!("{}: {}", t("人工", "manual"), esc(manual))
        } else {
            r.controls.join(", ")
        };
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.clause_l3,
            r.clause_l2.unwrap_or("—"),
            if zh { r.category_zh } else { r.category_en },
            esc(if zh { r.title_zh } else { r.title_en }),
            how
        ));
    }
    s.push_str(&format!(
        r#"</table></section><section id="topology-section"><h2>{}</h2>{}</section>"#,
        t("网络区、租户应用与数据流", "Zones, apps and flows"),
        svg(a, lang)
    ));
    // connectivity matrix; above MATRIX_LIMIT apps, the reachable pairs across tenants
    if let Some(pairs) = &a.connectivity.reachable {
        s.push_str(&format!(
            r#"<section id="connectivity"><h2>{}</h2><p>{}</p><table><tr><th>{}</th><th>{}</th></tr>"#,
            t("跨租户可达（行可访问列）", "Reachable across tenants (row may reach column)"),
            if zh {
                format!(
                    "共 {} 个应用，超过 {} 个，故只列出跨租户可达的应用对",
                    a.connectivity.apps.len(),
                    super::MATRIX_LIMIT
                )
            } else {
                esc(a.connectivity.note.as_deref().unwrap_or_default())
            },
            t("来源", "from"),
            t("目标", "to")
        ));
        let tenant = |i: usize| a.connectivity.apps[i].0.split('/').next();
        for (i, j) in pairs.iter().filter(|(i, j)| tenant(*i) != tenant(*j)) {
            let (from, to) = (&a.connectivity.apps[*i], &a.connectivity.apps[*j]);
            s.push_str(&format!(
                r#"<tr><td class="yes">{} ({})</td><td class="yes">{} ({})</td></tr>"#,
                esc(&from.0),
                esc(&from.1),
                esc(&to.0),
                esc(&to.1)
            ));
        }
    } else {
        s.push_str(&format!(
            r#"<section id="connectivity"><h2>{}</h2><table class="matrix"><tr><th></th>"#,
            t("连通性矩阵（行可访问列）", "Connectivity (row may reach column)")
        ));
        for (i, _) in a.connectivity.apps.iter().enumerate() {
            s.push_str(&format!("<th>{}</th>", i + 1));
        }
        s.push_str(&format!(
            "<th>{}</th><th>{}</th></tr>",
            t("出互联网", "to internet"),
            t("来自互联网", "from internet")
        ));
        for (i, (app, zone)) in a.connectivity.apps.iter().enumerate() {
            s.push_str(&format!("<tr><th>{} {} ({})</th>", i + 1, esc(app), esc(zone)));
            for (j, reach) in a.connectivity.reach[i].iter().enumerate() {
                let same_tenant = a.connectivity.apps[j].0.split('/').next() == app.split('/').next();
                s.push_str(&format!(
                    r#"<td class="{}">{}</td>"#,
                    if *reach && !same_tenant {
                        "yes"
                    } else if *reach {
                        "ok"
                    } else {
                        ""
                    },
                    if *reach { "●" } else { "" }
                ));
            }
            s.push_str(&format!(
                "<td>{}</td><td>{}</td></tr>",
                if a.connectivity.internet_out[i] { "●" } else { "" },
                if a.connectivity.internet_in[i] { "●" } else { "" }
            ));
        }
    }
    let city = !clusters.is_empty();
    s.push_str(&format!(
        r#"</table></section><section id="evidence"><h2>{}</h2><table><tr><th>{}</th>{}<th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"#,
        t("不通过项及证据", "Failures and evidence"),
        w(words::RESULT),
        if city { format!("<th>{}</th>", t("集群", "cluster")) } else { String::new() },
        w(words::CONTROL),
        w(words::OBJECT),
        w(words::FIELD),
        w(words::EVIDENCE)
    ));
    let failures: Vec<&Finding> = a.findings.iter().filter(|f| f.outcome == Outcome::Fail).collect();
    if failures.is_empty() {
        s.push_str(&format!(
            r#"<tr><td colspan="{}" class="pass">{}</td></tr>"#,
            if city { 6 } else { 5 },
            t("全部自动化控制项通过", "every automated control passes")
        ));
    }
    for f in failures {
        s.push_str(&format!(
            r#"<tr><td class="fail">{}</td>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            outcome_name(Outcome::Fail, lang),
            if city { format!("<td>{}</td>", esc(&cluster_name(f.cluster.as_deref(), lang))) } else { String::new() },
            f.control,
            esc(&f.object),
            esc(&f.field),
            esc(&f.evidence)
        ));
    }
    s.push_str("</table></section></body></html>\n");
    s
}

#[cfg(test)]
mod tests;
