//! The state of a declared flow, as an app's status reports it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Outcome of one declared flow.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
pub enum FlowState {
    /// Both sides agree and the path is allowed; policies are in place.
    Granted,
    /// Waiting for the other side (a grant, or the provider app to exist).
    Pending,
    /// Not allowed by the zones' isolation rules; will not be granted as declared.
    Refused,
}

impl FlowState {
    /// The spelling used in status and summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowState::Granted => "Granted",
            FlowState::Pending => "Pending",
            FlowState::Refused => "Refused",
        }
    }
}

/// Status of one flow this app calls.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowStatus {
    /// The called app, as `tenant/app`.
    pub target: String,
    /// Granted, Pending or Refused.
    pub state: FlowState,
    /// Why, in words a person understands.
    pub reason: String,
    /// Where a granted flow to an app in another cluster goes: the address
    /// of the provider zone's exchange endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// For a request waiting for a provider's answer: when govcloud first
    /// saw it waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Time>,
    /// When the provider's answer is due (10 working days after `since`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Time>,
    /// Whether the answer is overdue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
}
