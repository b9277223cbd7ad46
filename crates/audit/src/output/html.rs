//! The audit as one printable HTML page, with its topology as inline SVG.

use super::*;

/// The four result cells (pass, fail, warn, skip) of a summary row.
pub(super) fn count_cells(n: &[usize; 4]) -> String {
    format!(
        r#"<td class="pass">{}</td><td class="{}">{}</td><td>{}</td><td>{}</td>"#,
        n[0],
        if n[1] > 0 { "fail" } else { "" },
        n[1],
        n[2],
        n[3]
    )
}

pub(super) fn esc(s: &str) -> String {
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
                    crate::MATRIX_LIMIT
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
