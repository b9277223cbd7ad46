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
    /// The API server refused or failed a request about one object (the
    /// apply path's writes and reads name what they were writing).
    #[error("{doing} {object}: {source}")]
    Request {
        /// What was being done.
        doing: Doing,
        /// The object: `Kind namespace/name`, or `Kind name`.
        object: String,
        /// The failed request.
        source: kube::Error,
    },
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
    /// What a live evaluation may read could not be settled (the API
    /// server's answers say the identity may read no tenant).
    #[error("{0}")]
    Scope(String),
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
            Error::Kube(e) | Error::Request { source: e, .. } => match e {
                kube::Error::Api(s) if s.code == 409 => "conflict",
                kube::Error::Api(s) if s.code == 403 => "forbidden",
                kube::Error::Api(s) if s.code == 422 => "invalid",
                _ => "kube",
            },
            Error::Serialize { .. } | Error::NoMetadata { .. } => "serialize",
            Error::AddFinalizer { .. }
            | Error::RemoveFinalizer { .. }
            | Error::UnnamedObject { .. }
            | Error::InvalidFinalizer { .. } => "finalizer",
            Error::CrdTimeout { .. } | Error::CrdWait { .. } => "install",
            Error::Audit(_) => "audit",
            Error::Scope(_) => "scope",
        }
    }

    /// The API server's refusal of an object being written (its validation
    /// or an admission policy said no: 422 Invalid, 403 Forbidden), as the
    /// owner's status and Event say it: the object and the API server's own
    /// words. `None` for every other failure.
    pub fn refusal(&self) -> Option<String> {
        match self {
            Error::Request {
                doing: doing @ (Doing::Applying | Doing::Creating | Doing::Repairing),
                object,
                source: kube::Error::Api(s),
            } if matches!(s.code, 403 | 422) => Some(
                govcloud_core::msg!(
                    govcloud_core::messages::Code::ApiRefused,
                    doing.code(),
                    object,
                    s.code.to_string(),
                    &s.reason,
                    &s.message
                )
                .to_string(),
            ),
            _ => None,
        }
    }

    /// A serialisation failure of `object`.
    pub fn serialize(object: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Serialize { object: object.into(), source }
    }

    /// A failed request (`doing`) about `object` (`Kind namespace/name`).
    pub fn request(doing: Doing, object: impl Into<String>, source: kube::Error) -> Self {
        Error::Request { doing, object: object.into(), source }
    }

    /// The message without the object a failed request concerned, as alike
    /// failures of different objects share it (one shape in the failure log,
    /// see `context::failure_shape`): a request's failure reads as any other
    /// of the API.
    pub fn without_object(&self) -> String {
        match self {
            Error::Request { source, .. } => format!("kubernetes API: {source}"),
            e => e.to_string(),
        }
    }
}

/// What a request about one object was doing ([`Error::Request`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doing {
    /// Server-side apply.
    Applying,
    /// A plain create (never adoption).
    Creating,
    /// A read of the live object.
    Reading,
    /// Putting back fields changed by hand (a JSON patch).
    Repairing,
    /// Rewriting the object's field-manager entries.
    SettingFieldOwnership,
    /// A delete (pruning what is no longer desired).
    Deleting,
}

impl Doing {
    /// What govcloud was doing, from the catalogue of messages.
    pub fn code(self) -> govcloud_core::messages::Code {
        use govcloud_core::messages::Code;
        match self {
            Doing::Applying => Code::DoingApplying,
            Doing::Creating => Code::DoingCreating,
            Doing::Reading => Code::DoingReading,
            Doing::Repairing => Code::DoingRepairing,
            Doing::SettingFieldOwnership => Code::DoingSettingOwnership,
            Doing::Deleting => Code::DoingDeleting,
        }
    }
}

impl std::fmt::Display for Doing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code().text(govcloud_core::messages::Lang::En))
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
pub enum StartError {
    /// `--selector` is not an equality selector.
    #[error(transparent)]
    Selector(#[from] SelectorError),
    /// The metrics endpoints cannot listen on their address.
    #[error("metrics address {address}: {source}")]
    MetricsAddress {
        /// The address asked for.
        address: String,
        /// Why it cannot be listened on.
        source: std::io::Error,
    },
    /// A watch's cache was dropped before its first list.
    #[error(transparent)]
    CacheSync(#[from] kube::runtime::reflector::store::WriterDropped),
    /// Started for the wrong cluster, the operator would remove workloads.
    #[error(transparent)]
    WrongCluster(#[from] WrongCluster),
    /// The owned kinds lack ClusterNetworkPolicy (a bug in the kinds' table).
    #[error("ClusterNetworkPolicy is missing from the owned kinds")]
    NoClusterPolicyKind,
}

/// A label selector that is not `key=value` pairs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("selector {selector:?}: only key=value pairs are supported, got {pair:?}")]
pub struct SelectorError {
    /// The whole selector.
    pub selector: String,
    /// The part that is not `key=value`.
    pub pair: String,
}

/// This cluster runs workloads of `zone`, which `spec.cluster` places on
/// `host`, while the operator was started for `cluster`: it would remove them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct WrongCluster {
    /// The zone whose workloads run here.
    pub zone: String,
    /// The cluster its `spec.cluster` names (`None`: the cluster without a name).
    pub host: Option<String>,
    /// The cluster the operator was started for.
    pub cluster: Option<String>,
}

impl std::fmt::Display for WrongCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let flag = match &self.host {
            Some(h) => format!("--cluster {h}"),
            None => "no --cluster".to_string(),
        };
        write!(
            f,
            "this cluster runs workloads of zone {}, which spec.cluster places in {}, but this operator was started for {}: it would remove them. Start it with {flag}, or remove those workloads first",
            self.zone,
            govcloud_render::cluster_label(self.host.as_deref()),
            govcloud_render::cluster_label(self.cluster.as_deref())
        )
    }
}

#[cfg(test)]
mod tests;
