//! Departments' ResourceRequests on the real control plane: what the API
//! server enforces with the operator stopped (who files, who decides, once,
//! where), and with the operator running what a decision does (approved:
//! the quota grows; rejected: nothing; a surge expires and the quota shrinks
//! back without evicting running pods; a zone and a host name are granted).

use crate::support;

use std::time::Duration;

use govcloud::api::{RequestPhase, ResourceRequest};
use govcloud::meta::names;
use k8s_openapi::api::core::v1::{Event, Namespace, Pod, ResourceQuota};
use k8s_openapi::api::rbac::v1::{ClusterRole, RoleBinding};
use kube::api::{Api, ApiResource, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};
use support::offline::zone_doc;
use support::{Operator, client, eventually, impersonating, short};

const CONVERGE: Duration = Duration::from_secs(120);

/// A zone on the extranet nodes, a second zone on the internet nodes, the
/// tenant whose admins file requests and a second tenant.
fn model(zone: &str, zone2: &str, tenant: &str, other: &str) -> String {
    let z1 = zone_doc(zone, "extranet", "10.95.0.0/16", "");
    let z2 = zone_doc(zone2, "internet", "10.94.0.0/16", "internetIngress: true");
    format!(
        r#"
{z1}---
{z2}---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {tenant}}}
spec:
  displayName: {{zh: 卫健委, en: Health}}
  owners: [{{kind: Group, name: {tenant}-admins, role: admin}}]
  zones:
    - name: {zone}
      quota: {{cpu: "4", memory: 8Gi, pods: 20, services: 10}}
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {other}}}
spec:
  displayName: {{zh: 其他, en: Other}}
  owners: [{{kind: Group, name: {other}-admins, role: admin}}]
  zones: [{{name: {zone}}}]
"#
    )
}

fn request_resource() -> ApiResource {
    ApiResource::erase::<ResourceRequest>(&())
}

/// A request body; `spec` holds the kind-specific fields.
fn body(name: &str, scope: &str, spec: Value) -> Value {
    let mut s = json!({"justification": "flood season: the emergency command system needs more capacity", "project": "应急指挥 (emergency command)"});
    if let (Some(o), Some(extra)) = (s.as_object_mut(), spec.as_object()) {
        o.extend(extra.clone());
    }
    json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "ResourceRequest", "metadata": {"name": name, "labels": {"govcloud.io/scope": scope}}, "spec": s})
}

async fn file(c: &Client, ns: &str, body: &Value) -> Result<DynamicObject, kube::Error> {
    let obj: DynamicObject = serde_json::from_value(body.clone()).expect("object");
    Api::<DynamicObject>::namespaced_with(c.clone(), ns, &request_resource()).create(&PostParams::default(), &obj).await
}

async fn decide(c: &Client, ns: &str, name: &str, decision: Value) -> Result<ResourceRequest, kube::Error> {
    Api::<ResourceRequest>::namespaced(c.clone(), ns)
        .patch_status(name, &PatchParams::default(), &Patch::Merge(json!({"status": {"decision": decision}})))
        .await
}

/// The API server's refusal, as (code, message); panics when it accepted.
fn refused<T: std::fmt::Debug>(what: &str, r: Result<T, kube::Error>) -> (u16, String) {
    match r {
        Err(kube::Error::Api(s)) => (s.code, s.message.clone()),
        other => panic!("{what}: expected the API server to refuse, got {other:?}"),
    }
}

async fn get(c: &Client, ns: &str, name: &str) -> ResourceRequest {
    Api::<ResourceRequest>::namespaced(c.clone(), ns).get(name).await.expect("request")
}

/// The quota's `limits.cpu` once the quota controller has made it the one
/// admission enforces (`status.hard` equal to `spec.hard`); `None` before.
async fn quota_cpu(c: &Client, ns: &str) -> Option<String> {
    let q = Api::<ResourceQuota>::namespaced(c.clone(), ns).get_opt(names::QUOTA).await.ok()??;
    let spec = q.spec?.hard?.get("limits.cpu").map(|v| v.0.clone())?;
    let enforced = q.status?.hard?.get("limits.cpu").map(|v| v.0.clone())?;
    (spec == enforced).then_some(spec)
}

async fn bind_approver(c: &Client, user: &str) {
    let crb = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": format!("test-approver-{user}")},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": names::REQUEST_APPROVER},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]
    });
    let crb: k8s_openapi::api::rbac::v1::ClusterRoleBinding = serde_json::from_value(crb).expect("binding");
    Api::<k8s_openapi::api::rbac::v1::ClusterRoleBinding>::all(c.clone())
        .patch(&format!("test-approver-{user}"), &PatchParams::apply("govcloud-tests").force(), &Patch::Apply(&crb))
        .await
        .expect("bind approver");
}

/// Starts an operator for `scope`, applies the model and waits until the
/// tenant's namespace has its admins' binding and quota.
async fn provisioned(c: &Client, scope: &str, zone: &str, zone2: &str, tenant: &str, other: &str) -> Operator {
    let op = Operator::start(scope, 300).await;
    support::apply_text(c, &model(zone, zone2, tenant, other), scope).await;
    let ns = format!("{tenant}-{zone}");
    eventually("the tenant's namespace with its admins and quota", CONVERGE, || async {
        let rb = Api::<RoleBinding>::namespaced(c.clone(), &ns)
            .get_opt(&names::tenant_role_binding("admin"))
            .await
            .ok()??;
        let other_rb = Api::<RoleBinding>::namespaced(c.clone(), &format!("{other}-{zone}"))
            .get_opt(&names::tenant_role_binding("admin"))
            .await
            .ok()??;
        let approver = Api::<ClusterRole>::all(c.clone()).get_opt(names::REQUEST_APPROVER).await.ok()??;
        (quota_cpu(c, &ns).await.is_some()).then_some((rb, other_rb, approver))
    })
    .await;
    support::quota_counts(c, &ns, "count/resourcerequests.govcloud.io").await;
    op
}

#[tokio::test]
async fn with_the_operator_stopped_the_api_server_decides_who_files_and_who_decides() {
    let c = client().await;
    let scope = short("rq");
    let (zone, zone2, tenant, other) = (short("rz"), short("ry"), short("rt"), short("ro"));
    let mut op = provisioned(&c, &scope, &zone, &zone2, &tenant, &other).await;
    let (wang, li) = (format!("pe-wang-{scope}"), format!("pe-li-{scope}"));
    bind_approver(&c, &wang).await;
    bind_approver(&c, &li).await;
    // The zone's capacity, as the operator writes it for admission (GC-ZONE-007).
    eventually("the zone's capacity in its status", CONVERGE, || async {
        let z = Api::<govcloud::api::NetworkZone>::all(c.clone()).get(&zone).await.ok()?;
        z.status?.capacity
    })
    .await;
    op.kill();

    let ns = format!("{tenant}-{zone}");
    let admins = format!("{tenant}-admins");
    let dept_user = format!("dept-zhang-{scope}");
    let dept = impersonating(&dept_user, &[&admins]).await;
    let platform = impersonating(&wang, &[]).await;
    // Both a department admin and an approver.
    let both = impersonating(&li, &[&admins]).await;

    // A department admin files each kind of request. The requester and the
    // status it types in are not what is stored.
    let forged = |name: &str, spec: Value| {
        let mut b = body(name, &scope, spec);
        b["spec"]["requester"] = json!({"username": "the-mayor", "groups": ["system:masters"]});
        b["status"] = json!({"decision": {"state": "Approved", "reason": "self-approved", "by": "the-mayor"}, "phase": "Approved"});
        b
    };
    let kinds = [
        ("more-cpu", json!({"kind": "Quota", "zone": zone, "resources": {"cpu": "2", "pods": 5}})),
        ("flood", json!({"kind": "Surge", "zone": zone, "resources": {"cpu": "1"}, "minutes": 60})),
        ("private", json!({"kind": "ZoneAccess", "zone": zone2, "resources": {"memory": "16Gi"}})),
        ("site", json!({"kind": "Hostname", "hostname": format!("{tenant}.chifeng.gov.cn")})),
    ];
    for (name, spec) in &kinds {
        file(&dept, &ns, &forged(name, spec.clone())).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = get(&c, &ns, name).await;
        let requester = r.spec.requester.clone().expect("requester recorded");
        assert_eq!(requester.username, dept_user, "{name}: the requester is who filed it");
        assert!(
            requester.groups.contains(&admins) && !requester.groups.iter().any(|g| g == "system:masters"),
            "{name}: {:?}",
            requester.groups
        );
        assert!(r.status.is_none(), "{name}: a status typed into the create body is dropped: {:?}", r.status);
    }

    // The department cannot decide: no right to the status subresource ...
    let (code, _) = refused(
        "a department approving its own request",
        decide(&dept, &ns, "more-cpu", json!({"state": "Approved", "reason": "we need it"})).await,
    );
    assert_eq!(code, 403);
    // ... nor can it give itself that right: its bindings grant tenant roles only.
    let rb = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "self-approval"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": names::REQUEST_APPROVER},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": dept_user}]
    });
    let rb: RoleBinding = serde_json::from_value(rb).expect("rb");
    let (code, _) = refused(
        "a department binding itself the approver role",
        Api::<RoleBinding>::namespaced(dept.clone(), &ns).create(&PostParams::default(), &rb).await,
    );
    assert_eq!(code, 403);
    // ... nor change a request once filed (no right to; and the spec is immutable for everyone).
    let edit = Patch::Merge(json!({"spec": {"resources": {"cpu": "200"}}}));
    let (code, _) = refused(
        "a department editing its request",
        Api::<ResourceRequest>::namespaced(dept.clone(), &ns).patch("more-cpu", &PatchParams::default(), &edit).await,
    );
    assert_eq!(code, 403);
    let (code, message) = refused(
        "anyone editing a filed request",
        Api::<ResourceRequest>::namespaced(c.clone(), &ns).patch("more-cpu", &PatchParams::default(), &edit).await,
    );
    assert_eq!(code, 422);
    assert!(message.contains("spec is immutable"), "{message}");

    // Where requests may be filed: a tenant namespace only, for its own zone, as its own tenant.
    let (code, message) = refused(
        "a request outside a tenant namespace",
        file(&c, "default", &body("stray", &scope, kinds[0].1.clone())).await,
    );
    assert_eq!(code, 403);
    assert!(message.contains("GC-REQ-002") && message.contains("metadata.namespace"), "{message}");
    let elsewhere = json!({"kind": "Quota", "zone": zone2, "resources": {"cpu": "2"}});
    let (code, message) = refused(
        "a quota request for a zone not the namespace's",
        file(&dept, &ns, &body("wrong-zone", &scope, elsewhere)).await,
    );
    assert_eq!(code, 403);
    assert!(message.contains("GC-REQ-002") && message.contains("spec.zone"), "{message}");
    let (code, _) = refused(
        "a request in another tenant's namespace",
        file(&dept, &format!("{other}-{zone}"), &body("theirs", &scope, kinds[0].1.clone())).await,
    );
    assert_eq!(code, 403);
    let mut says_other = body("says-other", &scope, kinds[0].1.clone());
    says_other["spec"]["tenant"] = json!(other);
    if file(&dept, &ns, &says_other).await.is_ok() {
        let stored = Api::<DynamicObject>::namespaced_with(c.clone(), &ns, &request_resource())
            .get("says-other")
            .await
            .expect("stored");
        assert!(
            stored.data["spec"].get("tenant").is_none(),
            "a request never names its tenant: {}",
            stored.data["spec"]
        );
    }

    // Separation of duties: someone who is both requester and approver cannot decide their own request.
    file(&both, &ns, &body("li-own", &scope, kinds[0].1.clone())).await.expect("li files");
    let (code, message) = refused(
        "an approver deciding their own request",
        decide(&both, &ns, "li-own", json!({"state": "Approved", "reason": "mine"})).await,
    );
    assert_eq!(code, 403);
    assert!(message.contains("GC-REQ-001") && message.contains("separation of duties"), "{message}");

    // A platform engineer decides, with a reason; the decider is who decided.
    let (code, _) = refused(
        "a decision without a reason",
        decide(&platform, &ns, "more-cpu", json!({"state": "Approved", "reason": "  "})).await,
    );
    assert_eq!(code, 422);
    let approved = decide(
        &platform,
        &ns,
        "more-cpu",
        json!({"state": "Approved", "reason": "project 应急指挥 funded", "by": "the-mayor"}),
    )
    .await
    .expect("approve");
    let decision = approved.status.and_then(|s| s.decision).expect("decision");
    assert_eq!(decision.by.as_deref(), Some(wang.as_str()), "the decider is recorded from the request");
    let rejected =
        decide(&platform, &ns, "li-own", json!({"state": "Rejected", "reason": "duplicated construction (重复建设)"}))
            .await
            .expect("reject");
    assert_eq!(rejected.status.and_then(|s| s.decision).and_then(|d| d.by).as_deref(), Some(wang.as_str()));
    // Final: neither changed nor withdrawn, not even by the platform engineer.
    let (code, message) = refused(
        "a decision changed",
        decide(&platform, &ns, "more-cpu", json!({"state": "Rejected", "reason": "changed my mind"})).await,
    );
    assert_eq!(code, 403);
    assert!(message.contains("final"), "{message}");
    let (code, _) = refused(
        "a decision removed",
        Api::<ResourceRequest>::namespaced(platform.clone(), &ns)
            .patch_status("more-cpu", &PatchParams::default(), &Patch::Merge(json!({"status": {"decision": null}})))
            .await,
    );
    assert_eq!(code, 403);
    // A surge's end is the operator's alone: the approval's time plus its minutes (E4).
    let status = Api::<ResourceRequest>::namespaced(platform.clone(), &ns);
    let with_end = json!({"status": {"decision": {"state": "Approved", "reason": "flood season"}, "expiresAt": "2099-01-01T00:00:00Z"}});
    let (code, message) = refused(
        "an approver setting a surge's end with the decision",
        status.patch_status("flood", &PatchParams::default(), &Patch::Merge(with_end)).await,
    );
    assert_eq!(code, 403);
    assert!(message.contains("GC-REQ-001") && message.contains("operator"), "{message}");
    decide(&platform, &ns, "flood", json!({"state": "Approved", "reason": "flood season"}))
        .await
        .expect("the decision alone");
    let (code, _) = refused(
        "an approver setting a surge's end after the decision",
        status
            .patch_status(
                "flood",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"expiresAt": "2099-01-01T00:00:00Z"}})),
            )
            .await,
    );
    assert_eq!(code, 403);
    let (code, _) = refused(
        "an approver writing the operator's phase",
        status
            .patch_status("private", &PatchParams::default(), &Patch::Merge(json!({"status": {"phase": "Approved"}})))
            .await,
    );
    assert_eq!(code, 403);
    // The operator's own identity, and the end it may write.
    let operator = support::client_at(&support::operator_kubeconfig(&scope).await).await;
    let as_operator = Api::<ResourceRequest>::namespaced(operator, &ns);
    let at = "2026-03-01T10:00:00Z";
    let history = json!([{"phase": "Approved", "at": at, "by": wang}]);
    let write =
        |end: &str| Patch::Merge(json!({"status": {"phase": "Approved", "history": history, "expiresAt": end}}));
    let (code, message) = refused(
        "the operator writing an end that is not approval + minutes",
        as_operator.patch_status("flood", &PatchParams::default(), &write("2026-03-02T10:00:00Z")).await,
    );
    assert_eq!(code, 403);
    assert!(message.contains("expiresAt"), "{message}");
    as_operator
        .patch_status("flood", &PatchParams::default(), &write("2026-03-01T11:00:00Z"))
        .await
        .expect("the approval plus 60 minutes");
    let (code, message) = refused(
        "a surge's end moved, even by the operator",
        as_operator
            .patch_status(
                "flood",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"expiresAt": "2026-03-01T12:00:00Z"}})),
            )
            .await,
    );
    assert_eq!(code, 403);
    assert!(message.contains("expiresAt"), "{message}");

    // An approval beyond the zone's capacity is refused (E8); the request stays pending.
    let huge = json!({"kind": "Quota", "zone": zone, "resources": {"cpu": "100000"}});
    file(&dept, &ns, &body("huge", &scope, huge)).await.expect("file a huge request");
    // The zone's binding and status reach the API server's admission caches a moment after they exist.
    let approve = Patch::Merge(json!({"status": {"decision": {"state": "Approved", "reason": "why not"}}}));
    let dry = PatchParams { dry_run: true, ..Default::default() };
    eventually("the zone's capacity rule in force", CONVERGE, || async {
        Api::<ResourceRequest>::namespaced(platform.clone(), &ns).patch_status("huge", &dry, &approve).await.err()
    })
    .await;
    let (code, message) = refused(
        "approving more than the zone holds",
        decide(&platform, &ns, "huge", json!({"state": "Approved", "reason": "why not"})).await,
    );
    assert_eq!(code, 403);
    assert!(message.contains("GC-ZONE-007"), "{message}");
    decide(&platform, &ns, "huge", json!({"state": "Rejected", "reason": "the extranet has no room for it"}))
        .await
        .expect("rejecting is always possible");

    // The record is kept (E11): a decided request cannot be deleted by its department; a pending one can be withdrawn.
    let dept_requests = Api::<ResourceRequest>::namespaced(dept.clone(), &ns);
    let (code, message) = refused(
        "a department deleting a decided request",
        dept_requests.delete("more-cpu", &Default::default()).await.map(|_| ()),
    );
    assert_eq!(code, 403);
    assert!(message.contains("GC-REQ-001") && message.contains("record"), "{message}");
    dept_requests.delete("private", &Default::default()).await.expect("a pending request is withdrawn");
}

async fn phase(c: &Client, ns: &str, name: &str) -> Option<RequestPhase> {
    Api::<ResourceRequest>::namespaced(c.clone(), ns).get(name).await.ok()?.status?.phase
}

async fn events_for(c: &Client, ns: &str, name: &str) -> Vec<String> {
    Api::<Event>::namespaced(c.clone(), ns)
        .list(&ListParams::default())
        .await
        .map(|l| {
            l.items
                .into_iter()
                .filter(|e| {
                    e.involved_object.kind.as_deref() == Some("ResourceRequest")
                        && e.involved_object.name.as_deref() == Some(name)
                })
                .filter_map(|e| e.reason)
                .collect()
        })
        .unwrap_or_default()
}

fn cpu_pod(name: &str, limit: &str) -> Value {
    support::pod(name, |p| {
        p["spec"]["containers"][0]["resources"]["limits"]["cpu"] = json!(limit);
    })
}

#[tokio::test]
async fn approved_requests_take_effect_rejected_ones_change_nothing_and_a_surge_expires_without_evictions() {
    let c = client().await;
    let scope = short("rq");
    let (zone, zone2, tenant, other) = (short("rz"), short("ry"), short("rt"), short("ro"));
    let _op = provisioned(&c, &scope, &zone, &zone2, &tenant, &other).await;
    let wang = format!("pe-wang-{scope}");
    bind_approver(&c, &wang).await;
    let ns = format!("{tenant}-{zone}");
    let dept = impersonating(&format!("dept-zhang-{scope}"), &[&format!("{tenant}-admins")]).await;
    let platform = impersonating(&wang, &[]).await;
    let quota_is = |want: &'static str| {
        let (c, ns) = (c.clone(), ns.clone());
        async move {
            eventually(&format!("limits.cpu {want} in {ns}"), CONVERGE, || async {
                quota_cpu(&c, &ns)
                    .await
                    .filter(|q| govcloud::meta::compare::contains(&json!(q), &json!(want)))
                    .map(|_| ())
            })
            .await
        }
    };
    quota_is("4").await;

    // Approved: the quota grows, the Tenant is not rewritten, and each transition is an Event.
    file(&dept, &ns, &body("more-cpu", &scope, json!({"kind": "Quota", "zone": zone, "resources": {"cpu": "2"}})))
        .await
        .expect("file");
    eventually("the request Pending", CONVERGE, || async {
        (phase(&c, &ns, "more-cpu").await == Some(RequestPhase::Pending)).then_some(())
    })
    .await;
    decide(&platform, &ns, "more-cpu", json!({"state": "Approved", "reason": "project funded"}))
        .await
        .expect("approve");
    quota_is("6").await;
    let t = Api::<govcloud::api::Tenant>::all(c.clone()).get(&tenant).await.expect("tenant");
    assert_eq!(t.spec.zones[0].quota.cpu, "4", "the Tenant stays as declared");
    eventually("Pending and Approved Events", CONVERGE, || async {
        let ev = events_for(&c, &ns, "more-cpu").await;
        (ev.iter().any(|r| r == "Pending") && ev.iter().any(|r| r == "Approved")).then_some(())
    })
    .await;
    let history = get(&c, &ns, "more-cpu").await.status.expect("status").history;
    assert_eq!(
        history.iter().map(|h| h.phase).collect::<Vec<_>>(),
        vec![RequestPhase::Pending, RequestPhase::Approved]
    );
    assert_eq!(history[1].by.as_deref(), Some(wang.as_str()));

    // Rejected (with the CLI, as the platform engineer): nothing changes (the surge below ends at 6, not 16).
    file(&dept, &ns, &body("much-more", &scope, json!({"kind": "Quota", "zone": zone, "resources": {"cpu": "10"}})))
        .await
        .expect("file");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["request", "reject", &format!("{ns}/much-more"), "--reason", "duplicated construction (重复建设)"])
        .env("KUBECONFIG", support::kubeconfig_as(&wang, &[]))
        .output()
        .expect("govcloud request reject");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let decision = get(&c, &ns, "much-more").await.status.and_then(|s| s.decision).expect("decided");
    assert_eq!((decision.state, decision.by.as_deref()), (govcloud::api::DecisionState::Rejected, Some(wang.as_str())));
    eventually("the request Rejected", CONVERGE, || async {
        (phase(&c, &ns, "much-more").await == Some(RequestPhase::Rejected)).then_some(())
    })
    .await;

    // A one-minute surge: the quota grows, pods use it, then it ends by itself.
    file(
        &dept,
        &ns,
        &body("flood", &scope, json!({"kind": "Surge", "zone": zone, "resources": {"cpu": "1"}, "minutes": 1})),
    )
    .await
    .expect("file");
    decide(&platform, &ns, "flood", json!({"state": "Approved", "reason": "flood warning level II"}))
        .await
        .expect("approve");
    quota_is("7").await;
    let expires = get(&c, &ns, "flood").await.status.and_then(|s| s.expires_at).expect("the surge's end is recorded");
    let pods: Api<Pod> = Api::namespaced(c.clone(), &ns);
    for name in ["surge-a", "surge-b"] {
        let p: Pod = serde_json::from_value(cpu_pod(name, "3250m")).expect("pod");
        pods.create(&PostParams::default(), &p)
            .await
            .unwrap_or_else(|e| panic!("{name} within the surge's quota: {e}"));
    }
    let running = |p: &Pod| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
    eventually("both pods Running", CONVERGE, || async {
        let l = pods.list(&ListParams::default()).await.ok()?;
        (l.items.iter().filter(|p| running(p)).count() == 2).then_some(())
    })
    .await;
    eventually("the surge Expired", Duration::from_secs(180), || async {
        (phase(&c, &ns, "flood").await == Some(RequestPhase::Expired)).then_some(())
    })
    .await;
    assert!(k8s_openapi::jiff::Timestamp::now() >= expires.0, "expired no earlier than its end");
    quota_is("6").await;
    // Running pods stay; the quota now refuses what no longer fits.
    let l = pods.list(&ListParams::default()).await.expect("pods");
    assert_eq!(
        l.items.iter().filter(|p| running(p) && p.metadata.deletion_timestamp.is_none()).count(),
        2,
        "no pod evicted"
    );
    let late: Pod = serde_json::from_value(cpu_pod("after-surge", "100m")).expect("pod");
    let (code, message) = refused("a pod beyond the shrunk quota", pods.create(&PostParams::default(), &late).await);
    assert_eq!(code, 403);
    assert!(message.contains("exceeded quota"), "{message}");
    assert!(events_for(&c, &ns, "flood").await.iter().any(|r| r == "Expired"));

    // Zone access: a namespace in the other zone with its quota; a host name: the namespace allows it.
    let host = format!("{tenant}.chifeng.gov.cn");
    file(
        &dept,
        &ns,
        &body("private", &scope, json!({"kind": "ZoneAccess", "zone": zone2, "resources": {"memory": "16Gi"}})),
    )
    .await
    .expect("file");
    file(&dept, &ns, &body("site", &scope, json!({"kind": "Hostname", "hostname": host}))).await.expect("file");
    decide(&platform, &ns, "private", json!({"state": "Approved", "reason": "open-data portal"}))
        .await
        .expect("approve");
    decide(&platform, &ns, "site", json!({"state": "Approved", "reason": "registered with the CAC"}))
        .await
        .expect("approve");
    let ns2 = format!("{tenant}-{zone2}");
    eventually("the granted zone's namespace with its quota", CONVERGE, || async {
        let q = Api::<ResourceQuota>::namespaced(c.clone(), &ns2).get_opt(names::QUOTA).await.ok()??;
        let mem = q.spec?.hard?.get("limits.memory")?.0.clone();
        govcloud::meta::compare::contains(&json!(mem), &json!("16Gi")).then_some(())
    })
    .await;
    eventually("the host allowed in the tenant's namespaces", CONVERGE, || async {
        let n = Api::<Namespace>::all(c.clone()).get(&ns).await.ok()?;
        let hosts = n.annotations().get(govcloud::meta::labels::ALLOWED_HOSTS)?.clone();
        hosts.split(',').any(|h| h == host).then_some(())
    })
    .await;
    for p in ["surge-a", "surge-b"] {
        let _ = pods.delete(p, &Default::default()).await;
    }
}
