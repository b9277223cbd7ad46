//! Which tenants an identity may read, as the API server's RBAC answers for
//! it (a SelfSubjectRulesReview's rules): the one reading of those rules
//! that `govcloud mine` and a live `govcloud evaluate` share. RBAC is bound
//! by the operator from the Tenants' `spec.owners`, which platform engineers
//! write; nothing here reads a field a department writes.

use std::collections::BTreeSet;

use k8s_openapi::api::authorization::v1::ResourceRule;

/// Which tenants the rules let one `get`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readable {
    /// Every tenant (a platform engineer, a cluster auditor): a rule that
    /// gets tenants and names none.
    All,
    /// These, by name (a department: its own, through its tenant's role).
    Named(BTreeSet<String>),
}

/// The tenants `rules` let one `get`.
pub fn readable_tenants(rules: &[ResourceRule]) -> Readable {
    let has = |v: &Option<Vec<String>>, want: &str| v.iter().flatten().any(|x| x == want || x == "*");
    let mut named = BTreeSet::new();
    for r in rules {
        let gets = r.verbs.iter().any(|v| v == "get" || v == "*");
        if gets && has(&r.api_groups, super::GROUP) && has(&r.resources, "tenants") {
            match &r.resource_names {
                Some(names) if !names.is_empty() => named.extend(names.iter().cloned()),
                _ => return Readable::All,
            }
        }
    }
    Readable::Named(named)
}

#[cfg(test)]
mod tests;
