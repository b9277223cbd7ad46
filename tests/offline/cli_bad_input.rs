//! Bad input: every case exits non-zero, prints nothing on stdout, and names
//! the file, the object, the field and the fix.

use crate::support::offline::{copy_dir, govcloud};
use std::path::{Path, PathBuf};

fn chifeng() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/chifeng")
}

/// Writes the Chifeng model plus `extra` (appended to a file of its own) into a temp dir.
fn model_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&chifeng(), dir.path());
    std::fs::write(dir.path().join("zz-extra.yaml"), extra).expect("write");
    dir
}

/// Runs render (its errors in English) and checks the failure is reported
/// properly; returns stderr.
fn fails(dir: &Path, expect: &[&str]) -> String {
    let (code, stdout, stderr) = govcloud(&["render", "-f", dir.to_str().expect("utf8"), "--lang", "en"]);
    assert_eq!(code, 1, "exit code; stderr:\n{stderr}");
    assert!(stdout.is_empty(), "nothing is printed as if it had succeeded, got:\n{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("fix:"), "every error says what to do:\n{stderr}");
    for e in expect {
        assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
    }
    stderr
}

const APP_HEAD: &str =
    "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: probe, namespace: health-extranet}\n";

#[test]
fn chifeng_renders() {
    let (code, stdout, stderr) = govcloud(&["render", "-f", chifeng().to_str().expect("utf8")]);
    assert_eq!(code, 0, "{stderr}");
    for kind in ["NetworkPolicy", "Deployment", "StatefulSet", "CronJob"] {
        assert!(stdout.contains(&format!("kind: {kind}")), "no {kind} rendered");
    }
    assert!(stdout.contains("volumeClaimTemplates:"), "the databases keep their data in claims");
    assert!(stderr.contains("flows: 19 granted, 1 pending, 0 refused"), "{stderr}");
}

#[test]
fn malformed_yaml() {
    let d = model_with("apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: x\n   bad: indent\n");
    fails(d.path(), &["zz-extra.yaml", "malformed YAML", "line"]);
}

#[test]
fn unknown_kind_and_api_version() {
    let d = model_with("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n");
    fails(d.path(), &["zz-extra.yaml", "ConfigMap/y/x", "unknown kind \"ConfigMap\""]);
    let d = model_with(
        "apiVersion: govcloud.io/v1\nkind: Tenant\nmetadata: {name: x}\nspec: {displayName: {zh: a, en: b}}\n",
    );
    fails(d.path(), &["Tenant/x", "apiVersion", "govcloud.io/v1alpha1"]);
}

#[test]
fn missing_required_field() {
    let d = model_with(&format!("{APP_HEAD}spec: {{zone: extranet}}\n"));
    fails(d.path(), &["DepartmentApp/health-extranet/probe", "spec", "missing field `image`"]);
}

#[test]
fn unknown_field_is_not_silently_ignored() {
    let d =
        model_with(&format!("{APP_HEAD}spec: {{zone: extranet, image: harbor.egov.local/health/p:1, replica: 3}}\n"));
    fails(d.path(), &["DepartmentApp/health-extranet/probe", "spec.replica", "unknown field"]);
}

#[test]
fn duplicate_names() {
    let d = model_with(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: private}\nspec: {kind: private, displayName: {zh: a, en: b}, nodePool: {selector: {a: b}, taint: {key: k}}, cidrs: [10.0.0.0/8], allowedRegistries: [harbor.egov.local]}\n",
    );
    fails(d.path(), &["NetworkZone/private", "duplicate", "zones.yaml"]);
}

#[test]
fn tenant_names_an_undeclared_zone() {
    let d = model_with(
        "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: newdept}\nspec: {displayName: {zh: a, en: b}, zones: [{name: extarnet}]}\n",
    );
    fails(
        d.path(),
        &["Tenant/newdept", "spec.zones[0].name", "zone \"extarnet\" is not declared", "extranet, internet, private"],
    );
}

#[test]
fn app_in_a_zone_its_tenant_may_not_use() {
    let d = model_with(
        "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: probe, namespace: health-private}\nspec: {zone: private, image: 'harbor.egov.local/health/p@sha256:0000000000000000000000000000000000000000000000000000000000000000'}\n",
    );
    fails(d.path(), &["DepartmentApp/health-private/probe", "spec.zone", "tenant health may not use zone private"]);
}

#[test]
fn flow_to_an_app_that_does_not_exist() {
    let d = model_with(&format!(
        "{APP_HEAD}spec: {{zone: extranet, image: harbor.egov.local/health/p:1, flows: {{calls: [{{app: health-recrods}}]}}}}\n"
    ));
    // Only the tenant's own apps: another tenant's are not disclosed (see tests/render_flows.rs).
    fails(
        d.path(),
        &[
            "DepartmentApp/health-extranet/probe",
            "spec.flows.calls[0].app",
            "health/extranet/health-recrods does not exist",
        ],
    );
}

#[test]
fn public_exposure_outside_an_internet_zone() {
    let d = model_with(&format!(
        "{APP_HEAD}spec: {{zone: extranet, image: harbor.egov.local/health/p:1, exposure: public, host: a.b, ports: [{{name: http, port: 80}}]}}\n"
    ));
    fails(d.path(), &["DepartmentApp/health-extranet/probe", "spec.exposure", "only in an internet zone"]);
}

#[test]
fn public_host_of_another_domain_or_tenant() {
    let head = "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: probe, namespace: general-office-internet}\n";
    let spec = |host: &str| {
        format!(
            "{head}spec: {{zone: internet, image: harbor.egov.local/general-office/p:1, exposure: public, host: {host}, ports: [{{name: http, port: 80}}]}}\n"
        )
    };
    let d = model_with(&spec("www.gov.cn"));
    fails(
        d.path(),
        &[
            "DepartmentApp/general-office-internet/probe",
            "spec.host",
            "[GC-SVC-003] spec.host must lie strictly under this zone's publicDomain",
            "www.gov.cn",
            "tenant general-office may use in zone internet",
            "chifeng.gov.cn",
        ],
    );
    // economy-it's service hall claimed zwfw.chifeng.gov.cn first.
    let d = model_with(&spec("zwfw.chifeng.gov.cn"));
    fails(
        d.path(),
        &[
            "DepartmentApp/general-office-internet/probe",
            "spec.host",
            "already claimed by economy-it-internet/service-hall-frontend",
        ],
    );
}

#[test]
fn public_exposure_without_ports_is_caught_by_the_crd_rule() {
    let d = model_with(&format!(
        "{APP_HEAD}spec: {{zone: extranet, image: harbor.egov.local/health/p:1, exposure: public}}\n"
    ));
    fails(d.path(), &["spec.ports", "public exposure needs at least one port"]);
}

#[test]
fn image_from_a_public_registry() {
    let d = model_with(&format!("{APP_HEAD}spec: {{zone: extranet, image: docker.io/library/nginx:latest}}\n"));
    fails(d.path(), &["spec.image", "GC-IMG-001"]);
}

#[test]
fn unpinned_image_at_mlps_level_3() {
    let d = model_with(
        "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: probe, namespace: public-security-private}\nspec: {zone: private, image: harbor.egov.local/public-security/p:1}\n",
    );
    fails(d.path(), &["spec.image", "GC-IMG-002", "must be pinned by digest", "MLPS level 3 applies here"]);
}

#[test]
fn missing_path_and_non_yaml() {
    let (code, stdout, stderr) = govcloud(&["render", "-f", "/nonexistent/model", "--lang", "en"]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(stderr.contains("/nonexistent/model") && stderr.contains("fix:"), "{stderr}");
    // In Chinese (no locale set): the file named, what to do under 做法.
    let (code, _, stderr) = govcloud(&["render", "-f", "/nonexistent/model"]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("错误：/nonexistent/model") && stderr.contains("做法："), "{stderr}");
}

#[test]
fn garbage_bytes_do_not_panic() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("x.yaml"), [0xffu8, 0xfe, 0x00, b':', b'[']).expect("write");
    let (code, stdout, stderr) = govcloud(&["render", "-f", d.path().to_str().expect("utf8")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty() && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn crd_command_prints_the_five_crds() {
    let (code, stdout, _) = govcloud(&["crd"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.matches("kind: CustomResourceDefinition").count(), 5);
}

#[test]
fn duplicate_port_names_and_limits_are_caught_offline_like_the_api_server_does() {
    let d = model_with(&format!(
        "{APP_HEAD}spec: {{zone: extranet, image: harbor.egov.local/health/p:1, ports: [{{name: http, port: 80}}, {{name: http, port: 81}}]}}\n"
    ));
    fails(d.path(), &["spec.ports[1]", "duplicate entry (name=\"http\")"]);
    let long = "x".repeat(600);
    let d = model_with(&format!("{APP_HEAD}spec: {{zone: extranet, image: harbor.egov.local/health/{long}}}\n"));
    fails(d.path(), &["spec.image", "at most 512 characters"]);
}

#[test]
fn render_errors_are_printed_in_the_chosen_language() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (case, zh, en) in [
        (
            "141-schedule-cron-out-of-range.yaml",
            [
                "spec.schedule.cron：cron 表达式 '61 2 * * *' 的分钟字段 '61'：取值须在 0-59 之间",
                "做法：请写五个取值在范围内的字段，例如 '30 2 * * *'（每晚 02:30）",
            ],
            [
                "spec.schedule.cron: cron '61 2 * * *' minute '61': values must be 0-59",
                "fix: write five fields within their ranges",
            ],
        ),
        (
            "45-tenant-zone-undeclared.yaml",
            [
                "网络区 \"dmz\" 未声明",
                "做法：请声明名为 \"dmz\" 的 NetworkZone，或使用其中之一：extranet, internet, private",
            ],
            ["zone \"dmz\" is not declared", "fix: declare a NetworkZone named \"dmz\" or use one of: extranet"],
        ),
        (
            "59-image-registry-not-allowed.yaml",
            [
                "spec.image：[GC-IMG-001] 不符合准入规则（spec.image = \"ghcr.io/health/probe:1.0\"）",
                "做法：请把镜像推送到网络区 extranet 允许的镜像仓库（harbor.egov.local），并引用那里的镜像",
            ],
            [
                "spec.image: [GC-IMG-001] spec.image must come from a registry this zone allows",
                "fix: push the image to a registry zone extranet allows (harbor.egov.local) and reference it there",
            ],
        ),
        (
            "148-autoscaling-beyond-quota.yaml",
            [
                "做法：租户 health 在网络区 extranet 的配额允许 40 个 Pod",
                "[GC-RES-004] 不符合准入规则（spec.autoscaling.maxReplicas = 20）\n    做法：",
            ],
            [
                "fix: tenant health's quota in zone extranet allows 40 pods",
                "lower spec.autoscaling.maxReplicas to at most 16, lower the limits",
            ],
        ),
    ] {
        let extra = std::fs::read_to_string(repo.join("tests/fixtures/invalid").join(case)).expect("case");
        let d = model_with(&extra);
        let path = d.path().to_str().expect("utf8");
        // --lang zh, and with no --lang the locale's language: none set, Chinese; English on an English locale.
        let (code, stdout, chinese) = govcloud(&["render", "-f", path, "--lang", "zh"]);
        assert_eq!((code, stdout.as_str()), (1, ""), "{chinese}");
        let (_, _, by_locale) = govcloud(&["render", "-f", path]);
        assert_eq!(by_locale, chinese);
        assert!(chinese.starts_with("错误：") && chinese.contains("（第 1 个文档）"), "{chinese}");
        for z in zh {
            assert!(chinese.contains(z), "{case}: {z:?} not in\n{chinese}");
        }
        for e in ["fix:", "declare a", "write five", "tenant health's", "values must", "must come from", "push the"] {
            assert!(!chinese.contains(e), "{case}: English {e:?} in\n{chinese}");
        }
        let (_, _, english) = crate::support::offline::govcloud_in(&["render", "-f", path], &[("LANG", "en_US.UTF-8")]);
        assert_eq!(english, govcloud(&["render", "-f", path, "--lang", "en"]).2);
        for e in en {
            assert!(english.contains(e), "{case}: {e:?} not in\n{english}");
        }
    }
}
