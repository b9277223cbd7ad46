use super::*;
use k8s_openapi::Resource;

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
        (Owned::Service(Default::default()), Service::KIND, Service::API_VERSION),
        (Owned::Deployment(Default::default()), Deployment::KIND, Deployment::API_VERSION),
        (Owned::StatefulSet(Default::default()), StatefulSet::KIND, StatefulSet::API_VERSION),
        (Owned::CronJob(Default::default()), CronJob::KIND, CronJob::API_VERSION),
        (Owned::PodDisruptionBudget(Default::default()), PodDisruptionBudget::KIND, PodDisruptionBudget::API_VERSION),
        (Owned::Ingress(Default::default()), Ingress::KIND, Ingress::API_VERSION),
        (
            Owned::HorizontalPodAutoscaler(Default::default()),
            HorizontalPodAutoscaler::KIND,
            HorizontalPodAutoscaler::API_VERSION,
        ),
    ];
    assert_eq!(all.len(), OWNED.len(), "one variant per owned kind");
    for (i, (o, kind, api_version)) in all.iter().enumerate() {
        assert_eq!((o.kind(), o.owned_kind().api_version), (*kind, *api_version));
        assert_eq!(o.owned_kind(), &OWNED[i]);
    }
}
