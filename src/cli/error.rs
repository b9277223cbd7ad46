//! The errors the command reports before exiting non-zero.

/// Errors the CLI reports before exiting non-zero.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Some input was wrong; each problem has been printed.
    #[error("{0} problem(s) found; nothing was rendered")]
    Invalid(usize),
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    /// Serialising output failed.
    #[error("cannot serialise output: {0}")]
    Yaml(#[from] serde_norway::Error),
    /// Serialising JSON output failed.
    #[error("cannot serialise output: {0}")]
    Json(#[from] serde_json::Error),
    /// No cluster to talk to: no kubeconfig, and not in a pod.
    #[error("no cluster to {doing}: {source}; {hint}")]
    NoCluster {
        /// What the command meant to do there.
        doing: &'static str,
        /// How to give it one.
        hint: &'static str,
        /// Why no configuration or client could be made.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A request to the cluster failed.
    #[error("{doing}: {source}")]
    Kube {
        /// What was asked, naming the object or flag.
        doing: String,
        /// The API server's or the client's error.
        source: kube::Error,
    },
    /// The operator (or one of its one-shot reads) failed.
    #[error("{doing}{source}")]
    Operator {
        /// What it was doing, as a prefix ending in ": ", or empty.
        doing: String,
        /// The operator's error.
        source: Box<crate::operator::Error>,
    },
    /// The leader-election flags do not fit together.
    #[error(transparent)]
    Election(#[from] crate::operator::ElectionError),
    /// The operator could not start, or stopped.
    #[error(transparent)]
    Start(Box<crate::operator::StartError>),
    /// One cluster of a city could not be read.
    #[error("{flag}: cannot read {what}: {source}; check that the kubeconfig's server is up and reachable from here")]
    Unreachable {
        /// The flag that named the cluster.
        flag: String,
        /// What could not be read, and of which cluster.
        what: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The dev job failed.
    #[cfg(feature = "dev")]
    #[error(transparent)]
    Dev(#[from] Box<crate::dev::DevError>),
    /// An input file or argument is wrong.
    #[error("{0}")]
    Input(String),
    /// The audit found failures at or above the threshold.
    #[error("{0} failed check(s) at severity {1} or above")]
    NonCompliant(usize, String),
}
