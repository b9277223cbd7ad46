use super::*;

#[test]
fn the_report_crds_name_each_api_as_its_reports_do() {
    let names = |api: ReportApi| -> Vec<(String, String, String, String)> {
        report_crds(api)
            .iter()
            .map(|c| {
                let s = |p: &str| c.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
                (s("/metadata/name"), s("/spec/names/kind"), s("/spec/scope"), s("/spec/versions/0/name"))
            })
            .collect()
    };
    let row = |n: &str, k: &str, s: &str, v: &str| (n.to_string(), k.to_string(), s.to_string(), v.to_string());
    assert_eq!(
        names(ReportApi::Openreports),
        [
            row("reports.openreports.io", "Report", "Namespaced", "v1alpha1"),
            row("clusterreports.openreports.io", "ClusterReport", "Cluster", "v1alpha1")
        ]
    );
    assert_eq!(
        names(ReportApi::Wgpolicy),
        [
            row("policyreports.wgpolicyk8s.io", "PolicyReport", "Namespaced", "v1alpha2"),
            row("clusterpolicyreports.wgpolicyk8s.io", "ClusterPolicyReport", "Cluster", "v1alpha2")
        ]
    );
}
