use super::*;
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels::{MANAGED_BY, OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;

fn meta(labels: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
        ..Default::default()
    }
}

#[test]
fn an_app_in_conflict_gets_no_ingress_or_disruption_budget() {
    let conflicted = ApplyReport {
        conflicts: vec![govcloud_core::msg!(Code::ConflictExists, "Service a-int/site", Code::ConflictNotCreated)],
        ..Default::default()
    };
    for kind in ["Ingress", "PodDisruptionBudget", "HorizontalPodAutoscaler"] {
        assert!(withheld_after_conflict(OwnerKind::DepartmentApp, kind, &conflicted));
        assert!(
            !withheld_after_conflict(OwnerKind::DepartmentApp, kind, &ApplyReport::default()),
            "no conflict, nothing withheld"
        );
        assert!(!withheld_after_conflict(OwnerKind::Tenant, kind, &conflicted));
    }
    assert!(!withheld_after_conflict(OwnerKind::DepartmentApp, "NetworkPolicy", &conflicted));
    let order = |k: &str| govcloud_core::meta::kinds::owned_kind(k).map(|k| k.order).unwrap_or_default();
    assert!(
        order("Ingress") > order("Service")
            && order("PodDisruptionBudget") > order("Deployment")
            && order("HorizontalPodAutoscaler") > order("Deployment"),
        "the referring kinds come after what they refer to"
    );
}

#[test]
fn only_objects_labelled_for_this_owner_are_ours() {
    let app = (OwnerKind::DepartmentApp, Some("a-ext"), "portal");
    let ours = meta(&[
        (MANAGED_BY, MANAGER),
        (OWNER_KIND, "DepartmentApp"),
        (OWNER_NAME, "portal"),
        (OWNER_NAMESPACE, "a-ext"),
    ]);
    assert!(labelled_for(&ours, app));
    assert!(!labelled_for(&ours, (OwnerKind::DepartmentApp, Some("b-ext"), "portal")), "another namespace's app");
    assert!(!labelled_for(&ours, (OwnerKind::DepartmentApp, Some("a-ext"), "db")), "another app");
    assert!(!labelled_for(&ours, (OwnerKind::Tenant, None, "portal")), "another kind");
    assert!(
        !labelled_for(&meta(&[(OWNER_KIND, "DepartmentApp"), (OWNER_NAME, "portal"), (OWNER_NAMESPACE, "a-ext")]), app),
        "not managed by govcloud"
    );
    assert!(!labelled_for(&meta(&[]), app));
    assert!(!labelled_for(&ObjectMeta::default(), app), "a tenant's object without labels");
    let tenant = meta(&[(MANAGED_BY, MANAGER), (OWNER_KIND, "Tenant"), (OWNER_NAME, "a")]);
    assert!(labelled_for(&tenant, (OwnerKind::Tenant, None, "a")));
    assert!(!labelled_for(
        &meta(&[(MANAGED_BY, MANAGER), (OWNER_KIND, "Tenant"), (OWNER_NAME, "a"), (OWNER_NAMESPACE, "x")]),
        (OwnerKind::Tenant, None, "a")
    ));
}

#[test]
fn a_create_entry_of_ours_is_found_and_nothing_else() {
    let entry = |manager: &str, operation: &str, sub: Option<&str>| ManagedFieldsEntry {
        manager: Some(manager.into()),
        operation: Some(operation.into()),
        subresource: sub.map(str::to_string),
        ..Default::default()
    };
    let with = |e: Vec<ManagedFieldsEntry>| ObjectMeta { managed_fields: Some(e), ..Default::default() };
    assert!(has_update_entry(&with(vec![entry(MANAGER, "Update", None)])));
    assert!(has_update_entry(&with(vec![entry(MANAGER, "Apply", None), entry(MANAGER, "Update", None)])));
    assert!(!has_update_entry(&with(vec![entry(MANAGER, "Apply", None)])));
    assert!(!has_update_entry(&with(vec![
        entry(MANAGER, "Apply", None),
        entry("kube-controller-manager", "Update", Some("status"))
    ])));
    assert!(!has_update_entry(&with(vec![entry(MANAGER, "Update", Some("status"))])));
    assert!(!has_update_entry(&with(vec![entry("kubectl-edit", "Update", None)])));
    assert!(!has_update_entry(&ObjectMeta::default()));
}

#[test]
fn conflicts_say_what_is_in_the_way_and_what_waits() {
    assert_eq!(ApplyReport::default().conflict_message(), None);
    let r = ApplyReport {
        conflicts: vec![govcloud_core::msg!(
            Code::ConflictExists,
            "Deployment a-ext/adopted",
            Code::ConflictNotCreated
        )],
        ..Default::default()
    };
    let m = r.conflict_message().expect("message");
    assert!(m.starts_with("Deployment a-ext/adopted exists and was not created by govcloud;"), "{m}");
    let r = ApplyReport {
        conflicts: vec![govcloud_core::msg!(
            Code::ConflictExists,
            "NetworkPolicy a-ext/govcloud-default-deny",
            Code::ConflictNotCreated
        )],
        blocked: vec!["RoleBinding a-ext/govcloud-admin".into()],
        ..Default::default()
    };
    assert!(
        r.conflict_message()
            .expect("message")
            .contains("not applied until that is resolved: RoleBinding a-ext/govcloud-admin")
    );
    let np: Owned = Owned::NetworkPolicy(k8s_openapi::api::networking::v1::NetworkPolicy {
        metadata: ObjectMeta { name: Some("p".into()), namespace: Some("ns".into()), ..Default::default() },
        spec: None,
    });
    assert_eq!(described(&np), "NetworkPolicy ns/p");
    assert!(np.precedes_access());
}

/// A refusal as the API server sends it.
fn refused(code: u16, reason: &str) -> kube::Error {
    let status: kube::core::Status = serde_json::from_value(json!({
        "status": "Failure", "code": code, "reason": reason, "message": "Apply failed with 1 conflict: conflict with \"kubectl\""
    }))
    .expect("a status");
    kube::Error::Api(Box::new(status))
}

#[test]
fn a_failed_request_names_its_object_and_keeps_its_label_and_log_shape() {
    let e = Error::request(Doing::Applying, describe("Deployment", "ns-a", "web"), refused(409, "Conflict"));
    assert_eq!(e.to_string(), format!("applying Deployment ns-a/web: {}", refused(409, "Conflict")));
    assert!(e.to_string().starts_with("applying Deployment ns-a/web: ApiError: Apply failed with 1 conflict"), "{e}");
    assert_eq!(e.metric_label(), "conflict", "counted as the API error it wraps");
    assert_eq!(
        e.without_object(),
        Error::Kube(refused(409, "Conflict")).to_string(),
        "alike failures of different objects are one shape in the failure log"
    );
    let pruned = Error::request(Doing::Deleting, describe("ClusterRole", "", "t1-auditor"), refused(403, "Forbidden"));
    assert!(pruned.to_string().starts_with("deleting ClusterRole t1-auditor: ApiError: "), "{pruned}");
    assert_eq!(pruned.metric_label(), "forbidden");
    let repair = Error::request(Doing::Repairing, "NetworkPolicy a-ext/default-deny", refused(422, "Invalid"));
    assert!(repair.to_string().starts_with("repairing NetworkPolicy a-ext/default-deny: "), "{repair}");
    assert_eq!(repair.metric_label(), "invalid");
    let owning = Error::request(Doing::SettingFieldOwnership, "Service a-int/site", refused(500, "InternalError"));
    assert!(owning.to_string().starts_with("setting the field ownership of Service a-int/site: "), "{owning}");
    assert_eq!(owning.metric_label(), "kube");
    let h: crate::Halt = e.into();
    assert!(matches!(h, crate::Halt::Failed(Error::Request { doing: Doing::Applying, .. })));
}

#[test]
fn only_a_deployment_rendered_without_replicas_hands_its_live_count_over() {
    use super::handover::handover_count;
    let live = Some(3);
    assert_eq!(handover_count("Deployment", &json!({"spec": {"template": {}}}), live), Some(3));
    assert_eq!(handover_count("StatefulSet", &json!({"spec": {"template": {}}}), live), Some(3));
    assert_eq!(handover_count("CronJob", &json!({"spec": {}}), live), None, "a CronJob has no count");
    assert_eq!(handover_count("Deployment", &json!({"spec": {"replicas": 2}}), live), None, "govcloud sets it");
    assert_eq!(handover_count("Deployment", &json!({"spec": {}}), None), None, "nothing to keep");
    assert_eq!(handover_count("Service", &json!({"spec": {}}), live), None);
}
