//! Security and isolation controls, each defined once.
//!
//! The [`CATALOGUE`] is the one list of controls: id, titles, what each
//! checks, severity, the MLPS levels it applies to, and how it is enforced.
//! Admission policies are generated from it ([`admission`]), render-time
//! checks call the functions below, and the audit will read the same table.

pub mod admission;

/// How severe a failed control is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Severity {
    /// Worth fixing.
    Low,
    /// Weakens a baseline.
    Medium,
    /// Breaks a baseline.
    High,
    /// Breaks isolation between zones or tenants.
    Critical,
}

/// Where a control is enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Enforcement {
    /// A ValidatingAdmissionPolicy generated from the catalogue, bound to every tenant namespace.
    Admission,
    /// A ValidatingAdmissionPolicy that takes the namespace's NetworkZone as its parameter.
    ZoneAdmission,
    /// Pod Security Admission, through the namespace's labels.
    PodSecurity,
    /// Kubernetes RBAC, through the tenant roles.
    Rbac,
    /// Decided when rendering, and audited; no admission form.
    Render,
    /// Only an audit of the cluster can check it.
    Audit,
}

/// One control.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Control {
    /// Stable id, for example `GC-HOST-001`.
    pub id: &'static str,
    /// Title in Chinese.
    pub title_zh: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// What it checks.
    pub checks: &'static str,
    /// How severe a failure is.
    pub severity: Severity,
    /// MLPS 2.0 levels it applies to.
    pub levels: &'static [u8],
    /// Where it is enforced.
    pub enforcement: Enforcement,
}

/// `GC-NET-001`
pub const DEFAULT_DENY: &str = "GC-NET-001";
/// `GC-NET-002`
pub const TWO_SIDED_FLOWS: &str = "GC-NET-002";
/// `GC-NET-003`
pub const PRIVATE_EGRESS: &str = "GC-NET-003";
/// `GC-POD-001`
pub const POD_SECURITY: &str = "GC-POD-001";
/// `GC-POD-002`
pub const NO_PRIVILEGED: &str = "GC-POD-002";
/// `GC-HOST-001`
pub const HOST_NAMESPACES: &str = "GC-HOST-001";
/// `GC-HOST-002`
pub const HOST_PATH: &str = "GC-HOST-002";
/// `GC-HOST-003`
pub const HOST_PORTS: &str = "GC-HOST-003";
/// `GC-ZONE-001`
pub const ZONE_NODES: &str = "GC-ZONE-001";
/// `GC-ZONE-002`
pub const ZONE_TOLERATIONS: &str = "GC-ZONE-002";
/// `GC-ZONE-003`
pub const NO_NODE_NAME: &str = "GC-ZONE-003";
/// `GC-IMG-001`: images come only from registries the zone (and tenant) allows.
pub const IMAGE_REGISTRY: &str = "GC-IMG-001";
/// `GC-IMG-002`: at MLPS level 3, images are pinned by digest.
pub const IMAGE_DIGEST: &str = "GC-IMG-002";
/// `GC-RES-001`
pub const RESOURCES: &str = "GC-RES-001";
/// `GC-SVC-001`
pub const EXTERNAL_SERVICES: &str = "GC-SVC-001";
/// `GC-SVC-002`
pub const INGRESS_ZONE: &str = "GC-SVC-002";
/// `GC-APP-001`
pub const APP_ZONE: &str = "GC-APP-001";
/// `GC-MGD-001`
pub const MANAGED_OBJECTS: &str = "GC-MGD-001";
/// `GC-RBAC-001`
pub const TENANT_RBAC: &str = "GC-RBAC-001";
/// `GC-ZONE-004`
pub const ZONE_TAINT: &str = "GC-ZONE-004";
/// `GC-RES-002`
pub const QUOTA_AND_LIMITS: &str = "GC-RES-002";

const ALL_LEVELS: &[u8] = &[2, 3];

/// Every control govcloud knows.
pub const CATALOGUE: &[Control] = &[
    Control {
        id: DEFAULT_DENY,
        title_zh: "租户命名空间默认拒绝",
        title_en: "Tenant namespaces deny by default",
        checks: "every tenant namespace has a NetworkPolicy denying all ingress and egress not allowed by another policy",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Render,
    },
    Control {
        id: TWO_SIDED_FLOWS,
        title_zh: "跨部门数据流须双方确认",
        title_en: "Cross-tenant flows need both sides",
        checks: "a flow between tenants exists only when the consumer requests it and the provider grants it",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Render,
    },
    Control {
        id: PRIVATE_EGRESS,
        title_zh: "政务专网仅经交换节点出区",
        title_en: "Private zones leave only through exchange endpoints",
        checks: "nothing in a private zone reaches outside it except its registered exchange endpoints; never the internet",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Render,
    },
    Control {
        id: POD_SECURITY,
        title_zh: "容器安全基线",
        title_en: "Pod Security baseline",
        checks: "namespaces enforce Pod Security baseline (MLPS 2) or restricted (MLPS 3)",
        severity: Severity::High,
        levels: ALL_LEVELS,
        enforcement: Enforcement::PodSecurity,
    },
    Control {
        id: NO_PRIVILEGED,
        title_zh: "禁止特权容器",
        title_en: "No privileged containers",
        checks: "no container sets securityContext.privileged or allowPrivilegeEscalation true",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: HOST_NAMESPACES,
        title_zh: "禁止共享主机命名空间",
        title_en: "No host namespaces",
        checks: "pods do not set hostNetwork, hostPID or hostIPC",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: HOST_PATH,
        title_zh: "禁止挂载主机路径",
        title_en: "No hostPath volumes",
        checks: "pods mount no hostPath volume",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: HOST_PORTS,
        title_zh: "禁止占用主机端口",
        title_en: "No host ports",
        checks: "no container port sets hostPort",
        severity: Severity::High,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: ZONE_NODES,
        title_zh: "工作负载限定于本区节点",
        title_en: "Workloads run on their zone's nodes",
        checks: "a pod in a zone's namespace selects every label of the zone's node pool",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: ZONE_TOLERATIONS,
        title_zh: "仅容忍本区污点",
        title_en: "Only the zone's taint is tolerated",
        checks: "a pod tolerates no taint but its zone's (and the node lifecycle taints)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: NO_NODE_NAME,
        title_zh: "禁止直接指定节点",
        title_en: "No direct node assignment",
        checks: "spec.nodeName is not set when a pod is created (it would bypass the scheduler)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: IMAGE_REGISTRY,
        title_zh: "镜像仅来自许可仓库",
        title_en: "Images from allowed registries only",
        checks: "every image comes from a registry the zone allows",
        severity: Severity::High,
        levels: ALL_LEVELS,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: IMAGE_DIGEST,
        title_zh: "三级系统镜像须按摘要固定",
        title_en: "Images pinned by digest at level 3",
        checks: "at MLPS level 3 every image is referenced as repository@sha256:digest",
        severity: Severity::High,
        levels: &[3],
        enforcement: Enforcement::Admission,
    },
    Control {
        id: RESOURCES,
        title_zh: "容器须声明资源请求与上限",
        title_en: "Requests and limits on every container",
        checks: "every container declares cpu and memory requests and limits",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: EXTERNAL_SERVICES,
        title_zh: "仅互联网区可对外暴露服务",
        title_en: "External services only in the internet zone",
        checks: "Services of type NodePort or LoadBalancer, or with externalIPs, only in internet-zone namespaces",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: INGRESS_ZONE,
        title_zh: "仅互联网区可创建 Ingress",
        title_en: "Ingress only in the internet zone",
        checks: "Ingress objects only in internet-zone namespaces",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: APP_ZONE,
        title_zh: "应用声明须符合所在网络区",
        title_en: "Apps consistent with their zone",
        checks: "a DepartmentApp's zone is its namespace's zone, public exposure only in an internet zone with internet ingress, image from the zone's registries",
        severity: Severity::High,
        levels: ALL_LEVELS,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: MANAGED_OBJECTS,
        title_zh: "受管对象仅由平台修改",
        title_en: "Managed objects changed only by govcloud",
        checks: "objects labelled app.kubernetes.io/managed-by=govcloud are created, changed and deleted only by the operator (cluster administrators excepted)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: ZONE_TAINT,
        title_zh: "本区节点须带区域污点",
        title_en: "Zone nodes carry the zone taint",
        checks: "every node selected by a zone's node pool carries the zone's taint, so nothing else lands there",
        severity: Severity::High,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Audit,
    },
    Control {
        id: QUOTA_AND_LIMITS,
        title_zh: "租户命名空间须有配额与默认限制",
        title_en: "Quota and limits in every tenant namespace",
        checks: "every tenant namespace has its ResourceQuota and LimitRange",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Audit,
    },
    Control {
        id: TENANT_RBAC,
        title_zh: "租户最小权限",
        title_en: "Least privilege for tenants",
        checks: "department users manage apps and workloads in their own namespaces only; auditors read without changing anything or reading Secrets",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        enforcement: Enforcement::Rbac,
    },
];

/// The catalogue as a Markdown table (the README's list of controls).
pub fn markdown_table() -> String {
    let mut s = String::from("| id | 控制项 | control | checks | severity | MLPS levels | enforced by |\n|---|---|---|---|---|---|---|\n");
    for c in CATALOGUE {
        let levels: Vec<String> = c.levels.iter().map(|l| l.to_string()).collect();
        let by = match c.enforcement {
            Enforcement::Admission => "admission policy",
            Enforcement::ZoneAdmission => "admission policy (zone parameter)",
            Enforcement::PodSecurity => "Pod Security Admission labels",
            Enforcement::Rbac => "RBAC roles",
            Enforcement::Render => "rendering (NetworkPolicies)",
            Enforcement::Audit => "audit only",
        };
        s.push_str(&format!("| {} | {} | {} | {} | {:?} | {} | {} |\n", c.id, c.title_zh, c.title_en, c.checks, c.severity, levels.join(", "), by));
    }
    s
}

/// The control with this id.
pub fn control(id: &str) -> Option<&'static Control> {
    CATALOGUE.iter().find(|c| c.id == id)
}

/// Whether `image` comes from one of the `allowed` registry prefixes.
///
/// A prefix matches at a path boundary: `harbor.egov.local` allows
/// `harbor.egov.local/x/y:1` but not `harbor.egov.local.evil.com/x` nor
/// `harbor.egov.localx/y`.
pub fn image_from_allowed_registry(image: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|prefix| {
        let prefix = prefix.trim_end_matches('/');
        !prefix.is_empty() && image.len() > prefix.len() + 1 && image.starts_with(prefix) && image.as_bytes()[prefix.len()] == b'/'
    })
}

/// Whether `image` is pinned by a sha256 digest.
pub fn image_pinned_by_digest(image: &str) -> bool {
    match image.split_once("@sha256:") {
        Some((_, digest)) => digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        for c in CATALOGUE {
            assert!(c.id.starts_with("GC-") && !c.title_zh.is_empty() && !c.title_en.is_empty() && !c.levels.is_empty(), "{c:?}");
        }
    }

    #[test]
    fn registry_prefix_matches_only_at_a_path_boundary() {
        let allowed = vec!["harbor.egov.local".to_string()];
        assert!(image_from_allowed_registry("harbor.egov.local/gov/portal:1.0", &allowed));
        assert!(!image_from_allowed_registry("harbor.egov.local.evil.com/gov/portal:1.0", &allowed));
        assert!(!image_from_allowed_registry("harbor.egov.localx/portal", &allowed));
        assert!(!image_from_allowed_registry("docker.io/library/nginx", &allowed));
        assert!(!image_from_allowed_registry("nginx", &allowed));
        assert!(!image_from_allowed_registry("harbor.egov.local", &allowed));
        let narrowed = vec!["harbor.egov.local/health/".to_string()];
        assert!(image_from_allowed_registry("harbor.egov.local/health/his:2", &narrowed));
        assert!(!image_from_allowed_registry("harbor.egov.local/healthx/his:2", &narrowed));
    }

    #[test]
    fn digest_pin_needs_a_full_lowercase_sha256() {
        let d = "a".repeat(64);
        assert!(image_pinned_by_digest(&format!("harbor.egov.local/ps/pop@sha256:{d}")));
        assert!(!image_pinned_by_digest("harbor.egov.local/ps/pop:1.0"));
        assert!(!image_pinned_by_digest("harbor.egov.local/ps/pop@sha256:abc"));
        assert!(!image_pinned_by_digest(&format!("harbor.egov.local/ps/pop@sha256:{}", "A".repeat(64))));
    }
}
