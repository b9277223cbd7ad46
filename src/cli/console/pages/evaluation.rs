//! The evaluation (绩效评估), live: what `govcloud evaluate` computes for
//! what the user may read (the city for the audit bureau, its own tenants'
//! self-evaluation for a department), shown with the printable page's own
//! body ([`crate::evaluate::output::html_body`]: the same tables and charts).

use maud::html;

use super::{Chrome, Word, page, w};
use crate::evaluate::Evaluation;

const TITLE: Word = ("绩效评估", "evaluation");

/// The evaluation page.
pub fn evaluation(c: &Chrome, e: &Evaluation) -> String {
    let body = html! { div.evaluation { (crate::evaluate::output::html_body(e, c.lang)) } };
    page(c, w(c.lang, TITLE), body)
}

#[cfg(test)]
mod tests;
