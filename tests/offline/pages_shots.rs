//! The report pages as a person sees them, in headless Chromium (issue 29
//! items 4 and 5): the topology of the x10 province (300 tenants, 3,000
//! apps) reads at city scale, and a Mongolian name stands in the
//! traditional vertical script on the audit, evaluate and catalogue pages.
//! The screenshots are left under target/ to look at.

use std::path::Path;

use crate::support::offline::{chromium, govcloud, render_page, repo};

use crate::models;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// The value of attribute `name` in the first tag of `tag` (`<text class="x" …`).
fn attr(tag: &str, name: &str) -> Option<f64> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next()?.parse().ok()
}

#[test]
fn the_x10_topology_names_every_tenant_in_zh_within_bounds_and_renders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("province.yaml");
    std::fs::write(&model, models::province(300, 10)).expect("write");
    let page = dir.path().join("audit.html");
    let (code, _, err) = govcloud(&["audit", "-f", s(&model), "--format", "html", "--lang", "zh", "-o", s(&page)]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&page).expect("page");
    let start = html.find("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"topology\"").expect("the topology");
    let svg = &html[start..start + html[start..].find("</svg>").expect("its end") + 6];

    // One label per tenant, by its Chinese name, one row apart; a column per zone.
    let tenants: Vec<&str> = svg.split("<text class=\"tenant\"").skip(1).collect();
    assert_eq!(tenants.len(), 300, "a label per tenant");
    assert!(tenants.iter().all(|t| t.contains("</title>局")), "named in zh: {}", tenants[0]);
    let ys: Vec<f64> = tenants.iter().map(|t| attr(t, "y").expect("y")).collect();
    let row = govcloud::audit::output::topology::ROW_H;
    assert!(ys.windows(2).all(|w| (w[1] - w[0] - row).abs() < 1e-6), "labels a row apart");
    assert_eq!(svg.matches("<text class=\"zone\"").count(), 3);
    // Every tenant's apps counted in its zones' cells: 3,000 apps.
    let apps: usize = svg
        .split("<text class=\"apps\"")
        .skip(1)
        .map(|c| {
            c.split('>').nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse::<usize>().ok()).expect("count")
        })
        .sum();
    assert_eq!(apps, 3000);
    // Flows between tenants: one arc per pair, each with its count. Tenant t
    // calls t-1 (granted, and refused on a port it lacks) and t-2 (granted),
    // and waits on t+7 (pending): 299 + 298 + 300 pairs.
    let arcs = svg.matches("<path class=\"flow ").count();
    assert_eq!(arcs, 299 + 298 + 300, "one arc per pair of tenants");
    assert_eq!(svg.matches("<text class=\"count\"").count(), arcs);
    // Size bounds: a screen wide, a row per tenant high; labels at a readable size.
    let width = attr(svg, "width").expect("width");
    let height = attr(svg, "height").expect("height");
    assert!((600.0..=1400.0).contains(&width), "width {width}");
    assert!(height <= 300.0 * row + 200.0 && height >= 300.0 * row, "height {height}");
    assert!(attr(svg, "font-size").expect("font size") >= 12.0);

    let Some(chromium) = chromium() else { return };
    // The picture alone, under the page's shell, as a person opens it (kept under target/ too).
    let head = &html[..html.find("<body>").expect("body") + 6];
    let alone = repo().join("target/topology-x10.html");
    std::fs::write(&alone, format!("{head}{svg}</body></html>")).expect("write");
    let dom = render_page(&chromium, &alone, &repo().join("target/topology-x10.png"), "1400x1800");
    assert!(dom.contains("局299"), "the last tenant is in the rendered picture");
}

/// The page at `page` with a probe that measures the first Mongolian name
/// as laid out (`WIDTHxHEIGHT writing-mode`) into `data-mn` of the body,
/// and scrolls it into view for the screenshot.
fn probed(page: &Path) -> std::path::PathBuf {
    let html = std::fs::read_to_string(page).expect("page");
    let probe = "<script>const e=document.querySelector('.mn');e.scrollIntoView({block:'center'});\
const r=e.getBoundingClientRect();document.body.setAttribute('data-mn',\
Math.round(r.width)+'x'+Math.round(r.height)+' '+getComputedStyle(e).writingMode);</script></body>";
    let out = page.with_extension("probed.html");
    std::fs::write(&out, html.replacen("</body>", probe, 1)).expect("write");
    out
}

#[test]
fn mongolian_names_stand_vertical_on_the_audit_evaluate_and_catalogue_pages() {
    let font = std::process::Command::new("fc-list").arg(":lang=mn").output().map(|o| o.stdout).unwrap_or_default();
    let has_font = String::from_utf8_lossy(&font).contains("Mongolian");
    assert!(
        has_font || std::env::var_os("CI").is_none(),
        "CI: a Mongolian font must be installed (.ci/run: apt-get install fonts-noto-core)"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let chifeng = repo().join("examples/chifeng");
    // The ethnic affairs commission (市民委) and its Mongolian-language services.
    let tenant = "ᠬᠣᠲᠠ ᠶᠢᠨ ᠦᠨᠳᠦᠰᠦᠲᠡᠨ ᠦ ᠬᠡᠷᠡᠭ ᠦᠨ ᠵᠥᠪᠯᠡᠯ";
    for (command, name) in [("audit", tenant), ("evaluate", tenant), ("catalogue", "ᠮᠠᠺᠷᠣ")] {
        let page = dir.path().join(format!("{command}.html"));
        let (code, _, err) =
            govcloud(&[command, "-f", s(&chifeng), "--format", "html", "--lang", "zh", "-o", s(&page)]);
        assert_eq!(code, 0, "{command}: {err}");
        let html = std::fs::read_to_string(&page).expect("page");
        assert!(html.contains(&format!("<span class=\"mn\" lang=\"mn-Mong\">{name}")), "{command}: no vertical name");
        assert!(html.contains(".mn{writing-mode:vertical-lr;"), "{command}: no vertical rule");
        let Some(chromium) = chromium() else { continue };
        let shot = repo().join(format!("target/mongolian-{command}.png"));
        let dom = render_page(&chromium, &probed(&page), &shot, "1280x900");
        let measured = dom.split("data-mn=\"").nth(1).and_then(|r| r.split('"').next()).expect("the probe ran");
        let (size, mode) = measured.split_once(' ').expect("size and mode");
        let (w, h) = size.split_once('x').expect("WxH");
        let (w, h): (f64, f64) = (w.parse().expect("w"), h.parse().expect("h"));
        assert_eq!(mode, "vertical-lr", "{command}");
        assert!(h > 2.0 * w && w > 0.0, "{command}: the name stands vertical, {w}x{h} px");
    }
}
