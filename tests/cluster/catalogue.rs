//! The catalogue in the cluster: the operator keeps one `SharedResource`
//! per shared app (owned by its Tenant), which a department's user lists
//! (directly and with `govcloud catalogue`) while it may neither read
//! another tenant's DepartmentApps nor write the catalogue; the counts
//! follow the calls.

use crate::support;

use std::time::Duration;

use govcloud::api::{CatalogueEntry, DepartmentApp, SharedResource};
use govcloud::meta::names;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::{Client, ResourceExt};
use serde_json::json;
use support::offline::zone_doc;
use support::{Operator, client, eventually, impersonating, short};

const CONVERGE: Duration = Duration::from_secs(120);

fn app(name: &str, ns: &str, zone: &str, extra: &str) -> String {
    format!(
        r#"apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: {name}, namespace: {ns}}}
spec:
  zone: {zone}
  image: harbor.egov.local/t/{name}:1
  replicas: 1
  resources:
    requests: {{cpu: 50m, memory: 64Mi}}
    limits: {{cpu: 100m, memory: 128Mi}}
  ports: [{{name: api, port: 8443}}]
{extra}"#
    )
}

/// A statistics bureau `provider` sharing three resources (one per class)
/// and keeping one to itself; a `consumer` department calling two of them.
fn model(zone: &str, provider: &str, consumer: &str) -> String {
    let z = zone_doc(zone, "extranet", "10.93.0.0/16", "");
    let pns = format!("{provider}-{zone}");
    let cns = format!("{consumer}-{zone}");
    let tenant = |name: &str, zh: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {name}}}\nspec:\n  displayName: {{zh: {zh}, en: {name}}}\n  owners: [{{kind: Group, name: {name}-admins, role: admin}}]\n  zones: [{{name: {zone}, quota: {{cpu: \"4\", memory: 8Gi, pods: 20, services: 10}}}}]\n"
        )
    };
    let sharing = |class: &str, more: &str| {
        format!(
            "  dataClassification: internal\n  sharing:\n    class: {class}\n{more}    catalogue:\n      names: {{zh: 资源, en: Resource {class}}}\n      description: what it holds\n      updateFrequency: monthly\n      contact: office\n"
        )
    };
    [
        z,
        tenant(provider, "统计局"),
        tenant(consumer, "卫健委"),
        app("macro", &pns, zone, &sharing("unconditional", "")),
        app("census", &pns, zone, &sharing("conditional", "")),
        app("raw", &pns, zone, &sharing("none", "    basis: 统计法 第三十九条\n")),
        app("internal", &pns, zone, ""),
        app(
            "clinic",
            &cns,
            zone,
            &format!(
                "  flows:\n    calls:\n    - {{tenant: {provider}, app: macro}}\n    - {{tenant: {provider}, app: census, purpose: 人口基数}}\n"
            ),
        ),
    ]
    .join("---\n")
}

/// The provider's entries as the cluster holds them now, by app.
async fn entries(c: &Client, provider: &str) -> Vec<CatalogueEntry> {
    let mut out: Vec<CatalogueEntry> = Api::<SharedResource>::all(c.clone())
        .list(&ListParams::default())
        .await
        .map(|l| l.items.into_iter().map(|r| r.spec).filter(|e| e.tenant == provider).collect())
        .unwrap_or_default();
    out.sort_by(|a, b| a.app.cmp(&b.app));
    out
}

/// (app, consumers, pending) of the entries.
fn counts(e: &[CatalogueEntry]) -> Vec<(String, u32, u32)> {
    e.iter().map(|e| (e.app.clone(), e.consumers, e.pending)).collect()
}

/// Lets `user` write SharedResources (as a platform engineer with broad
/// rights might): only admission stands between it and the catalogue.
async fn grant_write(c: &Client, user: &str) {
    use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
    let name = format!("test-shr-writer-{user}");
    let pp = PatchParams::apply("govcloud-tests").force();
    let role: ClusterRole = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name},
        "rules": [{"apiGroups": ["govcloud.io"], "resources": ["sharedresources"], "verbs": ["get", "list", "create", "patch", "update", "delete"]}]
    }))
    .expect("role");
    Api::<ClusterRole>::all(c.clone()).patch(&name, &pp, &Patch::Apply(&role)).await.expect("writer role");
    let crb: ClusterRoleBinding = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]
    }))
    .expect("binding");
    Api::<ClusterRoleBinding>::all(c.clone()).patch(&name, &pp, &Patch::Apply(&crb)).await.expect("writer binding");
}

/// `govcloud catalogue --format json` through kubeconfig `kc`: the JSON and its text.
fn live_catalogue(kc: &std::path::Path) -> (serde_json::Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["catalogue", "--format", "json"])
        .env("KUBECONFIG", kc)
        .output()
        .expect("govcloud catalogue");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (serde_json::from_str(&text).expect("json"), text)
}

/// A kubeconfig that acts as `user` in `groups` (for the `govcloud` command).
fn impersonating_kubeconfig(user: &str, groups: &[&str]) -> std::path::PathBuf {
    let admin = support::kubeconfig();
    let mut kc: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(admin).expect("kubeconfig")).expect("yaml");
    let users = kc["users"].as_sequence_mut().expect("users");
    for u in users {
        u["user"]["as"] = serde_norway::Value::String(user.into());
        u["user"]["as-groups"] =
            serde_norway::Value::Sequence(groups.iter().map(|g| serde_norway::Value::String(g.to_string())).collect());
    }
    let path = admin.with_file_name(format!("as-{user}.kubeconfig"));
    std::fs::write(&path, serde_norway::to_string(&kc).expect("yaml")).expect("write");
    path
}

#[tokio::test]
async fn a_department_lists_the_catalogue_and_cannot_read_or_write_what_is_not_its_own() {
    let c = client().await;
    let scope = short("cat");
    let (zone, provider, consumer) = (short("cz"), short("cp"), short("cc"));
    // Resyncs every 3 s: a converged catalogue is not written again.
    let op = Operator::start(&scope, 3).await;
    support::apply_text(&c, &model(&zone, &provider, &consumer), &scope).await;

    let want = vec![("census".to_string(), 0, 1), ("macro".to_string(), 1, 0), ("raw".to_string(), 0, 0)];
    let listed = eventually("the provider's three entries, counted", CONVERGE, || async {
        let e = entries(&c, &provider).await;
        (counts(&e) == want).then_some(e)
    })
    .await;
    // Resyncs of the converged catalogue write none of it: a 10 s window in
    // which every tenant was reconciled at least twice, with no write to a
    // SharedResource (within a minute: a busy machine may still be settling).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let offset = support::audit_offset();
        let before = op.counter("govcloud_reconciliations_total", "Tenant").await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        let after = op.counter("govcloud_reconciliations_total", "Tenant").await;
        let writes: Vec<String> = support::writes_since(offset, &support::operator_user(&scope))
            .into_iter()
            .filter(|w| w.contains("sharedresources"))
            .collect();
        if after - before >= 4 && writes.is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{} tenant reconciles, writes: {writes:#?}", after - before);
    }
    let raw = listed.iter().find(|e| e.app == "raw").expect("raw");
    assert_eq!(raw.basis.as_deref(), Some("统计法 第三十九条"));
    assert_eq!(raw.tenant_names.zh, "统计局");
    // Named tenant.zone.app, owned by the provider's Tenant (garbage-collected with it).
    let r = Api::<SharedResource>::all(c.clone())
        .get(&names::shared_resource(&provider, &zone, "macro"))
        .await
        .expect("macro's entry");
    let owner = r.owner_references().first().cloned().expect("an owner");
    assert_eq!((owner.kind.as_str(), owner.name.as_str()), ("Tenant", provider.as_str()));

    // A department user of the consumer: lists the catalogue ...
    let user = format!("dept-li-{scope}");
    let group = format!("{consumer}-admins");
    let dept = impersonating(&user, &[&group]).await;
    let seen = eventually("the department's read of the catalogue", CONVERGE, || async {
        let l = Api::<SharedResource>::all(dept.clone()).list(&ListParams::default()).await.ok()?;
        let mut mine: Vec<String> =
            l.items.iter().filter(|r| r.spec.tenant == provider).map(|r| r.spec.app.clone()).collect();
        mine.sort();
        (mine.len() == 3).then_some(mine)
    })
    .await;
    assert_eq!(seen, ["census", "macro", "raw"], "and not the app that declares no sharing");
    // ... also with `govcloud catalogue`, live:
    let kc = impersonating_kubeconfig(&user, &[&group]);
    let (v, text) = live_catalogue(&kc);
    let mine: Vec<&str> = v["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["tenant"] == provider.as_str())
        .filter_map(|r| r["app"].as_str())
        .collect();
    assert_eq!(mine, ["census", "macro", "raw"]);
    assert!(!text.contains(".svc") && !text.contains("8443"), "no address: {text}");

    // ... but may not read the provider's DepartmentApps ...
    let forbidden = |what: &str, r: Result<_, kube::Error>| match r {
        Err(kube::Error::Api(s)) if s.code == 403 => {}
        other => panic!("{what}: expected 403, got {other:?}"),
    };
    let pns = format!("{provider}-{zone}");
    forbidden(
        "reading another tenant's app",
        Api::<DepartmentApp>::namespaced(dept.clone(), &pns).get("macro").await.map(|_| ()),
    );
    forbidden(
        "listing another tenant's apps",
        Api::<DepartmentApp>::namespaced(dept.clone(), &pns).list(&ListParams::default()).await.map(|_| ()),
    );
    forbidden(
        "listing every app",
        Api::<DepartmentApp>::all(dept.clone()).list(&ListParams::default()).await.map(|_| ()),
    );
    // ... nor write the catalogue, not even the entry of its own calls.
    let name = names::shared_resource(&provider, &zone, "census");
    let shared = Api::<SharedResource>::all(dept.clone());
    forbidden(
        "raising a count",
        shared
            .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"consumers": 99}})))
            .await
            .map(|_| ()),
    );
    forbidden("deleting an entry", shared.delete(&name, &DeleteParams::default()).await.map(|_| ()));
    let mut fake = r.clone();
    fake.metadata = kube::api::ObjectMeta { name: Some(format!("{consumer}.{zone}.fake")), ..Default::default() };
    fake.spec.tenant = consumer.clone();
    forbidden("adding an entry", shared.create(&Default::default(), &fake).await.map(|_| ()));
    // Whoever else may write SharedResources (RBAC) cannot make or change one
    // labelled as govcloud's: the managed-objects admission policy keeps
    // them for the operator; `govcloud catalogue` lists only those.
    let writer = format!("pe-zhao-{scope}");
    grant_write(&c, &writer).await;
    let pe = impersonating(&writer, &[]).await;
    let mut forged = r.clone();
    forged.metadata = kube::api::ObjectMeta {
        name: Some(format!("{consumer}.{zone}.forged")),
        labels: r.metadata.labels.clone(),
        ..Default::default()
    };
    match Api::<SharedResource>::all(pe.clone()).create(&Default::default(), &forged).await {
        Err(kube::Error::Api(s)) if s.message.contains(govcloud::meta::names::MANAGED_OBJECTS_POLICY) => {}
        other => panic!("a forged entry: expected the managed-objects policy to refuse it, got {other:?}"),
    }
    match Api::<SharedResource>::all(pe.clone())
        .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"consumers": 99}})))
        .await
    {
        Err(kube::Error::Api(s)) if s.message.contains(govcloud::meta::names::MANAGED_OBJECTS_POLICY) => {}
        other => panic!("a count changed by hand: expected the managed-objects policy to refuse it, got {other:?}"),
    }
    // An object of the kind without govcloud's label is not the operator's,
    // and not the catalogue.
    let mut unlabelled = forged.clone();
    unlabelled.metadata.labels = None;
    unlabelled.spec.tenant = consumer.clone();
    Api::<SharedResource>::all(pe.clone()).create(&Default::default(), &unlabelled).await.expect("unlabelled");
    let (v, _) = live_catalogue(&kc);
    let resources = v["resources"].as_array().expect("resources");
    assert!(!resources.iter().any(|r| r["tenant"] == consumer.as_str()), "{v}");
    Api::<SharedResource>::all(c.clone())
        .delete(&unlabelled.name_any(), &DeleteParams::default())
        .await
        .expect("delete the unlabelled object");
    // Its own apps it may read.
    let cns = format!("{consumer}-{zone}");
    Api::<DepartmentApp>::namespaced(dept.clone(), &cns).get("clinic").await.expect("its own app");

    // The counts follow the calls: the consumer's app goes, and so do they.
    Api::<DepartmentApp>::namespaced(c.clone(), &cns).delete("clinic", &DeleteParams::default()).await.expect("delete");
    let want = vec![("census".to_string(), 0, 0), ("macro".to_string(), 0, 0), ("raw".to_string(), 0, 0)];
    eventually("the counts without the consumer", CONVERGE, || async {
        (counts(&entries(&c, &provider).await) == want).then_some(())
    })
    .await;
    // An app that stops sharing leaves the catalogue.
    Api::<DepartmentApp>::namespaced(c.clone(), &pns)
        .patch("raw", &PatchParams::default(), &Patch::Merge(json!({"spec": {"sharing": null}})))
        .await
        .expect("stop sharing raw");
    eventually("raw's entry removed", CONVERGE, || async {
        let e = entries(&c, &provider).await;
        (e.len() == 2 && e.iter().all(|e| e.app != "raw")).then_some(())
    })
    .await;
    // The provider's Tenant goes: so do its entries.
    Api::<govcloud::api::Tenant>::all(c.clone()).delete(&provider, &DeleteParams::default()).await.expect("delete");
    eventually("the provider's entries removed with its Tenant", CONVERGE, || async {
        entries(&c, &provider).await.is_empty().then_some(())
    })
    .await;
}
