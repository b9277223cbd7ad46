//! What an auditor narrows a report to (a tenant, a zone, a control,
//! failures only), and what changed since an earlier report: new failures,
//! fixed ones, and the ones still failing.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::{Audit, Outcome};

/// The findings a report keeps; everything unset keeps all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// Only this tenant's findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Only this zone's findings (a zone's own findings included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Only this control's findings (`GC-NET-001`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Only failures.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub failures_only: bool,
}

impl Filter {
    /// Whether it keeps everything.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether it keeps this finding.
    pub fn keeps(&self, f: &super::Finding) -> bool {
        self.keeps_result(
            f.subject.tenant.as_deref(),
            f.subject.zone.as_deref(),
            &f.subject.object,
            f.control,
            f.outcome,
        )
    }

    /// Whether it keeps a result of this tenant, zone, object
    /// (`Kind/namespace/name`), control and outcome: a finding, or a result
    /// of a compliance report read back (the console's page).
    pub fn keeps_result(
        &self,
        tenant: Option<&str>,
        zone: Option<&str>,
        object: &str,
        control: &str,
        outcome: Outcome,
    ) -> bool {
        self.tenant.as_deref().is_none_or(|t| tenant == Some(t))
            && self.zone.as_deref().is_none_or(|z| zone == Some(z) || object.strip_prefix("NetworkZone/") == Some(z))
            && self.control.as_deref().is_none_or(|c| control.eq_ignore_ascii_case(c))
            && (!self.failures_only || outcome == Outcome::Fail)
    }

    /// Whether a report of tenants (the evaluation) keeps the tenant named
    /// `tenant`, which has namespaces in `zones`: it is the tenant asked
    /// for, in the zone asked for, and, with a control or failures only,
    /// `audit` has a finding on it that this filter keeps (checked by that
    /// control; failed).
    pub fn keeps_tenant<'a>(&self, tenant: &str, mut zones: impl Iterator<Item = &'a str>, audit: &Audit) -> bool {
        self.tenant.as_deref().is_none_or(|t| t == tenant)
            && self.zone.as_deref().is_none_or(|z| zones.any(|x| x == z))
            && ((self.control.is_none() && !self.failures_only)
                || audit.findings.iter().any(|f| f.subject.tenant.as_deref() == Some(tenant) && self.keeps(f)))
    }

    /// What the filter names that does not exist, as a message naming the
    /// flag and what it may name (a typo would otherwise give an empty
    /// report that reads as "nothing failed"): a tenant or zone not in
    /// `tenants` or `zones`, a control not in the catalogue.
    pub fn unknown<'a>(
        &self,
        tenants: impl Iterator<Item = &'a str>,
        zones: impl Iterator<Item = &'a str>,
    ) -> Option<String> {
        let missing = |flag: &str, given: &Option<String>, known: Vec<&str>| {
            let given = given.as_deref()?;
            (!known.contains(&given))
                .then(|| format!("--{flag} {given}: no such {flag} here; give one of {}", known.join(", ")))
        };
        missing("tenant", &self.tenant, tenants.collect())
            .or_else(|| missing("zone", &self.zone, zones.collect()))
            .or_else(|| {
                let c = self.control.as_deref()?;
                govcloud_core::controls::CATALOGUE.iter().all(|x| !x.id.eq_ignore_ascii_case(c)).then(|| {
                    format!("--control {c}: no such control; give an id of the catalogue, for example GC-NET-001 (govcloud audit lists them)")
                })
            })
    }

    /// Whether it reads the audit's findings to keep a tenant (a control,
    /// failures only), not only its name and zones.
    pub fn reads_findings(&self) -> bool {
        self.control.is_some() || self.failures_only
    }

    /// The audit with only the findings this filter keeps (the flows and the
    /// connectivity as they are).
    pub fn apply(&self, audit: &Audit) -> Audit {
        Audit {
            findings: audit.findings.iter().filter(|f| self.keeps(f)).cloned().collect(),
            connectivity: audit.connectivity.clone(),
            flows: audit.flows.clone(),
            zones: audit.zones.clone(),
            tenants: audit.tenants.clone(),
            mongolian: audit.mongolian.clone(),
        }
    }
}

/// A failure, as two reports are compared: control, object and field (the
/// cluster too, in a city).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Failing {
    /// Control id.
    pub control: String,
    /// `Kind/namespace/name`.
    pub object: String,
    /// The field checked.
    pub field: String,
    /// The cluster, in a city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

/// What changed between an earlier report and this audit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    /// Failing now, not before.
    pub new_failures: Vec<Failing>,
    /// Failing before, not now.
    pub fixed: Vec<Failing>,
    /// Failing before and now.
    pub still_failing: Vec<Failing>,
}

/// Why an earlier report cannot be compared.
#[derive(Debug, PartialEq, Eq)]
pub enum SinceError {
    /// Not the JSON of `govcloud audit --format json`.
    NotAReport {
        /// The field path that is wrong.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl std::fmt::Display for SinceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SinceError::NotAReport { field, problem } => {
                write!(f, "{field}: {problem}; give the JSON of an earlier `govcloud audit --format json`")
            }
        }
    }
}

impl std::error::Error for SinceError {}

fn failing_of(v: &Value, at: usize) -> Result<Option<Failing>, SinceError> {
    let field = |k: &str| -> Result<String, SinceError> {
        v[k].as_str().map(str::to_string).ok_or_else(|| SinceError::NotAReport {
            field: format!("findings[{at}].{k}"),
            problem: "missing or not a string".into(),
        })
    };
    if field("outcome")? != Outcome::Fail.as_str() {
        return Ok(None);
    }
    Ok(Some(Failing {
        control: field("control")?,
        object: field("object")?,
        field: field("field")?,
        cluster: v["cluster"].as_str().map(str::to_string),
    }))
}

/// The changes from `earlier` (the JSON of an earlier `govcloud audit
/// --format json`, filtered as this one is) to `now`.
pub fn changes(earlier: &Value, now: &Audit, filter: &Filter) -> Result<Changes, SinceError> {
    let Some(findings) = earlier.get("findings").and_then(Value::as_array) else {
        return Err(SinceError::NotAReport { field: "findings".into(), problem: "missing or not a list".into() });
    };
    // The earlier findings through the same filter (it reads the same fields).
    let keeps = |v: &Value| {
        let s = |k: &str| v[k].as_str();
        filter.tenant.as_deref().is_none_or(|t| s("tenant") == Some(t))
            && filter.zone.as_deref().is_none_or(|z| {
                s("zone") == Some(z) || s("object").and_then(|o| o.strip_prefix("NetworkZone/")) == Some(z)
            })
            && filter.control.as_deref().is_none_or(|c| s("control").is_some_and(|x| x.eq_ignore_ascii_case(c)))
    };
    let mut before = BTreeSet::new();
    for (at, v) in findings.iter().enumerate() {
        if keeps(v)
            && let Some(f) = failing_of(v, at)?
        {
            before.insert(f);
        }
    }
    let after: BTreeSet<Failing> = filter
        .apply(now)
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .map(|f| Failing {
            control: f.control.to_string(),
            object: f.subject.object.to_string(),
            field: f.field.to_string(),
            cluster: f.subject.cluster.as_deref().map(str::to_string),
        })
        .collect();
    Ok(Changes {
        new_failures: after.difference(&before).cloned().collect(),
        fixed: before.difference(&after).cloned().collect(),
        still_failing: after.intersection(&before).cloned().collect(),
    })
}

/// The changes as a table: one line per failure, marked new, fixed or still.
pub fn changes_table(c: &Changes) -> String {
    let mut out = format!(
        "\nSince the earlier report: {} new failures, {} fixed, {} still failing\n",
        c.new_failures.len(),
        c.fixed.len(),
        c.still_failing.len()
    );
    for (mark, list) in [("NEW  ", &c.new_failures), ("FIXED", &c.fixed), ("STILL", &c.still_failing)] {
        for f in list {
            out.push_str(&format!("  {mark} {} {} {}\n", f.control, f.object, f.field));
        }
    }
    out
}

#[cfg(test)]
mod tests;
