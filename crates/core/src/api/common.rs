//! Types shared by the three resources.

use kube::KubeSchema;
use serde::{Deserialize, Serialize};

/// Names of a zone, tenant or app in the languages the city serves.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DisplayName {
    /// Chinese name, as used in official documents (for example 市公安局).
    #[x_kube(validation = Rule::new("self.size() > 0 && self.size() <= 64").message("zh must be 1 to 64 characters"))]
    #[schemars(length(max = 128))]
    pub zh: String,
    /// English name (for example Public Security Bureau).
    #[x_kube(validation = Rule::new("self.size() > 0 && self.size() <= 128").message("en must be 1 to 128 characters"))]
    #[schemars(length(max = 256))]
    pub en: String,
    /// Mongolian name in traditional script (Unicode Mongolian, U+1800–U+18AF,
    /// with spaces, U+202F and the joiners U+200C/U+200D), for services the
    /// city offers in Mongolian (蒙古语言文字信息化).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.size() <= 128").message("mn must be at most 128 characters"))]
    #[x_kube(validation = Rule::new("self.matches('^[\\u1800-\\u18AF\\u202F\\u200C\\u200D ]+$') && self.matches('[\\u1820-\\u18AF]')").message("mn must be in traditional Mongolian script (Unicode U+1800–U+18AF, with spaces): write the name in Mongolian, or leave mn out"))]
    #[schemars(length(max = 256))]
    pub mn: Option<String>,
}

impl DisplayName {
    /// `zh (en)`, the form used in summaries.
    pub fn both(&self) -> String {
        format!("{} ({})", self.zh, self.en)
    }
}

/// CPU and memory, as Kubernetes quantities.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CpuMemory {
    /// CPU as a Kubernetes quantity, for example `500m` or `2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("isQuantity(self) && !quantity(self).isLessThan(quantity('0'))").message("cpu must be a non-negative Kubernetes quantity such as 500m or 2"))]
    #[schemars(length(max = 32))]
    pub cpu: Option<String>,
    /// Memory as a Kubernetes quantity, for example `256Mi` or `4Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("isQuantity(self) && !quantity(self).isLessThan(quantity('0'))").message("memory must be a non-negative Kubernetes quantity such as 256Mi or 4Gi"))]
    #[schemars(length(max = 32))]
    pub memory: Option<String>,
}

/// MLPS 2.0 (等保2.0, GB/T 22239-2019) protection level of a security baseline.
///
/// Level 2 maps to the Pod Security `baseline` profile, level 3 to `restricted`
/// (and images pinned by digest).
pub type MlpsLevel = u8;

/// Lowest MLPS level govcloud manages.
pub const MLPS_MIN: MlpsLevel = 2;
/// Highest MLPS level govcloud manages.
pub const MLPS_MAX: MlpsLevel = 3;

pub(crate) fn default_mlps_level() -> MlpsLevel {
    MLPS_MIN
}

/// Pod Security Admission level for an MLPS level.
pub fn pod_security_level(level: MlpsLevel) -> &'static str {
    if level >= 3 { "restricted" } else { "baseline" }
}

/// Compliance results of the objects of a tenant or zone, from govcloud's audit.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceSummary {
    /// Checks that pass.
    pub pass: i32,
    /// Checks that fail.
    pub fail: i32,
    /// Checks that pass with a reservation.
    pub warn: i32,
    /// Checks that could not be evaluated.
    pub skip: i32,
    /// When these results were first observed (RFC 3339); unchanged while the results are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_at: Option<String>,
    /// Name of the report with the details (an OpenReports Report in each namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}
