//! The platform's defaults for a container's requests and limits, where
//! neither the app nor its tenant sets them: the tenant's LimitRange and the
//! app's rendered container both take them from here.

/// Platform default container requests when neither app nor tenant sets them.
pub const DEFAULT_REQUEST: (&str, &str) = ("100m", "128Mi");
/// Platform default container limits when neither app nor tenant sets them.
pub const DEFAULT_LIMIT: (&str, &str) = ("500m", "512Mi");
