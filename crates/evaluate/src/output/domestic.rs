//! The 国产化 section: cores on domestic platforms, per zone and for the
//! city, each platform counted, and how.

use std::fmt::Write as _;

use govcloud_audit::output::Lang;
use maud::{Markup, html as markup};

use crate::Evaluation;
use crate::domestic::{DOMESTIC_HOW, DomesticShare};
use crate::output::pick;

mod words {
    pub const TITLE: (&str, &str) = ("国产化（国产软硬件平台）", "Domestic platforms");
    pub const NONE: (&str, &str) = (
        "没有网络区的 status.platforms（离线清单未含状态，或运营方尚未统计节点），无法计算国产化比例。",
        "No zone's status lists its nodes' platforms (offline manifests without status, or nodes not counted yet): no domestic share.",
    );
    pub const ZONE: (&str, &str) = ("网络区", "zone");
    pub const CITY: (&str, &str) = ("全市", "city");
    pub const NODES: (&str, &str) = ("节点（国产/全部）", "nodes (domestic/all)");
    pub const CORES: (&str, &str) = ("CPU 核（国产/全部）", "cores (domestic/all)");
    pub const SHARE: (&str, &str) = ("国产化比例", "domestic share");
    pub const PLATFORM: (&str, &str) = ("架构 / 操作系统镜像 / 内核", "architecture / OS image / kernel");
    pub const DOMESTIC: (&str, &str) = ("国产", "domestic");
    pub const YES: (&str, &str) = ("是", "yes");
    pub const NO: (&str, &str) = ("否", "no");
    pub const LIST: (&str, &str) = ("计为国产", "counted as domestic");
}

fn cells(d: &DomesticShare) -> [String; 3] {
    [
        format!("{}/{}", d.domestic_nodes, d.nodes),
        format!("{}/{}", d.domestic_cores, d.cores),
        d.share.map_or_else(|| "—".to_string(), |s| format!("{:.1}%", s * 100.0)),
    ]
}

fn list(e: &Evaluation) -> Option<String> {
    let d = e.domestic.as_ref()?;
    Some(format!("{}; {}", d.platforms.architectures.join(", "), d.platforms.os_images.join(", ")))
}

/// The section as text.
pub(crate) fn table(e: &Evaluation, lang: Lang) -> String {
    let w = |p| pick(lang, p);
    let mut s = format!("\n{}\n", w(words::TITLE));
    let Some(d) = &e.domestic else {
        let _ = writeln!(s, "  {}", w(words::NONE));
        return s;
    };
    let _ =
        writeln!(s, "  {:<22} {:>20} {:>24} {:>14}", w(words::ZONE), w(words::NODES), w(words::CORES), w(words::SHARE));
    for (z, share) in d.zones.iter().chain([(&pick(lang, words::CITY).to_string(), &d.city)]) {
        let [n, c, r] = cells(share);
        let _ = writeln!(s, "  {z:<22} {n:>20} {c:>24} {r:>14}");
    }
    for r in &d.rows {
        let p = &r.platform;
        let _ = writeln!(
            s,
            "    {} {} / {} / {}: {} × {} ({}: {})",
            r.zone,
            p.architecture,
            p.os_image,
            p.kernel_version,
            p.nodes,
            p.cpu,
            w(words::DOMESTIC),
            w(if r.domestic { words::YES } else { words::NO })
        );
    }
    let _ = writeln!(s, "  {}: {}", w(words::LIST), list(e).unwrap_or_default());
    let _ = writeln!(s, "  ({})", pick(lang, DOMESTIC_HOW));
    s
}

/// The section of the HTML page.
pub(crate) fn html(e: &Evaluation, lang: Lang) -> Markup {
    let w = |p| pick(lang, p);
    markup! {
        section id="domestic" {
            h2 { (w(words::TITLE)) }
            @match &e.domestic {
                None => p class="muted" { (w(words::NONE)) },
                Some(d) => {
                    table {
                        tr { th { (w(words::ZONE)) } th { (w(words::NODES)) } th { (w(words::CORES)) } th { (w(words::SHARE)) } }
                        @for (z, share) in &d.zones { tr { td { (z) } @for v in cells(share) { td class="num" { (v) } } } }
                        tr { td { b { (w(words::CITY)) } } @for v in cells(&d.city) { td class="num" { b { (v) } } } }
                    }
                    table {
                        tr { th { (w(words::ZONE)) } th { (w(words::PLATFORM)) } th { (w(words::NODES)) } th { (w(words::CORES)) } th { (w(words::DOMESTIC)) } }
                        @for r in &d.rows {
                            tr {
                                td { (r.zone) }
                                td { (r.platform.architecture) " / " (r.platform.os_image) " / " (r.platform.kernel_version) }
                                td class="num" { (r.platform.nodes) }
                                td class="num" { (r.platform.cpu) }
                                td { (w(if r.domestic { words::YES } else { words::NO })) }
                            }
                        }
                    }
                    p class="muted" { (w(words::LIST)) ": " (list(e).unwrap_or_default()) " · " (pick(lang, DOMESTIC_HOW)) }
                }
            }
        }
    }
}
