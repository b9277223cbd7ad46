//! Where a report comes from, so that a filed report can be dated and
//! traced: when it was made, by which govcloud, from what (live clusters,
//! with their context and API server; or files, with the git commit of the
//! tree they are in and whether it held changes not committed), in which
//! language and with which filters. One type for every report (audit,
//! evaluate, catalogue) and every format: the table and the HTML page show
//! [`Provenance::lines`], the JSON carries it as `provenance`, and
//! OpenReports carry [`Provenance::annotations`].
//!
//! Pure: the edges (the command, the operator) find the commit and the
//! server and fill it in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::meta::labels::{
    PROVENANCE_FILTERS as FILTERS, PROVENANCE_GENERATED_AT as GENERATED_AT, PROVENANCE_SOURCE as SOURCE,
    PROVENANCE_VERSION as VERSION,
};

/// This build's version.
pub const GOVCLOUD_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a report comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The govcloud version that made it.
    pub govcloud_version: String,
    /// What was read.
    pub source: Source,
    /// The language of the page (`zh`, `en`); none where the format has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The filters applied (flag without dashes -> value); empty: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub filters: BTreeMap<String, String>,
}

/// What a report was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Source {
    /// Clusters read live (several: a city).
    Live {
        /// Each cluster read.
        clusters: Vec<LiveCluster>,
    },
    /// Files read offline.
    Files {
        /// Each file or directory given.
        files: Vec<FileSource>,
    },
}

/// One cluster read live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveCluster {
    /// The cluster's name in the zones' `spec.cluster` (none: unnamed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The kubeconfig context (none: in a pod, or unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The API server's URL (none: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

/// One file or directory read, and the git state of the tree it is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSource {
    /// The path as given.
    pub path: String,
    /// Its git work tree's state.
    pub git: Git,
}

/// The git state of a file's work tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Git {
    /// Not in a git work tree (or git could not tell).
    NotAGitTree,
    /// In a git work tree at this commit.
    Commit {
        /// The commit checked out (full hash).
        commit: String,
        /// Whether the tree held changes not committed.
        dirty: bool,
    },
}

/// A word of the provenance: (zh, en).
type Word = (&'static str, &'static str);
const GENERATED: Word = ("生成时间", "generated at");
const BY: Word = ("govcloud 版本", "govcloud version");
const FROM: Word = ("来源", "source");
const LANGUAGE: Word = ("语言", "language");
const FILTERED: Word = ("筛选条件", "filters");
const NONE: Word = ("无", "none");
const CLUSTER: Word = ("集群", "cluster");
const UNNAMED: Word = ("未命名集群", "cluster without a name");
const CONTEXT: Word = ("上下文", "context");
const SERVER: Word = ("API 服务器", "API server");
const NOT_GIT: Word = ("不在 git 工作树中", "not a git tree");
const DIRTY: Word = ("有未提交的修改", "with changes not committed");
const CLEAN: Word = ("无未提交的修改", "clean");

/// A time as a provenance gives it: to the second, in UTC (RFC 3339).
pub fn time(t: k8s_openapi::jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Provenance {
    /// The provenance of the reports the operator writes in the cluster it
    /// runs in (`cluster`: its `--cluster`), made at `at`.
    pub fn in_cluster(at: k8s_openapi::jiff::Timestamp, cluster: Option<&str>) -> Self {
        let name = cluster.filter(|c| !c.is_empty()).map(str::to_string);
        Provenance::new(time(at), Source::Live { clusters: vec![LiveCluster { name, context: None, server: None }] })
    }

    /// A provenance made by this build, with no language and no filters.
    pub fn new(generated_at: impl Into<String>, source: Source) -> Self {
        Provenance {
            generated_at: generated_at.into(),
            govcloud_version: GOVCLOUD_VERSION.to_string(),
            source,
            lang: None,
            filters: BTreeMap::new(),
        }
    }

    /// The lines a page shows, labelled in its language (`zh`: Chinese,
    /// anything else: English).
    pub fn lines(&self, zh: bool) -> Vec<(&'static str, String)> {
        let w = |p: Word| if zh { p.0 } else { p.1 };
        let filters = if self.filters.is_empty() {
            w(NONE).to_string()
        } else {
            self.filters.iter().map(|(k, v)| format!("--{k} {v}")).collect::<Vec<_>>().join(" ")
        };
        let mut out = vec![
            (w(GENERATED), self.generated_at.clone()),
            (w(BY), self.govcloud_version.clone()),
            (w(FROM), self.source.describe(zh)),
        ];
        if let Some(lang) = &self.lang {
            out.push((w(LANGUAGE), lang.clone()));
        }
        out.push((w(FILTERED), filters));
        out
    }

    /// The lines as text, one `label: value` a line, then a blank line.
    pub fn text(&self, zh: bool) -> String {
        let sep = if zh { "：" } else { ": " };
        let mut s: String = self.lines(zh).into_iter().map(|(k, v)| format!("{k}{sep}{v}\n")).collect();
        s.push('\n');
        s
    }

    /// The annotations a report object carries.
    pub fn annotations(&self) -> BTreeMap<String, String> {
        let mut a = BTreeMap::from([
            (GENERATED_AT.to_string(), self.generated_at.clone()),
            (VERSION.to_string(), self.govcloud_version.clone()),
            (SOURCE.to_string(), serde_json::to_string(&self.source).unwrap_or_default()),
        ]);
        if !self.filters.is_empty() {
            a.insert(FILTERS.to_string(), serde_json::to_string(&self.filters).unwrap_or_default());
        }
        a
    }
}

impl Source {
    /// One line: each cluster with its context and server, or each file
    /// with its commit.
    pub fn describe(&self, zh: bool) -> String {
        let w = |p: Word| if zh { p.0 } else { p.1 };
        let parts: Vec<String> = match self {
            Source::Live { clusters } => clusters
                .iter()
                .map(|c| {
                    let mut s = match c.name.as_deref() {
                        Some(n) if !n.is_empty() => format!("{} {n}", w(CLUSTER)),
                        _ => w(UNNAMED).to_string(),
                    };
                    let details: Vec<String> = [(CONTEXT, &c.context), (SERVER, &c.server)]
                        .into_iter()
                        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{} {v}", w(k))))
                        .collect();
                    if !details.is_empty() {
                        s.push_str(&format!(" ({})", details.join(", ")));
                    }
                    s
                })
                .collect(),
            Source::Files { files } => files
                .iter()
                .map(|f| match &f.git {
                    Git::NotAGitTree => format!("{} ({})", f.path, w(NOT_GIT)),
                    Git::Commit { commit, dirty } => {
                        format!("{} (git {commit}, {})", f.path, w(if *dirty { DIRTY } else { CLEAN }))
                    }
                })
                .collect(),
        };
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(git: Git) -> Provenance {
        Provenance::new("2026-12-05T21:00:00Z", Source::Files { files: vec![FileSource { path: "m/".into(), git }] })
    }

    #[test]
    fn lines_name_the_commit_and_whether_the_tree_was_dirty() {
        let p = files(Git::Commit { commit: "abc123".into(), dirty: true });
        let text = p.text(false);
        assert!(text.contains("generated at: 2026-12-05T21:00:00Z\n"), "{text}");
        assert!(text.contains(&format!("govcloud version: {GOVCLOUD_VERSION}\n")), "{text}");
        assert!(text.contains("source: m/ (git abc123, with changes not committed)\n"), "{text}");
        assert!(text.contains("filters: none\n"), "{text}");
        assert!(files(Git::NotAGitTree).text(true).contains("来源：m/ (不在 git 工作树中)\n"));
    }

    #[test]
    fn live_sources_name_context_and_server_and_filters_are_listed() {
        let mut p = Provenance::new(
            "t",
            Source::Live {
                clusters: vec![
                    LiveCluster { name: Some("private".into()), context: Some("adm".into()), server: None },
                    LiveCluster { name: None, context: None, server: Some("https://k:6443".into()) },
                ],
            },
        );
        p.filters.insert("tenant".into(), "tongji".into());
        p.lang = Some("zh".into());
        let lines = p.lines(false);
        assert!(lines.contains(&(
            "source",
            "cluster private (context adm); cluster without a name (API server https://k:6443)".to_string()
        )));
        assert!(lines.contains(&("filters", "--tenant tongji".to_string())));
        assert!(lines.contains(&("language", "zh".to_string())));
    }

    #[test]
    fn times_are_to_the_second_in_utc() {
        let t: k8s_openapi::jiff::Timestamp = "2026-12-05T21:00:07.123456Z".parse().unwrap_or_default();
        let p = Provenance::in_cluster(t, Some("private"));
        assert_eq!(p.generated_at, "2026-12-05T21:00:07Z");
        assert_eq!(p.source.describe(false), "cluster private");
    }

    #[test]
    fn annotations_round_trip_the_source_and_filters() {
        let mut p = files(Git::Commit { commit: "c".into(), dirty: false });
        assert!(!p.annotations().contains_key(FILTERS));
        p.filters.insert("zone".into(), "extranet".into());
        let a = p.annotations();
        assert_eq!(a[GENERATED_AT], p.generated_at);
        assert_eq!(a[VERSION], GOVCLOUD_VERSION);
        assert_eq!(serde_json::from_str::<Source>(&a[SOURCE]).ok(), Some(p.source.clone()));
        assert_eq!(serde_json::from_str::<BTreeMap<String, String>>(&a[FILTERS]).ok(), Some(p.filters.clone()));
        let json = serde_json::to_value(&p).unwrap_or_default();
        assert_eq!(serde_json::from_value::<Provenance>(json).ok(), Some(p));
    }
}
