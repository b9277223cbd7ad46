//! Who owns an owned object, as its labels and field-manager entries say:
//! read by the apply (on the objects it reads and creates), the caches
//! (when an event arrives) and the watches (what `slim` keeps).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, ObjectMeta};

use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels::{MANAGED_BY, MANAGER, OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};

/// Whether an object's labels say govcloud made it for `owner` (kind, namespace, name).
pub fn labelled_for(meta: &ObjectMeta, owner: (OwnerKind, Option<&str>, &str)) -> bool {
    let l = meta.labels.as_ref();
    labelled_by(|k| l.and_then(|l| l.get(k)).map(String::as_str), owner)
}

/// [`labelled_for`], with the labels read by `get`.
pub(crate) fn labelled_by<'a>(get: impl Fn(&str) -> Option<&'a str>, owner: (OwnerKind, Option<&str>, &str)) -> bool {
    get(MANAGED_BY) == Some(MANAGER)
        && get(OWNER_KIND) == Some(owner.0.as_str())
        && get(OWNER_NAME) == Some(owner.2)
        && get(OWNER_NAMESPACE) == owner.1
}

/// Whether the object carries a field-manager entry of ours from a create
/// or update (rather than an apply): it would keep fields alive after they
/// leave the desired state, so it is dropped after the next apply.
pub fn has_update_entry(meta: &ObjectMeta) -> bool {
    meta.managed_fields.as_ref().is_some_and(|m| m.iter().any(is_our_update))
}

/// Whether a field-manager entry is someone else's and owns part of the
/// object's content (not only metadata, not a status or scale subresource):
/// a hand edit of spec, rules, subjects, data… A field someone else adds that
/// govcloud does not render (an extra container, an `ingress` rule) shows
/// only here, not in a comparison with the desired state.
pub fn foreign_content_entry(e: &ManagedFieldsEntry) -> bool {
    let content = || {
        e.fields_v1
            .as_ref()
            .and_then(|f| f.0.as_object())
            .is_some_and(|f| f.keys().any(|k| k != "f:metadata" && k != "f:status" && k != "."))
    };
    e.manager.as_deref() != Some(MANAGER) && e.subresource.is_none() && content()
}

/// The manager of the first foreign content entry (see
/// [`foreign_content_entry`]), as the caches keep them: the caches keep such
/// entries, without their field lists, and drop the others.
pub fn foreign_content_manager(meta: &ObjectMeta) -> Option<String> {
    meta.managed_fields
        .as_ref()?
        .iter()
        .find(|e| e.manager.as_deref() != Some(MANAGER) && e.subresource.is_none())
        .map(|e| e.manager.clone().unwrap_or_default())
}

/// Whether a field-manager entry is our own `Update` (a create's) of the object itself.
pub(crate) fn is_our_update(e: &ManagedFieldsEntry) -> bool {
    e.manager.as_deref() == Some(MANAGER) && e.operation.as_deref() == Some("Update") && e.subresource.is_none()
}
