//! The MLPS 2.0 (等保2.0, GB/T 22239-2019) mapping: for each requirement of the
//! cloud-computing extension that govcloud can speak to, the controls that
//! serve it; requirements a cluster cannot check are listed as manual.
//! Clause numbers follow the standard's layout (chapter 7 = level 2,
//! chapter 8 = level 3; x.2 = cloud extension); auditors should confirm them
//! against the text they certify with.

use serde::Serialize;

/// One requirement and how it is met.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Requirement {
    /// Level-3 clause (cloud extension).
    pub clause_l3: &'static str,
    /// Level-2 clause, when the requirement exists at level 2.
    pub clause_l2: Option<&'static str>,
    /// Category (安全通信网络, 安全区域边界, …).
    pub category_zh: &'static str,
    /// The category in English.
    pub category_en: &'static str,
    /// Requirement, in Chinese.
    pub title_zh: &'static str,
    /// Requirement, in English.
    pub title_en: &'static str,
    /// Controls that check it automatically; empty means manual.
    pub controls: &'static [&'static str],
    /// For manual requirements: what the auditor checks instead.
    pub manual: &'static str,
    /// The same, in Chinese.
    pub manual_zh: &'static str,
}

/// The mapping table.
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        clause_l3: "8.2.2.1",
        clause_l2: Some("7.2.2.1"),
        category_zh: "安全通信网络",
        category_en: "Secure communication network",
        title_zh: "网络架构：不同云服务客户虚拟网络之间的隔离",
        title_en: "Network architecture: isolation between tenants' virtual networks",
        controls: &[
            "GC-NET-001",
            "GC-NET-002",
            "GC-NET-006",
            "GC-ZONE-001",
            "GC-ZONE-002",
            "GC-ZONE-003",
            "GC-ZONE-004",
            "GC-ZONE-005",
            "GC-ZONE-006",
            "GC-VOL-001",
            "GC-VOL-002",
            "GC-VOL-003",
        ],
        manual: "",
        manual_zh: "",
    },
    Requirement {
        clause_l3: "8.2.2.1",
        clause_l2: Some("7.2.2.1"),
        category_zh: "安全通信网络",
        category_en: "Secure communication network",
        title_zh: "网络架构：云平台不承载高于其安全保护等级的业务",
        title_en: "Network architecture: no system above the platform's protection level",
        controls: &["GC-POD-001", "GC-IMG-002"],
        manual: "",
        manual_zh: "",
    },
    Requirement {
        clause_l3: "8.2.3.1",
        clause_l2: Some("7.2.3.1"),
        category_zh: "安全区域边界",
        category_en: "Secure area boundary",
        title_zh: "访问控制：在虚拟化网络边界及不同等级网络区域边界部署访问控制机制",
        title_en: "Access control at virtual network and zone boundaries",
        controls: &[
            "GC-NET-002",
            "GC-NET-003",
            "GC-NET-004",
            "GC-NET-005",
            "GC-NET-007",
            "GC-SVC-001",
            "GC-SVC-002",
            "GC-SVC-003",
            "GC-SVC-004",
            "GC-APP-001",
            "GC-SHR-003",
        ],
        manual: "",
        manual_zh: "",
    },
    Requirement {
        clause_l3: "8.2.3.2",
        clause_l2: Some("7.2.3.2"),
        category_zh: "安全区域边界",
        category_en: "Secure area boundary",
        title_zh: "入侵防范：限制虚拟机（容器）对外发起的攻击与异常流量",
        title_en: "Intrusion prevention: outbound attacks from workloads",
        controls: &["GC-NET-003", "GC-NET-007", "GC-HOST-001", "GC-HOST-003"],
        manual: "",
        manual_zh: "",
    },
    Requirement {
        clause_l3: "8.2.3.3",
        clause_l2: None,
        category_zh: "安全区域边界",
        category_en: "Secure area boundary",
        title_zh: "安全审计：对云服务商和云服务客户的远程管理及特权操作进行审计",
        title_en: "Security audit of remote management and privileged operations",
        controls: &["GC-MGD-001", "GC-MGD-002", "GC-RBAC-001", "GC-RBAC-004", "GC-REQ-001", "GC-SHR-001"],
        manual: "API server audit logging enabled and retained (check the kube-apiserver --audit-log-* flags and the log archive)",
        manual_zh: "API 服务器审计日志已开启并留存（检查 kube-apiserver 的 --audit-log-* 参数与日志归档）",
    },
    Requirement {
        clause_l3: "8.2.4.2",
        clause_l2: Some("7.2.4.1"),
        category_zh: "安全计算环境",
        category_en: "Secure computing environment",
        title_zh: "访问控制：虚拟机（容器）迁移时访问控制策略随其迁移；云服务客户自主设置访问控制",
        title_en: "Access control follows workloads; tenants set their own within limits",
        controls: &["GC-RBAC-001", "GC-RBAC-002", "GC-RBAC-003", "GC-MGD-001", "GC-POD-002"],
        manual: "",
        manual_zh: "",
    },
    Requirement {
        clause_l3: "8.2.4.3",
        clause_l2: None,
        category_zh: "安全计算环境",
        category_en: "Secure computing environment",
        title_zh: "入侵防范：检测虚拟机（容器）之间的资源隔离失效",
        title_en: "Intrusion prevention: resource isolation between workloads",
        controls: &[
            "GC-HOST-001",
            "GC-HOST-002",
            "GC-POD-002",
            "GC-RES-001",
            "GC-RES-002",
            "GC-RES-003",
            "GC-RES-004",
            "GC-PRI-001",
            "GC-POD-003",
            "GC-ZONE-007",
        ],
        manual: "",
        manual_zh: "",
    },
    Requirement {
        clause_l3: "8.2.4.4",
        clause_l2: Some("7.2.4.2"),
        category_zh: "安全计算环境",
        category_en: "Secure computing environment",
        title_zh: "镜像和快照保护：镜像完整性校验，防止被恶意篡改",
        title_en: "Image and snapshot protection: image integrity",
        controls: &["GC-IMG-001", "GC-IMG-002", "GC-IMG-003"],
        manual: "image signing and vulnerability scanning in the internal registry (Harbor)",
        manual_zh: "内部镜像仓库（Harbor）中的镜像签名与漏洞扫描",
    },
    Requirement {
        clause_l3: "8.2.4.5",
        clause_l2: Some("7.2.4.3"),
        category_zh: "安全计算环境",
        category_en: "Secure computing environment",
        title_zh: "数据完整性和保密性：数据存储于中国境内；传输与存储加密",
        title_en: "Data integrity and confidentiality: data stays in China, encrypted",
        controls: &["GC-SVC-005"],
        manual: "data-centre location, etcd encryption at rest, TLS between services",
        manual_zh: "数据中心所在地、etcd 静态加密、服务间 TLS",
    },
    Requirement {
        clause_l3: "8.2.4.6",
        clause_l2: None,
        category_zh: "安全计算环境",
        category_en: "Secure computing environment",
        title_zh: "数据备份恢复",
        title_en: "Data backup and recovery",
        controls: &["GC-TEN-002"],
        manual: "backup of etcd and application data, tested restore",
        manual_zh: "etcd 与应用数据的备份，及经过验证的恢复",
    },
    Requirement {
        clause_l3: "8.2.4.7",
        clause_l2: Some("7.2.4.4"),
        category_zh: "安全计算环境",
        category_en: "Secure computing environment",
        title_zh: "剩余信息保护：内存和存储空间回收时彻底清除",
        title_en: "Residual information protection when resources are released",
        controls: &[],
        manual: "storage class wipe-on-delete and node decommissioning procedure",
        manual_zh: "存储类删除即擦除，以及节点下线处置流程",
    },
    Requirement {
        clause_l3: "8.2.5.1",
        clause_l2: None,
        category_zh: "安全管理中心",
        category_en: "Security management centre",
        title_zh: "集中管控：统一管理调度资源，集中监测与审计",
        title_en: "Central management: resources managed, monitored and audited centrally",
        controls: &[
            "GC-RES-002",
            "GC-MGD-001",
            "GC-TEN-001",
            "GC-REQ-001",
            "GC-REQ-002",
            "GC-CITY-001",
            "GC-CITY-002",
            "GC-SHR-002",
        ],
        manual: "",
        manual_zh: "",
    },
    Requirement {
        clause_l3: "8.2.1.1",
        clause_l2: Some("7.2.1.1"),
        category_zh: "安全物理环境",
        category_en: "Secure physical environment",
        title_zh: "基础设施位置：云计算基础设施位于中国境内",
        title_en: "Infrastructure located in China",
        controls: &[],
        manual: "data-centre contracts and site inspection",
        manual_zh: "数据中心合同与现场检查",
    },
];

/// The requirements a control serves (level-3 clauses).
pub fn clauses_of(control: &str) -> Vec<&'static str> {
    let mut v: Vec<&str> = REQUIREMENTS.iter().filter(|r| r.controls.contains(&control)).map(|r| r.clause_l3).collect();
    v.dedup();
    v
}

#[cfg(test)]
mod tests;
