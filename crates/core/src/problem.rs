//! What went wrong with a declared object, said so a person can fix it:
//! which object, which field, what is wrong and what to do.
//!
//! The message and the fix are kept as English text (what a condition
//! carries): render writes there the English of a catalogue message, and
//! [`FileProblem::text`] reads it back in the page's language
//! ([`crate::messages::said`]); words that are no catalogue text (a YAML
//! parser's) are given as they are.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::messages::{Lang, said};

/// `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    /// Kind, for example `DepartmentApp`.
    pub kind: String,
    /// Namespace of a namespaced object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl ObjectRef {
    /// A cluster-scoped object.
    pub fn cluster(kind: &str, name: &str) -> Self {
        ObjectRef { kind: kind.into(), namespace: None, name: name.into() }
    }

    /// A namespaced object.
    pub fn namespaced(kind: &str, namespace: &str, name: &str) -> Self {
        ObjectRef { kind: kind.into(), namespace: Some(namespace.into()), name: name.into() }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// Whether a problem is in the declaration itself or in what it refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ProblemKind {
    /// The declaration is wrong and stays wrong until it is changed.
    Invalid,
    /// The declaration refers to something that does not exist (yet). Offline
    /// this is an error; on a live cluster the object waits for it.
    Unresolved,
}

/// One problem with one field of one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Invalid or unresolved.
    pub kind: ProblemKind,
    /// The object at fault.
    pub object: ObjectRef,
    /// Field path inside the object, for example `spec.flows.calls[0].app`.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl Problem {
    /// An invalid `field` of `object`.
    pub fn invalid(
        object: ObjectRef,
        field: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem { kind: ProblemKind::Invalid, object, field: field.into(), message: message.into(), fix: fix.into() }
    }

    /// A `field` of `object` that refers to something missing.
    pub fn unresolved(
        object: ObjectRef,
        field: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem { kind: ProblemKind::Unresolved, object, field: field.into(), message: message.into(), fix: fix.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.object, self.field, self.message)?;
        if !self.fix.is_empty() {
            write!(f, "; fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// A problem found in a file: where it is, and what it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    /// The file.
    pub file: PathBuf,
    /// 1-based index of the YAML document in the file.
    pub document: usize,
    /// The object, when it could be identified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
    /// Field path, when known.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl FileProblem {
    /// The problem in `lang`, as the command line prints it after `error: `
    /// (zh `错误：`): the file and document, the object, the field, what is
    /// wrong, and on a line of its own what to do. English is [`fmt::Display`]'s text.
    pub fn text(&self, lang: Lang) -> String {
        let (sep, document, fix) = match lang {
            Lang::Zh => ("：", format!("（第 {} 个文档）", self.document), "做法："),
            Lang::En => (": ", format!(" (document {})", self.document), "fix: "),
        };
        let mut out = format!("{}{document}", self.file.display());
        if let Some(o) = &self.object {
            out.push_str(&format!("{sep}{o}"));
        }
        if !self.field.is_empty() {
            out.push_str(&format!("{sep}{}", self.field));
        }
        out.push_str(&format!("{sep}{}", said("", &self.message, lang)));
        if !self.fix.is_empty() {
            out.push_str(&format!("\n    {fix}{}", said("", &self.fix, lang)));
        }
        out
    }

    /// `error: ` and the problem in `lang` ([`FileProblem::text`]).
    pub fn error_line(&self, lang: Lang) -> String {
        let error = if lang == Lang::Zh { "错误：" } else { "error: " };
        format!("{error}{}", self.text(lang))
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (document {})", self.file.display(), self.document)?;
        if let Some(o) = &self.object {
            write!(f, ": {o}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, "\n    fix: {}", self.fix)?;
        }
        Ok(())
    }
}
