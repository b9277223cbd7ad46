//! The Helm chart lints, and renders exactly what `govcloud manifests`
//! defines: same CRDs, same operator ClusterRole, same admission policy.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn helm() -> PathBuf {
    let out = Command::new("bash").arg("-c").arg("source testenv/lib.sh && binary_path helm").current_dir(repo()).output().expect("lib.sh");
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !path.exists() {
        assert!(Command::new(repo().join("testenv/build.sh")).arg("helm").status().expect("build helm").success());
    }
    path
}

fn template(extra: &[&str]) -> Vec<Value> {
    let out = Command::new(helm())
        .args(["template", "gc", "charts/govcloud", "--namespace", "govcloud-system", "--include-crds"])
        .args(extra)
        .current_dir(repo())
        .output()
        .expect("helm template");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_yaml::Deserializer::from_str(&String::from_utf8_lossy(&out.stdout))
        .filter_map(|d| <serde_yaml::Value as serde::Deserialize>::deserialize(d).ok())
        .filter(|v| !v.is_null())
        .map(|v| serde_json::to_value(v).expect("json"))
        .collect()
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter().find(|d| d["kind"] == kind && d["metadata"]["name"] == name).unwrap_or_else(|| panic!("chart renders no {kind}/{name}"))
}

#[test]
fn the_chart_lints() {
    let out = Command::new(helm()).args(["lint", "--strict", "charts/govcloud"]).current_dir(repo()).output().expect("helm lint");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_chart_installs_what_govcloud_manifests_defines() {
    let docs = template(&[]);
    let defined = govcloud::operator::install::manifests("img", "govcloud-system");
    for want in &defined {
        let kind = want["kind"].as_str().expect("kind");
        let name = want["metadata"]["name"].as_str().expect("name");
        if kind == "Namespace" {
            // The release namespace is Helm's to create (`--create-namespace`).
            continue;
        }
        let got = find(&docs, kind, name);
        match kind {
            "CustomResourceDefinition" => assert_eq!(got["spec"], want["spec"], "{name}"),
            "ClusterRole" => assert_eq!(got["rules"], want["rules"], "{name}"),
            "ClusterRoleBinding" => {
                assert_eq!(got["roleRef"], want["roleRef"]);
                assert_eq!(got["subjects"], want["subjects"]);
            }
            "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding" => assert_eq!(got["spec"], want["spec"], "{name}"),
            "Deployment" => {
                let c = &got["spec"]["template"]["spec"]["containers"][0];
                assert_eq!(c["args"][0], "run");
                assert_eq!(c["securityContext"], want["spec"]["template"]["spec"]["containers"][0]["securityContext"]);
                assert_eq!(got["spec"]["template"]["spec"]["serviceAccountName"], "govcloud-operator");
            }
            _ => {}
        }
    }
}

#[test]
fn chart_values_reach_the_operator() {
    let docs = template(&["--set", "selector=govcloud.io/scope=pilot", "--set", "image.tag=9.9.9"]);
    let c = &find(&docs, "Deployment", "govcloud")["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "harbor.egov.local/govcloud/govcloud:9.9.9");
    assert!(c["args"].as_array().expect("args").iter().any(|a| a == "--selector=govcloud.io/scope=pilot"), "{c}");
}

#[test]
fn chart_crds_are_the_generated_ones() {
    for entry in std::fs::read_dir(repo().join("crds")).expect("crds") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        let chart = std::fs::read_to_string(repo().join("charts/govcloud/crds").join(name)).expect("chart crd");
        assert_eq!(chart, std::fs::read_to_string(&path).expect("crd"), "charts/govcloud/crds/{name:?} is stale; run `make crds`");
    }
}

#[test]
fn chart_admission_template_is_the_generated_one() {
    let generated = govcloud::cli::docs_yaml(&govcloud::operator::admission_policies("{{ .Release.Namespace }}")).expect("yaml");
    let chart = std::fs::read_to_string(repo().join("charts/govcloud/templates/admission.yaml")).expect("template");
    assert_eq!(chart, generated, "charts/govcloud/templates/admission.yaml is stale; run `make crds`");
}
