//! Label selectors as the API server reads them (matchLabels and
//! matchExpressions): both the NetworkPolicy and the Admin-tier semantics
//! select by them.
//!
//! [`Selector`] is a selector read once from its JSON, as compact as its
//! labels: what a NetworkPolicy keeps through an audit ([`crate::netpol`]),
//! read many times over (once per policy and workload class). [`selects`]
//! reads one where it lies in a JSON object (the Admin tier's), allocating
//! nothing. Both read the same fields the same way, and what an expression
//! means is written once ([`Operator`]).
//!
//! kube-core's `Selector` is typed too, but an operator it does not know is
//! an error there, where the API server's reading selects nothing.

use std::collections::BTreeMap;

use serde_json::Value;

/// A label selector: its matchLabels (those whose value is a string; the
/// others constrain nothing) and its matchExpressions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// matchLabels, by key.
    labels: Box<[(Box<str>, Box<str>)]>,
    expressions: Box<[Expression]>,
}

/// One of matchExpressions.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expression {
    key: Box<str>,
    operator: Operator,
    /// The values that are strings.
    values: Box<[Box<str>]>,
}

/// An expression's operator; one the API does not define selects nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Unknown,
}

impl Operator {
    /// The operator an expression names (`None`: not a string).
    fn named(op: Option<&str>) -> Self {
        match op.unwrap_or_default() {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            _ => Operator::Unknown,
        }
    }

    /// Whether an expression of this operator holds for the value of its
    /// key (`None`: the label is absent), `listed` saying which values it lists.
    fn holds(self, value: Option<&str>, listed: impl Fn(&str) -> bool) -> bool {
        match self {
            Operator::In => value.is_some_and(listed),
            Operator::NotIn => value.is_none_or(|v| !listed(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::Unknown => false,
        }
    }
}

/// A matchLabels entry that constrains: its value is a string.
fn label_pair<'a>((k, v): (&'a String, &'a Value)) -> Option<(&'a str, &'a str)> {
    Some((k.as_str(), v.as_str()?))
}

impl Selector {
    /// The selector `sel` as JSON gives it; `None` when it is missing (null),
    /// which selects nothing (`{}` selects everything).
    pub fn read(sel: &Value) -> Option<Selector> {
        if sel.is_null() {
            return None;
        }
        let mut labels: Vec<(Box<str>, Box<str>)> = sel["matchLabels"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(label_pair)
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        labels.sort_unstable();
        let expressions = sel["matchExpressions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| Expression {
                key: e["key"].as_str().unwrap_or_default().into(),
                operator: Operator::named(e["operator"].as_str()),
                values: e["values"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(Into::into)
                    .collect(),
            })
            .collect();
        Some(Selector { labels: labels.into(), expressions })
    }

    /// Whether it selects `labels`.
    pub fn selects(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(&**k).map(String::as_str) == Some(&**v))
            && self.expressions.iter().all(|e| {
                e.operator.holds(labels.get(&*e.key).map(String::as_str), |v| e.values.iter().any(|x| &**x == v))
            })
    }

    /// Labels of which an object must carry one to be selected: the first
    /// (by key) of its matchLabels, or the values of its first `In`
    /// expression; `None` when it requires no particular label.
    pub fn required_labels(&self) -> Option<Vec<(&str, &str)>> {
        if let Some((k, v)) = self.labels.first() {
            return Some(vec![(k, v)]);
        }
        let e = self.expressions.iter().find(|e| e.operator == Operator::In)?;
        Some(e.values.iter().map(|v| (&*e.key, &**v)).collect())
    }
}

/// Whether a label selector (JSON) selects `labels`, read where it lies
/// as [`Selector::read`] reads it. A missing selector selects nothing; `{}` everything.
pub fn selects(sel: &Value, labels: &BTreeMap<String, String>) -> bool {
    if sel.is_null() {
        return false;
    }
    sel["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(label_pair)
        .all(|(k, v)| labels.get(k).map(String::as_str) == Some(v))
        && sel["matchExpressions"].as_array().into_iter().flatten().all(|e| {
            let listed =
                |v: &str| e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).any(|x| x == v);
            Operator::named(e["operator"].as_str())
                .holds(labels.get(e["key"].as_str().unwrap_or_default()).map(String::as_str), listed)
        })
}
