//! What a tenant holds and how it shares it, for the sharing axis (协同共享):
//! its resources in the catalogue (shared unconditionally or conditionally),
//! the base databases it holds and does not share, the answers it owes past
//! their deadline, and the refusals it gave without a basis. Read from the
//! apps' specs and, for deadlines, from the statuses the operator writes.

use std::collections::{BTreeMap, BTreeSet};

use kube::ResourceExt;

use govcloud_core::api::{AnswerDecision, DepartmentApp, SharingClass, Tenant};

use crate::Missing;

/// One tenant's holdings and answers, counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shares {
    /// Its apps in the catalogue that share: unconditionally, or
    /// conditionally (the provider answers each consumer).
    pub shared: usize,
    /// Its base databases (the Tenant's `spec.baseDatabases`, which the
    /// platform writes) that share nothing: no app of that name sharing
    /// unconditionally or conditionally in any of its zones.
    pub unshared_base: usize,
    /// Requests to its apps whose answer is overdue; missing when its
    /// conditional resources carry no status (offline manifests).
    pub overdue: Result<usize, Missing>,
    /// Refusals without a basis: a refused answer without a reason, a
    /// resource not shared (class `none`) without its basis.
    pub unfounded: usize,
}

/// Blank: absent, or only spaces.
fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

/// `(tenant, app)` of a key `tenant/zone/app` or `tenant/app`.
fn tenant_app(key: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = key.split('/').collect();
    match parts.as_slice() {
        [t, _, a] | [t, a] if !t.is_empty() && !a.is_empty() => Some((t.to_string(), a.to_string())),
        _ => None,
    }
}

/// What tenant `t` (named `name`, its apps `own`) holds and shares. `all` is every app
/// of the model and `ns_tenant` maps namespaces to tenants: a consumer's
/// status names the provider whose answer is overdue.
pub(crate) fn shares(
    t: &Tenant,
    name: &str,
    own: &[&DepartmentApp],
    all: &[DepartmentApp],
    ns_tenant: &BTreeMap<String, String>,
) -> Shares {
    let mut s = Shares { shared: 0, unshared_base: 0, overdue: Ok(0), unfounded: 0 };
    let mut conditional_without_status = false;
    let mut conditional_with_status = false;
    // (consumer tenant, consumer app, provider app): each overdue request once,
    // whether the provider's status or the consumer's says it.
    let mut overdue: BTreeSet<(String, String, String)> = BTreeSet::new();
    // A base database counts as shared when an app of its name shares it in any zone.
    let shared_names: BTreeSet<String> = own
        .iter()
        .filter(|a| a.spec.sharing.as_ref().is_some_and(|sh| sh.class != SharingClass::None))
        .map(|a| a.name_any())
        .collect();
    let designated: BTreeSet<&String> = t.spec.base_databases.iter().collect();
    s.unshared_base = designated.iter().filter(|b| !shared_names.contains(**b)).count();
    for a in own {
        let Some(sharing) = &a.spec.sharing else { continue };
        match sharing.class {
            SharingClass::Unconditional => s.shared += 1,
            SharingClass::Conditional => {
                s.shared += 1;
                match a.status.as_ref() {
                    Some(st) => {
                        conditional_with_status = true;
                        for r in st.sharing.iter().flat_map(|sh| &sh.requests).filter(|r| r.overdue) {
                            if let Some((t, c)) = tenant_app(&r.consumer) {
                                overdue.insert((t, c, a.name_any()));
                            }
                        }
                    }
                    None => conditional_without_status = true,
                }
            }
            SharingClass::None => {
                s.unfounded += usize::from(blank(sharing.basis.as_deref()));
            }
        }
        s.unfounded += sharing
            .answers
            .iter()
            .filter(|x| x.decision == AnswerDecision::Refused && blank(x.reason.as_deref()))
            .count();
    }
    // The consumers' side: their flows to this tenant's apps marked overdue.
    for c in all {
        let Some(ct) = c.namespace().and_then(|ns| ns_tenant.get(&ns).cloned()) else { continue };
        for f in c.status.iter().flat_map(|st| &st.flows).filter(|f| f.overdue) {
            if let Some((pt, pa)) = tenant_app(&f.target)
                && pt == name
            {
                overdue.insert((ct.clone(), c.name_any(), pa));
            }
        }
    }
    s.overdue = if overdue.is_empty() && conditional_without_status && !conditional_with_status {
        Err(Missing::NoStatus)
    } else {
        Ok(overdue.len())
    };
    s
}

#[cfg(test)]
mod tests;
