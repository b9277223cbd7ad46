//! The API server itself enforces the CRDs' rules — the same rules
//! `govcloud render` evaluates offline — and `kubectl get govcloud` works.

use crate::support;

use govcloud::api::{DepartmentApp, NetworkZone};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::json;
use support::{client, install, short};

async fn rejected(api_result: Result<impl std::fmt::Debug, kube::Error>, needle: &str) {
    match api_result {
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 422, "{s:?}");
            assert!(s.message.contains(needle), "expected {needle:?} in {}", s.message);
        }
        other => panic!("expected a 422 mentioning {needle:?}, got {other:?}"),
    }
}

fn zone(name: &str, kind: &str, cidr: &str) -> NetworkZone {
    serde_json::from_value(json!({
        "apiVersion": "govcloud.io/v1alpha1", "kind": "NetworkZone", "metadata": {"name": name},
        "spec": {"kind": kind, "displayName": {"zh": "区", "en": "zone"}, "nodePool": {"selector": {"a": "b"}, "taint": {"key": "govcloud.io/zone", "value": name}},
                 "cidrs": [cidr], "allowedRegistries": ["harbor.egov.local"]}
    }))
    .expect("zone")
}

fn app(spec: serde_json::Value) -> DepartmentApp {
    serde_json::from_value(json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp", "metadata": {"name": "probe"}, "spec": spec})).expect("app")
}

#[tokio::test]
async fn the_api_server_enforces_the_crd_rules() {
    install().await;
    let c = client().await;
    let zones: Api<NetworkZone> = Api::all(c.clone());
    let pp = PostParams::default();
    rejected(zones.create(&pp, &zone(&short("bad"), "extranet", "10.0.0.0/33")).await, "every entry must be a CIDR")
        .await;
    rejected(
        zones.create(&pp, &zone("has-hyphen", "extranet", "10.0.0.0/8")).await,
        "a zone name must be 1 to 15 lowercase letters",
    )
    .await;
    let name = short("ok");
    zones.create(&pp, &zone(&name, "extranet", "10.0.0.0/8")).await.expect("a valid zone is accepted");
    rejected(
        zones.patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"kind": "private"}}))).await,
        "kind is immutable",
    )
    .await;
    rejected(
        zones.patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"internetIngress": true}}))).await,
        "internetIngress may be true only",
    )
    .await;
    // The cluster that hosts a zone is set once, at creation.
    rejected(
        zones.patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"cluster": "private"}}))).await,
        "cluster is immutable",
    )
    .await;
    let mut elsewhere = zone(&short("far"), "private", "10.1.0.0/16");
    elsewhere.spec.cluster = Some("Private_Cloud".into());
    rejected(zones.create(&pp, &elsewhere).await, "cluster must be a DNS label").await;
    elsewhere.spec.cluster = Some("private".into());
    let far = kube::ResourceExt::name_any(&elsewhere);
    zones.create(&pp, &elsewhere).await.expect("a zone in a cluster of its own");
    rejected(
        zones.patch(&far, &PatchParams::default(), &Patch::Merge(json!({"spec": {"cluster": "egov"}}))).await,
        "cluster is immutable",
    )
    .await;
    rejected(
        zones.patch(&far, &PatchParams::default(), &Patch::Merge(json!({"spec": {"cluster": null}}))).await,
        "cluster is immutable",
    )
    .await;
    // Only an app endpoint has an address where other clusters reach it.
    let endpoints = |ep: serde_json::Value| json!({"spec": {"exchangeEndpoints": [ep]}});
    rejected(
        zones
            .patch(
                &far,
                &PatchParams::default(),
                &Patch::Merge(endpoints(json!({"name": "gate", "peerZones": ["extranet"], "cidr": "10.1.255.1/32", "address": "10.1.255.2/32"}))),
            )
            .await,
        "an endpoint with a cidr has none",
    )
    .await;
    rejected(
        zones
            .patch(
                &far,
                &PatchParams::default(),
                &Patch::Merge(endpoints(json!({"name": "db", "peerZones": ["extranet"], "app": {"tenant": "a", "app": "db"}, "address": "10.1.255.300/32"}))),
            )
            .await,
        "address must be a CIDR",
    )
    .await;
    zones
        .patch(
            &far,
            &PatchParams::default(),
            &Patch::Merge(endpoints(json!({"name": "db", "peerZones": ["extranet"], "app": {"tenant": "a", "app": "db"}, "address": "10.1.255.2/32"}))),
        )
        .await
        .expect("an app endpoint with an address");
    zones.delete(&far, &Default::default()).await.expect("delete");

    let apps: Api<DepartmentApp> = Api::namespaced(c.clone(), "default");
    rejected(
        apps.create(&pp, &app(json!({"zone": "extranet", "image": "harbor.egov.local/a/b:1", "exposure": "public"})))
            .await,
        "public exposure needs at least one port",
    )
    .await;
    rejected(
        apps.create(
            &pp,
            &app(json!({"zone": "extranet", "image": "harbor.egov.local/a/b:1", "ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81}]})),
        )
        .await,
        "Duplicate value",
    )
    .await;
    rejected(
        apps.create(&pp, &app(json!({"zone": "extranet", "image": "harbor.egov.local/a/b:1", "replicas": 1000}))).await,
        "replicas must be between 0 and 100",
    )
    .await;
}

#[tokio::test]
async fn kubectl_get_govcloud_lists_the_five_kinds() {
    install().await;
    let c = client().await;
    // The category is served by discovery: every govcloud kind is in it.
    let discovery = kube::discovery::Discovery::new(c.clone()).run().await.expect("discovery");
    let mut kinds: Vec<String> = Vec::new();
    for group in discovery.groups() {
        for (ar, caps) in group.recommended_resources() {
            let _ = caps;
            if ar.group == "govcloud.io" {
                kinds.push(ar.kind.clone());
            }
        }
    }
    kinds.sort();
    assert_eq!(kinds, vec!["DepartmentApp", "NetworkZone", "ResourceRequest", "SharedResource", "Tenant"]);
    let crd_ar = kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
    ));
    for name in [
        "networkzones.govcloud.io",
        "tenants.govcloud.io",
        "departmentapps.govcloud.io",
        "resourcerequests.govcloud.io",
        "sharedresources.govcloud.io",
    ] {
        let crd = Api::<DynamicObject>::all_with(c.clone(), &crd_ar).get(name).await.expect("crd");
        assert_eq!(crd.data["spec"]["names"]["categories"], json!(["govcloud"]));
    }
}
