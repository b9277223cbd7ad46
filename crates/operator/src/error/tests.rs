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
