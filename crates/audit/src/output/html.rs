//! The audit as one printable HTML page, with its topology as inline SVG
//! ([`super::topology`]), written with maud (every value escaped) in the shell of [`super::page`].

use govcloud_core::controls;

use crate::output::{Lang, by_cluster, by_control, cluster_name, outcome_name, pick, severity_name, title, words};
use crate::{Audit, Finding, Outcome, mlps};
use std::collections::BTreeMap;

use maud::{Markup, html as markup};

use super::page::{Style, page};
use super::topology::svg;

/// The audit page's own rules: outcomes, the connectivity matrix.
const STYLE: Style = Style {
    screen: concat!(
        ".fail{color:#d93025;font-weight:bold} .pass{color:#188038} .skip{color:#888} ",
        ".matrix td{text-align:center;width:14px} .yes{background:#fbd3cf} .ok{background:#d7f0dc}"
    ),
    print: "",
};

/// The outcomes in the order of the count columns.
const OUTCOMES: [Outcome; 4] = [Outcome::Pass, Outcome::Fail, Outcome::Warn, Outcome::Skip];

/// The four result cells (pass, fail, warn, skip) of a summary row.
fn count_cells(n: &[usize; 4]) -> Markup {
    markup! {
        td class="pass" { (n[0]) }
        td class=(if n[1] > 0 { "fail" } else { "" }) { (n[1]) }
        td { (n[2]) }
        td { (n[3]) }
    }
}

/// The self-contained HTML report.
pub fn html(a: &Audit, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let t = |zh_s: &'static str, en_s: &'static str| if zh { zh_s } else { en_s };
    let w = |p| pick(lang, p);
    let c = a.counts();
    let count = |o: Outcome| c.get(&o).copied().unwrap_or(0);
    let outcome_heads = markup! { @for o in OUTCOMES { th { (outcome_name(o, lang)) } } };
    // per tenant and per zone
    let mut by_tenant: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut by_zone: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for f in &a.findings {
        if let Some(tn) = &f.subject.tenant {
            by_tenant.entry(tn.to_string()).or_default()[f.outcome as usize] += 1;
        }
        if let Some(z) = &f.subject.zone {
            by_zone.entry(z.to_string()).or_default()[f.outcome as usize] += 1;
        }
    }
    let clusters = by_cluster(a);
    let city = !clusters.is_empty();
    let names: BTreeMap<&str, (&str, &str)> =
        a.tenants.iter().map(|(n, zh_n, en_n)| (n.as_str(), (zh_n.as_str(), en_n.as_str()))).collect();
    let failures: Vec<&Finding> = a.findings.iter().filter(|f| f.outcome == Outcome::Fail).collect();
    let body = markup! {
        h1 { (t("政务云合规报告（等保2.0）", "govcloud compliance report (MLPS 2.0)")) }
        section id="summary" {
            h2 { (t("总览", "Summary")) }
            p {
                span class="pass" { (count(Outcome::Pass)) " " (outcome_name(Outcome::Pass, lang)) }
                " · "
                span class="fail" { (count(Outcome::Fail)) " " (outcome_name(Outcome::Fail, lang)) }
                " · " (count(Outcome::Warn)) " " (outcome_name(Outcome::Warn, lang)) " · "
                span class="skip" { (count(Outcome::Skip)) " " (outcome_name(Outcome::Skip, lang)) }
            }
        }
        @if city {
            section id="clusters" {
                h2 { (t("按集群", "By cluster")) }
                table {
                    tr { th { (t("集群", "cluster")) } (outcome_heads) }
                    @for (c, n) in &clusters { tr { td { (cluster_name(*c, lang)) } (count_cells(n)) } }
                }
            }
        }
        section id="tenants" {
            h2 { (t("按租户", "By tenant")) }
            table {
                tr {
                    th { (w(words::TENANT)) } th { (w(words::NAME)) }
                    @if !a.mongolian.is_empty() { th { (t("蒙古文名称", "Mongolian")) } }
                    (outcome_heads)
                }
                @for (tn, n) in &by_tenant {
                    @let (zh_n, en_n) = names.get(tn.as_str()).copied().unwrap_or(("", ""));
                    tr {
                        td { (tn) } td { (if zh { zh_n } else { en_n }) }
                        @if !a.mongolian.is_empty() {
                            td { @if let Some(mn) = a.mongolian.get(tn) { (super::page::mongolian(mn)) } }
                        }
                        (count_cells(n))
                    }
                }
            }
        }
        section id="zones" {
            h2 { (t("按网络区", "By zone")) }
            table {
                tr { th { (w(words::ZONE)) } (outcome_heads) }
                @for (z, n) in &by_zone { tr { td { (z) } (count_cells(n)) } }
            }
        }
        section id="controls" {
            h2 { (t("按控制项", "By control")) }
            table {
                tr {
                    th { (w(words::ID)) } th { (w(words::CONTROL)) } th { (w(words::SEVERITY)) } th { (w(words::MLPS)) }
                    (outcome_heads)
                }
                @for (id, n) in by_control(a) {
                    tr {
                        td { (id) }
                        td { (title(id, lang)) }
                        td { (controls::control(id).map(|c| severity_name(c.severity, lang)).unwrap_or_default()) }
                        td { (mlps::clauses_of(id).join(", ")) }
                        (count_cells(&n))
                    }
                }
            }
        }
        section id="mlps" {
            h2 { (t("等保2.0 云计算扩展要求映射", "MLPS 2.0 cloud extension mapping")) }
            table {
                tr {
                    th { (w(words::LEVEL3)) } th { (w(words::LEVEL2)) } th { (t("类别", "category")) }
                    th { (t("要求", "requirement")) }
                    th { (t("控制项 / 人工核查", "controls / manual check")) }
                }
                @for r in mlps::REQUIREMENTS {
                    tr {
                        td { (r.clause_l3) }
                        td { (r.clause_l2.unwrap_or("—")) }
                        td { (if zh { r.category_zh } else { r.category_en }) }
                        td { (if zh { r.title_zh } else { r.title_en }) }
                        td {
                            @if r.controls.is_empty() {
                                (t("人工", "manual")) ": " (if zh { r.manual_zh } else { r.manual })
                            } @else {
                                (r.controls.join(", "))
                            }
                        }
                    }
                }
            }
        }
        section id="topology-section" {
            h2 { (t("网络区、租户应用与数据流", "Zones, apps and flows")) }
            (svg(a, lang))
        }
        (connectivity(a, lang))
        section id="evidence" {
            h2 { (t("不通过项及证据", "Failures and evidence")) }
            table {
                tr {
                    th { (w(words::RESULT)) }
                    @if city { th { (t("集群", "cluster")) } }
                    th { (w(words::CONTROL)) } th { (w(words::OBJECT)) }
                    th { (w(words::FIELD)) } th { (w(words::REASON)) } th { (w(words::EVIDENCE)) }
                }
                @if failures.is_empty() {
                    tr {
                        td colspan=(if city { 7 } else { 6 }) class="pass" {
                            (t("全部自动化控制项通过", "every automated control passes"))
                        }
                    }
                }
                @for f in &failures {
                    tr {
                        td class="fail" { (outcome_name(Outcome::Fail, lang)) }
                        @if city { td { (cluster_name(f.subject.cluster.as_deref(), lang)) } }
                        td { (f.control) } td { (f.subject.object) } td { (f.field) } td { (f.reason.text(lang)) }
                        td { (f.evidence_in(lang)) }
                    }
                }
            }
        }
    };
    page(lang, t("政务云合规报告", "govcloud compliance report"), STYLE, &body)
}

/// The tenant of a `tenant/app`.
fn tenant(app: &str) -> Option<&str> {
    app.split('/').next()
}

/// Who may reach whom: the matrix, or above `MATRIX_LIMIT` apps the
/// reachable pairs across tenants.
fn connectivity(a: &Audit, lang: Lang) -> Markup {
    let zh = lang == Lang::Zh;
    let t = |zh_s: &'static str, en_s: &'static str| if zh { zh_s } else { en_s };
    let apps = &a.connectivity.apps;
    if let Some(pairs) = &a.connectivity.reachable {
        let note = if zh {
            format!("共 {} 个应用，超过 {} 个，故只列出跨租户可达的应用对", apps.len(), crate::MATRIX_LIMIT)
        } else {
            a.connectivity.note.clone().unwrap_or_default()
        };
        return markup! {
            section id="connectivity" {
                h2 { (t("跨租户可达（行可访问列）", "Reachable across tenants (row may reach column)")) }
                p { (note) }
                table {
                    tr { th { (t("来源", "from")) } th { (t("目标", "to")) } }
                    @for (i, j) in pairs.iter().filter(|(i, j)| tenant(&apps[*i].0) != tenant(&apps[*j].0)) {
                        @let (from, to) = (&apps[*i], &apps[*j]);
                        tr {
                            td class="yes" { (from.0) " (" (from.1) ")" }
                            td class="yes" { (to.0) " (" (to.1) ")" }
                        }
                    }
                }
            }
        };
    }
    let dot = |b: bool| if b { "●" } else { "" };
    markup! {
        section id="connectivity" {
            h2 { (t("连通性矩阵（行可访问列）", "Connectivity (row may reach column)")) }
            table class="matrix" {
                tr {
                    th {}
                    @for i in 1..=apps.len() { th { (i) } }
                    th { (t("出互联网", "to internet")) }
                    th { (t("来自互联网", "from internet")) }
                }
                @for (i, (app, zone)) in apps.iter().enumerate() {
                    tr {
                        th { (i + 1) " " (app) " (" (zone) ")" }
                        @for (j, reach) in a.connectivity.reach[i].iter().enumerate() {
                            @let same_tenant = tenant(&apps[j].0) == tenant(app);
                            @let class = if *reach && !same_tenant { "yes" } else if *reach { "ok" } else { "" };
                            td class=(class) { (dot(*reach)) }
                        }
                        td { (dot(a.connectivity.internet_out[i])) }
                        td { (dot(a.connectivity.internet_in[i])) }
                    }
                }
            }
        }
    }
}
