//! The catalogue (目录) of shared information resources: one entry per app
//! that declares `spec.sharing`, as every department may read it.
//!
//! An entry says who holds the resource, what it is and how it is shared,
//! and how many departments use it or wait for an answer; never where it
//! is (no Service name, endpoint, address or port): a department reaches a
//! resource through a call its provider decides, not by finding it.
//!
//! In the cluster each entry is a cluster-scoped `SharedResource` the
//! operator keeps (named `<tenant>.<zone>.<app>`, owned by the provider's
//! Tenant), which every department's users may get, list and watch, and
//! only the operator writes.

use kube::{CustomResource, KubeSchema};
use serde::{Deserialize, Serialize};

use super::{DataClassification, DisplayName, SharingClass, UpdateFrequency};

/// One catalogue entry: the spec of a `SharedResource`.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[kube(
    group = "govcloud.io",
    doc = "An entry of the catalogue (目录) of shared information resources, kept by the govcloud operator from the providers' DepartmentApps: read-only for departments.",
    version = "v1alpha1",
    kind = "SharedResource",
    plural = "sharedresources",
    singular = "sharedresource",
    shortname = "shr",
    category = "govcloud",
    derive = "PartialEq",
    printcolumn = r#"{"name":"Tenant","type":"string","jsonPath":".spec.tenant"}"#,
    printcolumn = r#"{"name":"Zone","type":"string","jsonPath":".spec.zone"}"#,
    printcolumn = r#"{"name":"App","type":"string","jsonPath":".spec.app"}"#,
    printcolumn = r#"{"name":"Name (zh)","type":"string","jsonPath":".spec.names.zh"}"#,
    printcolumn = r#"{"name":"Class","type":"string","jsonPath":".spec.class"}"#,
    printcolumn = r#"{"name":"Data","type":"string","jsonPath":".spec.dataClassification"}"#,
    printcolumn = r#"{"name":"Consumers","type":"integer","jsonPath":".spec.consumers"}"#,
    printcolumn = r#"{"name":"Waiting","type":"integer","jsonPath":".spec.pending","description":"calls waiting on the provider's answer (待答复), as Waiting on a DepartmentApp"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueEntry {
    /// The provider's tenant (its department or district).
    pub tenant: String,
    /// The tenant's names.
    pub tenant_names: DisplayName,
    /// The zone the resource is in.
    pub zone: String,
    /// The provider app's name.
    pub app: String,
    /// The resource's names (zh, en, mn).
    pub names: DisplayName,
    /// The sharing class.
    pub class: SharingClass,
    /// Classification of the data it holds.
    pub data_classification: DataClassification,
    /// What it holds and what it is for.
    pub description: String,
    /// How often its data is updated.
    pub update_frequency: UpdateFrequency,
    /// Whom to ask at the provider.
    pub contact: String,
    /// For class `none`: the law, regulation or policy that keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// Consumer apps of other tenants whose calls to it are granted.
    #[serde(default)]
    pub consumers: u32,
    /// Calls waiting for the provider's answer.
    #[serde(default)]
    pub pending: u32,
}

/// The kind as k8s-openapi describes kinds, so the table of owned kinds
/// ([`crate::meta::kinds::OWNED`]) is made of it like of the others.
impl k8s_openapi::Resource for SharedResource {
    const API_VERSION: &'static str = crate::meta::API_VERSION;
    const GROUP: &'static str = crate::meta::GROUP;
    const KIND: &'static str = "SharedResource";
    const VERSION: &'static str = crate::meta::VERSION;
    const URL_PATH_SEGMENT: &'static str = "sharedresources";
    type Scope = k8s_openapi::ClusterResourceScope;
}

impl CatalogueEntry {
    /// `tenant/zone/app`.
    pub fn key(&self) -> super::AppKey {
        super::AppKey { tenant: self.tenant.clone(), zone: self.zone.clone(), app: self.app.clone() }
    }
}
