//! What runs in a `DepartmentApp`'s container besides its image: environment
//! variables, configuration files, command and arguments, and health probes.
//!
//! Configuration comes from ConfigMaps and Secrets of the app's own
//! namespace, by name: no field names a namespace, so an app can only read
//! objects of its namespace, and no field carries a Secret's data (a Secret
//! is only referenced). Every rule the API server applies to the container
//! govcloud renders from these fields is a CEL rule here, so a bad app is
//! refused at the CRD (and by `govcloud render` offline) instead of being
//! accepted and then failing to apply.

use kube::KubeSchema;
use serde::{Deserialize, Serialize};

/// Where govcloud mounts the app's scratch space (an emptyDir: the root
/// filesystem is read-only).
pub const TMP_MOUNT: &str = "/tmp";

/// Where Kubernetes puts a service account's token. govcloud mounts none
/// (`automountServiceAccountToken: false`); a file there would pass for one.
pub const SERVICE_ACCOUNT_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Paths an app's config files may not be mounted at, inside or above.
pub const RESERVED_MOUNT_PATHS: [&str; 2] = [TMP_MOUNT, SERVICE_ACCOUNT_MOUNT];

/// File mode of mounted config files: read-only, for the owner (root) and the
/// pod's group (the app runs in it), nobody else.
pub const CONFIG_FILE_MODE: i32 = 0o440;

/// CEL: a DNS-1123 subdomain (the name of a ConfigMap or Secret).
const DNS_SUBDOMAIN: &str =
    "self.size() <= 253 && self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')";

/// CEL: a ConfigMap or Secret key (`[-._a-zA-Z0-9]+`).
const DATA_KEY: &str = "self.size() <= 253 && self.matches('^[-._a-zA-Z0-9]+$')";

/// The CEL rule keeping a mount path off [`RESERVED_MOUNT_PATHS`]: not one of
/// them, not inside one, not above one.
pub fn reserved_mount_rule() -> String {
    let list = RESERVED_MOUNT_PATHS.iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", ");
    format!("[{list}].all(r, self != r && !self.startsWith(r + '/') && !r.startsWith(self + '/'))")
}

/// The message of [`reserved_mount_rule`].
pub fn reserved_mount_message() -> String {
    format!(
        "mountPath may not be {}, inside or above them: govcloud mounts the app's scratch space at {TMP_MOUNT}, and a file where Kubernetes puts a service account's token would pass for one",
        RESERVED_MOUNT_PATHS.join(" or ")
    )
}

/// An environment variable of the app's container.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("!(has(self.value) && has(self.valueFrom))").message("an environment variable takes value or valueFrom, not both").field_path(".valueFrom"))]
pub struct EnvVar {
    /// Name: letters, digits and underscores, not starting with a digit
    /// (for example `DB_HOST`). Unique among the app's variables.
    #[x_kube(validation = Rule::new("self.matches('^[A-Za-z_][A-Za-z0-9_]*$')").message("name must be letters, digits and underscores, not starting with a digit, for example DB_HOST"))]
    #[schemars(length(max = 128))]
    pub name: String,
    /// A literal value, readable by anyone who may read the app: never a
    /// password or a key (take those from a Secret with `valueFrom.secretKeyRef`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 4096))]
    pub value: Option<String>,
    /// The value of a key of a ConfigMap or a Secret of the app's own namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvSource>,
}

/// Where an environment variable's value comes from: exactly one of a
/// ConfigMap's key or a Secret's key, in the app's own namespace.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.configMapKeyRef) != has(self.secretKeyRef)").message("valueFrom takes exactly one of configMapKeyRef and secretKeyRef"))]
pub struct EnvSource {
    /// A key of a ConfigMap of the app's namespace. A change of the
    /// ConfigMap's data rolls the app's pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_key_ref: Option<KeyRef>,
    /// A key of a Secret of the app's namespace. govcloud never reads Secrets:
    /// after a change, restart the app (`kubectl rollout restart deployment/<app> -n <namespace>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<KeyRef>,
}

/// A key of a ConfigMap or Secret of the app's own namespace.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KeyRef {
    /// Name of the ConfigMap or Secret. There is no namespace field: it is
    /// always an object of the app's own namespace.
    #[x_kube(validation = Rule::new(DNS_SUBDOMAIN).message("name must be a ConfigMap or Secret name (a DNS subdomain such as portal-config)"))]
    #[schemars(length(max = 253))]
    pub name: String,
    /// The key in its data.
    #[x_kube(validation = Rule::new(DATA_KEY).message("key must be letters, digits, '-', '_' or '.', for example db-host"))]
    #[schemars(length(max = 253))]
    pub key: String,
}

/// Files of a ConfigMap or a Secret of the app's own namespace, mounted
/// read-only in a directory of the container (mode 0440).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.configMap) != has(self.secret)").message("config files come from exactly one of configMap and secret"))]
pub struct ConfigFiles {
    /// Absolute path of the directory the files appear in, such as
    /// `/etc/portal`. Unique among the app's config files; not `/tmp` or the
    /// service-account token's directory, nor inside or above them.
    #[x_kube(validation = Rule::new("self.matches('^(/[-._a-zA-Z0-9]+)+$') && !self.matches('/[.][.]?(/|$)')").message("mountPath must be an absolute path such as /etc/portal: letters, digits, '-', '_' and '.', no trailing slash, no . or .. parts"))]
    #[x_kube(validation = Rule::new(reserved_mount_rule()).message(reserved_mount_message().as_str()))]
    #[schemars(length(max = 512))]
    pub mount_path: String,
    /// Name of a ConfigMap of the app's namespace: each key becomes a file. A
    /// change of its data rolls the app's pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new(DNS_SUBDOMAIN).message("configMap must be a ConfigMap name (a DNS subdomain such as portal-config)"))]
    #[schemars(length(max = 253))]
    pub config_map: Option<String>,
    /// Name of a Secret of the app's namespace: each key becomes a file.
    /// govcloud never reads Secrets: after a change, restart the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new(DNS_SUBDOMAIN).message("secret must be a Secret name (a DNS subdomain such as portal-tls)"))]
    #[schemars(length(max = 253))]
    pub secret: Option<String>,
    /// Only these keys, each as the file `path`; every key (as a file of its
    /// name) when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["path".into()]))]
    pub items: Vec<ConfigFileItem>,
}

/// One key mounted as one file.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ConfigFileItem {
    /// The key in the ConfigMap's or Secret's data.
    #[x_kube(validation = Rule::new(DATA_KEY).message("key must be letters, digits, '-', '_' or '.', for example portal.yaml"))]
    #[schemars(length(max = 253))]
    pub key: String,
    /// The file's path under `mountPath`, relative (such as `portal.yaml` or
    /// `conf/portal.yaml`), without `..`. Unique among the items.
    #[x_kube(validation = Rule::new("self.matches('^[-._a-zA-Z0-9]+(/[-._a-zA-Z0-9]+)*$') && !self.matches('(^|/)[.][.]?(/|$)')").message("path must be a relative path such as conf/portal.yaml, without . or .. parts"))]
    #[schemars(length(max = 253))]
    pub path: String,
}

/// A health probe of the app's container: exactly one of `httpGet`,
/// `tcpSocket` and `exec`, with its timing. Unset timings take Kubernetes'
/// defaults (period 10 s, timeout 1 s, 3 failures, no initial delay).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("(has(self.httpGet) ? 1 : 0) + (has(self.tcpSocket) ? 1 : 0) + (has(self.exec) ? 1 : 0) == 1").message("a probe takes exactly one of httpGet, tcpSocket and exec"))]
pub struct AppProbe {
    /// An HTTP GET on one of the app's ports: healthy on a 2xx or 3xx answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetProbe>,
    /// A TCP connection to one of the app's ports: healthy when it opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocketProbe>,
    /// A command run in the container: healthy when it exits 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecProbe>,
    /// Seconds after the container starts before the first probe (0 to 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 0 && self <= 3600").message("initialDelaySeconds must be between 0 and 3600"))]
    pub initial_delay_seconds: Option<i32>,
    /// Seconds between probes (1 to 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 300").message("periodSeconds must be between 1 and 300"))]
    pub period_seconds: Option<i32>,
    /// Seconds a probe may take (1 to 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 60").message("timeoutSeconds must be between 1 and 60"))]
    pub timeout_seconds: Option<i32>,
    /// Failures in a row that count (1 to 30): the pod is then not ready
    /// (readiness), restarted (liveness) or, while starting, restarted (startup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 30").message("failureThreshold must be between 1 and 30"))]
    pub failure_threshold: Option<i32>,
}

/// An HTTP GET probe.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpGetProbe {
    /// Path to request, starting with `/` (for example `/healthz`).
    #[serde(default = "root_path")]
    #[x_kube(validation = Rule::new("self.startsWith('/') && !self.contains(' ')").message("path must start with / and hold no spaces, for example /healthz"))]
    #[schemars(length(max = 1024))]
    pub path: String,
    /// Name of one of the app's TCP ports (`spec.ports[].name`).
    #[schemars(length(max = 15))]
    pub port: String,
    /// `HTTP` (default) or `HTTPS` (the certificate is not verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<ProbeScheme>,
}

fn root_path() -> String {
    "/".to_string()
}

/// The scheme of an HTTP probe.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, schemars::JsonSchema)]
pub enum ProbeScheme {
    /// Plain HTTP.
    HTTP,
    /// HTTPS (the certificate is not verified).
    HTTPS,
}

impl ProbeScheme {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeScheme::HTTP => "HTTP",
            ProbeScheme::HTTPS => "HTTPS",
        }
    }
}

/// A TCP probe.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TcpSocketProbe {
    /// Name of one of the app's TCP ports (`spec.ports[].name`).
    #[schemars(length(max = 15))]
    pub port: String,
}

/// A command probe.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExecProbe {
    /// The command and its arguments (no shell: `["sh", "-c", "..."]` for one).
    #[x_kube(validation = Rule::new("self.size() >= 1").message("command must name a program to run"))]
    #[schemars(length(max = 16), inner(length(max = 1024)))]
    pub command: Vec<String>,
}

/// The CEL rule (on the app's spec) that a probe's `handler` (`httpGet` or
/// `tcpSocket`) names one of the app's TCP ports.
pub fn probe_port_rule(probe: &str, handler: &str) -> String {
    format!(
        "!has(self.{probe}) || !has(self.{probe}.{handler}) || self.ports.exists(p, p.name == self.{probe}.{handler}.port && p.protocol == 'TCP')"
    )
}

/// The message of [`probe_port_rule`].
pub fn probe_port_message(probe: &str, handler: &str) -> String {
    format!("{probe}.{handler}.port must name one of the app's TCP ports (spec.ports[].name)")
}

/// When the kubelet pulls an app's image.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, schemars::JsonSchema)]
pub enum PullPolicy {
    /// On every start of a container: the registry checks the pod's credentials each time.
    Always,
    /// Only when the node has no copy.
    IfNotPresent,
    /// Never: the image must already be on the node.
    Never,
}

impl PullPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

/// A Secret of the app's own namespace with registry credentials.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PullSecret {
    /// Name of the Secret (a DNS subdomain such as harbor-pull).
    #[x_kube(validation = Rule::new(DNS_SUBDOMAIN).message("name must be a Secret name (a DNS subdomain such as harbor-pull)"))]
    #[schemars(length(max = 253))]
    pub name: String,
}
