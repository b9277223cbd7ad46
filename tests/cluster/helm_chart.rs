//! The Helm chart lints, and renders exactly what `govcloud manifests`
//! defines: same CRDs, same operator ClusterRole, same admission policy, the
//! same hardened, highly available Deployment; its values reach the operator;
//! and govcloud's own audit finds nothing above low in the operator's
//! Deployment ("eat our own cooking"). Offline: `helm template` only
//! (tests/cluster/helm_install.rs installs it on the real control plane).

use crate::support;

use std::path::PathBuf;
use std::process::Command;
use support::offline::{docs as yaml_docs, repo};

use serde_json::Value;

fn helm() -> PathBuf {
    let out = Command::new("bash")
        .arg("-c")
        .arg("source testenv/lib.sh && binary_path helm")
        .current_dir(repo())
        .output()
        .expect("lib.sh");
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !path.exists() {
        assert!(Command::new(repo().join("testenv/build.sh")).arg("helm").status().expect("build helm").success());
    }
    path
}

fn template(extra: &[&str]) -> Vec<Value> {
    template_in("govcloud-system", extra)
}

fn template_in(namespace: &str, extra: &[&str]) -> Vec<Value> {
    let out = try_template(namespace, extra);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    yaml_docs(&String::from_utf8_lossy(&out.stdout))
}

fn try_template(namespace: &str, extra: &[&str]) -> std::process::Output {
    Command::new(helm())
        .args(["template", "gc", "charts/govcloud", "--namespace", namespace, "--include-crds"])
        .args(extra)
        .current_dir(repo())
        .output()
        .expect("helm template")
}

/// Container args as `--flag=value` (the chart writes them so; `govcloud manifests` as two words).
fn args(container: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in container["args"].as_array().expect("args").iter().map(|a| a.as_str().expect("arg")) {
        match out.last_mut() {
            Some(prev)
                if prev.starts_with("--")
                    && !prev.contains('=')
                    && !a.starts_with("--")
                    && prev != "--leader-elect" =>
            {
                *prev = format!("{prev}={a}");
            }
            _ => out.push(a.to_string()),
        }
    }
    out
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("chart renders no {kind}/{name}"))
}

#[test]
fn the_chart_lints() {
    let out = Command::new(helm())
        .args(["lint", "--strict", "charts/govcloud"])
        .current_dir(repo())
        .output()
        .expect("helm lint");
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
            "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding" => {
                assert_eq!(got["spec"], want["spec"], "{name}")
            }
            "Role" => assert_eq!(got["rules"], want["rules"], "{name}"),
            "RoleBinding" => {
                assert_eq!(got["roleRef"], want["roleRef"]);
                assert_eq!(got["subjects"], want["subjects"]);
            }
            "PodDisruptionBudget" | "Service" => assert_eq!(got["spec"], want["spec"], "{kind}/{name}"),
            "Deployment" => {
                assert_eq!(got["spec"]["replicas"], want["spec"]["replicas"]);
                assert_eq!(got["spec"]["selector"], want["spec"]["selector"]);
                let (pod, want_pod) = (&got["spec"]["template"]["spec"], &want["spec"]["template"]["spec"]);
                for field in ["serviceAccountName", "securityContext", "affinity"] {
                    assert_eq!(pod[field], want_pod[field], "Deployment spec.template.spec.{field}");
                }
                let (c, want_c) = (&pod["containers"][0], &want_pod["containers"][0]);
                for field in ["securityContext", "resources", "ports", "livenessProbe", "readinessProbe", "env"] {
                    assert_eq!(c[field], want_c[field], "Deployment container {field}");
                }
                let chart_args = args(c);
                assert_eq!(chart_args[0], "run");
                for a in args(want_c) {
                    assert!(chart_args.contains(&a), "the chart's operator lacks {a}: {chart_args:?}");
                }
            }
            _ => {}
        }
    }
}

#[test]
fn chart_values_reach_the_operator() {
    let docs = template(&[
        "--set",
        "selector=govcloud.io/scope=pilot",
        "--set",
        "image.tag=9.9.9",
        "--set",
        "logLevel=info\\,govcloud=debug",
    ]);
    let pod = &find(&docs, "Deployment", "govcloud")["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(c["image"], "harbor.egov.local/govcloud/govcloud:9.9.9");
    assert!(args(c).contains(&"--selector=govcloud.io/scope=pilot".to_string()), "{c}");
    assert!(
        c["env"]
            .as_array()
            .expect("env")
            .iter()
            .any(|e| e["name"] == "RUST_LOG" && e["value"] == "info,govcloud=debug"),
        "{c}"
    );

    // By default: the chart's appVersion, two replicas electing a leader in the
    // release namespace, the PDB, the metrics Service, no ServiceMonitor.
    let docs = template_in("ops", &[]);
    let chart: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(repo().join("charts/govcloud/Chart.yaml")).expect("Chart.yaml"),
    )
    .expect("yaml");
    let app_version = chart["appVersion"].as_str().expect("appVersion");
    assert_eq!(app_version, env!("CARGO_PKG_VERSION"), "Chart.yaml appVersion is not the crate's version");
    let d = find(&docs, "Deployment", "govcloud");
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], format!("harbor.egov.local/govcloud/govcloud:{app_version}"));
    assert_eq!(d["spec"]["replicas"], 2);
    let a = args(c);
    for want in ["--leader-elect", "--operator-namespace=ops", "--metrics-address=0.0.0.0:8080"] {
        assert!(a.contains(&want.to_string()), "{want} missing from {a:?}");
    }
    assert_eq!(find(&docs, "PodDisruptionBudget", "govcloud")["spec"]["minAvailable"], 1);
    assert_eq!(find(&docs, "Role", "govcloud-operator-leader-election")["metadata"]["namespace"], "ops");
    assert_eq!(find(&docs, "RoleBinding", "govcloud-operator-leader-election")["subjects"][0]["namespace"], "ops");
    assert_eq!(find(&docs, "Service", "govcloud-metrics")["spec"]["ports"][0]["targetPort"], "metrics");
    assert!(!docs.iter().any(|d| d["kind"] == "ServiceMonitor"));
    assert!(!docs.iter().any(|d| d["kind"] == "ConfigMap"), "no dashboard unless asked");

    // Pinned by digest; annotations; the ServiceMonitor; a second release's names.
    let digest = format!("sha256:{}", "ab".repeat(32));
    let docs = template_in(
        "ops",
        &[
            "--set",
            &format!("image.digest={digest}"),
            "--set",
            "podAnnotations.example\\.org/rollout=2",
            "--set",
            "metrics.serviceMonitor.enabled=true",
            "--set",
            "metrics.serviceMonitor.labels.release=prometheus",
            "--set",
            "rbac.clusterRoleName=govcloud-operator-second",
            "--set",
            "admissionPolicies.install=false",
            "--set",
            "metrics.dashboard.enabled=true",
        ],
    );
    let dashboard = find(&docs, "ConfigMap", "govcloud-dashboard");
    assert_eq!(dashboard["metadata"]["labels"]["grafana_dashboard"], "1");
    let shipped: Value =
        serde_json::from_str(dashboard["data"]["govcloud.json"].as_str().expect("dashboard JSON")).expect("valid JSON");
    let source: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("charts/govcloud/dashboards/govcloud.json")).expect("dashboard"),
    )
    .expect("json");
    assert_eq!(
        shipped, source,
        "the ConfigMap carries the dashboard the unit test checks against the exported metrics"
    );
    let d = find(&docs, "Deployment", "govcloud");
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        format!("harbor.egov.local/govcloud/govcloud@{digest}")
    );
    assert_eq!(d["spec"]["template"]["metadata"]["annotations"]["example.org/rollout"], "2");
    let sm = find(&docs, "ServiceMonitor", "govcloud");
    assert_eq!(sm["metadata"]["labels"]["release"], "prometheus");
    assert_eq!(sm["spec"]["endpoints"][0]["port"], "metrics");
    assert_eq!(sm["spec"]["selector"]["matchLabels"], find(&docs, "Service", "govcloud-metrics")["spec"]["selector"]);
    assert_eq!(
        find(&docs, "ClusterRoleBinding", "govcloud-operator-second")["roleRef"]["name"],
        "govcloud-operator-second"
    );
    find(&docs, "ClusterRole", "govcloud-operator-second");
    let cluster_scoped = |d: &&Value| d["metadata"]["namespace"].is_null();
    assert!(
        !docs.iter().filter(cluster_scoped).any(|d| d["metadata"]["name"] == "govcloud-operator"),
        "a renamed release still renders govcloud-operator"
    );
    assert!(
        !docs.iter().any(|d| d["kind"].as_str().is_some_and(|k| k.starts_with("ValidatingAdmissionPolicy"))),
        "admissionPolicies.install=false"
    );

    // Refused: several replicas without leader election, a malformed digest.
    for bad in [&["--set", "leaderElection.enabled=false"][..], &["--set", "image.digest=latest"][..]] {
        let out = try_template("ops", bad);
        assert!(!out.status.success(), "{bad:?} rendered");
    }
    let one = template_in("ops", &["--set", "leaderElection.enabled=false", "--set", "replicas=1"]);
    assert!(
        !args(&find(&one, "Deployment", "govcloud")["spec"]["template"]["spec"]["containers"][0])
            .contains(&"--leader-elect".to_string())
    );
}

#[test]
fn chart_crds_are_the_generated_ones() {
    for entry in std::fs::read_dir(repo().join("crds")).expect("crds") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        let chart = std::fs::read_to_string(repo().join("charts/govcloud/crds").join(name)).expect("chart crd");
        assert_eq!(
            chart,
            std::fs::read_to_string(&path).expect("crd"),
            "charts/govcloud/crds/{name:?} is stale; run `make crds`"
        );
    }
}

#[test]
fn chart_admission_template_is_the_generated_one() {
    let generated =
        govcloud::cli::docs_yaml(&govcloud::operator::admission_policies("{{ .Release.Namespace }}")).expect("yaml");
    let chart = std::fs::read_to_string(repo().join("charts/govcloud/templates/admission.yaml")).expect("template");
    // Wrapped in the admissionPolicies.install switch by `make crds`.
    let wrapped = format!("{{{{- if .Values.admissionPolicies.install }}}}\n{generated}{{{{- end }}}}\n");
    assert_eq!(chart, wrapped, "charts/govcloud/templates/admission.yaml is stale; run `make crds`");
}

/// A platform zone at MLPS level 3 (the strictest baseline: restricted Pod
/// Security, images pinned by digest) and a tenant for platform services, whose
/// namespace `ops-platform` the operator's own Deployment is audited in.
const PLATFORM_MODEL: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: platform}
spec:
  kind: private
  displayName: {zh: 平台区, en: Platform}
  nodePool: {selector: {govcloud.io/zone: platform}, taint: {key: govcloud.io/zone, value: platform, effect: NoExecute}}
  cidrs: [10.40.0.0/16]
  mlpsLevel: 3
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: ops}
spec:
  displayName: {zh: 运维, en: Operations}
  owners: [{kind: Group, name: "ops:admins", role: admin}]
  zones: [{name: platform}]
"#;

/// Eat our own cooking: the chart's Deployment, run as a workload of a level-3
/// zone (`nodeSelector`, toleration and digest set through the chart's values),
/// goes through `govcloud audit` with the objects its tenant namespace renders
/// to; no control above low fails for it, and the workload controls did run on
/// it (the audit checks only tenant namespaces, hence the platform tenant).
#[test]
fn the_operators_own_deployment_passes_govcloud_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("model.yaml");
    std::fs::write(&model, PLATFORM_MODEL).expect("model");
    let govcloud = env!("CARGO_BIN_EXE_govcloud");
    let rendered = Command::new(govcloud).arg("render").arg("-f").arg(&model).output().expect("govcloud render");
    assert!(rendered.status.success(), "{}", String::from_utf8_lossy(&rendered.stderr));
    std::fs::write(dir.path().join("rendered.yaml"), &rendered.stdout).expect("rendered");

    let digest = format!("sha256:{}", "0f".repeat(32));
    let docs = template_in(
        "ops-platform",
        &[
            "--set",
            &format!("image.digest={digest}"),
            "--set",
            "nodeSelector.govcloud\\.io/zone=platform",
            "--set",
            "tolerations[0].key=govcloud.io/zone,tolerations[0].value=platform,tolerations[0].effect=NoExecute",
        ],
    );
    // What would run in the namespace (its RBAC is the platform's, not a tenant's).
    let workload: Vec<&Value> = docs
        .iter()
        .filter(|d| matches!(d["kind"].as_str(), Some("Deployment" | "PodDisruptionBudget" | "Service")))
        .collect();
    assert_eq!(workload.len(), 3);
    let text: String = workload.iter().map(|d| format!("---\n{}", serde_norway::to_string(d).expect("yaml"))).collect();
    std::fs::write(dir.path().join("chart.yaml"), text).expect("chart objects");

    let out = Command::new(govcloud)
        .args(["audit", "--format", "json", "-f"])
        .arg(dir.path().join("rendered.yaml"))
        .arg("-f")
        .arg(dir.path().join("chart.yaml"))
        .arg("-f")
        .arg(&model)
        .output()
        .expect("govcloud audit");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("audit json");
    let findings = report["findings"].as_array().expect("findings");
    let ours: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["object"]
                .as_str()
                .is_some_and(|o| o.ends_with("/ops-platform/govcloud") || o.ends_with("/ops-platform/govcloud-metrics"))
        })
        .collect();
    let bad: Vec<String> = ours
        .iter()
        .filter(|f| f["outcome"] == "fail" && f["severity"] != "Low")
        .map(|f| format!("{} {} {} {}: {}", f["control"], f["severity"], f["object"], f["field"], f["evidence"]))
        .collect();
    assert!(bad.is_empty(), "govcloud audit fails the operator's own objects:\n{}", bad.join("\n"));
    let passed: std::collections::BTreeSet<&str> = ours
        .iter()
        .filter(|f| f["object"] == "Deployment/ops-platform/govcloud" && f["outcome"] == "pass")
        .filter_map(|f| f["control"].as_str())
        .collect();
    for control in [
        "GC-POD-002",
        "GC-HOST-001",
        "GC-RES-001",
        "GC-IMG-001",
        "GC-IMG-002",
        "GC-IMG-003",
        "GC-ZONE-001",
        "GC-ZONE-002",
        "GC-VOL-001",
    ] {
        assert!(
            passed.contains(control),
            "{control} did not pass (or did not run) on the operator's Deployment; passed: {passed:?}"
        );
    }
    // The namespace it ran in enforces Pod Security `restricted` (level 3), which
    // the Deployment meets; read-only root is not part of it, so checked here.
    let pod = &find(&docs, "Deployment", "govcloud")["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
    let sc = &pod["containers"][0]["securityContext"];
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["capabilities"]["drop"], serde_json::json!(["ALL"]));
}

/// Values for the flags of `govcloud run` the chart did not reach before
/// (issue 29): the cluster in a city of several, its pod and service ranges,
/// the reports, the lease, and `extraArgs` after the chart's own.
#[test]
fn chart_values_for_every_operator_flag() {
    let docs = template(&[
        "--set",
        "cluster=east",
        "--set",
        "clusterCidrs={10.1.0.0/16,10.2.0.0/16}",
        "--set",
        "extraArgs={--install-crds}",
        "--set",
        "reports=wgpolicy",
        "--set",
        "requestRetentionDays=30",
        "--set",
        "leaderElection.leaseSeconds=20",
        "--set",
        "apiServerAddresses={192.0.2.10,fd00::10}",
    ]);
    let c = &find(&docs, "Deployment", "govcloud")["spec"]["template"]["spec"]["containers"][0];
    let a = args(c);
    for want in [
        "--api-server=192.0.2.10",
        "--api-server=fd00::10",
        "--cluster=east",
        "--cluster-cidrs=10.1.0.0/16,10.2.0.0/16",
        "--reports=wgpolicy",
        "--request-retention-days=30",
        "--leader-lease=govcloud-leader",
        "--leader-lease-seconds=20",
        "--leader-renew-grace-seconds=5",
    ] {
        assert!(a.contains(&want.to_string()), "{want} missing from {a:?}");
    }
    assert_eq!(a.last().map(String::as_str), Some("--install-crds"), "extraArgs come last: {a:?}");

    // By default: no --cluster (the zones that name none), the operator's own
    // default ranges written out, and every flag the chart writes is one
    // `govcloud run --help` knows.
    let docs = template(&[]);
    let a = args(&find(&docs, "Deployment", "govcloud")["spec"]["template"]["spec"]["containers"][0]);
    assert!(!a.iter().any(|a| a.starts_with("--cluster=")), "{a:?}");
    assert!(a.contains(&"--cluster-cidrs=10.244.0.0/16,10.96.0.0/12".to_string()), "{a:?}");
    assert!(!a.iter().any(|a| a.starts_with("--api-server")), "the watched endpoints only, by default: {a:?}");
    let help =
        Command::new(env!("CARGO_BIN_EXE_govcloud")).args(["run", "--help"]).output().expect("govcloud run --help");
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in a.iter().skip(1) {
        let name = flag.split('=').next().unwrap_or(flag);
        assert!(
            help.contains(&format!("{name} ")) || help.contains(&format!("{name}\n")),
            "`govcloud run` has no {name}"
        );
    }
}

/// values.schema.json refuses what the operator would refuse at start (or
/// silently misread), before anything reaches the cluster.
#[test]
fn chart_schema_rejects_bad_values() {
    for bad in [
        "clusterCidrs=10.1.0.0/16",
        "clusterCidrs={not-a-cidr}",
        "resyncSeconds=-1",
        "reports=pdf",
        "logFormat=xml",
        "extraArgs=--install-crds",
        "clusterCIDRs={10.1.0.0/16}",
        "resources.limits.memory=lots",
        "leaderElection.renewGraceSeconds=15",
        "apiServerAddresses={10.0.0.0/8}",
        "apiServerAddresses=10.0.0.1",
    ] {
        let out = try_template("ops", &["--set", bad]);
        assert!(!out.status.success(), "{bad} rendered");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("schema") || err.contains("renewGraceSeconds"), "{bad}: {err}");
    }
    // The sizes the values.yaml table gives for a province pass.
    template(&["--set", "resources.requests.memory=256Mi", "--set", "resources.limits.memory=512Mi"]);
}

/// Chart.yaml's kubeVersion is the first Kubernetes that serves every API the
/// chart ships: admissionregistration.k8s.io/v1 MutatingAdmissionPolicy is GA in 1.36.
#[test]
fn chart_kube_version_is_the_first_serving_mutating_admission_policy_v1() {
    let chart: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(repo().join("charts/govcloud/Chart.yaml")).expect("Chart.yaml"),
    )
    .expect("yaml");
    assert_eq!(chart["kubeVersion"].as_str(), Some(">=1.36.0-0"));
    let docs = template(&["--kube-version", "1.36.0"]);
    assert!(
        docs.iter()
            .any(|d| d["kind"] == "MutatingAdmissionPolicy" && d["apiVersion"] == "admissionregistration.k8s.io/v1")
    );
    assert!(!try_template("ops", &["--kube-version", "1.35.9"]).status.success(), "rendered for 1.35");
}

/// The metric names crates/operator/src/metrics.rs declares in `METRICS`
/// (read from its source: the module is private to the operator crate).
fn exported_metrics() -> Vec<String> {
    let source = std::fs::read_to_string(repo().join("crates/operator/src/metrics.rs")).expect("metrics.rs");
    let table = source.split("pub const METRICS").nth(1).expect("METRICS").split("];").next().expect("end");
    table
        .split('"')
        .filter(|s| s.starts_with("govcloud_") && s.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_string)
        .collect()
}

/// Alerts off by default; on, a PrometheusRule whose every expression names
/// only metrics the operator exports (and figures the evaluation computes),
/// covering no leader, reconcile errors, critical failures and requests
/// waiting too long.
#[test]
fn chart_alerts_name_exported_metrics() {
    assert!(!template(&[]).iter().any(|d| d["kind"] == "PrometheusRule"), "alerts are off by default");
    let docs = template(&["--set", "alerts.enabled=true", "--set", "alerts.labels.release=prometheus"]);
    let rule = find(&docs, "PrometheusRule", "govcloud");
    assert_eq!(rule["metadata"]["labels"]["release"], "prometheus");
    let rules = rule["spec"]["groups"][0]["rules"].as_array().expect("rules");
    let names: Vec<&str> = rules.iter().filter_map(|r| r["alert"].as_str()).collect();
    for want in [
        "GovcloudNoLeader",
        "GovcloudReconcileErrors",
        "GovcloudCriticalComplianceFailures",
        "GovcloudAnswersOverdue",
        "GovcloudRequestWaitingLong",
    ] {
        assert!(names.contains(&want), "no {want}: {names:?}");
    }
    let exported = exported_metrics();
    assert!(exported.contains(&"govcloud_leader".to_string()), "{exported:?}");
    let figures: Vec<&str> = govcloud::evaluate::FIGURES.iter().map(|f| f.id).collect();
    for r in rules {
        let expr = r["expr"].as_str().expect("expr");
        let used: Vec<&str> = expr
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("govcloud_"))
            .collect();
        assert!(!used.is_empty(), "{expr}");
        for m in used {
            assert!(exported.iter().any(|e| e == m), "{} uses {m}, which metrics.rs does not export", r["alert"]);
        }
        for figure in expr.split("figure=\"").skip(1).filter_map(|s| s.split('"').next()) {
            assert!(figures.contains(&figure), "{} uses figure {figure}, which the evaluation has not", r["alert"]);
        }
        if expr.contains("severity=") {
            assert!(expr.contains("severity=\"critical\"") && expr.contains("outcome=\"fail\""), "{expr}");
        }
    }
}

/// The web console is off by default; on, it is a Deployment running
/// `govcloud console --auth token` under a ServiceAccount that may only
/// create TokenReviews and impersonate, with its Service and (when asked)
/// an Ingress for its host.
#[test]
fn the_console_is_off_by_default_and_on_may_only_review_tokens_and_impersonate() {
    let docs = template(&[]);
    assert!(
        !docs.iter().any(|d| d["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("govcloud-console"))),
        "the console is rendered by default"
    );
    let docs = template(&[
        "--set",
        "console.enabled=true",
        "--set",
        "console.ingress.enabled=true",
        "--set",
        "console.ingress.host=console.egov.chifeng.gov.cn",
    ]);
    let d = find(&docs, "Deployment", "govcloud-console");
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(args(c), ["console", "--auth=token", "--listen=0.0.0.0:8480"]);
    assert_eq!(d["spec"]["template"]["spec"]["serviceAccountName"], "govcloud-console");
    assert_eq!(d["metadata"]["namespace"], "govcloud-system");
    // Its pods are not the operator's: the operator's Deployment does not select them.
    let op = find(&docs, "Deployment", "govcloud");
    assert_ne!(op["spec"]["selector"], d["spec"]["selector"]);
    let rules = &find(&docs, "ClusterRole", "govcloud-console")["rules"];
    assert_eq!(
        rules,
        &serde_json::json!([
            {"apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]},
            {"apiGroups": [""], "resources": ["users", "groups", "serviceaccounts"], "verbs": ["impersonate"]}
        ])
    );
    let b = find(&docs, "ClusterRoleBinding", "govcloud-console");
    assert_eq!(b["subjects"][0]["name"], "govcloud-console");
    assert_eq!(find(&docs, "Service", "govcloud-console")["spec"]["selector"], d["spec"]["selector"]["matchLabels"]);
    let ing = find(&docs, "Ingress", "govcloud-console");
    assert_eq!(ing["spec"]["rules"][0]["host"], "console.egov.chifeng.gov.cn");
    assert_eq!(ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"], "govcloud-console");
    // An Ingress without a host is refused.
    let out =
        try_template("govcloud-system", &["--set", "console.enabled=true", "--set", "console.ingress.enabled=true"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("console.ingress.host"));
    // Sessions live in one process: a second replica is refused by the schema, which says why.
    let out = try_template("govcloud-system", &["--set", "console.enabled=true", "--set", "console.replicas=2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("values don't meet the specifications of the schema"), "{err}");
    assert!(err.contains("console") && err.contains("replicas"), "{err}");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("charts/govcloud/values.schema.json")).expect("schema"),
    )
    .expect("schema json");
    let replicas = &schema["properties"]["console"]["properties"]["replicas"];
    assert_eq!(replicas["maximum"], 1);
    assert!(replicas["description"].as_str().is_some_and(|d| d.contains("sessions")), "{replicas}");
    assert!(
        try_template("govcloud-system", &["--set", "console.enabled=true", "--set", "console.replicas=1"])
            .status
            .success()
    );
}
