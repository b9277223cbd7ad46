//! The command's shared arguments: the cluster flags (`--cluster-cidrs`,
//! `--cluster`, `--cluster-kubeconfig`, `--cluster-context`) and their parsers,
//! and the value enums of the flags.

use std::path::PathBuf;

use super::CliError;
use crate::audit::output::Lang;

/// The cluster's own address ranges.
#[derive(clap::Args, Debug)]
pub struct ClusterCidrs {
    /// The cluster's pod and service ranges, comma-separated: wide ipBlocks
    /// (the internet, egress ranges) except them, so a CNI that matches pod IPs
    /// against ipBlocks opens nothing extra.
    #[arg(long = "cluster-cidrs", value_name = "CIDR,...", value_delimiter = ',', value_parser = parse_network,
          default_values_t = crate::model::DEFAULT_CLUSTER_CIDRS.map(String::from))]
    pub cluster_cidrs: Vec<String>,
    /// The cluster, in a city of several: the zones whose `spec.cluster` is
    /// NAME are hosted there (an empty NAME: the zones that name none).
    /// `run` without it hosts the zones that name no cluster; `render`
    /// without it renders every cluster the model names, one after another.
    #[arg(long, value_name = "NAME", value_parser = parse_cluster)]
    pub cluster: Option<String>,
}

impl ClusterCidrs {
    /// The cluster given: `None` when not given, `Some(None)` for the
    /// cluster without a name (`--cluster ''`).
    pub fn cluster(&self) -> Option<Option<String>> {
        self.cluster.as_ref().map(|c| (!c.is_empty()).then(|| c.clone()))
    }
}

/// The API server's addresses, as a pod is shown them.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ApiServerArgs {
    /// An address of the API server as pods reach it (an endpoint of Service
    /// default/kubernetes: `kubectl get endpointslices -n default -l
    /// kubernetes.io/service-name=kubernetes`); repeatable. Every egress
    /// ipBlock that holds one excepts it (GC-NET-007), as the operator does
    /// with the addresses it watches; the offline audit judges who reaches
    /// it on ports 443 and 6443. The operator adds these to the ones it watches.
    #[arg(long = "api-server", value_name = "ADDR", value_parser = parse_address)]
    pub api_server: Vec<String>,
}

/// The clusters of a city, read live: `govcloud audit` merges their audits
/// into one report, `govcloud evaluate` evaluates each tenant once over them.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CityArgs {
    /// A cluster of the city to read live, through a kubeconfig file (its
    /// context CONTEXT, else its current one); NAME is the cluster's name in
    /// the zones' spec.cluster (empty: the cluster without a name).
    /// Repeatable, with --cluster-context: every cluster given is read with
    /// its model and the results merged into one.
    #[arg(long = "cluster-kubeconfig", value_name = "NAME=PATH[#CONTEXT]", value_parser = parse_cluster_kubeconfig)]
    pub cluster_kubeconfig: Vec<ClusterSource>,
    /// A cluster of the city to read live, through a context of the default
    /// kubeconfig (KUBECONFIG or ~/.kube/config). Repeatable.
    #[arg(long = "cluster-context", value_name = "NAME=CONTEXT", value_parser = parse_cluster_context)]
    pub cluster_context: Vec<ClusterSource>,
}

impl CityArgs {
    /// The clusters given, checked against the other flags: none (not a
    /// city), or each once, without -f or --cluster.
    pub(super) fn sources(self, paths: &[PathBuf], cidrs: &ClusterCidrs) -> Result<Vec<ClusterSource>, CliError> {
        let sources: Vec<ClusterSource> = self.cluster_kubeconfig.into_iter().chain(self.cluster_context).collect();
        if sources.is_empty() {
            return Ok(sources);
        }
        if !paths.is_empty() {
            return Err(CliError::Input(
                "--cluster-kubeconfig and --cluster-context read live clusters; -f reads files: give one or the other"
                    .into(),
            ));
        }
        if cidrs.cluster.is_some() {
            return Err(CliError::Input(
                "--cluster names one cluster; --cluster-kubeconfig and --cluster-context name each cluster of the city: give one or the other".into(),
            ));
        }
        for (i, s) in sources.iter().enumerate() {
            if let Some(o) = sources[..i].iter().find(|o| o.name == s.name) {
                return Err(CliError::Input(format!(
                    "{} and {} name the same cluster: give each cluster of the city once",
                    o.flag(),
                    s.flag()
                )));
            }
        }
        Ok(sources)
    }
}

/// A cluster name: a DNS label, as `spec.cluster` of a NetworkZone; empty for the cluster without a name.
fn parse_cluster(s: &str) -> Result<String, String> {
    let ok = s.is_empty()
        || (s.len() <= 40
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?} is not a cluster name: use the spec.cluster of a NetworkZone, a DNS label such as private-cloud"
        ))
    }
}

/// Where to reach one cluster of a city: `--cluster-kubeconfig` or `--cluster-context`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterSource {
    /// The cluster's name (`None`: the cluster without a name).
    pub name: Option<String>,
    /// The kubeconfig file; `None`: the default kubeconfig.
    pub kubeconfig: Option<PathBuf>,
    /// The context; `None`: the file's current context.
    pub context: Option<String>,
}

impl ClusterSource {
    /// The flag and value it came from, for error messages.
    pub(super) fn flag(&self) -> String {
        let name = self.name.as_deref().unwrap_or_default();
        match (&self.kubeconfig, &self.context) {
            (Some(path), Some(c)) => format!("--cluster-kubeconfig {name}={}#{c}", path.display()),
            (Some(path), None) => format!("--cluster-kubeconfig {name}={}", path.display()),
            (None, c) => format!("--cluster-context {name}={}", c.as_deref().unwrap_or_default()),
        }
    }
}

/// `NAME=PATH[#CONTEXT]`.
fn parse_cluster_kubeconfig(s: &str) -> Result<ClusterSource, String> {
    let Some((name, rest)) = s.split_once('=') else {
        return Err(format!(
            "{s:?} names no cluster: write NAME=PATH[#CONTEXT], for example private=/etc/govcloud/private.kubeconfig (=PATH for the cluster without a name)"
        ));
    };
    let name = parse_cluster(name)?;
    let (path, context) = match rest.split_once('#') {
        Some((p, c)) => (p, Some(c)),
        None => (rest, None),
    };
    if path.is_empty() {
        return Err(format!("{s:?} gives no kubeconfig file after '=': write NAME=PATH[#CONTEXT]"));
    }
    if context.is_some_and(str::is_empty) {
        return Err(format!(
            "{s:?} gives an empty context after '#': name one, or leave out '#' to use the file's current context"
        ));
    }
    Ok(ClusterSource {
        name: (!name.is_empty()).then_some(name),
        kubeconfig: Some(PathBuf::from(path)),
        context: context.map(String::from),
    })
}

/// `NAME=CONTEXT`.
fn parse_cluster_context(s: &str) -> Result<ClusterSource, String> {
    let Some((name, context)) = s.split_once('=').filter(|(_, c)| !c.is_empty()) else {
        return Err(format!(
            "{s:?} is not NAME=CONTEXT: write for example private=private-admin@private (=CONTEXT for the cluster without a name)"
        ));
    };
    let name = parse_cluster(name)?;
    Ok(ClusterSource { name: (!name.is_empty()).then_some(name), kubeconfig: None, context: Some(context.to_string()) })
}

/// A CIDR written as its network address (`10.244.0.0/16`).
/// The language of a command's pages: `--lang`, else the locale's (see
/// [`Lang::from_locale`]: English only on an English locale, else Chinese).
pub(super) fn lang_or_locale(given: Option<Lang>) -> Lang {
    let var = |k: &str| std::env::var(k).ok();
    given.unwrap_or_else(|| {
        Lang::from_locale(var("LC_ALL").as_deref(), var("LC_MESSAGES").as_deref(), var("LANG").as_deref())
    })
}

pub(super) fn parse_network(s: &str) -> Result<String, String> {
    let net: ipnet::IpNet =
        s.trim().parse().map_err(|e| format!("{s:?} is not a CIDR ({e}); write for example 10.244.0.0/16"))?;
    if net.trunc() != net {
        return Err(format!("{s:?} is not a network address; did you mean {}?", net.trunc()));
    }
    Ok(net.to_string())
}

pub(super) fn parse_address(s: &str) -> Result<String, String> {
    s.trim()
        .parse::<std::net::IpAddr>()
        .map(|a| a.to_string())
        .map_err(|e| format!("{s:?} is not an IP address ({e}); write one address, for example 10.0.0.1 or fd00::1"))
}

/// Compliance report API of the operator.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ReportsArg {
    /// openreports.io/v1alpha1 Report and ClusterReport.
    Openreports,
    /// wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport.
    Wgpolicy,
    /// No reports.
    Off,
}

/// Audit output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum AuditFormat {
    /// A table for the terminal.
    Table,
    /// One JSON document.
    Json,
    /// OpenReports (or PolicyReport) YAML.
    Openreports,
    /// A self-contained HTML page.
    Html,
}

/// Output format of `govcloud evaluate`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum EvaluateFormat {
    /// A terminal table.
    Table,
    /// JSON (readable back with --snapshot).
    Json,
    /// A self-contained HTML page with charts.
    Html,
}

/// Output format of `govcloud catalogue`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum CatalogueFormat {
    /// A terminal table.
    Table,
    /// One JSON document.
    Json,
    /// A self-contained HTML page, the names in zh, en and mn.
    Html,
}

/// Output format of `govcloud mine`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MineFormat {
    /// A terminal table.
    Table,
    /// One JSON document.
    Json,
}

/// Severity threshold for `--fail-on`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SeverityArg {
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
}

/// How logs are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// What `govcloud audit` and `govcloud evaluate` narrow their report to
/// (the evaluation: the tenants kept, with their city-wide scores and ranks).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this tenant's findings (evaluate: only this tenant).
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Only this zone's findings, the zone's own included (evaluate: the
    /// tenants in this zone).
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<String>,
    /// Only this control's findings, for example GC-NET-001 (evaluate: the
    /// tenants it checked).
    #[arg(long, value_name = "ID")]
    pub control: Option<String>,
    /// Only failures (evaluate: the tenants with a failed check).
    #[arg(long)]
    pub failures_only: bool,
}

impl From<AuditFilter> for crate::audit::filter::Filter {
    fn from(a: AuditFilter) -> Self {
        crate::audit::filter::Filter {
            tenant: a.tenant,
            zone: a.zone,
            control: a.control,
            failures_only: a.failures_only,
        }
    }
}
