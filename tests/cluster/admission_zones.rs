//! A pod meets one policy: each pod-spec shape's bundle carries its zone's
//! checks, bound once per zone (the zone's NetworkZone as parameter) and once
//! for the tenant namespaces no zone binding covers (the catch-all, no
//! parameter). On a control plane of this test's own, with an operator that
//! manages the whole cluster (only such an operator narrows the catch-all):
//! the catch-all leaves out a zone once its bindings are in place, takes a
//! zone back before a deleted zone's bindings go, and with the operator
//! stopped the API server still judges a zone's namespace by the bundle's
//! checks and the zone's, through the zone's binding, and a tenant
//! namespace of no known zone by the bundle's checks, through the catch-all.

use crate::support;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams, WatchEvent, WatchParams};
use serde_json::json;
use support::offline::zone_doc;
use support::{Operator, OwnPlane, eventually, pod, short};

const CONVERGE: Duration = Duration::from_secs(120);
const BUNDLES: [&str; 3] = ["govcloud-pods", "govcloud-workloads", "govcloud-cronjobs"];

fn bindings(c: &Client) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicyBinding",
    ));
    Api::all_with(c.clone(), &ar)
}

/// The zones a catch-all binding leaves out (its `NotIn` values, sorted).
fn left_out(b: &DynamicObject) -> Vec<String> {
    let mut out: Vec<String> = b.data["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["key"] == "govcloud.io/zone" && e["operator"] == "NotIn")
        .flat_map(|e| e["values"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    out.sort();
    out
}

/// The message of a dry-run pod create in `ns` that is denied; `None` when admitted.
async fn denied(c: &Client, ns: &str, p: serde_json::Value) -> Option<String> {
    let pods: Api<DynamicObject> =
        Api::namespaced_with(c.clone(), ns, &ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "Pod")));
    let pp = PostParams { dry_run: true, field_manager: Some("govcloud-tests".into()) };
    let o: DynamicObject = serde_json::from_value(p).expect("pod");
    match pods.create(&pp, &o).await {
        Ok(_) => None,
        Err(kube::Error::Api(s)) => Some(s.message),
        Err(e) => panic!("dry-run create in {ns}: {e}"),
    }
}

#[tokio::test]
async fn the_catch_all_leaves_out_a_zone_once_its_bindings_are_in_place_and_takes_it_back_first() {
    let plane = OwnPlane::up(&[]).await;
    let (kc, c) = (plane.kubeconfig(), plane.client().await);
    let (zone, spare, tenant) = (short("ext"), short("spare"), short("dept"));
    // Right after the install (this plane had no NetworkZone CRD before it),
    // a tenant namespace's pods are judged, not refused for a parameter kind
    // the API server could not yet look up.
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(c.clone());
    let early = short("early");
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": early, "labels": {"govcloud.io/tenant": "early"}}}))
                .expect("namespace"),
        )
        .await
        .expect("a tenant namespace");
    assert_eq!(denied(&c, &early, pod("first", |_| {})).await, None, "a compliant pod right after the install");
    let mut op = Operator::start_at(&kc, "", 300, &[], "").await;
    let model = format!(
        "{}---\n{}---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {tenant}}}\nspec:\n  displayName: {{zh: 部门, en: Dept}}\n  zones: [{{name: {zone}}}]\n",
        zone_doc(&zone, "extranet", "10.80.0.0/16", ""),
        zone_doc(&spare, "extranet", "10.81.0.0/16", ""),
    );
    support::apply_text(&c, &model, "catchall").await;
    let api = bindings(&c);
    let both = {
        let mut z = vec![zone.clone(), spare.clone()];
        z.sort();
        z
    };
    eventually("every bundle's catch-all leaves out both zones", CONVERGE, || async {
        for b in BUNDLES {
            if left_out(&api.get_opt(b).await.ok()??) != both {
                return None;
            }
        }
        Some(())
    })
    .await;
    // Each zone binds each bundle itself, with its NetworkZone as parameter.
    for z in [&zone, &spare] {
        for (b, member) in
            BUNDLES.iter().zip(["govcloud-zone-pods", "govcloud-zone-workloads", "govcloud-zone-cronjobs"])
        {
            let binding = api.get(&format!("{member}-{z}")).await.expect("the zone's binding");
            assert_eq!(binding.data["spec"]["policyName"], *b);
            assert_eq!(binding.data["spec"]["paramRef"]["name"], z.as_str());
            assert_eq!(binding.data["spec"]["paramRef"]["parameterNotFoundAction"], "Deny");
        }
    }

    // The spare zone deleted (no tenant holds it): the catch-all takes it
    // back before its bindings go, as the API server's watch shows them.
    let from = api.list(&Default::default()).await.expect("list").metadata.resource_version.expect("version");
    let mut events = api.watch(&WatchParams::default().timeout(110), &from).await.expect("watch").boxed();
    let zones: Api<govcloud::api::NetworkZone> = Api::all(c.clone());
    zones.delete(&spare, &Default::default()).await.expect("delete the spare zone");
    let spare_binding = format!("govcloud-zone-pods-{spare}");
    let (mut taken_back, mut gone) = (None, None);
    let mut n = 0;
    let deadline = tokio::time::Instant::now() + CONVERGE;
    while (taken_back.is_none() || gone.is_none()) && tokio::time::Instant::now() < deadline {
        let Ok(Ok(Some(ev))) = tokio::time::timeout(Duration::from_secs(5), events.try_next()).await else { continue };
        n += 1;
        match ev {
            WatchEvent::Modified(b)
                if b.metadata.name.as_deref() == Some("govcloud-pods") && left_out(&b) == [zone.clone()] =>
            {
                taken_back.get_or_insert(n);
            }
            WatchEvent::Deleted(b) if b.metadata.name.as_deref() == Some(spare_binding.as_str()) => {
                gone.get_or_insert(n);
            }
            _ => {}
        }
    }
    let (Some(taken_back), Some(gone)) = (taken_back, gone) else {
        panic!("the catch-all taken back: {taken_back:?}, the spare zone's binding deleted: {gone:?}")
    };
    assert!(
        taken_back < gone,
        "the catch-all took the spare zone back (event {taken_back}) after its binding went (event {gone})"
    );

    // The tenant's namespace, then the operator stopped: the API server judges alone.
    let ns = format!("{tenant}-{zone}");
    eventually("the tenant's namespace", CONVERGE, || async { namespaces.get_opt(&ns).await.ok()? }).await;
    op.kill();
    // A namespace labelled for a tenant and a zone that has no binding.
    let stray = short("stray");
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(
                json!({"metadata": {"name": stray, "labels": {"govcloud.io/tenant": tenant, "govcloud.io/zone": "nowhere"}}}),
            )
            .expect("namespace"),
        )
        .await
        .expect("a namespace no zone binding covers");
    // Allowed by the namespace's Pod Security level (baseline), not by the bundle.
    let escalating = |p: &mut serde_json::Value| {
        p["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true)
    };
    let foreign_image =
        |p: &mut serde_json::Value| p["spec"]["containers"][0]["image"] = json!("docker.io/library/nginx:1");
    let zone_binding = format!("binding 'govcloud-zone-pods-{zone}'");

    assert_eq!(denied(&c, &ns, pod("ok", |_| {})).await, None, "a compliant pod in the zone's namespace");
    let m =
        denied(&c, &ns, pod("escalating", escalating)).await.expect("a pod that may escalate its privileges is denied");
    assert!(m.contains("[GC-POD-002]") && m.contains(&zone_binding), "{m}");
    let m = denied(&c, &ns, pod("foreign", foreign_image))
        .await
        .expect("an image from a registry the zone does not allow is denied");
    assert!(m.contains("[GC-IMG-001]") && m.contains(&zone_binding), "{m}");

    let m = denied(&c, &stray, pod("escalating", escalating))
        .await
        .expect("the bundle's checks hold where no zone binding does");
    assert!(m.contains("[GC-POD-002]") && m.contains("binding 'govcloud-pods'"), "{m}");
    // The zone's checks have no zone to judge by there, as before the bundle carried them.
    assert_eq!(denied(&c, &stray, pod("foreign", foreign_image)).await, None);
}
