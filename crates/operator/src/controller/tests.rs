use super::*;

#[test]
fn finalizer_failures_are_typed_and_outcomes_pass_through() {
    let wait = finalizer_halt(
        "f",
        finalizer::Error::CleanupFailed(Halt::Wait(super::super::Wait::NamespacesDeleting {
            namespaces: vec!["a".into()],
        })),
    );
    assert!(matches!(wait, Halt::Wait(_)));
    assert!(matches!(
        finalizer_halt("f", finalizer::Error::UnnamedObject),
        Halt::Failed(Error::UnnamedObject { finalizer: "f" })
    ));
    let e = finalizer_halt("f", finalizer::Error::InvalidFinalizer);
    assert!(matches!(&e, Halt::Failed(e) if e.metric_label() == "finalizer"));
}
