//! `govcloud request approve|reject`: a decision on a ResourceRequest.

use super::CliError;

/// Writes a decision into a request's status (the API server records who
/// decided, refuses the requester and keeps the decision final).
pub(super) async fn decide(request: &str, reason: &str, state: crate::api::DecisionState) -> Result<(), CliError> {
    let Some((namespace, name)) =
        request.split_once('/').filter(|(n, m)| !n.is_empty() && !m.is_empty() && !m.contains('/'))
    else {
        return Err(CliError::Input(format!(
            "request {request:?}: name it as NAMESPACE/NAME, for example health-extranet/more-cpu"
        )));
    };
    if reason.trim().is_empty() {
        return Err(CliError::Input("--reason: say why the request is approved or rejected".into()));
    }
    let client = kube::Client::try_default().await.map_err(|e| CliError::NoCluster {
        doing: "talk to",
        hint: "set KUBECONFIG",
        source: Box::new(e),
    })?;
    write_decision(client, namespace, name, reason, state)
        .await
        .map_err(|e| CliError::Kube { doing: format!("ResourceRequest {namespace}/{name}"), source: e })?;
    println!("ResourceRequest {namespace}/{name}: {state:?}");
    Ok(())
}

/// The decision as the API server takes it from any approver (this command,
/// the console): a merge patch of `status.decision` by `client`'s user.
pub(super) async fn write_decision(
    client: kube::Client,
    namespace: &str,
    name: &str,
    reason: &str,
    state: crate::api::DecisionState,
) -> Result<(), kube::Error> {
    let api: kube::Api<crate::api::ResourceRequest> = kube::Api::namespaced(client, namespace);
    let patch = serde_json::json!({"status": {"decision": {"state": state, "reason": reason}}});
    api.patch_status(name, &kube::api::PatchParams::default(), &kube::api::Patch::Merge(&patch)).await.map(|_| ())
}
