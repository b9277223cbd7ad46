//! `NetworkZone`: a network zone of the e-government cloud (政务外网, 政务专网, 互联网区).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DisplayName, MlpsLevel, default_mlps_level};

/// What kind of network a zone is. The kind decides the default isolation.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ZoneKind {
    /// E-gov extranet (政务外网): non-classified, reaches the internet only through
    /// controlled egress (the zone's allowed CIDRs and egress gateway).
    Extranet,
    /// Dedicated private network (政务专网): no path out of the zone except its
    /// registered exchange endpoints; never reaches the internet.
    Private,
    /// Internet zone / DMZ (互联网区): the only zone where ingress from the internet is allowed.
    Internet,
}

impl ZoneKind {
    /// The lowercase name used in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneKind::Extranet => "extranet",
            ZoneKind::Private => "private",
            ZoneKind::Internet => "internet",
        }
    }
}

impl std::fmt::Display for ZoneKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Spec of a `NetworkZone` (cluster-scoped). Zone names are short lowercase
/// words (at most 15 letters or digits, no hyphen) because they end every
/// tenant namespace name: `<tenant>-<zone>`.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "govcloud.io",
    doc = "A network zone of the e-government cloud (政务外网, 政务专网 or 互联网区): its dedicated nodes, address ranges, controlled egress, exchange endpoints and security baseline.",
    version = "v1alpha1",
    kind = "NetworkZone",
    plural = "networkzones",
    singular = "networkzone",
    shortname = "nz",
    category = "govcloud",
    status = "NetworkZoneStatus",
    cel,
    validation = Rule::new("self.metadata.name.matches('^[a-z0-9]{1,15}$')").message("metadata.name: a zone name must be 1 to 15 lowercase letters or digits (no hyphen), for example extranet"),
    printcolumn = r#"{"name":"Kind","type":"string","jsonPath":".spec.kind","description":"extranet, private or internet"}"#,
    printcolumn = r#"{"name":"MLPS","type":"integer","jsonPath":".spec.mlpsLevel","description":"MLPS 2.0 baseline level"}"#,
    printcolumn = r#"{"name":"Nodes","type":"string","jsonPath":".status.nodesSummary","description":"ready/matched nodes"}"#,
    printcolumn = r#"{"name":"Tenants","type":"integer","jsonPath":".status.tenants"}"#,
    printcolumn = r#"{"name":"Mongolian","type":"string","jsonPath":".spec.displayName.mn","priority":1,"description":"the name in traditional Mongolian script (蒙古文名称)"}"#,
    printcolumn = r#"{"name":"Apps","type":"integer","jsonPath":".status.apps"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("self.kind == 'internet' || !self.internetIngress").message("internetIngress may be true only for a zone of kind internet").field_path(".internetIngress"))]
#[x_kube(validation = Rule::new("self.kind != 'private' || !has(self.egress)").message("a private zone has no egress outside itself; register an exchange endpoint (spec.exchangeEndpoints) with a cidr instead of spec.egress").field_path(".egress"))]
#[x_kube(validation = Rule::new("!has(self.exchangeEndpoints) || self.exchangeEndpoints.all(e, self.exchangeEndpoints.exists_one(o, o.name == e.name))").message("exchange endpoint names must be unique").field_path(".exchangeEndpoints"))]
#[x_kube(validation = Rule::new("!has(self.requiredRuntimeClass) || (has(self.allowedRuntimeClasses) && self.requiredRuntimeClass in self.allowedRuntimeClasses)").message("requiredRuntimeClass must be one of allowedRuntimeClasses").field_path(".requiredRuntimeClass"))]
#[x_kube(validation = Rule::new("has(self.cluster) == has(oldSelf.cluster) && (!has(self.cluster) || self.cluster == oldSelf.cluster)").message("cluster is immutable; declare a new NetworkZone in the other cluster and move tenants to it").field_path(".cluster"))]
#[x_kube(validation = Rule::new("!has(self.defaultStorageClass) || (has(self.allowedStorageClasses) && self.defaultStorageClass in self.allowedStorageClasses)").message("defaultStorageClass must be one of allowedStorageClasses").field_path(".defaultStorageClass"))]
pub struct NetworkZoneSpec {
    /// Kind of network: `extranet` (政务外网), `private` (政务专网) or `internet` (互联网区).
    /// Immutable: create a new zone to change it.
    #[x_kube(validation = Rule::new("self == oldSelf").message("kind is immutable; create a new NetworkZone and move tenants to it"))]
    pub kind: ZoneKind,

    /// Names of the zone shown to people.
    pub display_name: DisplayName,

    /// The cluster that hosts the zone, when the city runs several (a
    /// 政务专网 with a control plane of its own). The same model is applied
    /// to every cluster; the operator started with `--cluster NAME` creates
    /// namespaces, policies, workloads and admission bindings only for the
    /// zones whose cluster is NAME (without `--cluster`: the zones without
    /// one). Flows between clusters cross only through exchange endpoints
    /// with an `address`. Immutable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("cluster must be a DNS label such as private-cloud"))]
    #[schemars(length(max = 40))]
    pub cluster: Option<String>,

    /// The dedicated nodes of this zone: workloads placed in the zone select these
    /// nodes and tolerate the taint; nothing else tolerates it.
    pub node_pool: NodePool,

    /// Address ranges of the zone's network (IPv4 or IPv6 CIDRs), for example
    /// the extranet's office segments. Exposure `zone` admits clients from these ranges.
    #[x_kube(validation = Rule::new("self.size() >= 1 && self.size() <= 64").message("declare 1 to 64 CIDRs"))]
    #[x_kube(validation = Rule::new("self.all(c, isCIDR(c))").message("every entry must be a CIDR such as 10.10.0.0/16"))]
    #[schemars(length(max = 64), inner(length(max = 43)))]
    pub cidrs: Vec<String>,

    /// Controlled egress out of the zone (extranet and internet zones only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress: Option<ZoneEgress>,

    /// Whether apps exposed `public` may receive traffic from the internet.
    /// Only an `internet` zone may set it.
    #[serde(default)]
    pub internet_ingress: bool,

    /// Registered exchange points (网闸-style): the only places where traffic may
    /// cross between this zone and other zones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub exchange_endpoints: Vec<ExchangeEndpoint>,

    /// MLPS 2.0 (等保2.0) level of the zone's security baseline: 2 (Pod Security
    /// `baseline`) or 3 (`restricted`, images pinned by digest). A tenant may raise it.
    #[serde(default = "default_mlps_level")]
    #[x_kube(validation = Rule::new("self >= 2 && self <= 3").message("mlpsLevel must be 2 or 3"))]
    pub mlps_level: MlpsLevel,

    /// Whether every container in this zone must pull its image on each start
    /// (`imagePullPolicy: Always`), so that no tenant runs an image another
    /// tenant left in a shared node's cache without the registry checking
    /// its credentials. Always required at MLPS level 3 (the zone's or a
    /// tenant's), whatever this says.
    #[serde(default)]
    pub always_pull_images: bool,

    /// Image registries workloads in this zone may pull from, as host or
    /// host/path prefixes (for example `harbor.egov.local`). Public registries
    /// are never allowed.
    #[x_kube(validation = Rule::new("self.size() >= 1").message("declare at least one allowed registry, for example harbor.egov.local"))]
    #[x_kube(validation = Rule::new("self.all(r, r.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*$'))").message("each registry is a host[:port][/path] prefix without a scheme, for example harbor.egov.local"))]
    #[schemars(length(max = 16), inner(length(max = 253)))]
    pub allowed_registries: Vec<String>,

    /// DNS domain under which public apps get a default host name
    /// (`<app>.<tenant>.<publicDomain>`); only meaningful in an internet zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\\\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("publicDomain must be a DNS name such as egov.chifeng.gov.cn"))]
    #[schemars(length(max = 253))]
    pub public_domain: Option<String>,

    /// Volume sources beyond the defaults (configMap, secret, emptyDir,
    /// projected, downwardAPI, persistentVolumeClaim, ephemeral) that pods in
    /// this zone may use. Network filesystems and block devices are mounted by
    /// the kubelet from the node's network, where NetworkPolicy does not look:
    /// allow one only where the zone's network design covers it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 8))]
    #[x_kube(validation = Rule::new("self.all(v, self.exists_one(w, w == v))").message("list each volume type once"))]
    pub allowed_volume_types: Vec<VolumeType>,

    /// CSI drivers whose inline (ephemeral) volumes pods in this zone may use;
    /// none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(d, d.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'))").message("each entry is a CSI driver name such as secrets-store.csi.k8s.io"))]
    #[schemars(length(max = 16), inner(length(max = 63)))]
    pub allowed_csi_drivers: Vec<String>,

    /// Storage classes the claims of this zone's tenants may use (a
    /// StatefulSet's claim templates, a pod's ephemeral claims and claims
    /// made by hand alike, GC-VOL-003). A class provisions volumes from
    /// some storage network: list only those this zone's network design
    /// reaches. Empty: no claim may name a class (only pre-made volumes
    /// without one bind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16), inner(length(max = 253)))]
    #[x_kube(validation = Rule::new("self.all(c, c.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))").message("each entry is a storage class name such as local-ssd"))]
    #[x_kube(validation = Rule::new("self.all(v, self.exists_one(w, w == v))").message("list each storage class once"))]
    pub allowed_storage_classes: Vec<String>,

    /// The class of an app's storage that names none; one of
    /// `allowedStorageClasses`. The first of them when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub default_storage_class: Option<String>,

    /// Priority classes pods in this zone may name (besides none). Never a
    /// `system-` class: those preempt other tenants' pods and the node's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(c, !c.startsWith('system-') && c.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'))").message("each entry is a priority class name; system- classes are reserved for the platform"))]
    #[schemars(length(max = 16), inner(length(max = 253)))]
    pub allowed_priority_classes: Vec<String>,

    /// Ingress classes the zone's public apps may be served by; the first is
    /// the default govcloud renders when an app names none. Empty: govcloud
    /// renders no `ingressClassName` and no Ingress in the zone may name a
    /// class (nor the deprecated `kubernetes.io/ingress.class` annotation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(c, c.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'))").message("each entry is an IngressClass name such as nginx-internet"))]
    #[x_kube(validation = Rule::new("self.all(c, self.exists_one(d, d == c))").message("list each ingress class once"))]
    #[schemars(length(max = 8), inner(length(max = 253)))]
    pub allowed_ingress_classes: Vec<String>,

    /// RuntimeClasses pods in this zone may name (besides none); none by
    /// default, so every pod runs on the nodes' default runtime.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(c, c.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'))").message("each entry is a RuntimeClass name such as gvisor"))]
    #[x_kube(validation = Rule::new("self.all(c, self.exists_one(d, d == c))").message("list each runtime class once"))]
    #[schemars(length(max = 8), inner(length(max = 253)))]
    pub allowed_runtime_classes: Vec<String>,

    /// The RuntimeClass every pod in this zone must run with (for example a
    /// sandboxed runtime such as gVisor or Kata at MLPS level 3): govcloud
    /// renders it into every app, and admission refuses a pod or template
    /// that names no class or another. One of `allowedRuntimeClasses`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub required_runtime_class: Option<String>,

    /// cert-manager ClusterIssuers the zone offers its public apps
    /// (`DepartmentApp spec.tls.issuer`); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(c, c.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'))").message("each entry is a cert-manager ClusterIssuer name such as letsencrypt-prod"))]
    #[x_kube(validation = Rule::new("self.all(c, self.exists_one(d, d == c))").message("list each issuer once"))]
    #[schemars(length(max = 8), inner(length(max = 253)))]
    pub tls_issuers: Vec<String>,

    /// Whether department developers may exec into, attach to and
    /// port-forward to pods in this zone when it runs at MLPS level 3 (at
    /// level 2 they always may). Off by default: at level 3 every change goes
    /// through the image and the app.
    #[serde(default)]
    pub allow_exec: bool,

    /// How far the CPU and memory quotas granted in the zone may exceed its
    /// Ready nodes' allocatable capacity (GC-ZONE-007); CPU 200 % and memory
    /// 100 % when unset (CPU is shared by time, memory is not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overcommit: Option<Overcommit>,
}

/// Over-commit ratios of a zone, in percent of its nodes' allocatable capacity.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Overcommit {
    /// CPU, in percent (100 to 1000).
    #[serde(default = "default_cpu_overcommit")]
    #[x_kube(validation = Rule::new("self >= 100 && self <= 1000").message("cpuPercent must be between 100 and 1000"))]
    pub cpu_percent: i32,
    /// Memory, in percent (100 to 400).
    #[serde(default = "default_memory_overcommit")]
    #[x_kube(validation = Rule::new("self >= 100 && self <= 400").message("memoryPercent must be between 100 and 400"))]
    pub memory_percent: i32,
}

fn default_cpu_overcommit() -> i32 {
    200
}
fn default_memory_overcommit() -> i32 {
    100
}

impl NetworkZoneSpec {
    /// Whether containers here must pull their image on every start
    /// (`imagePullPolicy: Always`) at MLPS `level` (the zone's, raised by
    /// the tenant's): at level 3, or where the zone says so.
    pub fn requires_always_pull(&self, level: MlpsLevel) -> bool {
        self.always_pull_images || level >= 3 || self.mlps_level >= 3
    }

    /// The storage class of an app's storage that names none: the zone's
    /// default, else the first class it allows; `None` when it allows none.
    pub fn storage_class_default(&self) -> Option<&str> {
        self.default_storage_class.as_deref().or(self.allowed_storage_classes.first().map(String::as_str))
    }
}

impl Default for Overcommit {
    fn default() -> Self {
        Overcommit { cpu_percent: default_cpu_overcommit(), memory_percent: default_memory_overcommit() }
    }
}

/// A zone's capacity against what is granted in it (GC-ZONE-007), as cores
/// and bytes in Kubernetes quantities.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ZoneCapacity {
    /// Allocatable CPU of its Ready nodes, times the over-commit ratio.
    #[schemars(length(max = 32))]
    pub cpu: String,
    /// Allocatable memory of its Ready nodes, times the over-commit ratio.
    #[schemars(length(max = 32))]
    pub memory: String,
    /// CPU granted to tenants in the zone (their quotas and approved requests).
    #[schemars(length(max = 32))]
    pub granted_cpu: String,
    /// Memory granted to tenants in the zone.
    #[schemars(length(max = 32))]
    pub granted_memory: String,
}

/// A volume source a zone may allow beyond the defaults.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VolumeType {
    /// NFS export (`volumes[].nfs`).
    Nfs,
    /// iSCSI target (`volumes[].iscsi`).
    Iscsi,
    /// CephFS (`volumes[].cephfs`).
    Cephfs,
    /// Ceph RBD (`volumes[].rbd`).
    Rbd,
    /// Fibre channel (`volumes[].fc`).
    Fc,
    /// OCI image volume (`volumes[].image`); its reference must still come from an allowed registry.
    Image,
}

impl VolumeType {
    /// Every extra type, in schema order.
    pub const ALL: [VolumeType; 6] =
        [VolumeType::Nfs, VolumeType::Iscsi, VolumeType::Cephfs, VolumeType::Rbd, VolumeType::Fc, VolumeType::Image];

    /// The volume source field name in a pod spec.
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeType::Nfs => "nfs",
            VolumeType::Iscsi => "iscsi",
            VolumeType::Cephfs => "cephfs",
            VolumeType::Rbd => "rbd",
            VolumeType::Fc => "fc",
            VolumeType::Image => "image",
        }
    }
}

/// The dedicated node pool of a zone.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodePool {
    /// Node labels that select the zone's nodes; copied into every workload's nodeSelector.
    #[x_kube(validation = Rule::new("self.size() >= 1").message("select the zone's nodes with at least one label"))]
    #[schemars(extend("maxProperties" = 16))]
    pub selector: BTreeMap<String, String>,
    /// Taint carried by every node of the zone; only the zone's workloads tolerate it.
    pub taint: ZoneTaint,
}

/// A node taint.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ZoneTaint {
    /// Taint key, for example `govcloud.io/zone`.
    #[x_kube(validation = Rule::new("self.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$') && self.size() <= 316").message("key must be a qualified name such as govcloud.io/zone"))]
    #[schemars(length(max = 316))]
    pub key: String,
    /// Taint value, for example the zone name.
    #[serde(default)]
    #[x_kube(validation = Rule::new("self.size() <= 63").message("value must be at most 63 characters"))]
    #[schemars(length(max = 63))]
    pub value: String,
    /// Taint effect.
    #[serde(default)]
    pub effect: TaintEffect,
}

/// Effect of a zone taint.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum TaintEffect {
    /// New pods without the toleration are not scheduled on the zone's nodes.
    #[default]
    NoSchedule,
    /// Also evicts running pods without the toleration.
    NoExecute,
}

impl TaintEffect {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// Controlled egress out of an extranet or internet zone.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ZoneEgress {
    /// Destinations outside the cluster the zone's workloads may reach.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(c, isCIDR(c))").message("every entry must be a CIDR such as 192.0.2.0/24"))]
    #[schemars(length(max = 64), inner(length(max = 43)))]
    pub allowed_cidrs: Vec<String>,
    /// The egress gateway (a proxy or NAT) that carries the zone's internet traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<EgressGateway>,
}

/// An egress gateway address and the ports it serves.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EgressGateway {
    /// Address range of the gateway, usually a /32.
    #[x_kube(validation = Rule::new("isCIDR(self)").message("cidr must be a CIDR such as 10.10.255.1/32"))]
    #[schemars(length(max = 43))]
    pub cidr: String,
    /// Ports of the gateway; empty means every port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(p, p >= 1 && p <= 65535)").message("ports must be between 1 and 65535"))]
    #[schemars(length(max = 16))]
    pub ports: Vec<i32>,
}

/// A registered exchange point between this zone and others. It names either
/// an app of this zone that peers may call (an inbound crossing), or an
/// address outside the cluster that this zone's workloads may reach (an
/// outbound crossing, such as a 网闸 appliance).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.app) != has(self.cidr)").message("an exchange endpoint names exactly one of app or cidr"))]
#[x_kube(validation = Rule::new("!has(self.address) || has(self.app)").message("address is where peer zones in other clusters reach the endpoint's app; an endpoint with a cidr has none").field_path(".address"))]
pub struct ExchangeEndpoint {
    /// Name of the endpoint, unique in the zone.
    #[x_kube(validation = Rule::new("self.size() <= 63 && self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("name must be a DNS label such as population-exchange"))]
    #[schemars(length(max = 63))]
    pub name: String,
    /// Zones allowed to use this endpoint.
    #[x_kube(validation = Rule::new("self.size() >= 1").message("name at least one peer zone"))]
    #[x_kube(validation = Rule::new("self.all(z, z.matches('^[a-z0-9]{1,15}$'))").message("peer zones are zone names such as extranet"))]
    #[schemars(length(max = 16), inner(length(max = 15)))]
    pub peer_zones: Vec<String>,
    /// The app of this zone exposed to the peer zones through the endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<AppRef>,
    /// Where peer zones hosted in other clusters reach the endpoint's app
    /// (the address of the exchange, 网闸 or load balancer that forwards to
    /// the app's Service), as a CIDR such as 10.30.255.20/32. Consumers in
    /// other clusters send to it; without it no flow crosses clusters here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("isCIDR(self)").message("address must be a CIDR such as 10.30.255.20/32"))]
    #[schemars(length(max = 43))]
    pub address: Option<String>,
    /// An address outside the cluster that this zone's workloads may send to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("isCIDR(self)").message("cidr must be a CIDR such as 10.30.255.10/32"))]
    #[schemars(length(max = 43))]
    pub cidr: Option<String>,
    /// Ports open through the endpoint; empty means all of the app's ports (or every port for a cidr).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(p, p >= 1 && p <= 65535)").message("ports must be between 1 and 65535"))]
    #[schemars(length(max = 16))]
    pub ports: Vec<i32>,
}

/// A reference to a DepartmentApp by tenant and app name.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "camelCase")]
pub struct AppRef {
    /// Tenant that owns the app.
    #[x_kube(validation = Rule::new("self.size() <= 40 && self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("tenant must be a tenant name (a DNS label of at most 40 characters)"))]
    #[schemars(length(max = 40))]
    pub tenant: String,
    /// Name of the DepartmentApp.
    #[x_kube(validation = Rule::new("self.size() <= 40 && self.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')").message("app must be an app name (a DNS label starting with a letter, at most 40 characters)"))]
    #[schemars(length(max = 40))]
    pub app: String,
}

impl std::fmt::Display for AppRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.tenant, self.app)
    }
}

/// A public host name and the one tenant it belongs to.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostOwner {
    /// The host, exact or `*.` and a domain.
    #[schemars(length(max = 253))]
    pub host: String,
    /// The tenant.
    #[schemars(length(max = 63))]
    pub tenant: String,
}

/// The zone's nodes of one platform (国产化): CPU architecture, operating
/// system, OS image and kernel, as each node's kubelet reports them
/// (`status.nodeInfo`; the architecture from the kubelet's
/// `kubernetes.io/arch` label when the node reports none).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodePlatform {
    /// CPU architecture (`amd64`, `arm64`, `loong64`, ...).
    #[schemars(length(max = 63))]
    pub architecture: String,
    /// Operating system (`linux`).
    #[schemars(length(max = 63))]
    pub operating_system: String,
    /// OS image (for example `Kylin Linux Advanced Server V10`).
    #[schemars(length(max = 253))]
    pub os_image: String,
    /// Kernel version.
    #[schemars(length(max = 253))]
    pub kernel_version: String,
    /// Nodes of the zone on this platform.
    pub nodes: i32,
    /// Their CPU capacity together (a Kubernetes quantity of cores).
    #[schemars(length(max = 63))]
    pub cpu: String,
}

/// Observed state of a `NetworkZone`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkZoneStatus {
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Nodes whose labels match the zone's selector.
    #[serde(default)]
    pub nodes_matched: i32,
    /// Matched nodes that are Ready and carry the zone taint.
    #[serde(default)]
    pub nodes_ready: i32,
    /// `ready/matched`, for `kubectl get`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes_summary: Option<String>,
    /// The zone's nodes (those its selector matches) by platform: CPU
    /// architecture, OS image and kernel, in that order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 256))]
    pub platforms: Vec<NodePlatform>,
    /// Tenants allowed to use the zone.
    #[serde(default)]
    pub tenants: i32,
    /// DepartmentApps placed in the zone.
    #[serde(default)]
    pub apps: i32,
    /// Compliance results from govcloud's audit (see the Report objects for details).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<super::ComplianceSummary>,
    /// Internet zones: public host names a tenant owns (its Tenant
    /// `allowedHosts` and approved Hostname requests), written by the
    /// operator; admission refuses any other tenant's app these hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 10000))]
    pub host_owners: Vec<HostOwner>,
    /// Capacity against the quotas granted (absent while no node is Ready);
    /// admission refuses an approval that would exceed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<ZoneCapacity>,
    /// Conditions: `Ready`, `Degraded`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
