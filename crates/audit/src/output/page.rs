//! The printable page every report is: the audit's (here) and the
//! evaluation's (`govcloud-evaluate`). One shell (doctype, language, head,
//! the style sheet they share), and their content written with maud, which
//! escapes every value it is given (`&`, `<`, `>`, `"`, in text and in
//! attribute values alike, in HTML and in inline SVG): no report escapes by
//! hand.

use maud::{Markup, PreEscaped, html};

use super::Lang;
use govcloud_core::provenance::Provenance;

/// The rules every report page has: the page, its tables and their cells.
const STYLE: &str = concat!(
    "body{font-family:sans-serif;margin:24px;color:#222} table{border-collapse:collapse;margin:8px 0 20px} ",
    "td,th{border:1px solid #ccc;padding:3px 6px;font-size:12px}\nth{background:#f3f3f3}",
    // Mongolian in its traditional vertical script, top to bottom, lines left to right.
    " .mn{writing-mode:vertical-lr;display:inline-block;vertical-align:top;max-height:22em;font-size:14px;",
    "font-family:'Noto Sans Mongolian','Mongolian Baiti',sans-serif;line-height:1.3}"
);

/// A page's own rules, after the shared ones: on screen, and when printed
/// (where every page keeps a section on one sheet).
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Rules for the screen (and print).
    pub screen: &'static str,
    /// Rules for print only.
    pub print: &'static str,
}

/// The self-contained page: `body` under the shared head, in `lang`, with
/// the title `heading`.
pub fn page(lang: Lang, heading: &str, style: Style, body: &Markup) -> String {
    // A style sheet is raw text in HTML (escaping would break it): it is
    // written only from the constants of the pages, never from data.
    let css = format!("\n{STYLE} {}\n@media print{{section{{page-break-inside:avoid}}{}}}", style.screen, style.print);
    let mut s = html! {
        (PreEscaped("<!doctype html>"))
        html lang=(if lang == Lang::Zh { "zh" } else { "en" }) {
            head {
                meta charset="utf-8";
                title { (heading) }
                style { (PreEscaped(css)) }
            }
            body { (body) }
        }
    }
    .into_string();
    s.push('\n');
    s
}

/// A Mongolian name (`displayName.mn`) as every page shows it: in the
/// traditional vertical script (the `.mn` rule of the shared style).
pub fn mongolian(name: &str) -> Markup {
    html! { span class="mn" lang="mn-Mong" { (name) } }
}

/// The provenance of a report, as the first section of its page.
pub fn provenance(p: &Provenance, lang: Lang) -> Markup {
    html! {
        section.provenance {
            table {
                @for (k, v) in p.lines(lang == Lang::Zh) {
                    tr { th { (k) } td { (v) } }
                }
            }
        }
    }
}

/// A page made by [`page`] with its provenance as the first section of its
/// body (every report page is made by [`page`], whose body opens once).
pub fn with_provenance(page: &str, p: &Provenance, lang: Lang) -> String {
    let section = provenance(p, lang).into_string();
    match page.split_once("<body>") {
        Some((head, body)) => format!("{head}<body>{section}{body}"),
        None => format!("{section}{page}"),
    }
}
