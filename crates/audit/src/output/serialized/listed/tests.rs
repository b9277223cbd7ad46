//! Unit tests of `listed`: a page read a result at a time says what the
//! reports parsed whole say.

use super::super::tests::{finding_for_tests as finding, old_for_tests as old};
use super::*;
use crate::output::{content_hash_of, report_groups};
use crate::{Audit, Finding, Outcome};
use govcloud_core::controls::Severity;
use serde_json::json;

#[test]
fn a_page_read_a_result_at_a_time_says_what_the_reports_parsed_whole_say() {
    let outcomes = [Outcome::Pass, Outcome::Fail, Outcome::Warn, Outcome::Skip];
    let severities = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];
    let findings: Vec<Finding> =
        (0..3_000).map(|i| finding(i, outcomes[i * 7 % 4 * (i % 2)], severities[i * 5 % 4])).collect();
    let audit = Audit { findings, ..Default::default() };
    let mut items: Vec<Value> = report_groups(&audit)
        .iter()
        .enumerate()
        .map(|(i, (ns, fs))| {
            let mut r = old(fs, *ns, None, 100 + i as i64);
            r["metadata"]["namespace"] = json!(ns);
            r
        })
        .collect();
    assert!(items.len() >= 3, "{}", items.len());
    // And what govcloud does not write: no summary, results of another
    // shape, a result without a time, a report without metadata.
    items.push(json!({"kind": "Report", "metadata": {"name": "bare", "namespace": "x"}}));
    items.push(json!({"kind": "Report", "metadata": {"name": "null"}, "summary": null, "results": null}));
    items.push(json!({"kind": "Report", "metadata": {"name": "text"}, "summary": {"pass": 1}, "results": "a text"}));
    items.push(json!({"kind": "Report", "metadata": {"name": "map"}, "summary": {"pass": 1}, "results": {"a": [1]}}));
    items.push(json!({"kind": "Report", "results": [{"rule": "r"}, 3, {"rule": "s", "timestamp": {"seconds": 5, "nanos": 0}}]}));
    let page = json!({"apiVersion": "openreports.io/v1alpha1", "kind": "ReportList",
        "metadata": {"resourceVersion": "7", "continue": "next-page"}, "items": items});
    let read: ListedPage = serde_json::from_str(&page.to_string()).expect("a page");
    assert_eq!(read.continue_.as_deref(), Some("next-page"));
    assert_eq!(read.items.len(), items.len());
    for (r, v) in read.items.iter().zip(&items) {
        let m = &v["metadata"];
        assert_eq!(r.name, m["name"].as_str().unwrap_or_default());
        assert_eq!(r.namespace, m["namespace"].as_str().unwrap_or_default());
        assert_eq!(r.content, content_hash_of(v), "{}", r.name);
        assert_eq!(r.stamps, Stamps::of(v), "{}", r.name);
    }
    // Govcloud's reports have every result stamped; contents differ by
    // report, and from each of the others (which are alike in pairs: none
    // and null; two shapes that are not a list).
    let ours = items.len() - 5;
    assert!(read.items[..ours].iter().all(|r| !r.stamps.is_empty()));
    let contents: std::collections::BTreeSet<u64> = read.items.iter().map(|r| r.content).collect();
    assert_eq!(contents.len(), ours + 3, "contents hash apart");
    // A result changed or left out, a summary changed: another content.
    let mut edited = items[0].clone();
    edited["results"][0]["result"] = json!("pass-ish");
    assert_ne!(content_hash_of(&edited), read.items[0].content);
    let mut fewer = items[0].clone();
    fewer["results"].as_array_mut().expect("results").pop();
    assert_ne!(content_hash_of(&fewer), read.items[0].content);
    let mut summary = items[0].clone();
    summary["summary"]["pass"] = json!(1_000_000);
    assert_ne!(content_hash_of(&summary), read.items[0].content);
    // The last page; an empty list.
    let last: ListedPage = serde_json::from_str(r#"{"metadata":{},"items":null}"#).expect("a page");
    assert_eq!(last, ListedPage::default());
    // Not a list: an error, not a panic.
    assert!(serde_json::from_str::<ListedPage>(r#"{"items":[3]}"#).is_err());
}
