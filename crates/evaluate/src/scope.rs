//! Whom an evaluation covers: the whole city (every tenant: from files, or
//! live by an identity the API server lets list every Tenant, the cluster
//! auditor role), or one department's self-evaluation (live, by an identity
//! that may read its own tenant only). The scope is decided by the reader
//! from what the API server answers, never from a field a department wrote;
//! here it is carried, labelled and obeyed.

use serde::{Deserialize, Serialize};

use govcloud_audit::output::Lang;

/// Whom an evaluation covers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Scope {
    /// Every tenant of the city (files; or live, by an identity that may
    /// list every Tenant).
    #[default]
    City,
    /// Self-evaluation (自评估): the tenants the identity may read, and
    /// nothing of any other; what needs the whole city is marked missing
    /// ([`crate::Missing::OutsideScope`]) and no rank is given.
    #[serde(rename = "self", rename_all = "camelCase")]
    SelfEvaluation {
        /// The tenants read, as the API server named them.
        tenants: Vec<String>,
        /// The zones where the identity could read the tenants' namespaces:
        /// the zones hosted here as far as the evaluation goes (a department
        /// may not read NetworkZones).
        #[serde(default)]
        zones: Vec<String>,
        /// How the scope was decided (the API server's answers).
        basis: String,
    },
}

impl Scope {
    /// Whether this is a self-evaluation.
    pub fn is_self(&self) -> bool {
        matches!(self, Scope::SelfEvaluation { .. })
    }

    /// The label every output carries.
    pub fn label(&self, lang: Lang) -> String {
        match (self, lang) {
            (Scope::City, Lang::Zh) => "全市评估（第三方评估：所有租户）".into(),
            (Scope::City, _) => "city evaluation (third-party: every tenant)".into(),
            (Scope::SelfEvaluation { tenants, .. }, Lang::Zh) => {
                format!("租户 {} 的自评估（仅含本身份可读取的数据；需全市数据的指标不计，不排名）", tenants.join("、"))
            }
            (Scope::SelfEvaluation { tenants, .. }, _) => format!(
                "self-evaluation of tenant {} (only what this identity may read; figures that need the whole city are missing, no ranks)",
                tenants.join(", ")
            ),
        }
    }

    /// Whether the zone named `zone` is hosted where the evaluation read
    /// (a self-evaluation: one of its readable zones; else as the model says).
    pub fn hosts_zone(&self, model: &govcloud_core::model::Model, zone: &str) -> bool {
        match self {
            Scope::City => model.hosts_zone(zone),
            Scope::SelfEvaluation { zones, .. } => zones.iter().any(|z| z == zone),
        }
    }

    /// How the scope was decided, when live.
    pub fn basis(&self) -> Option<&str> {
        match self {
            Scope::City => None,
            Scope::SelfEvaluation { basis, .. } => Some(basis),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_without_a_scope_reads_as_a_city_evaluation_and_self_round_trips() {
        let s: Scope = serde_json::from_value(serde_json::json!({"kind": "city"})).expect("city");
        assert_eq!(s, Scope::City);
        let own = Scope::SelfEvaluation {
            tenants: vec!["health".into()],
            zones: vec!["extranet".into()],
            basis: "rules".into(),
        };
        let v = serde_json::to_value(&own).expect("json");
        assert_eq!(v["kind"], "self");
        assert_eq!(v["tenants"][0], "health");
        assert_eq!(serde_json::from_value::<Scope>(v).expect("back"), own);
        assert!(own.label(Lang::En).starts_with("self-evaluation of tenant health"));
        assert!(Scope::City.label(Lang::En).starts_with("city evaluation"));
    }
}
