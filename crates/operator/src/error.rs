//! The operator's one error type; failures are counted by kind, not by
//! object. Waiting for something (a namespace to go, an object to settle) is
//! not a failure: it is a [`Wait`], which the controllers turn into a
//! requeue, not counted.

use std::time::Duration;

/// Everything a reconcile can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused or failed a request.
    #[error("kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// An object could not be serialised or deserialised.
    #[error("serialising {object}: {source}")]
    Serialize {
        /// The object (`Kind/namespace/name`, or what it is).
        object: String,
        /// What serde said.
        source: serde_json::Error,
    },
    /// A rendered object came out of serialisation without its metadata.
    #[error("{object} has no metadata")]
    NoMetadata {
        /// The object (`Kind/namespace/name`).
        object: String,
    },
    /// Adding the finalizer to an object failed.
    #[error("adding finalizer {finalizer}: {source}")]
    AddFinalizer {
        /// The finalizer.
        finalizer: &'static str,
        /// The failed request.
        source: kube::Error,
    },
    /// Removing the finalizer from an object failed.
    #[error("removing finalizer {finalizer}: {source}")]
    RemoveFinalizer {
        /// The finalizer.
        finalizer: &'static str,
        /// The failed request.
        source: kube::Error,
    },
    /// The finalizer could not be managed on an object without a name.
    #[error("finalizer {finalizer}: the object has no name")]
    UnnamedObject {
        /// The finalizer.
        finalizer: &'static str,
    },
    /// The finalizer's JSON patch path was invalid.
    #[error("finalizer {finalizer}: invalid patch path")]
    InvalidFinalizer {
        /// The finalizer.
        finalizer: &'static str,
    },
    /// A CRD was not established in time after its installation.
    #[error("CRD {crd} not established after {after:?}")]
    CrdTimeout {
        /// The CRD's name.
        crd: String,
        /// How long it was waited for.
        after: Duration,
    },
    /// The compliance audit's thread failed (a bug: the audit never panics on
    /// any input it is given, see the fuzz tests).
    #[error("the compliance audit failed: {0}")]
    Audit(String),
    /// Watching a CRD for its establishment failed.
    #[error("CRD {crd}: {source}")]
    CrdWait {
        /// The CRD's name.
        crd: String,
        /// What the wait said.
        source: kube::runtime::wait::Error,
    },
}

impl Error {
    /// Label for the `govcloud_reconcile_errors_total` counter.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Error::Kube(kube::Error::Api(s)) if s.code == 409 => "conflict",
            Error::Kube(kube::Error::Api(s)) if s.code == 403 => "forbidden",
            Error::Kube(kube::Error::Api(s)) if s.code == 422 => "invalid",
            Error::Kube(_) => "kube",
            Error::Serialize { .. } | Error::NoMetadata { .. } => "serialize",
            Error::AddFinalizer { .. }
            | Error::RemoveFinalizer { .. }
            | Error::UnnamedObject { .. }
            | Error::InvalidFinalizer { .. } => "finalizer",
            Error::CrdTimeout { .. } | Error::CrdWait { .. } => "install",
            Error::Audit(_) => "audit",
        }
    }

    /// A serialisation failure of `object`.
    pub fn serialize(object: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Serialize { object: object.into(), source }
    }
}

/// Result of a reconcile step.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a reconcile waits for before it looks again: not a failure, not
/// counted as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    /// An object that existed a moment ago (the create was refused) is gone
    /// again; the next reconcile creates it.
    Vanished {
        /// `Kind/namespace/name`.
        object: String,
    },
    /// An object kept changing while its field ownership was being set.
    KeptChanging {
        /// The object's name.
        object: String,
    },
    /// A zone's deletion is held while tenants use it.
    ZoneInUse {
        /// The message of the zone's `Ready` condition and Event.
        message: String,
    },
    /// A tenant's deletion is refused by its `preventDeletion`.
    DeletionPrevented {
        /// The message of the tenant's Event.
        message: String,
    },
    /// A tenant's teardown deleted its apps and waits for them to go.
    AppsDeleting {
        /// `DepartmentApp/namespace/name` of each.
        apps: Vec<String>,
    },
    /// A tenant's teardown waits for the pods of a namespace to stop.
    PodsStopping {
        /// The namespace.
        namespace: String,
        /// Pods still there.
        pods: usize,
    },
    /// A tenant's teardown deleted its namespaces and waits for them to go.
    NamespacesDeleting {
        /// The namespaces.
        namespaces: Vec<String>,
    },
    /// The plan of the model leaves out the object being reconciled: it is
    /// being deleted since the reconcile started (its teardown, in order,
    /// removes what it owns; pruning everything at once would not), or the
    /// plan predates it.
    NotPlanned {
        /// `Kind/name`.
        object: String,
    },
}

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Wait::Vanished { object } => write!(f, "{object} existed a moment ago; creating it again"),
            Wait::KeptChanging { object } => {
                write!(f, "{object} kept changing while its field ownership was set; again")
            }
            Wait::ZoneInUse { message } | Wait::DeletionPrevented { message } => f.write_str(message),
            Wait::AppsDeleting { apps } => write!(f, "deleting apps: {}", apps.join(", ")),
            Wait::PodsStopping { namespace, pods } => write!(f, "waiting for {pods} pods in {namespace} to stop"),
            Wait::NamespacesDeleting { namespaces } => write!(f, "deleting namespaces {}", namespaces.join(", ")),
            Wait::NotPlanned { object } => write!(
                f,
                "{object} is not in the plan of the model (being deleted, or newer than the plan); nothing applied"
            ),
        }
    }
}

/// How a reconcile step ends early: it failed (counted, backed off), or it
/// waits for something (a requeue, not counted). Only the controllers'
/// skeleton ([`super::reconcile`]) sees it: it turns a wait into
/// `Ok(Action::requeue(..))` and passes a failure on.
#[derive(Debug, thiserror::Error)]
pub enum Halt {
    /// A failure.
    #[error(transparent)]
    Failed(#[from] Error),
    /// Something to wait for.
    #[error("waiting: {0}")]
    Wait(Wait),
}

impl From<kube::Error> for Halt {
    fn from(e: kube::Error) -> Self {
        Halt::Failed(Error::Kube(e))
    }
}

impl From<Wait> for Halt {
    fn from(w: Wait) -> Self {
        Halt::Wait(w)
    }
}

/// Result of a reconcile step that may wait.
pub type Step<T> = std::result::Result<T, Halt>;

/// Why the operator could not start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(String);

impl StartError {
    /// An error with this message.
    pub fn msg(m: impl Into<String>) -> Self {
        StartError(m.into())
    }
}

#[cfg(test)]
mod tests;
