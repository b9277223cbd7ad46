use super::*;
use govcloud_core::api::SharedResource;
use govcloud_core::meta::kinds::owned_kind;
use k8s_openapi::Resource;
use kube::CustomResourceExt;

#[test]
fn every_variant_is_its_entry_of_the_owned_kinds_table() {
    let all = [
        (Owned::ClusterRole(Default::default()), ClusterRole::KIND, ClusterRole::API_VERSION),
        (
            Owned::ValidatingAdmissionPolicyBinding(Default::default()),
            ValidatingAdmissionPolicyBinding::KIND,
            ValidatingAdmissionPolicyBinding::API_VERSION,
        ),
        (
            Owned::ClusterNetworkPolicy(ClusterNetworkPolicy::new(
                "",
                govcloud_core::meta::cluster_policy::ClusterNetworkPolicySpec {
                    tier: govcloud_core::meta::cluster_policy::ClusterNetworkPolicyTier::Admin,
                    priority: 0,
                    subject: Default::default(),
                    ingress: None,
                    egress: None,
                },
            )),
            ClusterNetworkPolicy::KIND,
            ClusterNetworkPolicy::API_VERSION,
        ),
        (Owned::Namespace(Default::default()), Namespace::KIND, Namespace::API_VERSION),
        (Owned::ResourceQuota(Default::default()), ResourceQuota::KIND, ResourceQuota::API_VERSION),
        (Owned::LimitRange(Default::default()), LimitRange::KIND, LimitRange::API_VERSION),
        (Owned::NetworkPolicy(Default::default()), NetworkPolicy::KIND, NetworkPolicy::API_VERSION),
        (Owned::RoleBinding(Default::default()), RoleBinding::KIND, RoleBinding::API_VERSION),
        (Owned::ClusterRoleBinding(Default::default()), ClusterRoleBinding::KIND, ClusterRoleBinding::API_VERSION),
        (Owned::Service(Box::default()), Service::KIND, Service::API_VERSION),
        (Owned::Deployment(Box::default()), Deployment::KIND, Deployment::API_VERSION),
        (Owned::StatefulSet(Box::default()), StatefulSet::KIND, StatefulSet::API_VERSION),
        (Owned::CronJob(Box::default()), CronJob::KIND, CronJob::API_VERSION),
        (Owned::PodDisruptionBudget(Default::default()), PodDisruptionBudget::KIND, PodDisruptionBudget::API_VERSION),
        (Owned::Ingress(Default::default()), Ingress::KIND, Ingress::API_VERSION),
        (
            Owned::HorizontalPodAutoscaler(Default::default()),
            HorizontalPodAutoscaler::KIND,
            HorizontalPodAutoscaler::API_VERSION,
        ),
        (Owned::SharedResource(shared_resource()), SharedResource::KIND, SharedResource::API_VERSION),
    ];
    assert_eq!(all.len(), OWNED.len(), "one variant per owned kind");
    for (i, (o, kind, api_version)) in all.iter().enumerate() {
        assert_eq!((o.kind(), o.owned_kind().api_version), (*kind, *api_version));
        assert_eq!(o.owned_kind(), &OWNED[i]);
    }
}

fn shared_resource() -> SharedResource {
    use govcloud_core::api::{CatalogueEntry, DataClassification, SharingClass, UpdateFrequency};
    SharedResource::new(
        "statistics.extranet.macro-db",
        CatalogueEntry {
            tenant: "statistics".into(),
            tenant_names: Default::default(),
            zone: "extranet".into(),
            app: "macro-db".into(),
            names: Default::default(),
            class: SharingClass::Unconditional,
            data_classification: DataClassification::Internal,
            description: "GDP".into(),
            update_frequency: UpdateFrequency::Monthly,
            contact: "office".into(),
            basis: None,
            consumers: 0,
            pending: 0,
        },
    )
}

#[test]
fn the_catalogues_kind_is_the_crds() {
    let crd = SharedResource::crd();
    let k = owned_kind("SharedResource").expect("owned");
    assert_eq!((k.group, k.plural, k.namespaced), (crd.spec.group.as_str(), crd.spec.names.plural.as_str(), false));
    assert_eq!(crd.spec.scope, "Cluster");
    assert_eq!(serde_json::to_value(Owned::SharedResource(shared_resource())).expect("json")["kind"], "SharedResource");
}
