//! `DepartmentApp`: a workload a department runs, and the data flows it takes part in.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::container::{probe_port_message as port_message, probe_port_rule as port_rule};
use super::{
    AppProbe, AppStorage, ConfigFiles, CpuMemory, DisplayName, EnvVar, PullPolicy, PullSecret, Schedule, Sharing,
    SharingStatus, WorkloadKind,
};

mod flow_status;
pub use flow_status::{FlowState, FlowStatus};

/// Spec of a `DepartmentApp` (namespaced; lives in the tenant's namespace for its
/// zone, `<tenant>-<zone>`). govcloud creates a hardened Deployment pinned to the
/// zone's nodes, a Service, a PodDisruptionBudget when replicas (or autoscaling's minReplicas) > 1, a
/// HorizontalPodAutoscaler with `autoscaling`, an Ingress
/// for `public` exposure, and the NetworkPolicies of its granted flows.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "govcloud.io",
    doc = "A workload a department runs in one of its zones, with its exposure, data classification and data flows to other departments.",
    version = "v1alpha1",
    kind = "DepartmentApp",
    plural = "departmentapps",
    singular = "departmentapp",
    shortname = "dapp",
    category = "govcloud",
    namespaced,
    status = "DepartmentAppStatus",
    cel,
    validation = Rule::new("self.metadata.name.size() <= 40 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')").message("metadata.name: an app name must be a DNS label starting with a letter, at most 40 characters, for example population-db"),
    validation = Rule::new("!self.metadata.name.startsWith('govcloud-')").message("metadata.name: names starting with govcloud- are reserved for the objects govcloud makes beside an app's own (a stateful app's headless Service govcloud-<app>-pods …)"),
    printcolumn = r#"{"name":"Zone","type":"string","jsonPath":".spec.zone"}"#,
    printcolumn = r#"{"name":"Exposure","type":"string","jsonPath":".spec.exposure"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.replicasSummary","description":"ready/desired replicas"}"#,
    printcolumn = r#"{"name":"Granted","type":"integer","jsonPath":".status.flowsGranted","description":"calls of this app the provider granted (已授权)"}"#,
    printcolumn = r#"{"name":"Waiting","type":"integer","jsonPath":".status.flowsWaiting","description":"calls of this app waiting on the provider's grant or answer (待授权)"}"#,
    printcolumn = r#"{"name":"Refused","type":"integer","jsonPath":".status.flowsRefused","description":"calls of this app refused, by the provider or the zones' rules (已拒绝)"}"#,
    printcolumn = r#"{"name":"Sharing","type":"string","jsonPath":".spec.sharing.class","priority":1,"description":"unconditional, conditional or none (无条件/有条件/不予共享)"}"#,
    printcolumn = r#"{"name":"Image","type":"string","jsonPath":".spec.image","priority":1}"#,
    printcolumn = r#"{"name":"Mongolian","type":"string","jsonPath":".spec.displayName.mn","priority":1,"description":"the name in traditional Mongolian script (蒙古文名称)"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].reason"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("self.exposure != 'public' || self.ports.size() >= 1").message("public exposure needs at least one port").field_path(".ports"))]
#[x_kube(validation = Rule::new("self.exposure != 'zone' || self.ports.size() >= 1").message("zone exposure needs at least one port").field_path(".ports"))]
#[x_kube(validation = Rule::new("self.exposure != 'public' || !(self.dataClassification in ['sensitive', 'secret'])").message("an app holding sensitive or secret data may not be exposed to the internet").field_path(".exposure"))]
#[x_kube(validation = Rule::new("self.exposure == 'public' || !has(self.host)").message("host is only used with public exposure").field_path(".host"))]
#[x_kube(validation = Rule::new("self.exposure == 'public' || !has(self.tls)").message("tls is only used with public exposure (it secures the app's Ingress)").field_path(".tls"))]
#[x_kube(validation = Rule::new("self.exposure == 'public' || !has(self.ingressClass)").message("ingressClass is only used with public exposure (it chooses the app's Ingress controller)").field_path(".ingressClass"))]
#[x_kube(validation = Rule::new(port_rule("readinessProbe", "httpGet")).message(port_message("readinessProbe", "httpGet").as_str()).field_path(".readinessProbe.httpGet.port"))]
#[x_kube(validation = Rule::new(port_rule("readinessProbe", "tcpSocket")).message(port_message("readinessProbe", "tcpSocket").as_str()).field_path(".readinessProbe.tcpSocket.port"))]
#[x_kube(validation = Rule::new(port_rule("livenessProbe", "httpGet")).message(port_message("livenessProbe", "httpGet").as_str()).field_path(".livenessProbe.httpGet.port"))]
#[x_kube(validation = Rule::new(port_rule("livenessProbe", "tcpSocket")).message(port_message("livenessProbe", "tcpSocket").as_str()).field_path(".livenessProbe.tcpSocket.port"))]
#[x_kube(validation = Rule::new(port_rule("startupProbe", "httpGet")).message(port_message("startupProbe", "httpGet").as_str()).field_path(".startupProbe.httpGet.port"))]
#[x_kube(validation = Rule::new(port_rule("startupProbe", "tcpSocket")).message(port_message("startupProbe", "tcpSocket").as_str()).field_path(".startupProbe.tcpSocket.port"))]
#[x_kube(validation = Rule::new("!has(self.storage) || self.storage.all(s, self.storage.exists_one(o, o.mountPath == s.mountPath))").message("storage mount paths must be unique").field_path(".storage"))]
#[x_kube(validation = Rule::new("!has(self.storage) || !has(self.configFiles) || self.storage.all(s, !self.configFiles.exists(f, f.mountPath == s.mountPath))").message("a storage mountPath may not also be a config files mountPath").field_path(".storage"))]
#[x_kube(validation = Rule::new("!has(self.schedule) || !has(self.storage)").message("a scheduled app keeps no storage of its own: run the stateful part as an app without schedule and call it with a flow").field_path(".storage"))]
#[x_kube(validation = Rule::new("!has(self.schedule) || self.ports.size() == 0").message("a scheduled app serves no ports (its pods run only during a run); it may call other apps through flows.calls").field_path(".ports"))]
#[x_kube(validation = Rule::new("!has(self.schedule) || self.replicas <= 1").message("a scheduled app runs one pod per run: replicas is 1, or 0 to suspend the schedule").field_path(".replicas"))]
#[x_kube(validation = Rule::new("!has(self.schedule) || !has(self.autoscaling)").message("a scheduled app runs one pod per run: autoscaling is for apps that run all the time").field_path(".autoscaling"))]
#[x_kube(validation = Rule::new("!has(self.schedule) || !has(self.readinessProbe)").message("a scheduled app's pods serve nothing: readinessProbe is for apps that serve ports").field_path(".readinessProbe"))]
pub struct DepartmentAppSpec {
    /// Name of the NetworkZone the app runs in. The app's namespace must be its
    /// tenant's namespace for that zone (`<tenant>-<zone>`).
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]{1,15}$')").message("zone must be a zone name such as extranet"))]
    #[x_kube(validation = Rule::new("self == oldSelf").message("zone is immutable; create the app in the other zone's namespace instead"))]
    #[schemars(length(max = 15))]
    pub zone: String,

    /// Names of the app shown to people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<DisplayName>,

    /// Container image, from a registry the zone allows (for example
    /// `harbor.egov.local/public-security/population-db:1.4.2`). At MLPS level 3
    /// the image must be pinned by digest (`@sha256:...`).
    #[x_kube(validation = Rule::new("self.size() > 0 && self.size() <= 512 && !self.contains(' ')").message("image must be a non-empty image reference without spaces"))]
    #[schemars(length(max = 512))]
    pub image: String,

    /// When the kubelet pulls the image: `Always`, `IfNotPresent` or
    /// `Never`. Where the zone requires it (MLPS level 3, or the zone's
    /// `alwaysPullImages`), `Always` is rendered and no other value is
    /// accepted, so that no tenant runs another tenant's image from a node's
    /// cache. Elsewhere `IfNotPresent` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<PullPolicy>,

    /// Secrets of the app's own namespace holding the credentials to pull
    /// the image (type `kubernetes.io/dockerconfigjson`). Names are unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 8))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["name".into()]))]
    pub image_pull_secrets: Vec<PullSecret>,

    /// Number of pods. 0 stops the app and keeps its configuration. Ignored
    /// when `autoscaling` is set: the HorizontalPodAutoscaler then decides
    /// the count between its minReplicas and maxReplicas.
    #[serde(default = "default_replicas")]
    #[x_kube(validation = Rule::new("self >= 0 && self <= 100").message("replicas must be between 0 and 100"))]
    pub replicas: i32,

    /// Scale the app on CPU use between `minReplicas` and `maxReplicas`
    /// pods (an `autoscaling/v2` HorizontalPodAutoscaler). `maxReplicas`
    /// pods, each at its limits, must fit the tenant's quota in the zone
    /// (GC-RES-004). `replicas` is then ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,

    /// CPU and memory requests and limits of the app's container. Missing values
    /// come from the tenant's limit defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<AppResources>,

    /// Ports the app serves. Names are unique; so are port numbers per protocol.
    #[serde(default)]
    #[schemars(length(max = 16))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["name".into()]))]
    #[x_kube(validation = Rule::new("self.all(p, self.exists_one(q, q.port == p.port && q.protocol == p.protocol))").message("port numbers must be unique per protocol"))]
    pub ports: Vec<AppPort>,

    /// The container's entrypoint, replacing the image's (no shell: `["sh",
    /// "-c", "..."]` for one). The image's own when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64), inner(length(max = 4096)))]
    pub command: Vec<String>,

    /// Arguments to the entrypoint, replacing the image's. The image's own when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64), inner(length(max = 4096)))]
    pub args: Vec<String>,

    /// Environment variables: literal values, or keys of ConfigMaps and
    /// Secrets of the app's own namespace (no field names a namespace). Names
    /// are unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["name".into()]))]
    pub env: Vec<EnvVar>,

    /// Files from ConfigMaps and Secrets of the app's own namespace, mounted
    /// read-only (mode 0440). Mount paths are unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["mountPath".into()]))]
    pub config_files: Vec<ConfigFiles>,

    /// When a pod is ready to serve: until it passes, the Service sends it
    /// nothing and the app's ready replicas do not count it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<AppProbe>,

    /// When a running container is stuck: after `failureThreshold` failures
    /// it is restarted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<AppProbe>,

    /// For slow starters: the other probes wait until it passes once; after
    /// `failureThreshold` failures the container is restarted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<AppProbe>,

    /// Persistent storage: each pod gets a claim per volume, which keeps its
    /// data across restarts and moves. An app with storage runs as a
    /// StatefulSet (stable pod names `<app>-0`, `<app>-1` …, ordered
    /// rollout) with a headless Service. Names are unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 8))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["name".into()]))]
    pub storage: Vec<AppStorage>,

    /// Runs the app on a schedule instead of all the time: a CronJob whose
    /// runs are Jobs of one pod, with the same hardening, placement and
    /// flows (calls) as any app. `replicas: 0` suspends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,

    /// Who may reach the app from outside govcloud-managed apps: `none` (only
    /// granted flows), `zone` (also clients on the zone's network ranges) or
    /// `public` (also the internet; only in an internet zone that allows it).
    #[serde(default)]
    pub exposure: Exposure,

    /// Host name of a public app's Ingress. Defaults to `<app>.<tenant>.<zone publicDomain>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.size() <= 253 && self.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\\\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("host must be a DNS name such as www.chifeng.gov.cn"))]
    #[schemars(length(max = 253))]
    pub host: Option<String>,

    /// TLS on a public app's Ingress: a Secret of the app's own namespace
    /// (`secretName`), or a cert-manager ClusterIssuer the zone offers
    /// (`issuer`, from NetworkZone `spec.tlsIssuers`), which keeps the
    /// certificate in the Secret `<app>-tls`. Only with public exposure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<AppTls>,

    /// IngressClass of a public app's Ingress, one of the zone's
    /// `allowedIngressClasses` (the zone's first when unset). Only with
    /// public exposure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')").message("ingressClass must be an IngressClass name such as nginx-internet"))]
    #[schemars(length(max = 253))]
    pub ingress_class: Option<String>,

    /// RuntimeClass of the app's pods, one of the zone's
    /// `allowedRuntimeClasses` (the zone's `requiredRuntimeClass` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')").message("runtimeClass must be a RuntimeClass name such as gvisor"))]
    #[schemars(length(max = 253))]
    pub runtime_class: Option<String>,

    /// Classification of the data the app holds.
    #[serde(default)]
    pub data_classification: DataClassification,

    /// Data flows: which apps this app calls, and which tenants may call it.
    #[serde(default, skip_serializing_if = "Flows::is_empty")]
    pub flows: Flows,

    /// How the app shares what it holds with other departments (its class,
    /// its catalogue entry and its answers); none: only through `flows.allowFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<Sharing>,

    /// The e-government project (电子政务项目) the app belongs to, as named in
    /// its project approval; the evaluation gives per-project results
    /// (专项评估) beside the per-department ones. Same meaning as a
    /// ResourceRequest's `project`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.size() <= 128 && self.matches('\\\\S')").message("project must name the e-government project, at most 128 characters, for example 网上综合服务平台"))]
    #[schemars(length(max = 128))]
    pub project: Option<String>,
}

fn default_replicas() -> i32 {
    1
}

impl DepartmentAppSpec {
    /// How the app runs: on a schedule, with storage, or stateless.
    pub fn workload_kind(&self) -> WorkloadKind {
        if self.schedule.is_some() {
            WorkloadKind::CronJob
        } else if !self.storage.is_empty() {
            WorkloadKind::StatefulSet
        } else {
            WorkloadKind::Deployment
        }
    }

    /// The ConfigMaps the app reads (environment and files), each once, sorted.
    pub fn config_maps(&self) -> std::collections::BTreeSet<&str> {
        let env = self.env.iter().filter_map(|e| e.value_from.as_ref()?.config_map_key_ref.as_ref());
        let files = self.config_files.iter().filter_map(|f| f.config_map.as_deref());
        env.map(|r| r.name.as_str()).chain(files).collect()
    }

    /// The Secrets the app reads (environment and files), each once, sorted.
    pub fn secrets(&self) -> std::collections::BTreeSet<&str> {
        let env = self.env.iter().filter_map(|e| e.value_from.as_ref()?.secret_key_ref.as_ref());
        let files = self.config_files.iter().filter_map(|f| f.secret.as_deref());
        env.map(|r| r.name.as_str()).chain(files).collect()
    }
}

/// CEL on [`AppResources`]: the limit of `resource` is at least its request
/// when both are set (the API server refuses a container whose request
/// exceeds its limit).
fn limit_rule(resource: &str) -> String {
    format!(
        "!has(self.requests) || !has(self.limits) || !has(self.requests.{resource}) || !has(self.limits.{resource}) || !isQuantity(self.requests.{resource}) || !isQuantity(self.limits.{resource}) || !quantity(self.limits.{resource}).isLessThan(quantity(self.requests.{resource}))"
    )
}

/// TLS of a public app's Ingress: exactly one of `secretName` and `issuer`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.secretName) != has(self.issuer)").message("tls needs exactly one of secretName (a Secret of the app's namespace) and issuer (a ClusterIssuer of the zone's tlsIssuers)"))]
pub struct AppTls {
    /// A Secret of type `kubernetes.io/tls` in the app's own namespace (a
    /// name, never `namespace/name`: no controller may serve another
    /// tenant's certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')").message("secretName must be the name of a Secret in the app's own namespace, such as portal-cert (no namespace/ prefix)"))]
    #[schemars(length(max = 253))]
    pub secret_name: Option<String>,
    /// A cert-manager ClusterIssuer of the zone's `tlsIssuers`; the
    /// certificate is kept in the Secret `<app>-tls` of the app's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')").message("issuer must be a ClusterIssuer name such as letsencrypt-prod"))]
    #[schemars(length(max = 253))]
    pub issuer: Option<String>,
}

/// Requests and limits of the app's container. A limit is at least its request.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new(limit_rule("cpu")).message("limits.cpu must be at least requests.cpu: the API server refuses a container whose request exceeds its limit").field_path(".limits.cpu"))]
#[x_kube(validation = Rule::new(limit_rule("memory")).message("limits.memory must be at least requests.memory: the API server refuses a container whose request exceeds its limit").field_path(".limits.memory"))]
pub struct AppResources {
    /// What the scheduler reserves for each pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<CpuMemory>,
    /// The most each pod may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<CpuMemory>,
}

/// Autoscaling of an app on its pods' CPU use.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("self.maxReplicas >= self.minReplicas").message("maxReplicas must be at least minReplicas").field_path(".maxReplicas"))]
pub struct Autoscaling {
    /// Fewest pods, at least 1.
    #[x_kube(validation = Rule::new("self >= 1 && self <= 100").message("minReplicas must be between 1 and 100"))]
    pub min_replicas: i32,
    /// Most pods, at most 100 and at least minReplicas. That many pods, each
    /// at its limits, must fit the tenant's quota in the app's zone (pods,
    /// cpu, memory); raise the quota with a ResourceRequest of kind Quota.
    #[x_kube(validation = Rule::new("self >= 1 && self <= 100").message("maxReplicas must be between 1 and 100"))]
    pub max_replicas: i32,
    /// Average CPU use the autoscaler aims at, in percent of each pod's CPU
    /// request (1 to 100).
    #[x_kube(validation = Rule::new("self >= 1 && self <= 100").message("targetCPUUtilization must be a percentage between 1 and 100"))]
    #[serde(rename = "targetCPUUtilization")]
    pub target_cpu_utilization: i32,
}

/// A port the app serves.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppPort {
    /// Port name (an IANA service name: at most 15 lowercase letters, digits
    /// and single hyphens, with at least one letter).
    #[x_kube(validation = Rule::new("self.size() <= 15 && self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') && self.matches('[a-z]') && !self.contains('--')").message("name must be at most 15 lowercase letters, digits or single hyphens, with at least one letter, for example http"))]
    #[schemars(length(max = 15))]
    pub name: String,
    /// Port number the container listens on and the Service serves.
    #[x_kube(validation = Rule::new("self >= 1 && self <= 65535").message("port must be between 1 and 65535"))]
    pub port: i32,
    /// `TCP` (default) or `UDP`.
    #[serde(default)]
    pub protocol: PortProtocol,
}

/// Transport protocol of a port.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
pub enum PortProtocol {
    /// TCP.
    #[default]
    TCP,
    /// UDP.
    UDP,
}

impl PortProtocol {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PortProtocol::TCP => "TCP",
            PortProtocol::UDP => "UDP",
        }
    }
}

/// Who may reach an app besides its granted flows.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    /// Only apps with a granted flow.
    #[default]
    None,
    /// Also clients on the zone's network ranges (for example civil servants' desktops on the extranet).
    Zone,
    /// Also the internet, through an Ingress. Only in an internet zone that allows internet ingress.
    Public,
}

impl Exposure {
    /// The lowercase name used in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::None => "none",
            Exposure::Zone => "zone",
            Exposure::Public => "public",
        }
    }
}

/// Classification of the data an app holds.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DataClassification {
    /// Published information (公开).
    Public,
    /// Internal government information (内部).
    #[default]
    Internal,
    /// Sensitive personal or business data (敏感), such as the population database.
    Sensitive,
    /// Work secrets (工作秘密); kept in private zones.
    Secret,
}

impl DataClassification {
    /// The lowercase name used in manifests and labels.
    pub fn as_str(self) -> &'static str {
        match self {
            DataClassification::Public => "public",
            DataClassification::Internal => "internal",
            DataClassification::Sensitive => "sensitive",
            DataClassification::Secret => "secret",
        }
    }
}

/// The two sides of data flows: a flow between tenants exists only when the
/// consumer lists it under `calls` and the provider lists the consumer's tenant
/// under `allowFrom`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Flows {
    /// Apps this app calls (the consumer side).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    #[x_kube(validation = Rule::new("self.all(c, self.exists_one(d, d.app == c.app && (has(d.tenant) ? d.tenant : '') == (has(c.tenant) ? c.tenant : '') && (has(d.zone) ? d.zone : '') == (has(c.zone) ? c.zone : '')))").message("each called app is listed once"))]
    pub calls: Vec<FlowCall>,
    /// Tenants whose apps may call this app (the provider side).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 256))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["tenant".into()]))]
    pub allow_from: Vec<FlowGrant>,
}

impl Flows {
    /// True when the app neither calls nor grants anything.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty() && self.allow_from.is_empty()
    }
}

/// One app this app calls.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FlowCall {
    /// Tenant of the called app; defaults to this app's tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.size() <= 40 && self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("tenant must be a tenant name"))]
    #[schemars(length(max = 40))]
    pub tenant: Option<String>,
    /// Name of the called DepartmentApp.
    #[x_kube(validation = Rule::new("self.size() <= 40 && self.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')").message("app must be an app name"))]
    #[schemars(length(max = 40))]
    pub app: String,
    /// Zone the called app runs in; defaults to this app's zone. An app is
    /// identified by tenant, zone and name: a call across zones names the zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]{1,15}$')").message("zone must be a zone name such as private"))]
    #[schemars(length(max = 15))]
    pub zone: Option<String>,
    /// Names of the called app's ports to use; empty means all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16), inner(length(max = 15)))]
    pub ports: Vec<String>,
    /// What the data is used for (用途); a provider that shares
    /// conditionally answers only a call that states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.size() > 0").message("purpose says what the data is used for"))]
    #[schemars(length(max = 512))]
    pub purpose: Option<String>,
}

/// A tenant allowed to call this app.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FlowGrant {
    /// Tenant granted access.
    #[x_kube(validation = Rule::new("self.size() <= 40 && self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("tenant must be a tenant name"))]
    #[schemars(length(max = 40))]
    pub tenant: String,
    /// Zones of that tenant whose apps are granted; empty means this app's
    /// own zone only. A grant never reaches an app of the same name in
    /// another zone unless that zone is listed here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(validation = Rule::new("self.all(z, z.matches('^[a-z0-9]{1,15}$'))").message("zones are zone names such as extranet"))]
    #[schemars(length(max = 16), inner(length(max = 15)))]
    pub zones: Vec<String>,
    /// Apps of that tenant granted access (in the granted zones); empty means all of its apps there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64), inner(length(max = 40)))]
    pub apps: Vec<String>,
}

/// Where an app runs and who it is: tenant, zone and name. Two apps of one
/// tenant with the same name in different zones are different apps.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
pub struct AppKey {
    /// Tenant.
    pub tenant: String,
    /// Zone.
    pub zone: String,
    /// App name.
    pub app: String,
}

impl std::fmt::Display for AppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.tenant, self.zone, self.app)
    }
}

/// Observed state of a `DepartmentApp`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentAppStatus {
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Desired replicas.
    #[serde(default)]
    pub replicas: i32,
    /// Pods ready to serve.
    #[serde(default)]
    pub ready_replicas: i32,
    /// `ready/desired`, for `kubectl get`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas_summary: Option<String>,
    /// Addresses the app is reachable at (Service DNS names, Ingress hosts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    /// The flows this app calls and their state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<FlowStatus>,
    /// `granted/pending/refused`, as one string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flows_summary: Option<String>,
    /// Calls granted, for `kubectl get`.
    #[serde(default)]
    pub flows_granted: i32,
    /// Calls waiting on the provider (Pending), for `kubectl get`.
    #[serde(default)]
    pub flows_waiting: i32,
    /// Calls refused, for `kubectl get`.
    #[serde(default)]
    pub flows_refused: i32,
    /// As a provider: its sharing class, consumers and requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<SharingStatus>,
    /// Baseline or isolation rules the app's declaration breaks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<String>,
    /// Conditions: `Ready`, `Degraded`, `Pending`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
