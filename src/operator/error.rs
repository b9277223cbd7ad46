//! The operator's one error type; failures are counted by kind, not by object.

/// Everything a reconcile can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused or failed a request.
    #[error("kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// A rendered object could not be serialised.
    #[error("serialising {0}: {1}")]
    Serialize(String, serde_json::Error),
    /// Managing a finalizer failed.
    #[error("finalizer: {0}")]
    Finalizer(String),
    /// The object waits for something else to happen first.
    #[error("waiting: {0}")]
    Waiting(String),
}

impl Error {
    /// Label for the `govcloud_reconcile_errors_total` counter.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Error::Kube(kube::Error::Api(s)) if s.code == 409 => "conflict",
            Error::Kube(kube::Error::Api(s)) if s.code == 403 => "forbidden",
            Error::Kube(kube::Error::Api(s)) if s.code == 422 => "invalid",
            Error::Kube(_) => "kube",
            Error::Serialize(..) => "serialize",
            Error::Finalizer(_) => "finalizer",
            Error::Waiting(_) => "waiting",
        }
    }
}

/// Result of a reconcile step.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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
