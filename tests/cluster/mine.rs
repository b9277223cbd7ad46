//! A department's own view (issue 29 item 6), as its users would act
//! (impersonated): `govcloud mine` and `kubectl govcloud mine` show the
//! tenants RBAC lets them read, with the flows waiting on them and on
//! others; `kubectl get` of their tenant, the zones they use and the
//! catalogue works, while another tenant, and any list of tenants or zones,
//! stays Forbidden.

use crate::support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use support::offline::zone_doc;
use support::{Operator, client, eventually, short};

const CONVERGE: Duration = Duration::from_secs(120);

/// A `provider` sharing `census` on condition; a `consumer` whose `clinic`
/// asks for it (so waits on the provider); each tenant's admins a group.
fn model(zone: &str, other_zone: &str, provider: &str, consumer: &str) -> String {
    let tenant = |name: &str, zh: &str, zones: &[&str]| {
        let zones: Vec<String> = zones
            .iter()
            .map(|z| format!("{{name: {z}, quota: {{cpu: \"4\", memory: 8Gi, pods: 20, services: 10}}}}"))
            .collect();
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {name}}}\nspec:\n  displayName: {{zh: {zh}, en: {name}}}\n  owners: [{{kind: Group, name: {name}-admins, role: admin}}]\n  zones: [{}]\n",
            zones.join(", ")
        )
    };
    let app = |name: &str, ns: &str, extra: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  zone: {zone}\n  image: harbor.egov.local/t/{name}:1\n  replicas: 1\n  resources:\n    requests: {{cpu: 50m, memory: 64Mi}}\n    limits: {{cpu: 100m, memory: 128Mi}}\n  ports: [{{name: api, port: 8443}}]\n{extra}"
        )
    };
    [
        zone_doc(zone, "extranet", "10.96.0.0/16", ""),
        zone_doc(other_zone, "extranet", "10.92.0.0/16", ""),
        tenant(provider, "统计局", &[zone, other_zone]),
        tenant(consumer, "卫健委", &[zone]),
        app(
            "census",
            &format!("{provider}-{zone}"),
            "  dataClassification: internal\n  sharing:\n    class: conditional\n    catalogue:\n      names: {zh: 人口普查库, en: Census}\n      description: what it holds\n      updateFrequency: monthly\n      contact: office\n",
        ),
        app(
            "clinic",
            &format!("{consumer}-{zone}"),
            &format!("  flows:\n    calls:\n    - {{tenant: {provider}, app: census, purpose: 人口基数}}\n"),
        ),
    ]
    .join("---\n")
}

/// `kubectl ARGS` acting as `user` in `group` (and every authenticated user's group).
fn kubectl_as(user: &str, group: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--as").arg(user).arg("--as-group").arg(group).arg("--as-group").arg("system:authenticated");
    cmd.args(args).env("KUBECONFIG", support::kubeconfig());
    cmd.output().expect("kubectl")
}

/// `kubectl govcloud ARGS` through kubeconfig `kc` (kubectl passes no flag
/// before a plugin's name, so the user is the kubeconfig's), with `bin` first
/// on the PATH.
fn plugin(kc: &Path, bin: &Path, args: &[&str]) -> Output {
    let old = std::env::var_os("PATH").unwrap_or_default();
    let path =
        std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&old))).expect("PATH");
    Command::new("kubectl")
        .arg("govcloud")
        .args(args)
        .env("KUBECONFIG", kc)
        .env("PATH", path)
        .output()
        .expect("kubectl")
}

fn ok(out: &Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn forbidden(out: &Output, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("Forbidden"), "{what}: expected Forbidden, got {err}");
}

/// `govcloud mine --format json` through `kc`.
fn mine(kc: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["mine", "--format", "json"])
        .env("KUBECONFIG", kc)
        .output()
        .expect("govcloud mine");
    serde_json::from_str(&ok(&out, "govcloud mine")).expect("JSON")
}

fn pairs(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|w| format!("{} -> {}", w["from"].as_str().unwrap_or(""), w["to"].as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_department_sees_its_own_tenant_and_zones_and_the_catalogue_and_not_another_tenant() {
    let c = client().await;
    let scope = short("mine");
    let (zone, other_zone, provider, consumer) = (short("mz"), short("mo"), short("mp"), short("mc"));
    let _op = Operator::start(&scope, 3).await;
    support::apply_text(&c, &model(&zone, &other_zone, &provider, &consumer), &scope).await;

    let user = format!("dept-wang-{scope}");
    let group = format!("{consumer}-admins");
    let kc = support::kubeconfig_as(&user, &[&group]);
    let view = eventually("the consumer's view, its call waiting on the provider", CONVERGE, || async {
        let v = mine(&kc);
        (pairs(&v["tenants"][0]["waitingOnOthers"]).len() == 1).then_some(v)
    })
    .await;
    assert_eq!(view["identity"]["username"], user.as_str());
    let tenants: Vec<&str> =
        view["tenants"].as_array().expect("tenants").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(tenants, [consumer.as_str()], "its own tenant, and only it");
    let t = &view["tenants"][0];
    assert_eq!(t["roles"], serde_json::json!(["admin"]));
    assert_eq!(t["namespaces"], serde_json::json!([format!("{consumer}-{zone}")]));
    assert_eq!(t["zones"], serde_json::json!([[zone, "extranet"]]));
    assert_eq!(pairs(&t["waitingOnOthers"]), [format!("{consumer}-{zone}/clinic -> {provider}/{zone}/census")]);
    assert_eq!(t["apps"][0]["flows"], serde_json::json!([0, 1, 0]));

    // The provider's admins: the request waits on them.
    let pkc = support::kubeconfig_as(&format!("dept-li-{scope}"), &[&format!("{provider}-admins")]);
    let pview = eventually("the provider's view, the request waiting on it", CONVERGE, || async {
        let v = mine(&pkc);
        (pairs(&v["tenants"][0]["waitingOnUs"]).len() == 1).then_some(v)
    })
    .await;
    assert_eq!(
        pairs(&pview["tenants"][0]["waitingOnUs"]),
        [format!("{consumer}/{zone}/clinic -> {provider}-{zone}/census")]
    );
    assert_eq!(pview["tenants"][0]["waitingOnUs"][0]["why"], "人口基数");

    // `kubectl govcloud mine`: the binary installed as kubectl-govcloud on the PATH.
    let bin = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_govcloud"), bin.path().join("kubectl-govcloud")).expect("symlink");
    let zh = ok(&plugin(&kc, bin.path(), &["mine"]), "kubectl govcloud mine");
    assert!(zh.contains(&format!("租户 {consumer} (卫健委)  角色：admin")), "{zh}");
    assert!(zh.contains("等待其他部门的调用 (1)："), "{zh}");
    let en = ok(&plugin(&kc, bin.path(), &["mine", "--lang", "en"]), "in English");
    assert!(en.contains(&format!("tenant {consumer} ({consumer})  roles: admin")), "{en}");

    // kubectl get: its tenant, its zone and the catalogue ...
    let row = ok(&kubectl_as(&user, &group, &["get", "tenant", &consumer]), "its own tenant");
    // Columns that explain themselves (issue 29 item 7).
    let (head, line) = row.split_once('\n').expect("a head and a row");
    for col in ["KIND", "CPU USED/GRANTED", "MEMORY USED/GRANTED", "FAILING"] {
        assert!(head.contains(col), "{col} not in {head}");
    }
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert!(cells.contains(&"department") && cells.iter().any(|c| c.ends_with("/4")), "{row}");
    let eventually_apps = eventually("the app's calls in their columns", CONVERGE, || async {
        let out = kubectl_as(&user, &group, &["get", "departmentapps", "-n", &format!("{consumer}-{zone}")]);
        let text = ok(&out, "its apps");
        text.lines()
            .any(|l| {
                l.starts_with("clinic")
                    && l.split_whitespace().collect::<Vec<_>>().windows(3).any(|w| w == ["0", "1", "0"])
            })
            .then_some(text)
    })
    .await;
    let head = eventually_apps.lines().next().unwrap_or_default();
    assert!(head.contains("GRANTED") && head.contains("WAITING") && head.contains("REFUSED"), "{head}");
    ok(&kubectl_as(&user, &group, &["get", "networkzone", &zone]), "the zone it uses");
    let catalogue = ok(&kubectl_as(&user, &group, &["get", "sharedresources", "-o", "name"]), "the catalogue");
    assert!(catalogue.contains(&format!("{provider}.{zone}.census")), "{catalogue}");
    // Every command the view suggests works as the user.
    let suggested = t["kubectl"].as_array().expect("kubectl");
    assert!(suggested.len() >= 4, "{suggested:?}");
    for k in suggested.iter().filter_map(|k| k.as_str()) {
        let args: Vec<&str> = k.split_whitespace().skip(1).collect();
        ok(&kubectl_as(&user, &group, &args), k);
    }
    // ... but not another tenant, a zone it does not use, or any list of tenants or zones.
    forbidden(&kubectl_as(&user, &group, &["get", "tenant", &provider]), "another tenant");
    forbidden(&kubectl_as(&user, &group, &["get", "networkzone", &other_zone]), "a zone it does not use");
    forbidden(&kubectl_as(&user, &group, &["get", "tenants"]), "listing tenants");
    forbidden(&kubectl_as(&user, &group, &["get", "networkzones"]), "listing zones");
    // The provider reads the zone the consumer does not use.
    ok(&kubectl_as("dept-li", &format!("{provider}-admins"), &["get", "networkzone", &other_zone]), "its zone");
}
