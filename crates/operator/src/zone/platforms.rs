//! A zone's nodes by platform (国产化): what each node's kubelet reports of
//! its CPU architecture, operating system, OS image and kernel, grouped,
//! with the nodes' CPU capacity. Node objects are written by kubelets and
//! the platform's administrators, never by a department.

use std::collections::BTreeMap;

use govcloud_core::api::NodePlatform;
use govcloud_core::meta::quantity::Quantity;
use k8s_openapi::api::core::v1::Node;

/// The label the kubelet sets to its node's architecture.
pub const ARCH_LABEL: &str = "kubernetes.io/arch";

/// `nodes` grouped by (architecture, operating system, OS image, kernel), in that order.
pub fn platforms<'n>(nodes: impl IntoIterator<Item = &'n Node>) -> Vec<NodePlatform> {
    let mut groups: BTreeMap<(String, String, String, String), (i32, Quantity)> = BTreeMap::new();
    for n in nodes {
        let info = n.status.as_ref().and_then(|s| s.node_info.as_ref());
        let label = n.metadata.labels.as_ref().and_then(|l| l.get(ARCH_LABEL)).cloned();
        let architecture = info.map(|i| i.architecture.clone()).filter(|a| !a.is_empty()).or(label).unwrap_or_default();
        let key = (
            architecture,
            info.map(|i| i.operating_system.clone()).unwrap_or_default(),
            info.map(|i| i.os_image.clone()).unwrap_or_default(),
            info.map(|i| i.kernel_version.clone()).unwrap_or_default(),
        );
        let cpu = n
            .status
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("cpu"))
            .and_then(|q| Quantity::parse(&q.0).ok())
            .unwrap_or_default();
        let g = groups.entry(key).or_insert((0, Quantity::ZERO));
        g.0 += 1;
        g.1 += cpu;
    }
    groups
        .into_iter()
        .map(|((architecture, operating_system, os_image, kernel_version), (nodes, cpu))| NodePlatform {
            architecture,
            operating_system,
            os_image,
            kernel_version,
            nodes,
            cpu: cpu.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(arch_label: &str, info_arch: &str, os_image: &str, cpu: &str) -> Node {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "n", "labels": {ARCH_LABEL: arch_label}},
            "status": {
                "capacity": {"cpu": cpu},
                "nodeInfo": {"architecture": info_arch, "operatingSystem": "linux", "osImage": os_image,
                    "kernelVersion": "4.19.90", "bootID": "", "containerRuntimeVersion": "", "kubeProxyVersion": "",
                    "kubeletVersion": "", "machineID": "", "systemUUID": ""}
            }
        }))
        .expect("node")
    }

    #[test]
    fn nodes_are_grouped_by_what_their_kubelet_reports_with_their_cores() {
        let nodes = [
            node("arm64", "arm64", "Kylin Linux Advanced Server V10", "64"),
            node("arm64", "arm64", "Kylin Linux Advanced Server V10", "64"),
            // No architecture reported: the kubelet's label.
            node("arm64", "", "openEuler 22.03", "1500m"),
            node("amd64", "amd64", "Ubuntu 22.04", "32"),
        ];
        let p = platforms(&nodes);
        let got: Vec<(&str, &str, i32, &str)> =
            p.iter().map(|p| (p.architecture.as_str(), p.os_image.as_str(), p.nodes, p.cpu.as_str())).collect();
        assert_eq!(
            got,
            [
                ("amd64", "Ubuntu 22.04", 1, "32"),
                ("arm64", "Kylin Linux Advanced Server V10", 2, "128"),
                ("arm64", "openEuler 22.03", 1, "1500m"),
            ]
        );
    }
}
