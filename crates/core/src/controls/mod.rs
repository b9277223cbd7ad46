//! Security and isolation controls, each defined once.
//!
//! The [`CATALOGUE`] is the one list of controls: id, titles, what each
//! checks, severity, the MLPS levels it applies to, and how it is enforced.
//! Admission policies are generated from it ([`admission`]); render-time
//! validation and the audit judge objects by those very policies with the one
//! offline evaluator ([`eval`]), and the audit checks each control the way
//! its [`AuditBy`] says.

pub mod admission;
pub mod custody;
pub mod eval;

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

/// How the audit checks a control: each control has exactly one audit path,
/// and the audit runs each path once (in this order), for the controls that
/// name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum AuditBy {
    /// The generated admission CEL, evaluated on every object its policies match.
    Admission,
    /// The admission CEL on pod specs, and the node each running pod is on.
    RunningPods,
    /// The admission CEL on apps' hosts, and no two Ingresses serving one host.
    PublicHosts,
    /// Cluster-wide bindings of department users, exec access by MLPS level,
    /// and who decided ResourceRequests and where surges end.
    TenantPrivileges,
    /// Who runs the pods and templates that carry the app identity label.
    AppIdentity,
    /// Exchange endpoints inside zone ranges; ipBlocks excepting the cluster's ranges.
    ZoneRanges,
    /// Per tenant namespace: default deny, Pod Security, quota and limits.
    Namespaces,
    /// The taints of each zone's nodes.
    ZoneNodes,
    /// Managed objects as govcloud renders them, and not adopted.
    Drift,
    /// NetworkPolicy semantics: who reaches whom, against the granted flows.
    Isolation,
    /// Only a view over every cluster of a city: the clusters' copies of the
    /// model, and both sides' decisions on flows between clusters, compared
    /// (`govcloud_audit::city`); a single cluster's audit has no findings here.
    City,
    /// Not checkable from a set of objects (a rule about a request, such as a
    /// deletion): the admission policy is the control.
    NotAuditable,
}

impl AuditBy {
    /// Whether this path's controls are (also) judged by the generated admission CEL.
    pub fn evaluates_admission(self) -> bool {
        matches!(self, AuditBy::Admission | AuditBy::RunningPods | AuditBy::PublicHosts)
    }
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
    /// How the audit checks it.
    pub audit: AuditBy,
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
/// `GC-RES-003`: annotations and ConfigMap/Secret data are capped in size.
pub const OBJECT_SIZES: &str = "GC-RES-003";
/// `GC-ZONE-007`: the quotas granted in a zone fit its nodes' capacity.
pub const ZONE_CAPACITY: &str = "GC-ZONE-007";
/// `GC-ZONE-004`
pub const ZONE_TAINT: &str = "GC-ZONE-004";
/// `GC-RES-002`
pub const QUOTA_AND_LIMITS: &str = "GC-RES-002";
/// `GC-VOL-001`: volume sources from the zone's allow-list only.
pub const VOLUME_SOURCES: &str = "GC-VOL-001";
/// `GC-VOL-002`: claims never name a persistent volume.
pub const CLAIM_BINDING: &str = "GC-VOL-002";
/// `GC-PRI-001`: priority classes from the zone's allow-list only.
pub const PRIORITY_CLASSES: &str = "GC-PRI-001";
/// `GC-RBAC-002`: tenant role bindings grant tenant roles to named subjects of the tenant.
pub const TENANT_BINDINGS: &str = "GC-RBAC-002";
/// `GC-RBAC-003`: no long-lived service account token Secrets.
pub const NO_TOKEN_SECRETS: &str = "GC-RBAC-003";
/// `GC-RBAC-004`: no exec, attach or port-forward at MLPS level 3 unless the zone allows it.
pub const EXEC_ACCESS: &str = "GC-RBAC-004";
/// `GC-SVC-003`: public host names under the zone's domain (or the tenant's), one owner each.
pub const PUBLIC_HOSTS: &str = "GC-SVC-003";
/// `GC-TEN-001`: a cordoned tenant starts no new workloads.
pub const CORDONED: &str = "GC-TEN-001";
/// `GC-TEN-002`: a Tenant marked preventDeletion cannot be deleted.
pub const PREVENT_DELETION: &str = "GC-TEN-002";
/// `GC-MGD-002`: govcloud never adopts an object it did not create.
pub const NO_ADOPTION: &str = "GC-MGD-002";
/// `GC-NET-004`: exchange endpoints lie inside their zone's or a peer zone's ranges.
pub const ENDPOINT_RANGES: &str = "GC-NET-004";
/// `GC-NET-005`: wide address ranges in policies exclude the cluster's pod and service ranges.
pub const CLUSTER_RANGES: &str = "GC-NET-005";
/// `GC-NET-006`: the app identity label NetworkPolicies select by is the platform's.
pub const APP_IDENTITY: &str = "GC-NET-006";

/// `GC-ZONE-005`: a tenant namespace of a zone another cluster hosts holds declarations only.
pub const DECLARATIONS_ONLY: &str = "GC-ZONE-005";
/// `GC-ZONE-006`: no node of this cluster belongs only to a zone another cluster hosts.
pub const FOREIGN_NODES: &str = "GC-ZONE-006";
/// `GC-CITY-001`: every cluster of a city holds the same model.
pub const CITY_MODEL: &str = "GC-CITY-001";
/// `GC-CITY-002`: a flow between clusters is decided alike on both sides.
pub const CITY_FLOWS: &str = "GC-CITY-002";

/// `GC-REQ-001`: a ResourceRequest is decided by a platform engineer who did not file it, with a reason, once.
pub const REQUEST_DECISIONS: &str = "GC-REQ-001";
/// `GC-REQ-002`: a ResourceRequest is filed in a tenant namespace, for that namespace's zone.
pub const REQUEST_PLACEMENT: &str = "GC-REQ-002";

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
        audit: AuditBy::Namespaces,
        enforcement: Enforcement::Render,
    },
    Control {
        id: TWO_SIDED_FLOWS,
        title_zh: "跨部门数据流须双方确认",
        title_en: "Cross-tenant flows need both sides",
        checks: "a flow between tenants exists only when the consumer requests it and the provider grants it",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Isolation,
        enforcement: Enforcement::Render,
    },
    Control {
        id: PRIVATE_EGRESS,
        title_zh: "政务专网仅经交换节点出区",
        title_en: "Private zones leave only through exchange endpoints",
        checks: "nothing in a private zone reaches outside it except its registered exchange endpoints; never the internet",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Isolation,
        enforcement: Enforcement::Render,
    },
    Control {
        id: POD_SECURITY,
        title_zh: "容器安全基线",
        title_en: "Pod Security baseline",
        checks: "namespaces enforce Pod Security baseline (MLPS 2) or restricted (MLPS 3)",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::Namespaces,
        enforcement: Enforcement::PodSecurity,
    },
    Control {
        id: NO_PRIVILEGED,
        title_zh: "禁止特权容器",
        title_en: "No privileged containers",
        checks: "no container sets securityContext.privileged or allowPrivilegeEscalation true, or a procMount other than Default (an unmasked /proc)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: HOST_NAMESPACES,
        title_zh: "禁止共享主机命名空间",
        title_en: "No host namespaces",
        checks: "pods do not set hostNetwork, hostPID or hostIPC",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: HOST_PATH,
        title_zh: "禁止挂载主机路径",
        title_en: "No hostPath volumes",
        checks: "pods mount no hostPath volume",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: HOST_PORTS,
        title_zh: "禁止占用主机端口",
        title_en: "No host ports",
        checks: "no container port sets hostPort",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: ZONE_NODES,
        title_zh: "工作负载限定于本区节点",
        title_en: "Workloads run on their zone's nodes",
        checks: "a pod or pod template in a zone's namespace selects every label of the zone's node pool; a running pod is on a node of its zone",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::RunningPods,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: ZONE_TOLERATIONS,
        title_zh: "仅容忍本区污点",
        title_en: "Only the zone's taint is tolerated",
        checks: "a pod tolerates no taint but its zone's (and the node lifecycle taints)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: NO_NODE_NAME,
        title_zh: "禁止直接指定节点",
        title_en: "No direct node assignment",
        checks: "spec.nodeName is not set when a pod is created, nor in a workload template (it would bypass the scheduler)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: IMAGE_REGISTRY,
        title_zh: "镜像仅来自许可仓库",
        title_en: "Images from allowed registries only",
        checks: "every image (containers, init and ephemeral containers, image volumes) comes from a registry the zone allows, and the tenant's narrower list when it has one",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: IMAGE_DIGEST,
        title_zh: "三级系统镜像须按摘要固定",
        title_en: "Images pinned by digest at level 3",
        checks: "at MLPS level 3 every image (containers, init and ephemeral containers, image volumes) ends in @sha256: and 64 lowercase hex digits",
        severity: Severity::High,
        levels: &[3],
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: RESOURCES,
        title_zh: "容器须声明资源请求与上限",
        title_en: "Requests and limits on every container",
        checks: "every container declares cpu and memory requests and limits",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: EXTERNAL_SERVICES,
        title_zh: "仅互联网区可对外暴露服务",
        title_en: "External services only in the internet zone",
        checks: "every Service in a tenant namespace is of type ClusterIP (no NodePort or LoadBalancer, which open a port on every node, no ExternalName, which forwards anywhere), chooses no clusterIP (but None) and sets no externalIPs (traffic interception, CVE-2020-8554); the internet zone publishes through govcloud's Ingress",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: INGRESS_ZONE,
        title_zh: "仅互联网区可创建 Ingress",
        title_en: "Ingress only in the internet zone",
        checks: "Ingress objects only in internet-zone namespaces, made by govcloud only, each backed by the Service govcloud made for the same app (an app with any object in conflict gets no Ingress)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: APP_ZONE,
        title_zh: "应用声明须符合所在网络区",
        title_en: "Apps consistent with their zone",
        checks: "a DepartmentApp's zone is its namespace's zone, public exposure only in an internet zone with internet ingress, image from the zone's registries",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: MANAGED_OBJECTS,
        title_zh: "受管对象仅由平台修改",
        title_en: "Managed objects changed only by govcloud",
        checks: "objects labelled app.kubernetes.io/managed-by=govcloud, and the ReplicaSets, pods and claims Kubernetes makes from them, are created, changed and deleted only by their makers: the operator, the named Kubernetes controller for each kind and operation, cluster administrators (break-glass); the label on a pod or template is accepted only from them",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Drift,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: ZONE_TAINT,
        title_zh: "本区节点须带区域污点",
        title_en: "Zone nodes carry the zone taint",
        checks: "every node selected by a zone's node pool carries the zone's taint, so nothing else lands there",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::ZoneNodes,
        enforcement: Enforcement::Audit,
    },
    Control {
        id: QUOTA_AND_LIMITS,
        title_zh: "租户命名空间须有配额与默认限制",
        title_en: "Quota and limits in every tenant namespace",
        checks: "every tenant namespace has its ResourceQuota (cpu, memory, pods, services, storage, claims, ephemeral storage, ConfigMaps, Secrets, apps, zero node ports and load balancers, and a count of every other kind a department may create) and LimitRange",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        audit: AuditBy::Namespaces,
        enforcement: Enforcement::Audit,
    },
    Control {
        id: ZONE_CAPACITY,
        title_zh: "网络区配额不超出节点容量",
        title_en: "Quotas granted fit the zone's capacity",
        checks: "the CPU and memory quotas granted in a zone (approved requests included) fit its Ready nodes' allocatable capacity times its over-commit ratio (spec.overcommit, CPU 200 % and memory 100 % by default); the zone's status says so (OverCommitted) and admission refuses an approval that would exceed it",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        audit: AuditBy::ZoneNodes,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: OBJECT_SIZES,
        title_zh: "对象大小受限",
        title_en: "Object sizes capped",
        checks: "in tenant namespaces an object's annotations hold at most 64 KiB, a ConfigMap's data at most 256 KiB and a Secret's at most 64 KiB, so that with the count quotas no department can fill the cluster's store (apply large objects with kubectl apply --server-side, which keeps no copy in an annotation)",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: TENANT_RBAC,
        title_zh: "租户最小权限",
        title_en: "Least privilege for tenants",
        checks: "department users manage apps and workloads in their own namespaces only; auditors read without changing anything or reading Secrets, and only in tenant namespaces and govcloud's own objects",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::TenantPrivileges,
        enforcement: Enforcement::Rbac,
    },
    Control {
        id: VOLUME_SOURCES,
        title_zh: "卷类型须在本区许可范围内",
        title_en: "Volume sources allowed by the zone",
        checks: "pods and templates use only configMap, secret, emptyDir, projected, downwardAPI, persistentVolumeClaim and ephemeral volumes, plus the types and CSI drivers their zone lists (network filesystems are mounted from the node network, where NetworkPolicy does not look)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: CLAIM_BINDING,
        title_zh: "存储声明不得指定卷",
        title_en: "Claims do not name a volume",
        checks: "a PersistentVolumeClaim (or a generic ephemeral volume's or a StatefulSet's claim template) sets no spec.volumeName: binding is left to the platform's volume binder, so no claim binds to another tenant's or a hostPath volume",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: PRIORITY_CLASSES,
        title_zh: "优先级类须在本区许可范围内",
        title_en: "Priority classes allowed by the zone",
        checks: "a pod names no priority class, or one its zone lists (never system-node-critical or system-cluster-critical, which preempt other tenants' pods)",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: TENANT_BINDINGS,
        title_zh: "租户授权仅限本租户具名主体",
        title_en: "Tenant bindings stay within the tenant",
        checks: "RoleBindings in tenant namespaces grant only govcloud's tenant roles, to named users and groups (never system: groups such as system:authenticated) and to service accounts of the same namespace (never another zone's workload)",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: NO_TOKEN_SECRETS,
        title_zh: "禁止长期服务账号令牌",
        title_en: "No long-lived service account tokens",
        checks: "no Secret of type kubernetes.io/service-account-token in tenant namespaces (a credential that never expires and outlives its owner's removal)",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: EXEC_ACCESS,
        title_zh: "三级系统禁止交互式进入容器",
        title_en: "No exec into level-3 workloads",
        checks: "department users may exec, attach and port-forward only in MLPS level 2 namespaces, or in level 3 ones whose zone sets allowExec",
        severity: Severity::High,
        levels: &[3],
        audit: AuditBy::TenantPrivileges,
        enforcement: Enforcement::Rbac,
    },
    Control {
        id: PUBLIC_HOSTS,
        title_zh: "公网域名须属本区且唯一",
        title_en: "Public host names owned once, in the zone's domain",
        checks: "a public app's host lies strictly under its zone's publicDomain (never the domain itself) or is a host its tenant is allowed, and belongs to the first app that claimed it; no two Ingresses serve one host",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::PublicHosts,
        enforcement: Enforcement::ZoneAdmission,
    },
    Control {
        id: CORDONED,
        title_zh: "冻结租户不得启动新负载",
        title_en: "Cordoned tenants start nothing new",
        checks: "in a cordoned tenant's namespaces no DepartmentApp, workload or bare pod is created (pods of existing workloads are still replaced)",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        audit: AuditBy::Admission,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: PREVENT_DELETION,
        title_zh: "受保护租户不得删除",
        title_en: "Tenants marked preventDeletion cannot be deleted",
        checks: "a Tenant with spec.preventDeletion true cannot be deleted (set it to false first); a rule on the DELETE request, so the audit cannot check it offline",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::NotAuditable,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: NO_ADOPTION,
        title_zh: "平台不接管非自建对象",
        title_en: "No adoption of foreign objects",
        checks: "govcloud creates the objects it manages and never takes over one it did not create: a name clash is reported as a conflict and nothing is merged",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Drift,
        enforcement: Enforcement::Render,
    },
    Control {
        id: ENDPOINT_RANGES,
        title_zh: "交换节点须位于本区或对端区地址内",
        title_en: "Exchange endpoints inside zone ranges",
        checks: "an exchange endpoint's address lies inside its zone's or a peer zone's ranges; one outside every zone is not a way out of a private zone",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::ZoneRanges,
        enforcement: Enforcement::Render,
    },
    Control {
        id: CLUSTER_RANGES,
        title_zh: "宽地址段须排除集群地址",
        title_en: "Wide address ranges exclude the cluster",
        checks: "every ipBlock wider than the cluster's pod and service ranges excepts them, so a network plugin that matches pod addresses against ipBlocks opens no extra path",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        audit: AuditBy::ZoneRanges,
        enforcement: Enforcement::Render,
    },
    Control {
        id: APP_IDENTITY,
        title_zh: "应用身份标签仅由平台设置",
        title_en: "App identity labels set only by govcloud",
        checks: "the govcloud.io/app label on a pod or pod template is accepted only from the identity that makes it from govcloud's objects (the operator, the deployment, ReplicaSet and StatefulSet controllers), on CREATE and every UPDATE; a running pod carrying it is judged by its owner chain up to govcloud's Deployment, so no pod takes another app's granted flows",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::AppIdentity,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: DECLARATIONS_ONLY,
        title_zh: "他集群网络区在本集群仅存声明",
        title_en: "Zones hosted elsewhere are declarations only here",
        checks: "a tenant namespace of a zone another cluster hosts is labelled govcloud.io/hosted-in with that cluster, keeps its zero quota, and holds no pod, workload, Service, Ingress, claim, NetworkPolicy or RoleBinding: nothing of the zone runs or serves in this cluster",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::Namespaces,
        enforcement: Enforcement::Audit,
    },
    Control {
        id: FOREIGN_NODES,
        title_zh: "本集群节点不属他集群网络区",
        title_en: "No node of a zone hosted elsewhere joins this cluster",
        checks: "no node of this cluster matches the node pool of a zone another cluster hosts (and of no zone this one hosts): a machine of that zone's network registered with this control plane would bridge the networks the clusters keep apart",
        severity: Severity::Critical,
        levels: ALL_LEVELS,
        audit: AuditBy::ZoneNodes,
        enforcement: Enforcement::Audit,
    },
    Control {
        id: CITY_MODEL,
        title_zh: "各集群模型副本一致",
        title_en: "Every cluster of the city holds one model",
        checks: "each NetworkZone, Tenant and DepartmentApp is present, with the same spec, in every audited cluster of the city (a difference is a GitOps sync that lags or failed)",
        severity: Severity::Medium,
        levels: ALL_LEVELS,
        audit: AuditBy::City,
        enforcement: Enforcement::Audit,
    },
    Control {
        id: CITY_FLOWS,
        title_zh: "跨集群数据流两侧判定一致",
        title_en: "Flows between clusters decided alike on both sides",
        checks: "a flow between zones of two clusters has the same state, ports and exchange address in the consumer's cluster and in the provider's",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::City,
        enforcement: Enforcement::Audit,
    },
    Control {
        id: REQUEST_DECISIONS,
        title_zh: "资源申请须由非申请人的平台工程师审批",
        title_en: "Resource requests decided by someone else",
        checks: "a ResourceRequest's requester and decider are recorded by the API server from the user making the request; the decision carries a reason, is final, and is never made by the requester; departments hold no right to write the status; only the operator writes phase, history and a surge's end, which is the approval's time plus its minutes and never moves; a decided request cannot be deleted by the department (kept for the record)",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::TenantPrivileges,
        enforcement: Enforcement::Admission,
    },
    Control {
        id: REQUEST_PLACEMENT,
        title_zh: "资源申请须在本租户命名空间内提出",
        title_en: "Resource requests filed in the tenant's own namespace",
        checks: "a ResourceRequest is created only in a tenant namespace, and a Quota or Surge request names that namespace's zone; the tenant it is for is the namespace's, never one the request names",
        severity: Severity::High,
        levels: ALL_LEVELS,
        audit: AuditBy::NotAuditable,
        enforcement: Enforcement::Admission,
    },
];

/// The catalogue as a Markdown table (the README's list of controls).
pub fn markdown_table() -> String {
    let mut s = String::from(
        "| id | 控制项 | control | checks | severity | MLPS levels | enforced by |\n|---|---|---|---|---|---|---|\n",
    );
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
        s.push_str(&format!(
            "| {} | {} | {} | {} | {:?} | {} | {} |\n",
            c.id,
            c.title_zh,
            c.title_en,
            c.checks,
            c.severity,
            levels.join(", "),
            by
        ));
    }
    s
}

/// The control with this id.
pub fn control(id: &str) -> Option<&'static Control> {
    CATALOGUE.iter().find(|c| c.id == id)
}

/// The digest rule as a regular expression, used by the generated admission CEL.
pub const DIGEST_PATTERN: &str = "@sha256:[0-9a-f]{64}$";

#[cfg(test)]
mod tests;
