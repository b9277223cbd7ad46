//! `govcloud audit` over a city of two live control planes: the Chifeng
//! zones in clusters egov and private (`examples/chifeng-clusters`), each
//! holding the model and what `govcloud render --cluster` gives for it. The
//! city passes as applied; a NetworkPolicy in a declaration namespace and a
//! cluster whose copy of the model lags fail, each tagged with its cluster.
//! Starts its own control planes (`testenv up`, a free port block each) and
//! stops them at the end, also when the test fails.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::offline::{govcloud, repo};

/// The control planes started, stopped when dropped.
struct City {
    dirs: Vec<PathBuf>,
}

impl Drop for City {
    fn drop(&mut self) {
        for dir in &self.dirs {
            let _ = Command::new(repo().join("testenv/testenv")).arg("down").arg("--dir").arg(dir).output();
        }
    }
}

fn kubectl(kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .current_dir(repo())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl");
    if let Some(text) = stdin {
        child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("kubectl output")
}

fn ok(out: Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{what}: {err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const MODEL: [&str; 3] = ["examples/chifeng-clusters", "examples/chifeng/tenants.yaml", "examples/chifeng/apps"];

#[test]
fn the_city_of_two_live_clusters_is_one_report() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut city = City { dirs: Vec::new() };
    let mut kubeconfigs = Vec::new();
    for cluster in ["egov", "private"] {
        let dir = tmp.path().join(cluster);
        city.dirs.push(dir.clone());
        let up = Command::new(repo().join("testenv/testenv"))
            .args([
                "up",
                "--dir",
                dir.to_str().expect("utf8"),
                "--model",
                "examples/chifeng-clusters",
                "--cluster",
                cluster,
            ])
            .current_dir(repo())
            .output()
            .expect("testenv up");
        ok(up, &format!("testenv up {cluster}"));
        let kc = dir.join("kubeconfig");
        ok(kubectl(&kc, &["apply", "--server-side", "-f", "crds/"], None), "CRDs");
        ok(
            kubectl(&kc, &["wait", "--for", "condition=established", "crd", "--all", "--timeout=60s"], None),
            "CRDs established",
        );
        let model: Vec<String> = MODEL.iter().map(|m| repo().join(m).to_str().expect("utf8").to_string()).collect();
        let (code, rendered, err) =
            govcloud(&["render", "--cluster", cluster, "-f", &model[0], "-f", &model[1], "-f", &model[2]]);
        assert_eq!(code, 0, "{err}");
        // The admission policies that record who answers a sharing request
        // (GC-SHR-001), as an install puts them: the audit expects answers
        // recorded by the API server. (The others are left out: this city's
        // objects are applied by hand, not by an operator.)
        let (code, policies, err) = govcloud(&["manifests", "--admission-only"]);
        assert_eq!(code, 0, "{err}");
        let sharing: Vec<&str> =
            policies.split("\n---\n").filter(|d| d.contains("name: govcloud-sharing-answer")).collect();
        assert_eq!(sharing.len(), 4, "the two sharing policies and their bindings");
        ok(kubectl(&kc, &["apply", "--server-side", "-f", "-"], Some(&sharing.join("\n---\n"))), "sharing policies");
        ok(kubectl(&kc, &["apply", "--server-side", "-f", &model[0], "-f", &model[1]], None), "zones and tenants");
        ok(kubectl(&kc, &["apply", "--server-side", "-f", "-"], Some(&rendered)), "rendered objects");
        // The apps count against the namespaces' quotas: admitted once the quota controller has counted them.
        let mut tries = 0;
        loop {
            let out = kubectl(&kc, &["apply", "--server-side", "-f", &model[2]], None);
            tries += 1;
            if out.status.success() || tries == 60 {
                ok(out, "apps");
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        kubeconfigs.push(format!("{cluster}={}", kc.to_str().expect("utf8")));
    }
    let audit = |extra: &[&str]| {
        let mut args = vec![
            "audit",
            "--lang",
            "en",
            "--cluster-kubeconfig",
            &kubeconfigs[0],
            "--cluster-kubeconfig",
            &kubeconfigs[1],
        ];
        args.extend(extra);
        govcloud(&args)
    };
    let (code, out, err) = audit(&["--fail-on", "low"]);
    assert_eq!(code, 0, "{err}\n{out}");
    for line in out.lines().filter(|l| l.starts_with("  city: ") || l.starts_with("  cluster ")) {
        eprintln!("{line}");
    }
    for line in ["  city: 50 PASS, 0 FAIL", "  cluster egov: ", "  cluster private: "] {
        assert!(out.contains(line), "{line:?} in\n{out}");
    }

    let egov = city.dirs[0].join("kubeconfig");
    // Nothing runs where only declarations belong: the zero quota refuses a workload...
    let refused = kubectl(
        &egov,
        &["-n", "general-office-private", "create", "deployment", "stray", "--image=harbor.egov.local/x/y:1"],
        None,
    );
    assert!(
        !refused.status.success()
            && String::from_utf8_lossy(&refused.stderr).contains("exceeded quota: govcloud-quota")
    );
    // ...and what the quota does not count, the audit finds.
    let open = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: general-office-private}\nspec: {podSelector: {}, ingress: [{}], policyTypes: [Ingress]}\n";
    ok(kubectl(&egov, &["apply", "-f", "-"], Some(open)), "a NetworkPolicy in a declaration namespace");
    // A machine of the private network registered with the egov control plane.
    let node = "apiVersion: v1\nkind: Node\nmetadata: {name: private-stray, labels: {govcloud.io/zone: private}}\n";
    ok(kubectl(&egov, &["apply", "-f", "-"], Some(node)), "a node of the private zone in egov");
    // The private cluster's copy lags: an app of the extranet is gone there.
    let private = city.dirs[1].join("kubeconfig");
    ok(
        kubectl(&private, &["-n", "health-extranet", "delete", "departmentapp", "health-records"], None),
        "delete in private",
    );
    let (code, out, err) = audit(&["--fail-on", "high"]);
    assert_eq!(code, 1, "{err}\n{out}");
    for line in [
        "FAIL [egov] GC-ZONE-005 NetworkPolicy/general-office-private/open kind:",
        "FAIL [egov] GC-ZONE-006 Node/private-stray metadata.labels: ",
        "(matches the node pool of private (runs in cluster private) and of no zone this cluster hosts)",
        "FAIL [city] GC-CITY-001 DepartmentApp/health-extranet/health-records spec:",
        "(present in cluster egov, absent in cluster private)",
        "FAIL [city] GC-CITY-002 DepartmentApp/health-extranet/health-records spec.flows.calls[public-security/private/population-db]:",
        "Granted on 8443 at 10.30.255.20/32 in cluster egov, not declared in cluster private)",
        // No operator runs here: the catalogue entry still counts the consumer deleted by hand.
        "FAIL [private] GC-MGD-001 SharedResource/public-security.private.population-db : managed objects match what govcloud renders (no drift) (spec.consumers: 6, want 5)",
    ] {
        assert!(out.contains(line), "{line:?} in\n{out}");
    }
    assert_eq!(out.matches("\nFAIL ").count(), 5, "{out}");
}
