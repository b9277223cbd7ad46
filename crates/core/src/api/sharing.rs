//! Information sharing by the national rules (政务信息资源共享管理暂行办法,
//! 国发〔2016〕51号): a provider app declares its sharing class and its
//! catalogue entry, and answers the conditional requests it receives.
//!
//! The answers live on the provider's own app (`spec.sharing.answers`): only
//! those who may write that app (its department's admins, by the RBAC govcloud
//! renders) can answer, and the API server records who did in each answer's
//! `by` (a mutating admission policy writes it; a validating one refuses any
//! other name). No second object has to be kept in step with the app, and a
//! department cannot answer for another because it cannot write another's app.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::KubeSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::DisplayName;

/// How an app shares what it holds with other departments. An app without
/// it shares only through the grants of `flows.allowFrom`, and is not in the
/// catalogue.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("self.class != 'none' || (has(self.basis) && self.basis.size() > 0)").message("a resource that is not shared (class none, 不予共享) names its basis: the law, regulation or policy that keeps it").field_path(".basis"))]
#[x_kube(validation = Rule::new("self.class == 'conditional' || !has(self.answers) || self.answers.size() == 0").message("answers are for conditional sharing: an unconditional resource is open to every department, a none resource to nobody").field_path(".answers"))]
pub struct Sharing {
    /// `unconditional` (无条件共享: every department may call it through the
    /// zones' rules), `conditional` (有条件共享: the provider grants or refuses
    /// each consumer) or `none` (不予共享: nobody, with a basis).
    pub class: SharingClass,
    /// For `none`: the law, regulation or policy that keeps the resource from
    /// being shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 512))]
    pub basis: Option<String>,
    /// What the catalogue (目录) says of the resource.
    pub catalogue: CatalogueInfo,
    /// The provider's answers to conditional requests, one per consumer app.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 256))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["consumer".into()]))]
    pub answers: Vec<SharingAnswer>,
}

/// The three sharing classes of the national rules.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SharingClass {
    /// 无条件共享: every department may call it.
    Unconditional,
    /// 有条件共享: the provider decides each consumer.
    Conditional,
    /// 不予共享: not shared, on a stated basis.
    None,
}

impl SharingClass {
    /// The spelling in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            SharingClass::Unconditional => "unconditional",
            SharingClass::Conditional => "conditional",
            SharingClass::None => "none",
        }
    }

    /// The name the national rules use.
    pub fn zh(self) -> &'static str {
        match self {
            SharingClass::Unconditional => "无条件共享",
            SharingClass::Conditional => "有条件共享",
            SharingClass::None => "不予共享",
        }
    }
}

/// A resource's catalogue entry.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueInfo {
    /// The resource's names (zh, en, mn).
    pub names: DisplayName,
    /// What the resource holds and what it is for.
    #[x_kube(validation = Rule::new("self.size() > 0").message("description says what the resource holds"))]
    #[schemars(length(max = 1024))]
    pub description: String,
    /// How often the data is updated.
    pub update_frequency: UpdateFrequency,
    /// Whom to ask about the resource at the provider (a name, office or address).
    #[x_kube(validation = Rule::new("self.size() > 0").message("contact names whom to ask at the provider"))]
    #[schemars(length(max = 256))]
    pub contact: String,
}

/// How often a resource's data is updated.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum UpdateFrequency {
    /// As it changes (实时).
    Realtime,
    /// Daily (每日).
    Daily,
    /// Weekly (每周).
    Weekly,
    /// Monthly (每月).
    Monthly,
    /// Quarterly (每季度).
    Quarterly,
    /// Yearly (每年).
    Yearly,
    /// When needed (不定期).
    Irregular,
}

impl UpdateFrequency {
    /// (zh, en).
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            UpdateFrequency::Realtime => ("实时", "realtime"),
            UpdateFrequency::Daily => ("每日", "daily"),
            UpdateFrequency::Weekly => ("每周", "weekly"),
            UpdateFrequency::Monthly => ("每月", "monthly"),
            UpdateFrequency::Quarterly => ("每季度", "quarterly"),
            UpdateFrequency::Yearly => ("每年", "yearly"),
            UpdateFrequency::Irregular => ("不定期", "irregular"),
        }
    }
}

/// The provider's answer to one consumer app's request.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("self.decision != 'Refused' || (has(self.reason) && self.reason.size() > 0)").message("a refusal carries its reason (the consumer sees it)").field_path(".reason"))]
pub struct SharingAnswer {
    /// The consumer app, as `tenant/zone/app`.
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]{1,15}/[a-z]([-a-z0-9]*[a-z0-9])?$')").message("consumer is tenant/zone/app, for example health/extranet/case-records"))]
    #[schemars(length(max = 100))]
    pub consumer: String,
    /// `Granted` or `Refused`.
    pub decision: AnswerDecision,
    /// Why; required for a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 512))]
    pub reason: Option<String>,
    /// Who answered, recorded by the API server from the user making the
    /// change (a value written by hand is replaced, or refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 256))]
    pub by: Option<String>,
}

/// A provider's decision on a request.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
pub enum AnswerDecision {
    /// The consumer may call.
    Granted,
    /// The consumer may not, for the answer's reason.
    Refused,
}

/// A conditional request as the provider sees it in its status.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SharingRequestStatus {
    /// The consumer app, as `tenant/zone/app`.
    pub consumer: String,
    /// The purpose (用途) the consumer states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Pending, Granted or Refused.
    pub state: super::FlowState,
    /// When govcloud first saw the request waiting for an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Time>,
    /// When the answer is due (10 working days after `since`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Time>,
    /// Whether the answer is overdue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
}

/// What a provider's status says of its sharing.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SharingStatus {
    /// The sharing class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<SharingClass>,
    /// How many consumer apps reach it.
    #[serde(default)]
    pub consumers: u32,
    /// The requests of consumers (conditional sharing), answered or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<SharingRequestStatus>,
}

/// A provider's answer as it is written: the app's `spec.sharing.answers`
/// with `answer` in place of any earlier answer to the same consumer (its
/// `by` left out: the API server writes who answered), the others as they
/// were (their recorded `by` kept, which the admission policies accept).
/// `Err` names what is wrong with the answer before it is sent: a consumer
/// not of the form `tenant/zone/app`, or a blank reason (the console asks a
/// reason for a grant too; the API server requires one for a refusal).
pub fn with_answer(existing: &[SharingAnswer], answer: SharingAnswer) -> Result<Vec<SharingAnswer>, String> {
    if answer.consumer.split('/').count() != 3 || answer.consumer.split('/').any(str::is_empty) {
        return Err(format!("consumer {:?}: write it as tenant/zone/app", answer.consumer));
    }
    if answer.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(format!("the answer to {} carries no reason: say why it is granted or refused", answer.consumer));
    }
    let answer = SharingAnswer { by: None, reason: answer.reason.map(|r| r.trim().to_string()), ..answer };
    let mut out: Vec<SharingAnswer> = existing.iter().filter(|a| a.consumer != answer.consumer).cloned().collect();
    out.push(answer);
    Ok(out)
}

/// The JSON merge patch of a DepartmentApp that writes `answers` (the whole
/// list, as a merge patch replaces lists), only if the app is still at
/// `resource_version` (the API server answers 409 Conflict otherwise, so an
/// answer written meanwhile is never lost).
pub fn answers_patch(resource_version: &str, answers: &[SharingAnswer]) -> serde_json::Value {
    serde_json::json!({
        "metadata": {"resourceVersion": resource_version},
        "spec": {"sharing": {"answers": answers}},
    })
}
