//! A report written straight to its serialized form: the JSON text the API
//! server is sent, built result by result from the findings, never as a
//! tree of JSON values (at a province's size a report's tree is 1.5 MiB on
//! average, its text a fraction of that). The text is what [`report_with`]
//! builds and [`stamp_results`] stamps, to the byte once parsed; the
//! earlier report's times are read from [`Stamps`], a compact digest of
//! its results.
//!
//! [`report_with`]: super::report_with
//! [`stamp_results`]: super::stamp_results

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

use serde_json::{Value, json};

use super::reports::{REPORT_RESULTS_BYTES, ReportApi, bounded_keep, key, report_metadata, result, summary};
use crate::Finding;

/// When each result of a report last changed, by what the result says
/// (every field but its time, hashed): a compact digest of an earlier
/// report's results. A report's results share a few times: each result
/// keeps its key and the index of its time among them, 12 bytes a result
/// (at a province's size, a resync after a start holds it for about
/// 470,000 results).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stamps {
    /// The results' keys, sorted.
    keys: Box<[u64]>,
    /// Of each key, the index of its time in `times`.
    at: Box<[u32]>,
    /// The times the results have, each once.
    times: Box<[Stamp]>,
}

/// A result's time: seconds (what govcloud writes: no nanoseconds), or
/// whatever else the report held, kept as it was.
#[derive(Clone, Debug, PartialEq)]
enum Stamp {
    Seconds(i64),
    Other(Box<Value>),
}

impl Stamp {
    fn of(v: &Value) -> Stamp {
        let seconds = v.as_object().filter(|o| o.len() == 2 && o.get("nanos") == Some(&json!(0)));
        match seconds.and_then(|o| o.get("seconds")).and_then(Value::as_i64) {
            Some(s) => Stamp::Seconds(s),
            None => Stamp::Other(Box::new(v.clone())),
        }
    }

    fn text(&self) -> String {
        match self {
            Stamp::Seconds(s) => seconds_text(*s),
            Stamp::Other(v) => v.to_string(),
        }
    }
}

/// A result's key (what it says but its time) and its time, if it has one.
fn stamp_of(r: &Value) -> Option<(u64, Stamp)> {
    let o = r.as_object()?;
    let at = o.get("timestamp")?;
    // The result without its time, in the order a JSON value serializes (by key).
    let rest: BTreeMap<&String, &Value> = o.iter().filter(|(k, _)| *k != "timestamp").collect();
    let text = serde_json::to_string(&rest).ok()?;
    Some((key(&text), Stamp::of(at)))
}

/// A time of `s` seconds as [`stamp_results`](super::stamp_results) writes it.
fn seconds_text(s: i64) -> String {
    json!({"seconds": s, "nanos": 0}).to_string()
}

impl Stamps {
    /// The times of the results of `report` (a report as the API server
    /// holds it); when two results say the same, the later one's time, as
    /// [`stamp_results`](super::stamp_results) reads them.
    pub fn of(report: &Value) -> Stamps {
        let mut by: HashMap<u64, Stamp> = HashMap::new();
        report["results"].as_array().into_iter().flatten().filter_map(stamp_of).for_each(|(k, s)| {
            by.insert(k, s);
        });
        Stamps::from_map(by)
    }

    fn from_map(by: HashMap<u64, Stamp>) -> Stamps {
        let mut v: Vec<(u64, Stamp)> = by.into_iter().collect();
        v.sort_unstable_by_key(|(k, _)| *k);
        let (mut times, mut seconds): (Vec<Stamp>, HashMap<i64, usize>) = (Vec::new(), HashMap::new());
        let mut at = Vec::with_capacity(v.len());
        let mut keys = Vec::with_capacity(v.len());
        for (k, s) in v {
            let i = match s {
                // Seconds (what govcloud writes), each held once.
                Stamp::Seconds(t) => *seconds.entry(t).or_insert_with(|| {
                    times.push(s);
                    times.len() - 1
                }),
                Stamp::Other(_) => {
                    times.push(s);
                    times.len() - 1
                }
            };
            keys.push(k);
            at.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        Stamps { keys: keys.into(), at: at.into(), times: times.into() }
    }

    /// How many results it holds a time of.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn get(&self, k: u64) -> Option<&Stamp> {
        let i = self.keys.binary_search(&k).ok()?;
        self.times.get(*self.at.get(i)? as usize)
    }
}

/// What of a report decides whether it must be written again, its summary
/// and results, hashed from their JSON text: of a report as the API server
/// holds it, [`content_hash_of`] (or [`Listed::content`], read a result at
/// a time); of one being written, [`Written::content`]. Keyed at random
/// once per process, so that no one who writes a report can make another
/// content hash the same as govcloud's; never stored or compared across
/// processes.
#[derive(Clone)]
struct ContentHash {
    /// The summary's text, hashed (`None`: the report has none).
    summary: Option<u64>,
    /// Each result's text in turn.
    results: std::collections::hash_map::DefaultHasher,
    /// What `results` was: a list (as govcloud writes), none, or anything else.
    shape: Shape,
}

#[derive(Clone, Copy, Hash, PartialEq, Eq)]
enum Shape {
    List,
    Missing,
    Other,
}

/// The process's key of [`ContentHash`].
fn content_keys() -> &'static std::collections::hash_map::RandomState {
    static KEYS: std::sync::OnceLock<std::collections::hash_map::RandomState> = std::sync::OnceLock::new();
    KEYS.get_or_init(std::collections::hash_map::RandomState::new)
}

impl ContentHash {
    fn new() -> ContentHash {
        use std::hash::BuildHasher;
        ContentHash { summary: None, results: content_keys().build_hasher(), shape: Shape::Missing }
    }

    fn summary(&mut self, text: &str) {
        use std::hash::BuildHasher;
        self.summary = Some(content_keys().hash_one(text));
    }

    /// The next result, as its JSON text (a string hashes with a terminator:
    /// no two lists of results hash their texts the same way).
    fn result(&mut self, text: &str) {
        self.shape = Shape::List;
        text.hash(&mut self.results);
    }

    fn finish(&self) -> u64 {
        use std::hash::BuildHasher;
        content_keys().hash_one((self.summary, self.shape, self.results.finish()))
    }
}

/// The content hash of a report as JSON (as listed from the API server).
pub fn content_hash_of(report: &Value) -> u64 {
    let mut h = ContentHash::new();
    if let Some(s) = report.get("summary").filter(|s| !s.is_null()) {
        h.summary(&s.to_string());
    }
    match &report["results"] {
        Value::Array(rs) => {
            h.shape = Shape::List;
            rs.iter().for_each(|r| h.result(&r.to_string()));
        }
        Value::Null => {}
        _ => h.shape = Shape::Other,
    }
    h.finish()
}

/// A report as written: its JSON text and the hash of its content.
#[derive(Clone, Debug)]
pub struct Written {
    /// The report, as the JSON text sent to the API server.
    pub body: String,
    /// [`content_hash_of`] the report.
    pub content: u64,
}

/// What every report of a round wears: its API, labels and annotations.
#[derive(Clone, Copy, Debug)]
pub struct Dress<'a> {
    /// The reports' API.
    pub api: ReportApi,
    /// Their labels.
    pub labels: &'a BTreeMap<String, String>,
    /// Their annotations (the provenance).
    pub annotations: &'a BTreeMap<String, String>,
}

/// The report named `name` of findings `fs` (namespaced in `ns`, or the
/// cluster report), dressed in `dress`'s labels and annotations, each result stamped
/// with when it last changed (from `earlier`, else `now`, seconds since the
/// epoch): [`report_with`](super::report_with) then
/// [`stamp_results`](super::stamp_results), written straight to text.
pub fn report_text(
    dress: &Dress<'_>,
    ns: Option<&str>,
    name: &str,
    fs: &[&Finding],
    earlier: Option<&Stamps>,
    now: i64,
) -> Written {
    let Dress { api, labels, annotations } = *dress;
    let (version, kind, cluster_kind) = api.kinds();
    // Which results fit, as `bounded_results` decides: the sizes first.
    let sizes: Vec<usize> = fs.iter().map(|f| result(f).to_string().len()).collect();
    let (keep, omitted) = bounded_keep(fs, &sizes, REPORT_RESULTS_BYTES);
    drop(sizes);
    let metadata = report_metadata(name, ns, labels, annotations, omitted);
    let summary = summary(fs).to_string();
    let mut content = ContentHash::new();
    content.summary(&summary);
    content.shape = Shape::List;
    let now_text = seconds_text(now);
    let mut results = String::from("[");
    for (f, _) in fs.iter().zip(&keep).filter(|(_, k)| **k) {
        let text = result(f).to_string();
        let at = earlier.and_then(|e| e.get(key(&text))).map(Stamp::text);
        if results.len() > 1 {
            results.push(',');
        }
        let start = results.len();
        // `timestamp` sorts after every other key of a result: it goes last.
        results.push_str(text.strip_suffix('}').unwrap_or(&text));
        results.push_str(if text == "{}" { "\"timestamp\":" } else { ",\"timestamp\":" });
        results.push_str(at.as_deref().unwrap_or(&now_text));
        results.push('}');
        content.result(&results[start..]);
    }
    results.push(']');
    let head =
        json!({"apiVersion": version, "kind": if ns.is_some() { kind } else { cluster_kind }, "metadata": metadata});
    let head = head.to_string();
    let mut body = String::with_capacity(head.len() + summary.len() + results.len() + 24);
    body.push_str(head.strip_suffix('}').unwrap_or(&head));
    body.push_str(",\"summary\":");
    body.push_str(&summary);
    body.push_str(",\"results\":");
    body.push_str(&results);
    body.push('}');
    Written { content: content.finish(), body }
}

mod listed;
pub use listed::{Listed, ListedPage};

#[cfg(test)]
mod tests;
