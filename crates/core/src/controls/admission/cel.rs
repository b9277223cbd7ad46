//! The CEL building blocks every admission policy uses: a check, and
//! expressions over the request's namespace.

use crate::controls::admission::Check;

/// A check of `control`: what must hold, and the message when it does not.
pub(super) fn check(control: &'static str, expression: impl Into<String>, message: impl Into<String>) -> Check {
    Check { control, expression: expression.into(), message: message.into() }
}

/// Whether the request's namespace has label `key` equal to `value`.
pub(super) fn ns_label_is(key: &str, value: &str) -> String {
    format!(
        "has(namespaceObject.metadata.labels) && '{key}' in namespaceObject.metadata.labels && namespaceObject.metadata.labels['{key}'] == '{value}'"
    )
}

/// The comma-separated list in the request namespace's annotation `key`, or `[]`.
pub(super) fn ns_annotation_list(key: &str) -> String {
    format!(
        "has(namespaceObject.metadata.annotations) && '{key}' in namespaceObject.metadata.annotations ? namespaceObject.metadata.annotations['{key}'].split(',') : []"
    )
}

/// The label of the request's namespace named `key`, or `''`.
pub(super) fn ns_label(key: &str) -> String {
    format!(
        "has(namespaceObject.metadata.labels) && '{key}' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels['{key}'] : ''"
    )
}
