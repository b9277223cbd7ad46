use super::*;

#[test]
fn waits_are_not_errors_and_errors_keep_their_labels() {
    let h: Halt = Wait::PodsStopping { namespace: "a-ext".into(), pods: 2 }.into();
    assert!(matches!(h, Halt::Wait(_)));
    assert_eq!(h.to_string(), "waiting: waiting for 2 pods in a-ext to stop");
    let e = Error::serialize("Deployment/a/b", serde_json::from_str::<u8>("x").expect_err("not a number"));
    assert_eq!(e.metric_label(), "serialize");
    assert!(e.to_string().starts_with("serialising Deployment/a/b: "));
    assert_eq!(Error::UnnamedObject { finalizer: "f" }.metric_label(), "finalizer");
    assert_eq!(Error::CrdTimeout { crd: "x".into(), after: Duration::from_secs(60) }.metric_label(), "install");
    let h: Halt = Error::NoMetadata { object: "x".into() }.into();
    assert!(matches!(h, Halt::Failed(Error::NoMetadata { .. })));
}

#[test]
fn a_refusal_of_an_object_written_is_told_apart_from_other_failures() {
    let status = |code: u16, reason: &str| {
        kube::Error::Api(
            serde_json::from_value(serde_json::json!({
                "status": "Failure", "code": code, "reason": reason,
                "message": "Deployment.apps \"portal\" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"
            }))
            .expect("status"),
        )
    };
    let invalid = Error::request(Doing::Applying, "Deployment a-ext/portal", status(422, "Invalid"));
    let m = invalid.refusal().expect("a refusal");
    assert!(
        m.starts_with("the API server refused applying Deployment a-ext/portal (422 Invalid): Deployment.apps"),
        "{m}"
    );
    assert!(m.contains("must be less than or equal to cpu limit"), "{m}");
    assert!(Error::request(Doing::Creating, "Pod a/b", status(403, "Forbidden")).refusal().is_some());
    // Not a refusal of what is written: a conflict, a failed read or delete, an outage.
    assert_eq!(Error::request(Doing::Applying, "x", status(409, "Conflict")).refusal(), None);
    assert_eq!(Error::request(Doing::Reading, "x", status(403, "Forbidden")).refusal(), None);
    assert_eq!(Error::request(Doing::Deleting, "x", status(422, "Invalid")).refusal(), None);
    assert_eq!(Error::request(Doing::Applying, "x", status(500, "InternalError")).refusal(), None);
}
